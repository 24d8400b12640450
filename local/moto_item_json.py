"""Write DynamoDB items into moto's JSON answers directly, with the same bytes on the wire.

moto 5.2 writes every answer by walking the operation's output shape; an item attribute is a structure of
ten possible members (S, N, B, SS, NS, BS, M, L, NULL, BOOL), and for each attribute of each item moto asks
each member in turn whether the value has it. A Query or Scan of 34 provinces took 47 ms; every test and
`make run` page pays it on each read. Attribute maps are written here in one pass: strings and numbers as they
are, binaries base64-encoded, maps and lists recursively — what the walk produces. A value of any other shape
is left to moto.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_patched = False
_originals: list[Any] = []  # moto's map and structure writers, then ours (for `moto_own_walk`)
_AS_IS = {"S", "N", "SS", "NS", "NULL", "BOOL"}


class NotAnAttribute(ValueError):
    """A value this module does not write; moto's own serializer does."""


def _b64(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes | bytearray):
        raise NotAnAttribute(type(value).__name__)
    return base64.b64encode(value).strip().decode("utf-8")


def attribute_json(value: Any) -> dict[str, Any]:
    """One attribute (moto's {type: value} dict) as the JSON the wire carries."""
    if not isinstance(value, dict) or len(value) != 1:
        raise NotAnAttribute(repr(type(value)))
    (kind, inner), = value.items()
    if kind in _AS_IS:
        if kind in ("S", "N"):
            if not isinstance(inner, str):
                raise NotAnAttribute(kind)
        elif kind in ("SS", "NS"):
            if not isinstance(inner, list) or not all(isinstance(x, str) for x in inner):
                raise NotAnAttribute(kind)
        elif not isinstance(inner, bool):
            raise NotAnAttribute(kind)
        return {kind: inner}
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        if not isinstance(inner, list):
            raise NotAnAttribute(kind)
        return {"BS": [_b64(x) for x in inner]}
    if kind == "M":
        if not isinstance(inner, dict):
            raise NotAnAttribute(kind)
        return {"M": attribute_map_json(inner)}
    if kind == "L":
        if not isinstance(inner, list):
            raise NotAnAttribute(kind)
        return {"L": [attribute_json(x) for x in inner]}
    raise NotAnAttribute(kind)


def attribute_map_json(values: dict[str, Any]) -> dict[str, Any]:
    return {name: attribute_json(value) for name, value in values.items()}


def _written(serializer: Any, serialized: Any, write: Any, value: Any, shape: Any, key: str) -> bool:
    """Write `value` with `write` where moto's walk would have put it; False (nothing written) if it cannot."""
    if not isinstance(value, dict):
        return False
    try:
        serializer._default_serialize(serialized, write(value), shape, key)
    except NotAnAttribute:
        return False
    return True


def write_items_in_one_pass() -> None:
    global _patched
    if _patched:
        return
    from moto.core.serialize import BaseJSONSerializer

    walk_map = BaseJSONSerializer._serialize_type_map
    walk_structure = BaseJSONSerializer._serialize_type_structure

    def _serialize_type_map(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        one_pass = getattr(shape.value, "name", None) == "AttributeValue"
        if not (one_pass and _written(self, serialized, attribute_map_json, value, shape, key)):
            walk_map(self, serialized, value, shape, key)

    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        one_pass = shape.name == "AttributeValue" and bool(key)
        if not (one_pass and _written(self, serialized, attribute_json, value, shape, key)):
            walk_structure(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_map = _serialize_type_map
    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure
    _originals[:] = [walk_map, walk_structure, _serialize_type_map, _serialize_type_structure]
    _patched = True


@contextmanager
def moto_own_walk() -> Iterator[None]:
    """moto's own serializer for a while: what tests compare the one-pass answers with."""
    from moto.core.serialize import BaseJSONSerializer

    walk_map, walk_structure, one_pass_map, one_pass_structure = _originals
    BaseJSONSerializer._serialize_type_map = walk_map
    BaseJSONSerializer._serialize_type_structure = walk_structure
    try:
        yield
    finally:
        BaseJSONSerializer._serialize_type_map = one_pass_map
        BaseJSONSerializer._serialize_type_structure = one_pass_structure
