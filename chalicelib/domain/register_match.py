"""Does a Form 01 describe the person the register (the participant rows) knows under its number?

Full name, date of birth and ID number must all agree. The name is compared as `text_search.normalise`
reads it — diacritics, case and punctuation aside, so "NGUYEN VAN AN" is "Nguyễn Văn An" — the ID number
without spaces or case, the birth date exactly. A number the register does not know matches nobody.
Gender is shown to staff beside the rest but not required to agree (the ID number already encodes it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.text_search import compact_code, normalise

MATCHED = ("full_name", "date_of_birth", "id_number")
SHOWN = (*MATCHED, "gender")


def _comparable(field: str, value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if field == "full_name":
        return normalise(value)
    if field == "id_number":
        return compact_code(value)
    return value.strip().lower()


def differences(form: Mapping[str, Any], person: Mapping[str, Any] | None,
                fields: tuple[str, ...] = SHOWN) -> list[str]:
    """The fields of `fields` on which the form and the register's person disagree (all of them when the
    register has no person); an empty value never agrees with anything."""
    if person is None:
        return list(fields)
    return [
        field for field in fields
        if not _comparable(field, form.get(field)) or _comparable(field, form.get(field)) != _comparable(
            field, person.get(field))
    ]


def matches(form: Mapping[str, Any], person: Mapping[str, Any] | None) -> bool:
    """Whether the register knows the number and its person has the form's name, birth date and ID number."""
    return person is not None and not differences(form, person, MATCHED)
