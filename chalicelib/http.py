"""The HTTP edge: parse bodies, render errors in the contract's shape, replay Idempotency-Key retries.

Every route goes through `api_route`, so no handler ever lets a stack trace or a bare 500 out, and
error JSON is built in exactly one place.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from chalice import Response
from chalice.app import Blueprint, Request

from chalicelib.errors import (
    AppError,
    BadRequestError,
    IdempotencyKeyReusedError,
    InternalError,
    RequestInProgressError,
    ServiceUnavailableError,
)
from chalicelib.json_parse import MAX_BODY_BYTES, parse_object  # noqa: F401 - MAX_BODY_BYTES re-exported
from chalicelib.observability import logger

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")
_THROTTLING_CODES = frozenset({
    "ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "TooManyRequestsException", "ServiceUnavailable", "InternalServerError", "InternalFailure",
    "SlowDown", "ThrottledException", "InternalErrorException", "TransactionConflictException",
    "ServiceUnavailableException", "InternalServerErrorException",
})


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Serialised here so Vietnamese text leaves as UTF-8, not as \u escapes.
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def error_response(error: AppError) -> Response:
    return json_response(error.body(), error.status, error.headers)


def _translate(exc: Exception) -> AppError:
    """Map anything a handler raised to an error a client can act on."""
    if isinstance(exc, AppError):
        return exc
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == "ValidationException":
        # DynamoDB refused what a request led to (a start key that does not fit the Query, a value out of
        # range): the client's input, not our failure. Logged by type only; its message may hold data.
        logger.warning("request refused by a backing service", extra={"aws_error": "ValidationException"})
        return BadRequestError("The request's parameters cannot be used; check them and start again.",
                               "Không thể dùng các tham số của yêu cầu; vui lòng kiểm tra và thực hiện lại.")
    if isinstance(exc, ClientError) and _retryable(exc):
        logger.warning("backing service busy", extra={"aws_error": exc.response.get("Error", {}).get("Code")})
        return ServiceUnavailableError()
    if isinstance(exc, BotoCoreError):
        logger.warning("backing service unreachable", extra={"aws_error": type(exc).__name__})
        return ServiceUnavailableError()
    from pynamodb.exceptions import PynamoDBException

    if isinstance(exc, PynamoDBException):
        if exc.cause_response_code == "TransactionCanceledException":
            # Conflicts and throttling inside a transaction: retryable. (Condition failures were
            # handled by the use case before they got here.)
            logger.warning("transaction cancelled", extra={"reasons": [getattr(r, "code", None)
                                                                        for r in exc.cancellation_reasons]})
            return ServiceUnavailableError()
        cause = exc.cause if isinstance(exc.cause, Exception) else None
        if cause is not None and not isinstance(cause, PynamoDBException):
            return _translate(cause)
    # The exception text may hold request data (names, numbers): log its type and where, not its message.
    import traceback

    where = [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
             for frame in traceback.extract_tb(exc.__traceback__)[-6:]]
    logger.error("unhandled error", extra={"error_type": type(exc).__name__, "where": where})
    return InternalError()


def _retryable(exc: Any) -> bool:
    """Throttling or an outage of the service: by its code, or by its 5xx status when there is no body to
    name it (S3 answers a HEAD with a bare 503 SlowDown, which botocore can only call "503")."""
    if exc.response.get("Error", {}).get("Code") in _THROTTLING_CODES:
        return True
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0) >= 500


def api_route(bp: Blueprint, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`bp.route` that turns every exception into a contract error response."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kw: Any) -> Any:
            try:
                return view(*args, **kw)
            except Exception as exc:  # noqa: BLE001 - this is the one place errors become responses
                return error_response(_translate(exc))

        bp.route(path, **kwargs)(guarded)
        return guarded

    return decorate


def query_param(request: Request, name: str) -> str | None:
    return (request.query_params or {}).get(name)


def json_body(request: Request) -> dict[str, Any]:
    return parse_object(request.raw_body or b"")


def idempotent(request: Request, scope: str, run: Callable[[], tuple[int, dict[str, Any]]],
               unstored: dict[str, Callable[[dict[str, Any]], Any]] | None = None) -> Response:
    """Run `run` once per Idempotency-Key: a retry with the same key and body gets the first response.

    Backed by Powertools Idempotency on DynamoDB. A failed run leaves no record, so its retry runs
    again; the same key with a different body is refused. Fields named in `unstored` (secrets) are left
    out of what the key store keeps and made again, by their function, for every successful answer.
    """
    key = request.headers.get("idempotency-key")
    if key is None:  # an empty header is a malformed key, not a missing one
        status, body = run()
        return json_response(body, status)
    if unstored:
        run = _without(run, unstored)
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise BadRequestError(
            "Idempotency-Key must be 8 to 128 letters, digits or -_:.",
            "Idempotency-Key phải gồm 8 đến 128 chữ cái, chữ số hoặc -_:.",
        )
    from chalicelib.idempotency import run_once

    body_hash = hashlib.sha256(request.raw_body or b"").hexdigest()
    try:
        status, body = run_once(scope=scope, key=key, payload_hash=body_hash, run=run,
                                lambda_context=getattr(request, "lambda_context", None))
    except _idempotency_errors()[0]:
        raise IdempotencyKeyReusedError() from None
    except _idempotency_errors()[1]:
        raise RequestInProgressError(headers={"Retry-After": "1"}) from None
    if unstored and status < 300:
        body = {**body, **{name: make(body) for name, make in unstored.items()}}
    return json_response(body, status)


def _without(run: Callable[[], tuple[int, dict[str, Any]]], fields: dict[str, Any],
             ) -> Callable[[], tuple[int, dict[str, Any]]]:
    def stored() -> tuple[int, dict[str, Any]]:
        status, body = run()
        return status, {name: value for name, value in body.items() if name not in fields}

    return stored


@functools.lru_cache(maxsize=1)
def _idempotency_errors() -> tuple[type[Exception], type[Exception]]:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    return IdempotencyValidationError, IdempotencyAlreadyInProgressError
