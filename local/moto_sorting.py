"""Make moto's DynamoDB Query cheap enough for the suite, with the same answers.

moto answers every Query by sorting *all* the table's items with `DynamoType.__lt__`/`__eq__` and then
comparing each item's hash key with another `__eq__`: Python calls pushed per item and per comparison. On
Python 3.11 that is slow, and where such a call lands exactly on a boundary of the interpreter's frame-stack
chunks each call maps and unmaps a fresh 16 KB chunk (CPython gh-142183, fixed only from 3.13): one test file
took 7 minutes under pytest-xdist instead of one. Two changes, neither visible in a result:

- items are ordered by their keys' plain values (what moto's `__lt__` compares; one key attribute has one
  type), so sorting calls no Python code;
- a Query on the table itself (not an index) starts from the partition it names instead of every item, which
  is what moto's filter by hash key then keeps anyway.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from decimal import Decimal
from typing import Any

_partition: contextvars.ContextVar[Any] = contextvars.ContextVar("moto_query_partition", default=None)
_patched = False


def _plain(value: Any) -> Any:
    return Decimal(value.value) if value.type == "N" else value.value


def _plain_key(item: Any) -> tuple[Any, ...]:
    if item.range_key:
        return (_plain(item.hash_key), _plain(item.range_key))
    return (_plain(item.hash_key),)


def sort_items_by_plain_keys() -> None:
    global _patched
    if _patched:
        return
    from moto.dynamodb.models.table import Table

    def all_items(self: Any) -> list[Any]:
        hash_key = _partition.get()
        if hash_key is not None:
            partition = self.items.get(hash_key)  # .get: the defaultdict must not grow an empty partition
            if partition is None:
                return []
            return sorted(partition.values(), key=_plain_key) if self.range_key_attr else [partition]
        items: list[Any] = []
        for hash_set in self.items.values():
            if self.range_key_attr:
                items.extend(hash_set.values())
            else:
                items.append(hash_set)
        return sorted(items, key=_plain_key)

    original_query = Table.query
    signature = inspect.signature(original_query)

    @functools.wraps(original_query)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        on_table = arguments.get("index_name") is None
        token = _partition.set(arguments.get("hash_key") if on_table else None)
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _partition.reset(token)

    Table.all_items = all_items
    Table.query = query
    _patched = True
