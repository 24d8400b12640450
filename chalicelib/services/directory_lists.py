"""Paging through one list of the directory table (`list-index`): the news, the FAQ.

A page token is DynamoDB's LastEvaluatedKey of the index, signed with the list it came from
(`pagination.scope_of`), so it can never start a Query somewhere else (or make DynamoDB refuse it).
"""

from __future__ import annotations

from typing import Any

from chalicelib.models.directory import DirectoryItem
from chalicelib.pagination import decode_token, encode_token, scope_of


def fields_of(item: DirectoryItem) -> dict[str, Any]:
    fields = item.fields
    return fields.as_dict() if hasattr(fields, "as_dict") else dict(fields)


def list_page(list_key: str, limit: int, next_token: str | None, *, newest_first: bool = False,
              ) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the list's items (their `fields`), in `sort_key` order, and the next page's token."""
    scope = scope_of("list", list_key, newest_first)
    result = DirectoryItem.list_index.query(
        list_key, limit=limit, last_evaluated_key=decode_token(next_token, scope),
        scan_index_forward=not newest_first,
    )
    items = [fields_of(item) for item in result]
    return items, encode_token(result.last_evaluated_key, scope)


def all_items(list_key: str) -> list[dict[str, Any]]:
    """Every item of a small list (a Query on its partition of the index, page after page)."""
    return [fields_of(item) for item in DirectoryItem.list_index.query(list_key)]
