"""The outbox consumer: send one queued SMS; raise if SNS refuses so SQS delivers it again."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.aws import notifier
from chalicelib.observability import logger, metrics

# What a workflow notice means besides an SMS: the expiry notice is sent once per expired registration,
# so it is where the RegistrationExpired metric is counted (the workflow itself runs no Lambda code).
EVENT_METRICS = {"expiry": "RegistrationExpired", "reminder": "ReminderSent"}


class OutboxMessageRejected(ValueError):
    """A message no retry can send (malformed); it is logged and dropped on purpose, never retried."""


def parse(body: str) -> dict[str, str]:
    try:
        message: dict[str, Any] = json.loads(body)
        phone, text = str(message["phone"]), str(message["message"])
    except (ValueError, KeyError, TypeError) as exc:
        raise OutboxMessageRejected("malformed outbox message") from exc
    if not phone.startswith("+") or not text:
        raise OutboxMessageRejected("outbox message without a phone number or text")
    return {"phone": phone, "message": text, "kind": str(message.get("kind") or "notice"),
            "correlation_id": str(message.get("correlation_id") or "")}


def deliver(body: str) -> str:
    """Send one outbox message; returns what was done. NotificationError propagates (SQS retries)."""
    from aws_lambda_powertools.metrics import MetricUnit

    try:
        message = parse(body)
    except OutboxMessageRejected as exc:
        logger.error("outbox message dropped", extra={"reason": str(exc)})
        metrics.add_metric(name="SmsOutboxRejected", unit=MetricUnit.Count, value=1)
        return "rejected"
    logger.set_correlation_id(message["correlation_id"] or None)  # a warm container must not keep the last one
    notifier.send_sms(message["phone"], message["message"])
    event_metric = EVENT_METRICS.get(message["kind"])
    if event_metric:
        metrics.add_metric(name=event_metric, unit=MetricUnit.Count, value=1)
    logger.info("outbox sms sent", extra={"kind": message["kind"]})
    return "sent"
