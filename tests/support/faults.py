"""Fault injection with a botocore event hook: a real client that fails the calls we name."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.aws.clients import get_client


def _clients(service: str) -> list[Any]:
    """Every botocore client the app uses for `service`: its own, and pynamodb's for DynamoDB."""
    clients = [get_client(service)]
    if service == "dynamodb":
        from chalicelib.models import account, audit, base, reference, registration, staff

        with base.transaction():  # make sure the shared transaction connection exists
            pass
        clients += [conn.client for conn in base._connection]  # noqa: SLF001
        for module in (account, audit, reference, registration, staff):
            for value in vars(module).values():
                if isinstance(value, type) and hasattr(value, "_get_connection") and hasattr(value, "Meta") \
                        and getattr(value.Meta, "table_name", None):
                    clients.append(value._get_connection().connection.client)  # noqa: SLF001
    unique: dict[int, Any] = {id(c): c for c in clients}
    return list(unique.values())


@contextmanager
def failing(service: str, operation: str, code: str = "Throttling"):
    """While inside, every `operation` call of `service` made by the app fails with `code`."""
    calls: list[int] = []

    def refuse(**_: Any) -> None:
        calls.append(1)
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

    clients = _clients(service)
    unique_id = f"fault-{service}-{operation}"
    for client in clients:
        client.meta.events.register(f"before-call.{client.meta.service_model.service_name}.{operation}", refuse,
                                    unique_id=unique_id)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister(f"before-call.{client.meta.service_model.service_name}.{operation}",
                                          unique_id=unique_id)


# --- Every AWS call of a request, recorded and optionally failed on the wire -------------------------
#
# `failing` above raises before botocore sends anything, so botocore's own retries never see the error.
# `aws_calls` instead answers the HTTP request with the error the real service sends (status, headers and
# a body in the service's protocol), on every attempt: botocore parses it, retries it as configured and
# only then gives up, exactly as it would against AWS. It works below every client (the app's, pynamodb's,
# Powertools'), so no client can be missed, and only on the test's own thread, so moto's Step Functions
# executor (which runs in threads of its own) is left alone.

_FAULT_URL = "https://fault-injected.invalid/"

# (code, HTTP status) as each service names throttling and its own failure.
THROTTLING: dict[str, tuple[str, int]] = {
    "dynamodb": ("ProvisionedThroughputExceededException", 400),
    "s3": ("SlowDown", 503),
    "sns": ("Throttling", 400),
    "ses": ("Throttling", 400),
    "stepfunctions": ("ThrottlingException", 400),
    "sqs": ("ThrottlingException", 400),
    "ssm": ("ThrottlingException", 400),
}
SERVICE_ERROR: dict[str, tuple[str, int]] = {
    "dynamodb": ("InternalServerError", 500),
    "s3": ("InternalError", 500),
    "sns": ("InternalError", 500),
    "ses": ("ServiceUnavailable", 503),
    "stepfunctions": ("ServiceUnavailable", 503),
    "sqs": ("InternalFailure", 500),
    "ssm": ("InternalServerError", 500),
}


@dataclass(frozen=True)
class Fault:
    """Answer `code` with `status` from the `from_call`-th call of an operation on (1 = every call)."""

    code: str
    status: int
    from_call: int = 1


@dataclass
class AwsCalls:
    """What the test thread asked AWS: one entry per API call (not per attempt), in order."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    failed_attempts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def operations(self) -> set[tuple[str, str]]:
        return set(self.calls)

    def count(self, service: str, operation: str) -> int:
        return self.calls.count((service, operation))


def _error_response(protocol: str, operation: str, fault: Fault) -> tuple[dict[str, str], bytes]:
    if protocol == "json":
        body = json.dumps({"__type": f"com.amazonaws.fault#{fault.code}", "message": "injected fault"})
        return {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}, body.encode()
    if protocol == "query":
        xml = (f"<ErrorResponse><Error><Type>Receiver</Type><Code>{fault.code}</Code>"
               "<Message>injected fault</Message></Error><RequestId>fault</RequestId></ErrorResponse>")
        return {"Content-Type": "text/xml", "x-amzn-RequestId": "fault"}, xml.encode()
    if operation.startswith("Head"):
        return {}, b""  # S3 answers HEAD without a body: botocore only sees the status code
    xml = f"<Error><Code>{fault.code}</Code><Message>injected fault</Message><RequestId>fault</RequestId></Error>"
    return {"Content-Type": "application/xml", "x-amz-request-id": "fault"}, xml.encode()


@contextmanager
def aws_calls(faults: dict[tuple[str, str], Fault] | None = None) -> Iterator[AwsCalls]:
    """Record every AWS call this thread makes; answer the ones in `faults` with their error, on every
    attempt. botocore's back-off sleeps and retry quota are switched off meanwhile (they only cost time)."""
    from botocore.awsrequest import AWSResponse
    from botocore.endpoint import Endpoint
    from botocore.retries import standard
    from moto.core.botocore_stubber import MockRawResponse

    faults = faults or {}
    log = AwsCalls()
    owner = threading.get_ident()
    seen: dict[tuple[str, str], int] = {}
    pending: list[AWSResponse] = []
    original_get, original_send = Endpoint._do_get_response, Endpoint._send
    original_delay = standard.ExponentialBackoff.delay_amount
    original_quota = standard.RetryQuotaChecker.acquire_retry_quota

    def get_response(endpoint: Any, request: Any, operation_model: Any, context: Any) -> Any:
        if threading.get_ident() != owner:
            return original_get(endpoint, request, operation_model, context)
        name = (operation_model.service_model.service_name, operation_model.name)
        if context.get("retries", {}).get("attempt", 1) == 1:
            log.calls.append(name)
            seen[name] = seen.get(name, 0) + 1
        fault = faults.get(name)
        if fault is None or seen[name] < fault.from_call:
            return original_get(endpoint, request, operation_model, context)
        log.failed_attempts[name] = log.failed_attempts.get(name, 0) + 1
        headers, body = _error_response(operation_model.metadata["protocol"], operation_model.name, fault)
        pending.append(AWSResponse(_FAULT_URL, fault.status, headers, MockRawResponse(body)))
        real_url, request.url = request.url, _FAULT_URL  # moto's own before-send hook ignores this address
        try:
            return original_get(endpoint, request, operation_model, context)
        finally:
            request.url = real_url
            pending.clear()

    def send(endpoint: Any, request: Any) -> Any:
        if request.url == _FAULT_URL and pending and threading.get_ident() == owner:
            return pending.pop()
        return original_send(endpoint, request)

    Endpoint._do_get_response, Endpoint._send = get_response, send
    standard.ExponentialBackoff.delay_amount = lambda self, context: 0
    standard.RetryQuotaChecker.acquire_retry_quota = lambda self, context: True
    try:
        yield log
    finally:
        Endpoint._do_get_response, Endpoint._send = original_get, original_send
        standard.ExponentialBackoff.delay_amount = original_delay
        standard.RetryQuotaChecker.acquire_retry_quota = original_quota
