"""Staff work their office's feedback queue (phản ánh kiến nghị) and answer it."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, idempotent, json_body, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

feedback = lazy_module("chalicelib.services.feedback")
staff_auth = lazy_module("chalicelib.services.staff_auth")

bp = Blueprint(__name__)
JSON = ["application/json"]


def _staff() -> staff_auth.StaffIdentity:
    return staff_auth.office_from_request(bp.current_request)


def _query(name: str) -> str | None:
    return query_param(bp.current_request, name)


@api_route(bp, "/v1/admin/feedback", methods=["GET"])
def staff_feedback_queue() -> Response:
    staff = _staff()
    page = feedback.queue(staff, _query("status"), parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api())


@api_route(bp, "/v1/admin/feedback/{feedback_id}/answer", methods=["POST"], content_types=JSON)
def staff_feedback_answer(feedback_id: str) -> Response:
    request = bp.current_request
    staff = _staff()
    body = json_body(request)
    return idempotent(request, f"answer-feedback:{staff.username}:{feedback_id}",
                      lambda: (200, feedback.answer(staff, feedback_id, body)))
