"""Paging through one list of the directory table (`list-index`): the news, the FAQ.

A page token is DynamoDB's LastEvaluatedKey of the index; a token is only taken back for the list it
came from, so it can never start a Query somewhere else (or make DynamoDB refuse it with a 500).
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import ValidationFailedError
from chalicelib.models.directory import DirectoryItem
from chalicelib.pagination import decode_token, encode_token

_INDEX_KEYS = frozenset({"item_key", "list_key", "sort_key"})


def bad_token() -> ValidationFailedError:
    return ValidationFailedError(
        fields={"next_token": "is not a token this API gave out"},
        extra={"fields_vi": {"next_token": "không phải mã trang do hệ thống cấp"}},
    )


def start_key(list_key: str, next_token: str | None) -> dict[str, Any] | None:
    start = decode_token(next_token)
    if start is not None and (set(start) != _INDEX_KEYS or start["list_key"] != {"S": list_key}):
        raise bad_token()
    return start


def fields_of(item: DirectoryItem) -> dict[str, Any]:
    fields = item.fields
    return fields.as_dict() if hasattr(fields, "as_dict") else dict(fields)


def list_page(list_key: str, limit: int, next_token: str | None, *, newest_first: bool = False,
              ) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the list's items (their `fields`), in `sort_key` order, and the next page's token."""
    result = DirectoryItem.list_index.query(
        list_key, limit=limit, last_evaluated_key=start_key(list_key, next_token),
        scan_index_forward=not newest_first,
    )
    items = [fields_of(item) for item in result]
    return items, encode_token(result.last_evaluated_key)


def all_items(list_key: str) -> list[dict[str, Any]]:
    """Every item of a small list (a Query on its partition of the index, page after page)."""
    return [fields_of(item) for item in DirectoryItem.list_index.query(list_key)]
