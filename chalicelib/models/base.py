"""What every model shares: table names from the environment, the region from settings."""

from __future__ import annotations

import os

from pynamodb.transactions import TransactWrite

from chalicelib.config import get_settings


def table_name(env_var: str, local_name: str) -> str:
    """The deployed name from the environment; the local/test name (infra Metadata) otherwise."""
    return os.environ.get(env_var, local_name)


def region() -> str:
    return get_settings().region


_connection: list[object] = []


def transaction() -> TransactWrite:
    """A DynamoDB transaction on one cached connection (pynamodb needs one passed in)."""
    from pynamodb.connection import Connection

    if not _connection:
        _connection.append(Connection(region=region()))
    return TransactWrite(connection=_connection[0])  # type: ignore[arg-type]


def condition_failed(exc: Exception) -> bool:
    """Whether a pynamodb write failed because its condition did not hold (and not for throttling,
    a transaction conflict or an outage, which must surface as a retryable error instead)."""
    code = getattr(exc, "cause_response_code", None)
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = [reason.code for reason in getattr(exc, "cancellation_reasons", []) or [] if reason]
        return "ConditionalCheckFailed" in reasons and all(r in ("ConditionalCheckFailed", "None") for r in reasons)
    return False
