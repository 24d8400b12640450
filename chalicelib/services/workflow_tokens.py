"""Recording the workflow's task token on the registration (the token queue's consumer).

The decision and the token may arrive in either order; each side writes first and reads second, so
whichever comes last sees the other and resumes the workflow. The database is the truth; the
workflow is the timer.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.aws import workflow
from chalicelib.domain.registration_status import RegistrationStatus
from chalicelib.models.base import condition_failed
from chalicelib.models.registration import Registration
from chalicelib.observability import logger


def record_task_token(message_body: str) -> str:
    """Handle one token-queue message; returns what was done (for logs and tests)."""
    try:
        message: dict[str, Any] = json.loads(message_body)
        token = str(message["taskToken"])
        registration_id = str(message["registration_id"])
        attempt = int(message["attempt"])
    except (ValueError, KeyError, TypeError):
        logger.error("malformed token message")
        return "malformed"
    if message.get("correlation_id"):
        logger.set_correlation_id(str(message["correlation_id"]))  # the submit request that started it
    registration = Registration(registration_id)
    try:
        registration.update(
            actions=[Registration.task_token.set(token)],
            condition=Registration.registration_id.exists() & (Registration.attempt == attempt),
            add_version_condition=False,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        # The registration moved on to a newer attempt (or is gone): this wait has nothing to wait for.
        workflow.resume_with_decision(token, "STALE")
        logger.info("stale workflow released", extra={"registration_id": registration_id, "attempt": attempt})
        return "stale"
    fresh = Registration.get(registration_id, consistent_read=True, attributes_to_get=["registration_id", "status"])
    if fresh.status != RegistrationStatus.AWAITING_VERIFICATION.value:
        workflow.resume_with_decision(token, fresh.status)
        return "resumed"
    logger.info("workflow token recorded", extra={"registration_id": registration_id, "phase": message.get("phase")})
    return "recorded"
