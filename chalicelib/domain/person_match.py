"""Finding a person in the register without an ID number (tra cứu mã số BHXH không có CMND/CCCD).

Children and others who never had an ID card, or whose ID number the register does not have, can still be
found by what the register records about them: full name, date of birth, province and commune (xã /
phường / đặc khu) of residence, and a parent's full name. Names and communes are compared as
`text_search.normalise` reads them — diacritics, case and spacing aside — and a commune also without its
"Phường"/"Xã"/"Đặc khu"/"Thị trấn" prefix, so "Phường Hoàn Kiếm", "phuong hoan kiem" and "Hoàn Kiếm" are
the same commune. Every parent's name the caller gives must be the register's; at least one is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.text_search import normalise

PARENTS = ("mother_name", "father_name")
# Unit words before a commune's own name; "thị trấn" (towns) ended with the district level on 1/7/2025 but
# older rows and people's habits still say it.
_COMMUNE_PREFIXES = ("phuong ", "xa ", "dac khu ", "thi tran ")


def person_key(full_name: str, date_of_birth: str) -> str:
    """The index key of the no-ID look-up: the normalised name and the birth date ("nguyen van an#1985-03-12")."""
    return f"{normalise(full_name)}#{date_of_birth}"


def commune_key(commune: str) -> str:
    """A commune's name for comparing: normalised, without its unit word."""
    name = normalise(commune)
    for prefix in _COMMUNE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def findable_without_id(person: Mapping[str, Any]) -> bool:
    """Whether the register has what a look-up without ID number matches: the commune and a parent."""
    return bool(person.get("commune")) and any(person.get(parent) for parent in PARENTS)


def matches_without_id(person: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether the register's `person` (participant row fields) is the one `wanted` describes: same province,
    same commune, and every parent's name given is the register's. Name and birth date are the index key,
    compared again here so the rule stands on its own."""
    if person_key(person.get("full_name") or "", person.get("date_of_birth") or "") != person_key(
            wanted["full_name"], wanted["date_of_birth"]):
        return False
    if person.get("province_code") != wanted["province_code"] or not findable_without_id(person):
        return False
    if commune_key(person["commune"]) != commune_key(wanted["commune"]):
        return False
    given = [parent for parent in PARENTS if wanted.get(parent)]
    return bool(given) and all(
        person.get(parent) and normalise(person[parent]) == normalise(wanted[parent]) for parent in given)
