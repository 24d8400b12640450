"""GET /v1/provinces and GET /v1/offices: the office choice on Form 01."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.public_directory import search_offices_route_body
from chalicelib.http import api_route, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

reference = lazy_module("chalicelib.services.reference")

bp = Blueprint(__name__)


def _query(name: str) -> str | None:
    return query_param(bp.current_request, name)


@api_route(bp, "/v1/provinces", methods=["GET"])
def list_provinces() -> Response:
    items = reference.list_provinces()
    return json_response({"items": items, "next_token": None})


@api_route(bp, "/v1/offices", methods=["GET"])
def list_offices() -> Response:
    params = bp.current_request.query_params or {}
    if params.get("q") is not None:  # name search, diacritic-insensitive, on the search-term index
        return json_response(search_offices_route_body(params))
    page = reference.list_offices(_query("province_code") or "", parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api())
