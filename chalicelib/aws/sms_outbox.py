"""The SMS outbox: an SQS queue (with a dead-letter queue) of SMS still to send.

Notices that must not be lost but need not hold up a request — the workflow's reminders and expiry
notice, a courtesy notice whose first attempt failed — wait here; the outbox consumer sends them and
SQS redelivers until SNS takes them, then parks them in the dead-letter queue (which raises an alarm).
SMS that carry a secret (initial password, OTP) never go through the outbox: the request that needs
them fails with 503 instead, so the secret is never stored in a queue.
"""

from __future__ import annotations

import json
import os

from chalicelib.aws.clients import get_client


def outbox_url() -> str:
    return os.environ.get("SMS_OUTBOX_QUEUE_URL", "")


def enqueue(phone_e164: str, text: str, kind: str, correlation_id: str) -> None:
    """Queue one SMS; raises botocore errors so the caller knows it was not queued."""
    body = {"phone": phone_e164, "message": text, "kind": kind, "correlation_id": correlation_id}
    get_client("sqs").send_message(QueueUrl=outbox_url(), MessageBody=json.dumps(body, ensure_ascii=False))
