"""The signed-in citizen's own data (/v1/me...)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.citizen_auth import citizen, citizen_token
from chalicelib.http import api_route, json_response
from chalicelib.models.account import Account

bp = Blueprint(__name__)


@api_route(bp, "/v1/me", methods=["GET"], authorizer=citizen_token)
def me() -> Response:
    account = Account.get(citizen())
    return json_response({
        "social_insurance_number": account.username,
        "full_name": account.full_name,
        "date_of_birth": account.date_of_birth,
        "id_number": account.id_number,
        "phone": account.phone,
        "email": account.email,
        "address": account.address,
    }, headers={"Cache-Control": "no-store"})
