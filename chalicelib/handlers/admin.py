"""The staff (admin) API: sign in with password + TOTP, work the office queue, decide."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, idempotent, json_body, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

decisions = lazy_module("chalicelib.services.decisions")
staff_auth = lazy_module("chalicelib.services.staff_auth")
staff_queue = lazy_module("chalicelib.services.staff_queue")
queue_search = lazy_module("chalicelib.services.queue_search")

bp = Blueprint(__name__)
JSON = ["application/json"]


def _staff() -> staff_auth.StaffIdentity:
    return staff_auth.office_from_request(bp.current_request)


def _query(name: str) -> str | None:
    return query_param(bp.current_request, name)


@api_route(bp, "/v1/admin/auth/login", methods=["POST"], content_types=JSON)
def staff_login() -> Response:
    request = bp.current_request
    address = ((request.context or {}).get("identity") or {}).get("sourceIp") or "unknown"
    return json_response(staff_auth.login(json_body(request), address), headers={"Cache-Control": "no-store"})


@api_route(bp, "/v1/admin/auth/logout", methods=["POST"], content_types=JSON)
def staff_logout() -> Response:
    request = bp.current_request
    json_body(request)  # not used, but garbage is refused before the session ends
    staff_auth.logout(request.headers.get("authorization"))
    return Response(body="", status_code=204)


@api_route(bp, "/v1/admin/registrations", methods=["GET"])
def staff_queue_list() -> Response:
    staff = _staff()
    search = _query("q")
    if search is not None:  # by name, social-insurance number or the reference on Form 01
        page = queue_search.search(staff, _query("status"), search, parse_limit(_query("limit")), _query("next_token"))
    else:
        page = staff_queue.queue(staff, _query("status"), parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api())


@api_route(bp, "/v1/admin/registrations/{registration_id}", methods=["GET"])
def staff_registration(registration_id: str) -> Response:
    return json_response(staff_queue.detail(_staff(), registration_id))


@api_route(bp, "/v1/admin/registrations/{registration_id}/approve", methods=["POST"], content_types=JSON)
def staff_approve(registration_id: str) -> Response:
    request = bp.current_request
    staff = _staff()
    body = json_body(request)
    return idempotent(request, f"approve:{staff.username}:{registration_id}",
                      lambda: (200, decisions.approve(staff, registration_id, body)))


@api_route(bp, "/v1/admin/registrations/{registration_id}/reject", methods=["POST"], content_types=JSON)
def staff_reject(registration_id: str) -> Response:
    request = bp.current_request
    staff = _staff()
    body = json_body(request)
    return idempotent(request, f"reject:{staff.username}:{registration_id}",
                      lambda: (200, decisions.reject(staff, registration_id, body)))
