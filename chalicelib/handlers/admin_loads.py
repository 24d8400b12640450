"""Operations staff follow the agency's data feed: GET /v1/admin/loads and /v1/admin/loads/{load_id}."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

feed_loads = lazy_module("chalicelib.services.feed_loads")
staff_auth = lazy_module("chalicelib.services.staff_auth")

bp = Blueprint(__name__)


@api_route(bp, "/v1/admin/loads", methods=["GET"])
def feed_load_list() -> Response:
    staff_auth.operations_from_request(bp.current_request)
    request = bp.current_request
    page = feed_loads.recent(parse_limit(query_param(request, "limit")), query_param(request, "next_token"))
    return json_response(page.as_api(), headers={"Cache-Control": "no-store"})


@api_route(bp, "/v1/admin/loads/{load_id}", methods=["GET"])
def feed_load_detail(load_id: str) -> Response:
    staff_auth.operations_from_request(bp.current_request)
    return json_response(feed_loads.describe(load_id), headers={"Cache-Control": "no-store"})
