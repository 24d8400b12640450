"""Idempotency-Key support on Powertools Idempotency with its DynamoDB persistence layer."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalicelib.errors import ServiceUnavailableError
from chalicelib.models.base import table_name
from chalicelib.observability import logger

KEY_LIFETIME_SECONDS = 24 * 3600


@lru_cache(maxsize=1)
def _store() -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from chalicelib.aws.clients import get_client

    return DynamoDBPersistenceLayer(
        table_name=table_name("IDEMPOTENCY_TABLE", "vssid-idempotency"),
        boto3_client=get_client("dynamodb"),
    )


@lru_cache(maxsize=1)
def _config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload_hash",
        expires_after_seconds=KEY_LIFETIME_SECONDS,
    )


def reset() -> None:
    """Tests: forget the cached store (its client belongs to one moto backend)."""
    _store.cache_clear()


Outcome = tuple[int, dict[str, Any]]


def run_once(scope: str, key: str, payload_hash: str, run: Callable[[], Outcome],
             lambda_context: Any = None) -> Outcome:
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    config = _config()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        # Lets Powertools expire an in-progress record when this invocation times out.
        config.register_lambda_context(lambda_context)

    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError

    done: dict[str, Any] = {}

    @idempotent_function(data_keyword_argument="request", persistence_store=_store(), config=config,
                         key_prefix=f"vssid#{scope}")
    def _run(request: dict[str, str]) -> dict[str, Any]:
        try:
            done["outcome"] = run()
        except Exception as exc:
            done["error"] = exc
            raise
        status, body = done["outcome"]
        return {"status": status, "body": body}

    try:
        result = _run(request={"key": key, "payload_hash": payload_hash})
    except IdempotencyPersistenceLayerError as exc:
        # The key store failed, not the request. Powertools hides what the request itself did; answer that.
        logger.warning("idempotency store failed", extra={"aws_error": type(exc.__cause__).__name__,
                                                          "ran": "outcome" in done or "error" in done})
        if "outcome" in done:
            # Done, but not remembered: a retry within the in-progress window gets 409 REQUEST_IN_PROGRESS,
            # later it runs again, and every use case behind a key is safe to run again.
            return done["outcome"]
        if "error" in done:
            raise done["error"] from None
        raise ServiceUnavailableError() from None  # nothing ran: the retry starts afresh
    return int(result["status"]), result["body"]
