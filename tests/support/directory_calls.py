"""Count the DynamoDB operations sent while inside, on every client the directory code can use: the app's own
client and pynamodb's clients of the directory and reference models (a botocore `before-call` hook)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def _clients() -> list[Any]:
    from chalicelib.aws.clients import get_client
    from chalicelib.models.directory import DirectoryItem, SearchTerm
    from chalicelib.models.reference import Office, Province

    clients = [get_client("dynamodb")]
    for model in (DirectoryItem, SearchTerm, Office, Province):
        clients.append(model._get_connection().connection.client)  # noqa: SLF001
    return list({id(c): c for c in clients}.values())


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    clients = _clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", count, unique_id="count-directory-calls")
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id="count-directory-calls")


def writes(calls: Counter[str]) -> int:
    return sum(n for name, n in calls.items() if name in WRITES)
