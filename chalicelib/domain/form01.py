"""Form 01 (Tờ khai Mẫu số 01): the citizen's registration for electronic transactions with BHXH.

`parse_form01` turns an untrusted JSON body into a `Form01`, or raises `ValidationFailedError` whose
`fields` say, in English and Vietnamese, what is wrong with every bad field at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from chalicelib.domain.contact import normalise_email, normalise_vn_mobile
from chalicelib.domain.identity import ID_TYPES, id_number_problem
from chalicelib.errors import ValidationFailedError

GENDERS = ("male", "female")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*$")
_SIN = re.compile(r"^[0-9]{10}$")
_OFFICE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{1,31}$")

FIELDS = (
    "full_name", "date_of_birth", "gender", "social_insurance_number", "id_type", "id_number",
    "id_issued_on", "id_issued_by", "phone", "email", "address", "office_code",
)


@dataclass(frozen=True)
class Form01:
    full_name: str
    date_of_birth: str
    gender: str
    social_insurance_number: str
    id_type: str
    id_number: str
    id_issued_on: str
    id_issued_by: str
    phone: str
    email: str | None
    address: str
    office_code: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_text(value: str) -> str:
    """NFC-normalised, invisible format characters (zero-width space, BOM) read as spaces, trimmed,
    inner white space folded: how Vietnamese text is stored."""
    visible = "".join(" " if unicodedata.category(ch) == "Cf" else ch for ch in unicodedata.normalize("NFC", value))
    return " ".join(visible.split())


def folded_text(value: str) -> str:
    """`clean_text` after NFKC: mathematical, fullwidth and other compatibility look-alikes ("𝐍𝐠𝐮𝐲𝐞̂̃𝐧",
    "Ｎｇｕｙễｎ") become the plain letters they imitate, so they are matched, searched and printed (the
    PDF font has no glyphs for them) as the name they spell. NFKC composes, so the result is NFC too."""
    return clean_text(unicodedata.normalize("NFKC", value))


def _latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN ")


class _Checker:
    def __init__(self, body: dict[str, Any], today: date) -> None:
        self.body = body
        self.today = today
        self.fields: dict[str, str] = {}
        self.fields_vi: dict[str, str] = {}

    def fail(self, name: str, en: str, vi: str) -> None:
        self.fields.setdefault(name, en)
        self.fields_vi.setdefault(name, vi)

    def text(self, name: str, *, required: bool = True, min_len: int = 1, max_len: int = 200,
             fold: bool = False) -> str | None:
        """The field as stored; `fold` (names and free text) reads compatibility look-alikes as the letters
        they imitate. Codes, numbers and dates are not folded: fullwidth digits there are refused."""
        raw = self.body.get(name)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if required:
                self.fail(name, "is required", "bắt buộc nhập")
            return None
        if not isinstance(raw, str):
            self.fail(name, "must be text", "phải là chuỗi ký tự")
            return None
        value = folded_text(raw) if fold else clean_text(raw)
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            self.fail(name, "must not contain control characters", "không được chứa ký tự điều khiển")
            return None
        if not min_len <= len(value) <= max_len:
            self.fail(
                name,
                f"must be {min_len} to {max_len} characters",
                f"phải dài từ {min_len} đến {max_len} ký tự",
            )
            return None
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(name, max_len=20)
        if value is not None and value not in allowed:
            self.fail(name, f"must be one of {', '.join(allowed)}", f"phải là một trong {', '.join(allowed)}")
            return None
        return value

    def past_date(self, name: str) -> date | None:
        value = self.text(name, max_len=10)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail(name, "must be a date YYYY-MM-DD", "phải là ngày theo dạng YYYY-MM-DD")
            return None
        if parsed > self.today:
            self.fail(name, "must not be in the future", "không được là ngày trong tương lai")
            return None
        if parsed.year < 1900:
            self.fail(name, "must not be before 1900", "không được trước năm 1900")
            return None
        return parsed


def parse_form01(body: dict[str, Any], today: date) -> Form01:
    """Validate every field of Form 01; raise one error listing every problem."""
    c = _Checker(body, today)
    full_name = c.text("full_name", min_len=2, max_len=100, fold=True)
    if full_name is not None and not _NAME.fullmatch(full_name):
        c.fail("full_name", "may contain only letters, spaces, hyphens and apostrophes",
               "chỉ được chứa chữ cái, dấu cách, dấu gạch nối và dấu nháy")
    elif full_name is not None and not all(_latin(ch) for ch in full_name if ch.isalpha()):
        # Other scripts print blank in Form 01's PDF and never match the register's name.
        c.fail("full_name", "must be written in Latin letters (the Vietnamese alphabet)",
               "phải viết bằng chữ cái Latinh (chữ Quốc ngữ)")
    birth = c.past_date("date_of_birth")
    gender = c.choice("gender", GENDERS)
    sin = c.text("social_insurance_number", max_len=20)
    if sin is not None and not _SIN.fullmatch(sin):
        c.fail("social_insurance_number", "must be exactly 10 digits", "phải gồm đúng 10 chữ số")
    id_type = c.choice("id_type", ID_TYPES)
    id_number = c.text("id_number", max_len=12)
    if id_number is not None:
        id_number = id_number.upper()
        if id_type is not None:
            problem = id_number_problem(id_type, id_number, birth, gender)
            if problem:
                c.fail("id_number", *problem)
        elif not re.fullmatch(r"[A-Z0-9]{8,12}", id_number):
            c.fail("id_number", "is not an identity document number", "không phải số giấy tờ tùy thân")
    issued_on = c.past_date("id_issued_on")
    if issued_on is not None and birth is not None and issued_on < birth:
        c.fail("id_issued_on", "must not be before the date of birth", "không được trước ngày sinh")
    issued_by = c.text("id_issued_by", max_len=200, fold=True)
    phone_raw = c.text("phone", max_len=20)
    phone = normalise_vn_mobile(phone_raw) if phone_raw else None
    if phone_raw and phone is None:
        c.fail("phone", "must be a Vietnamese mobile number", "phải là số điện thoại di động Việt Nam")
    email_raw = c.text("email", required=False, max_len=254)
    email = normalise_email(email_raw) if email_raw else None
    if email_raw and email is None:
        c.fail("email", "must be a valid e-mail address", "phải là địa chỉ thư điện tử hợp lệ")
    address = c.text("address", min_len=5, max_len=300, fold=True)
    office_code = c.text("office_code", max_len=32)
    if office_code is not None and not _OFFICE.fullmatch(office_code):
        c.fail("office_code", "is not an office code", "không phải mã cơ quan BHXH")
    if c.fields:
        raise ValidationFailedError(fields=c.fields, extra={"fields_vi": c.fields_vi})
    return Form01(
        full_name=full_name, date_of_birth=birth.isoformat(), gender=gender,  # type: ignore[union-attr,arg-type]
        social_insurance_number=sin, id_type=id_type, id_number=id_number,  # type: ignore[arg-type]
        id_issued_on=issued_on.isoformat(), id_issued_by=issued_by,  # type: ignore[union-attr,arg-type]
        phone=phone, email=email, address=address, office_code=office_code,  # type: ignore[arg-type]
    )
