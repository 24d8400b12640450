"""The citizen token authorizer and the sign-in endpoints (/v1/auth/...)."""

from __future__ import annotations

from chalice import AuthResponse, Blueprint, Response

from chalicelib.errors import (
    PasswordChangeRequiredError,
    ServiceUnavailableError,
    SessionReplacedError,
    UnauthorizedError,
)
from chalicelib.http import api_route, json_body, json_response
from chalicelib.lazy import lazy_module

captchas = lazy_module("chalicelib.services.captchas")
sessions = lazy_module("chalicelib.services.sessions")
sign_in = lazy_module("chalicelib.services.sign_in")

bp = Blueprint(__name__)
JSON = ["application/json"]
UNAVAILABLE = "UNAVAILABLE"


@bp.authorizer(ttl_seconds=0)  # no caching: a logout or a device move takes effect on the next request
def citizen_token(auth_request):  # noqa: ANN001, ANN201
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    token = (auth_request.token or "").removeprefix("Bearer ").strip()
    try:
        session = sessions.resolve(token)
    except (PynamoDBException, ClientError, BotoCoreError):
        # An exception here would be API Gateway's bare 500; let the route answer 503 + Retry-After instead.
        return AuthResponse(routes=["*"], principal_id="unavailable", context={"state": UNAVAILABLE})
    if session is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=session.username,
                        context={"state": session.state, "session": session.token_digest})


def citizen(*, allow_password_change: bool = False) -> str:
    """The signed-in citizen's username; refuses a replaced session and, unless allowed, a pending
    password change."""
    context = _authorizer_context()
    username = context.get("principalId")
    if not username or username == "anonymous":
        raise UnauthorizedError()
    if context.get("state") == "REPLACED":
        raise SessionReplacedError()
    if not allow_password_change:
        from chalicelib.models.account import Account

        if sign_in.password_change_required(Account.get(username)):
            raise PasswordChangeRequiredError()
    return username


def _authorizer_context() -> dict[str, str]:
    context = (bp.current_request.context or {}).get("authorizer") or {}
    if context.get("state") == UNAVAILABLE:  # the session store could not be read
        raise ServiceUnavailableError()
    return context


def _session_digest() -> str:
    return _authorizer_context().get("session", "")


@api_route(bp, "/v1/auth/captcha", methods=["GET"])
def get_captcha() -> Response:
    return json_response(captchas.issue(), headers={"Cache-Control": "no-store"})


@api_route(bp, "/v1/auth/login", methods=["POST"], content_types=JSON)
def login() -> Response:
    return json_response(sign_in.login(json_body(bp.current_request)), headers={"Cache-Control": "no-store"})


@api_route(bp, "/v1/auth/device-challenges/{challenge_id}/otp", methods=["POST"], content_types=JSON)
def send_device_code(challenge_id: str) -> Response:
    json_body(bp.current_request)
    return json_response(sign_in.send_device_code(challenge_id), 202)


@api_route(bp, "/v1/auth/device-challenges/{challenge_id}/verify", methods=["POST"], content_types=JSON)
def verify_device(challenge_id: str) -> Response:
    return json_response(sign_in.verify_device(challenge_id, json_body(bp.current_request)),
                         headers={"Cache-Control": "no-store"})


@api_route(bp, "/v1/auth/password", methods=["POST"], content_types=JSON, authorizer=citizen_token)
def change_password() -> Response:
    username = citizen(allow_password_change=True)
    # Every other session of the account ends; this one stays signed in.
    sign_in.change_password(username, json_body(bp.current_request), keep_session=_session_digest())
    return Response(body="", status_code=204)


@api_route(bp, "/v1/auth/password-reset", methods=["POST"], content_types=JSON)
def start_reset() -> Response:
    return json_response(sign_in.start_reset(json_body(bp.current_request)), 202)


@api_route(bp, "/v1/auth/password-reset/{reset_id}/otp", methods=["POST"], content_types=JSON)
def resend_reset(reset_id: str) -> Response:
    json_body(bp.current_request)
    return json_response(sign_in.resend_reset(reset_id), 202)


@api_route(bp, "/v1/auth/password-reset/{reset_id}/confirm", methods=["POST"], content_types=JSON)
def confirm_reset(reset_id: str) -> Response:
    sign_in.confirm_reset(reset_id, json_body(bp.current_request))
    return Response(body="", status_code=204)


@api_route(bp, "/v1/auth/logout", methods=["POST"], content_types=JSON, authorizer=citizen_token)
def logout() -> Response:
    sign_in.logout(_session_digest())
    return Response(body="", status_code=204)
