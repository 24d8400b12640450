"""GET /v1/admin/me: the signed-in staff member and their office, for the counter console's header."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_response
from chalicelib.lazy import lazy_module

staff_auth = lazy_module("chalicelib.services.staff_auth")
staff_profile = lazy_module("chalicelib.services.staff_profile")

bp = Blueprint(__name__)


@api_route(bp, "/v1/admin/me", methods=["GET"])
def staff_me() -> Response:
    staff = staff_auth.from_request(bp.current_request)
    return json_response(staff_profile.profile(staff), headers={"Cache-Control": "no-store"})
