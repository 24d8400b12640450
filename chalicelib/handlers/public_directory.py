"""Public look-ups without an account: offices nearby, clinics, employers, collection points.

`search_offices_route_body` is for GET /v1/offices (in `handlers.reference`): with `q=` it answers a name
search, so one route serves both the province list and the search.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_response
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

public_directory = lazy_module("chalicelib.services.public_directory")

bp = Blueprint(__name__)


def _params() -> Mapping[str, str]:
    return bp.current_request.query_params or {}


def search_offices_route_body(params: Mapping[str, str] | None) -> dict:
    """The body of GET /v1/offices?q=…[&province_code=…&limit=…&next_token=…]: offices by name,
    diacritics ignored. Raises ValidationFailedError (api_route renders it) for bad parameters."""
    params = params or {}
    page = public_directory.search_offices(params.get("q"), params.get("province_code"),
                                           parse_limit(params.get("limit")), params.get("next_token"))
    return page.as_api()


@api_route(bp, "/v1/offices/nearby", methods=["GET"])
def nearby_offices() -> Response:
    params = _params()
    page = public_directory.nearby_offices(params.get("lat"), params.get("lon"), params.get("radius_km"),
                                           parse_limit(params.get("limit")))
    return json_response(page.as_api())


@api_route(bp, "/v1/facilities", methods=["GET"])
def facilities() -> Response:
    params = _params()
    page = public_directory.facilities(params.get("type"), params.get("province_code"), params.get("q"),
                                       parse_limit(params.get("limit")), params.get("next_token"),
                                       params.get("district"))
    return json_response(page.as_api())


@api_route(bp, "/v1/employers", methods=["GET"])
def employers() -> Response:
    params = _params()
    page = public_directory.employers(params.get("q"), params.get("province_code"),
                                      parse_limit(params.get("limit")), params.get("next_token"),
                                      params.get("district"))
    return json_response(page.as_api())


@api_route(bp, "/v1/collection-points", methods=["GET"])
def collection_points() -> Response:
    params = _params()
    page = public_directory.collection_points(params.get("province_code"), params.get("district"),
                                              parse_limit(params.get("limit")), params.get("next_token"))
    return json_response(page.as_api())
