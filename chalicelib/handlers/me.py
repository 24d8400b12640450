"""The signed-in citizen's own data (/v1/me...): always the caller's own, by the authorizer's username."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.citizen_auth import citizen, citizen_token
from chalicelib.http import api_route, json_body, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit

my_records = lazy_module("chalicelib.services.my_records")
phone_change = lazy_module("chalicelib.services.phone_change")

bp = Blueprint(__name__)
JSON = ["application/json"]
PRIVATE = {"Cache-Control": "no-store"}


def _query(name: str) -> str | None:
    return query_param(bp.current_request, name)


@api_route(bp, "/v1/me", methods=["GET"], authorizer=citizen_token)
def me() -> Response:
    from chalicelib.models.account import Account

    account = Account.get(citizen())
    return json_response({
        "social_insurance_number": account.username,
        "full_name": account.full_name,
        "date_of_birth": account.date_of_birth,
        "id_number": account.id_number,
        "phone": account.phone,
        "email": account.email,
        "address": account.address,
    }, headers=PRIVATE)


@api_route(bp, "/v1/me/health-card", methods=["GET"], authorizer=citizen_token)
def health_card() -> Response:
    return json_response(my_records.health_card(citizen()), headers=PRIVATE)


@api_route(bp, "/v1/me/contributions", methods=["GET"], authorizer=citizen_token)
def contributions() -> Response:
    body = my_records.contributions(citizen(), _query("scheme"), parse_limit(_query("limit")), _query("next_token"))
    return json_response(body, headers=PRIVATE)


@api_route(bp, "/v1/me/benefits", methods=["GET"], authorizer=citizen_token)
def benefits() -> Response:
    page = my_records.benefits(citizen(), parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api(), headers=PRIVATE)


@api_route(bp, "/v1/me/medical-visits", methods=["GET"], authorizer=citizen_token)
def medical_visits() -> Response:
    page = my_records.medical_visits(citizen(), _query("year"), parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api(), headers=PRIVATE)


@api_route(bp, "/v1/me/access-log", methods=["GET"], authorizer=citizen_token)
def access_log() -> Response:
    page = my_records.access_log(citizen(), parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api(), headers=PRIVATE)


@api_route(bp, "/v1/me/phone", methods=["POST"], content_types=JSON, authorizer=citizen_token)
def change_phone() -> Response:
    return json_response(phone_change.start(citizen(), json_body(bp.current_request)), 202, PRIVATE)


@api_route(bp, "/v1/me/phone/{challenge_id}/otp", methods=["POST"], content_types=JSON, authorizer=citizen_token)
def resend_phone_code(challenge_id: str) -> Response:
    json_body(bp.current_request)
    return json_response(phone_change.resend(citizen(), challenge_id), 202, PRIVATE)


@api_route(bp, "/v1/me/phone/{challenge_id}/verify", methods=["POST"], content_types=JSON,
           authorizer=citizen_token)
def confirm_phone(challenge_id: str) -> Response:
    return json_response(phone_change.confirm(citizen(), challenge_id, json_body(bp.current_request)),
                         headers=PRIVATE)
