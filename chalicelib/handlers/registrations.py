"""Form 01 registration for the citizen's app: /v1/registrations."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.aws import documents as document_store
from chalicelib.errors import InvalidStateError
from chalicelib.http import api_route, idempotent, json_body, json_response
from chalicelib.lazy import lazy_module
from chalicelib.observability import correlation_id

access_keys = lazy_module("chalicelib.services.access_keys")
registrations = lazy_module("chalicelib.services.registrations")
submission = lazy_module("chalicelib.services.submission")
takeover = lazy_module("chalicelib.services.takeover")
registration_model = lazy_module("chalicelib.models.registration")

bp = Blueprint(__name__)
JSON = ["application/json"]


def _owned(registration_id: str) -> registration_model.Registration:
    return registrations.load_for_owner(registration_id, bp.current_request.headers.get("x-registration-key"))


@api_route(bp, "/v1/registrations", methods=["POST"], content_types=JSON)
def create_registration() -> Response:
    request = bp.current_request
    body = json_body(request)
    issue = access_keys.issuer(request.headers.get("idempotency-key"))
    # The access key is never kept with the replayable answer: a retry derives it again.
    return idempotent(request, "create-registration", lambda: registrations.create(body, issue),
                      unstored={"access_key": lambda reply: issue(reply["registration_id"])})


@api_route(bp, "/v1/registrations/takeover", methods=["POST"], content_types=JSON)
def start_takeover() -> Response:
    """A code to the register's phone that frees the number from someone else's draft."""
    request = bp.current_request
    body = json_body(request)
    return idempotent(request, "takeover", lambda: (202, takeover.start(body)))


@api_route(bp, "/v1/registrations/takeover/{challenge_id}/verify", methods=["POST"], content_types=JSON)
def verify_takeover(challenge_id: str) -> Response:
    request = bp.current_request
    body = json_body(request)
    return idempotent(request, f"takeover-verify:{challenge_id}", lambda: (200, takeover.verify(challenge_id, body)))


@api_route(bp, "/v1/registrations/{registration_id}", methods=["GET"])
def get_registration(registration_id: str) -> Response:
    return json_response(registrations.view(_owned(registration_id)))


@api_route(bp, "/v1/registrations/{registration_id}", methods=["PUT"], content_types=JSON)
def correct_registration(registration_id: str) -> Response:
    body = json_body(bp.current_request)
    registration = _owned(registration_id)
    status, payload = registrations.update(registration, body)
    return json_response(payload, status)


@api_route(bp, "/v1/registrations/{registration_id}/uploads", methods=["POST"], content_types=JSON)
def renew_uploads(registration_id: str) -> Response:
    body = json_body(bp.current_request)
    status, payload = registrations.fresh_uploads(_owned(registration_id), body)
    return json_response(payload, status)


@api_route(bp, "/v1/registrations/{registration_id}/submit", methods=["POST"], content_types=JSON)
def submit_registration(registration_id: str) -> Response:
    request = bp.current_request
    body = json_body(request)
    registration = _owned(registration_id)

    def submit() -> tuple[int, dict]:
        submission.require_commitment(registration, body)  # the cam kết, before anything is paid or changed
        registrations.pay_for_notices(registration)  # 429 before anything changes when the phone's budget is spent
        return submission.submit(registration, correlation_id())

    return idempotent(request, f"submit:{registration_id}", submit)


@api_route(bp, "/v1/registrations/{registration_id}/form01", methods=["GET"])
def get_form01(registration_id: str) -> Response:
    registration = _owned(registration_id)
    if not registration.attempt:
        raise InvalidStateError("Submit the registration first; Form 01 is printed after submission.",
                                "Vui lòng gửi tờ khai trước; Tờ khai mẫu 01 được in sau khi gửi.")
    from chalicelib.domain.documents import form01_key

    key = form01_key(registration_id, int(registration.attempt))
    accept = (bp.current_request.headers.get("accept") or "").lower()
    if "application/pdf" not in accept:
        # Without Accept: application/pdf API Gateway cannot return binary; send the client to S3.
        url = document_store.presigned_download(key, submission.FORM01_LINK_SECONDS, "to-khai-mau-01.pdf")
        return Response(body="", status_code=303, headers={"Location": url})
    pdf = document_store.get_bytes(key)
    if pdf is None:
        pdf = submission.render_form01(registration)
        document_store.put_bytes(key, pdf, "application/pdf")
    return Response(
        body=pdf,
        status_code=200,
        headers={"Content-Type": "application/pdf",
                 "Content-Disposition": 'inline; filename="to-khai-mau-01.pdf"'},
    )
