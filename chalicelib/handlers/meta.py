"""GET /v1/openapi.json: the published contract, the same file that is checked against the routes."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_response

bp = Blueprint(__name__)
OPENAPI_FILE = Path(__file__).resolve().parent.parent / "openapi.json"


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


@api_route(bp, "/v1/openapi.json", methods=["GET"])
def openapi() -> Response:
    return json_response(openapi_document())
