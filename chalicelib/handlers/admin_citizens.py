"""The citizen help desk for staff: a citizen of the officer's office, each read in the citizen's access log."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

citizen_help = lazy_module("chalicelib.services.citizen_help")
staff_auth = lazy_module("chalicelib.services.staff_auth")

bp = Blueprint(__name__)
# Personal data: never kept by a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store"}


def _staff() -> staff_auth.StaffIdentity:
    return staff_auth.office_from_request(bp.current_request)


def _query(name: str) -> str | None:
    return query_param(bp.current_request, name)


@api_route(bp, "/v1/admin/citizens/{social_insurance_number}", methods=["GET"])
def staff_citizen(social_insurance_number: str) -> Response:
    return json_response(citizen_help.citizen(_staff(), social_insurance_number), headers=NO_STORE)


@api_route(bp, "/v1/admin/citizens/{social_insurance_number}/contributions", methods=["GET"])
def staff_citizen_contributions(social_insurance_number: str) -> Response:
    staff = _staff()
    body = citizen_help.contributions(staff, social_insurance_number, _query("scheme"), parse_limit(_query("limit")),
                                      _query("next_token"))
    return json_response(body, headers=NO_STORE)
