"""Areas after the 2025 reform (sắp xếp đơn vị hành chính): what the `district` filter of the directory means.

The district level (quận, huyện, thị xã, thành phố thuộc tỉnh) was abolished on 1/7/2025: a place is now
in a ward or commune (phường, xã, đặc khu) of a province. A directory row keeps its `ward` (today's) and,
where known, its `former_district` (the one it was in before), and the filter takes either:

- a ward or commune, with or without its unit word: "Phường Cửa Nam", "Cửa Nam", "cua nam";
- a former district as an alias ("Quận Hoàn Kiếm", "Hoàn Kiếm"): the rows recorded in it, and the rows in
  the wards that replaced it (`former_wards`, data shipped with the app), so a row recorded after the
  reform, with its ward only, is still found under the district name people remember.

A unit word decides which: "phường …"/"xã …" means a ward only, "quận …"/"huyện …" a former district only;
a bare name means either ("Hoàn Kiếm" is both a ward and a former district).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.text_search import normalise

# Longest first, so "thi xa" is not read as "thi" + "xa …" and "thanh pho" before "tp".
_WARD_UNITS = ("thi tran", "dac khu", "phuong", "xa")
_FORMER_UNITS = ("thanh pho", "thi xa", "huyen", "quan", "tp")


def _split_unit(norm: str) -> tuple[str | None, str]:
    for unit in sorted(_WARD_UNITS + _FORMER_UNITS, key=len, reverse=True):
        if norm.startswith(unit + " ") and len(norm) > len(unit) + 1:
            return unit, norm[len(unit) + 1:]
    return None, norm


def area_key(name: str | None) -> str:
    """An area as compared and sorted: normalised, its unit word dropped ("Quận Hoàn Kiếm" → "hoan kiem",
    "Phường 1" → "1", "Quận 10" → "10"); "" for no area."""
    return _split_unit(normalise(name or ""))[1]


@dataclass(frozen=True)
class AreaQuery:
    """What the `district` filter asked for: the area's key, and whether a ward, a former district or either."""

    key: str
    ward: bool
    former: bool


def parse_area(text: str) -> AreaQuery:
    unit, key = _split_unit(normalise(text))
    if unit in _WARD_UNITS:
        return AreaQuery(key, ward=True, former=False)
    if unit in _FORMER_UNITS:
        return AreaQuery(key, ward=False, former=True)
    return AreaQuery(key, ward=True, former=True)


def in_area(query: AreaQuery, fields: Mapping[str, Any], former_wards: Mapping[str, frozenset[str]]) -> bool:
    """Whether a directory row (its API fields) is in the area asked for. `former_wards` maps a former
    district's key to the keys of the wards that replaced it, in the row's province."""
    ward = area_key(fields.get("ward"))
    if query.ward and ward and ward == query.key:
        return True
    if query.former:
        if area_key(fields.get("former_district")) == query.key:
            return True
        if ward and ward in former_wards.get(query.key, frozenset()):
            return True
    return False
