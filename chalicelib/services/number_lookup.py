"""Find my social-insurance number (tra cứu mã số BHXH), two ways, both with a captcha:

- with the ID number: name, birth date, province and ID number (CCCD/CMND), matched through the register's
  `lookup-index`;
- without it (`id_number` absent): name, birth date, province, the commune of residence and the mother's
  and/or father's full name (`domain.person_match`), matched through `person-index`.

Either way the number is answered only when exactly one person matches; any other outcome — nobody,
several, a near miss — is the same neutral "not found", so the look-up cannot be used to learn who is in
the register. The name matches case- and diacritic-insensitively ("Nguyen Van An" = "Nguyễn Văn An").
Each client (source address) may ask a limited number of times an hour, both ways together, on top of the
captcha; a look-up without ID number is also counted against the name and birth date asked about
(`services.attempts`, whether or not such a person exists), so many addresses together cannot try parents'
names for one person faster than a few an hour.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain.form01 import clean_text
from chalicelib.domain.person_match import PARENTS, matches_without_id, person_key
from chalicelib.domain.text_search import normalise
from chalicelib.errors import NotFoundError, TooManyRequestsError, ValidationFailedError
from chalicelib.models.records import InsuranceRecord
from chalicelib.services import attempts, captchas
from chalicelib.services.sms_budget import count_or_refuse

LOOKUPS_PER_HOUR = 10
LOOKUPS_PER_PERSON_PER_HOUR = 5  # without ID number, per name and birth date asked about
_HOUR = 3600
_ALTERNATIVE = ("commune", *PARENTS)


class LookupNotFoundError(NotFoundError):
    code = "NOT_FOUND"
    message = "No social-insurance number matches these details. Check them, or call 1900 9068."
    message_vi = "Không tìm thấy mã số BHXH phù hợp với thông tin đã nhập. Vui lòng kiểm tra lại hoặc gọi 1900 9068."


class LookupLimitError(TooManyRequestsError):
    message = "Too many look-ups from this device; try again later."
    message_vi = "Tra cứu quá nhiều lần từ thiết bị này; vui lòng thử lại sau."


class PersonLookupLimitError(TooManyRequestsError):
    message = "Too many look-ups for this name and date of birth; try again later or call 1900 9068."
    message_vi = "Tra cứu quá nhiều lần cho họ tên và ngày sinh này; vui lòng thử lại sau hoặc gọi 1900 9068."


def _missing(name: str, en: str = "is required", vi: str = "bắt buộc nhập") -> ValidationFailedError:
    return ValidationFailedError(fields={name: en}, extra={"fields_vi": {name: vi}})


def _given(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    return value is not None and not (isinstance(value, str) and not clean_text(value))


def _required(body: dict[str, Any], name: str, max_len: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not clean_text(value) or len(value) > max_len:
        raise _missing(name)
    return clean_text(value)


def _details(body: dict[str, Any]) -> dict[str, str]:
    """The request's details, checked in the order the 400s name them; `id_number` absent means the other way."""
    details = {"full_name": _required(body, "full_name", 100), "date_of_birth": _required(body, "date_of_birth", 10),
               "province_code": _required(body, "province_code", 2)}
    if _given(body, "id_number"):
        return {**details, "id_number": _required(body, "id_number", 12).upper()}
    if not any(_given(body, name) for name in _ALTERNATIVE):
        raise _missing("id_number", "is required, or commune with mother_name or father_name instead",
                       "bắt buộc nhập, hoặc thay bằng xã/phường (commune) và họ tên mẹ (mother_name) hoặc cha "
                       "(father_name)")
    details["commune"] = _required(body, "commune", 100)
    parents = [name for name in PARENTS if _given(body, name)]
    if not parents:
        raise _missing("mother_name", "mother_name or father_name is required without id_number",
                       "cần họ tên mẹ (mother_name) hoặc cha (father_name) khi không có số CCCD/CMND")
    return {**details, **{name: _required(body, name, 100) for name in parents}}


def find_number(body: dict[str, Any], client_address: str) -> dict[str, str]:
    details = _details(body)
    captchas.spend(body.get("captcha_id"), body.get("captcha_answer"))
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    address_key = hashlib.sha256(client_address.encode()).hexdigest()[:32]
    count_or_refuse(f"lookup:{address_key}:{hour.isoformat()}", LOOKUPS_PER_HOUR, hour + timedelta(hours=1),
                    LookupLimitError)
    if "id_number" in details:
        matches = _by_id_number(details)
    else:
        wanted = person_key(details["full_name"], details["date_of_birth"])
        try:
            attempts.take("lookup-person:" + hashlib.sha256(wanted.encode()).hexdigest()[:32],
                          LOOKUPS_PER_PERSON_PER_HOUR, _HOUR)
        except attempts.BudgetSpentError as spent:
            raise PersonLookupLimitError(retry_after=spent.retry_after) from None
        matches = [person.username for person in InsuranceRecord.by_person.query(wanted)
                   if matches_without_id(person.fields.as_dict(), details)]
    if len(set(matches)) != 1:
        raise LookupNotFoundError()
    return {"social_insurance_number": matches[0]}


def _by_id_number(details: dict[str, str]) -> list[str]:
    wanted = normalise(details["full_name"])
    return [
        person.username
        for person in InsuranceRecord.by_id_number.query(details["id_number"])
        if person.fields["date_of_birth"] == details["date_of_birth"]
        and person.fields["province_code"] == details["province_code"]
        and normalise(person.fields["full_name"]) == wanted
    ]
