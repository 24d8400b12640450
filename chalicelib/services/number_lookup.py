"""Find my social-insurance number (tra cứu mã số BHXH): name, birth date, province, ID number, captcha.

Answers only when exactly one person matches; any other outcome — nobody, several, a near miss — is
the same neutral "not found", so the look-up cannot be used to learn who is in the register. The name
matches case- and diacritic-insensitively ("Nguyen Van An" = "Nguyễn Văn An"). Each client (source
address) may ask a limited number of times an hour, on top of the captcha.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain.form01 import clean_text
from chalicelib.domain.text_search import normalise
from chalicelib.errors import NotFoundError, TooManyRequestsError, ValidationFailedError
from chalicelib.models.records import InsuranceRecord
from chalicelib.services import captchas
from chalicelib.services.sms_budget import count_or_refuse

LOOKUPS_PER_HOUR = 10


class LookupNotFoundError(NotFoundError):
    code = "NOT_FOUND"
    message = "No social-insurance number matches these details. Check them, or call 1900 9068."
    message_vi = "Không tìm thấy mã số BHXH phù hợp với thông tin đã nhập. Vui lòng kiểm tra lại hoặc gọi 1900 9068."


class LookupLimitError(TooManyRequestsError):
    message = "Too many look-ups from this device; try again later."
    message_vi = "Tra cứu quá nhiều lần từ thiết bị này; vui lòng thử lại sau."


def _required(body: dict[str, Any], name: str, max_len: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not clean_text(value) or len(value) > max_len:
        raise ValidationFailedError(fields={name: "is required"}, extra={"fields_vi": {name: "bắt buộc nhập"}})
    return clean_text(value)


def find_number(body: dict[str, Any], client_address: str) -> dict[str, str]:
    full_name = _required(body, "full_name", 100)
    birth = _required(body, "date_of_birth", 10)
    province = _required(body, "province_code", 2)
    id_number = _required(body, "id_number", 12).upper()
    captchas.spend(body.get("captcha_id"), body.get("captcha_answer"))
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    address_key = hashlib.sha256(client_address.encode()).hexdigest()[:32]
    count_or_refuse(f"lookup:{address_key}:{hour.isoformat()}", LOOKUPS_PER_HOUR, hour + timedelta(hours=1),
                    LookupLimitError)
    wanted = normalise(full_name)
    matches = [
        person.username
        for person in InsuranceRecord.by_id_number.query(id_number)
        if person.fields["date_of_birth"] == birth and person.fields["province_code"] == province
        and normalise(person.fields["full_name"]) == wanted
    ]
    if len(set(matches)) != 1:
        raise LookupNotFoundError()
    return {"social_insurance_number": matches[0]}
