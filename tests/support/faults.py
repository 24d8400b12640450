"""Fault injection with a botocore event hook: a real client that fails the calls we name."""

from __future__ import annotations

from contextlib import contextmanager
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
