"""vssid-backend: wiring only. Routes live in chalicelib/handlers, rules in chalicelib/domain and services."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable

from chalice import Chalice, Response

from chalicelib.config import get_settings
from chalicelib.errors import (
    AppError,
    BadRequestError,
    InternalError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
)
from chalicelib.handlers import (
    admin,
    admin_citizens,
    admin_feedback,
    admin_loads,
    admin_me,
    citizen_auth,
    console,
    lookup,
    me,
    meta,
    public_directory,
    reference,
    registrations,
    support,
)
from chalicelib.http import error_response
from chalicelib.observability import flush_metrics, logger

app = Chalice(app_name="vssid-backend")
app.api.binary_types.append("application/pdf")
get_settings()  # fail at start, not on the first request, if the environment is wrong

for blueprint in (reference.bp, registrations.bp, admin.bp, citizen_auth.bp, me.bp, lookup.bp, public_directory.bp,
                  support.bp, admin_feedback.bp, meta.bp, admin_citizens.bp, admin_me.bp,
                  console.bp, admin_loads.bp):
    app.register_blueprint(blueprint)

if os.environ.get("VSSID_LOCAL_MODE") == "1":
    from chalicelib.handlers import local

    app.register_blueprint(local.bp)


class UnsupportedMediaTypeError(AppError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"
    message = "Send JSON with Content-Type: application/json."
    message_vi = "Vui lòng gửi JSON với Content-Type: application/json."


# Chalice answers some requests itself (wrong method, wrong content type, a crash before our code);
# give those the contract's error shape too.
_CHALICE_ERRORS: dict[int, type[AppError]] = {
    400: BadRequestError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    500: InternalError,
}


_CORRELATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


@app.middleware("http")
def contract_errors(event, get_response):  # noqa: ANN001, ANN201
    given = (event.headers or {}).get("x-correlation-id") or ""
    # A client's id is kept only if it looks like one: it goes into every log line and the workflow input.
    request_id = given if _CORRELATION_ID.fullmatch(given) else (event.context or {}).get("requestId")
    logger.set_correlation_id(request_id or uuid.uuid4().hex)
    try:
        response: Response = get_response(event)
    finally:
        flush_metrics()  # EMF lines for this request's metrics (Powertools buffers them otherwise)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "error" not in body:
        error_cls = _CHALICE_ERRORS.get(response.status_code, BadRequestError)
        rendered = error_response(error_cls())
        rendered.headers.update({k: v for k, v in response.headers.items() if k.lower() == "allow"})
        return rendered
    return response


@app.on_sqs_message(queue=os.environ.get("REGISTRATION_TOKEN_QUEUE_NAME", "vssid-registration-tokens"), batch_size=1)
def record_workflow_token(event):  # noqa: ANN001, ANN201
    """The workflow parked itself; remember its task token on the registration."""
    from chalicelib.services.workflow_tokens import record_task_token

    _handle_each(event, record_task_token)


@app.on_sqs_message(queue=os.environ.get("SMS_OUTBOX_QUEUE_NAME", "vssid-sms-outbox"), batch_size=1)
def send_outbox_sms(event):  # noqa: ANN001, ANN201
    """Send a queued SMS; an error leaves it on the queue for SQS to deliver again (then the DLQ)."""
    from chalicelib.services.outbox_delivery import deliver

    _handle_each(event, deliver)


@app.on_sqs_message(queue=os.environ.get("FEED_FILES_QUEUE_NAME", "vssid-feed-files"), batch_size=1)
def split_feed_file(event):  # noqa: ANN001, ANN201
    """A file landed under feeds/ in the feed bucket (S3 notification): cut it into chunk messages."""
    from chalicelib.services.feed_splitter import handle_notification

    _handle_each(event, handle_notification)


@app.on_sqs_message(queue=os.environ.get("FEED_CHUNKS_QUEUE_NAME", "vssid-feed-chunks"), batch_size=1)
def load_feed_chunk(event):  # noqa: ANN001, ANN201
    """Validate and write one chunk of a feed file; an error returns it to the queue (then the DLQ)."""
    from chalicelib.services.feed_worker import load_chunk

    _handle_each(event, load_chunk)


def _handle_each(event, handle: Callable[[str], object]) -> None:  # noqa: ANN001 - Chalice's SQSEvent
    """Hand each message body to `handle`; an exception fails the batch, so SQS delivers it again."""
    try:
        for record in event:
            handle(record.body)
    finally:
        flush_metrics()


