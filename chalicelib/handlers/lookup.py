"""POST /v1/lookup/social-insurance-number: find my number, without an account."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_body, json_response
from chalicelib.lazy import lazy_module

number_lookup = lazy_module("chalicelib.services.number_lookup")

bp = Blueprint(__name__)


@api_route(bp, "/v1/lookup/social-insurance-number", methods=["POST"], content_types=["application/json"])
def find_number() -> Response:
    request = bp.current_request
    address = ((request.context or {}).get("identity") or {}).get("sourceIp") or "unknown"
    return json_response(number_lookup.find_number(json_body(request), address), headers={"Cache-Control": "no-store"})
