"""Form 01 (Tờ khai Mẫu số 01): the citizen's registration for electronic transactions with BHXH.

`parse_form01` turns an untrusted JSON body into a `Form01`, or raises `ValidationFailedError` whose
`fields` say, in English and Vietnamese, what is wrong with every bad field at once.

The fields added for the agency's form (nationality, the notice channels of "Nội dung đăng ký") are
optional with defaults, so clients built before them keep working; see `form01_terms` for their wording.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from chalicelib.domain.contact import normalise_email, normalise_vn_mobile
from chalicelib.domain.form01_terms import NOTICE_CHANNELS, VIETNAM, default_channels, nationality_of
from chalicelib.domain.identity import (
    ACCEPTED_ID_TYPES,
    CHIP_CARDS,
    ID_TYPES,
    foreign_passport_problem,
    id_number_problem,
    issue_date_problem,
    retired_id_type_problem,
)
from chalicelib.errors import ValidationFailedError

GENDERS = ("male", "female")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*$")
_SIN = re.compile(r"^[0-9]{10}$")
_OFFICE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{1,31}$")

FIELDS = (
    "full_name", "date_of_birth", "gender", "social_insurance_number", "id_type", "id_number",
    "id_issued_on", "id_issued_by", "phone", "email", "address", "office_code", "nationality", "notice_channels",
)
OPTIONAL_FIELDS = ("email", "nationality", "notice_channels")


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
    nationality: str = VIETNAM  # Quốc tịch
    notice_channels: tuple[str, ...] = ("SMS", "VSSID")  # where notices go (Nội dung đăng ký)

    def as_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["notice_channels"] = list(self.notice_channels)  # stored as a DynamoDB list
        return fields


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

    def choice(self, name: str, allowed: tuple[str, ...], shown: tuple[str, ...] | None = None) -> str | None:
        """One of `allowed`; the error names `shown` (the values a client should pick) when given."""
        value = self.text(name, max_len=20)
        if value is not None and value not in allowed:
            listed = ", ".join(shown or allowed)
            self.fail(name, f"must be one of {listed}", f"phải là một trong {listed}")
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
    nationality = _nationality(c)
    id_type = c.choice("id_type", ID_TYPES, shown=ACCEPTED_ID_TYPES)
    retired = retired_id_type_problem(id_type) if id_type is not None else None
    if retired:
        c.fail("id_type", *retired)
        id_type = None
    elif id_type in CHIP_CARDS and nationality is not None and nationality != VIETNAM:
        c.fail("id_type", "a Can cuoc or CCCD card is issued to Vietnamese citizens only; a foreign national "
               "registers with a passport (PASSPORT)",
               "thẻ Căn cước/CCCD chỉ cấp cho công dân Việt Nam; người nước ngoài đăng ký bằng hộ chiếu")
    id_number = c.text("id_number", max_len=12)
    if id_number is not None:
        id_number = id_number.upper()
        if id_type is not None:
            if id_type == "PASSPORT" and nationality not in (None, VIETNAM):
                problem = foreign_passport_problem(id_number)  # other countries number their own way
            else:
                problem = id_number_problem(id_type, id_number, birth, gender)
            if problem:
                c.fail("id_number", *problem)
        elif not re.fullmatch(r"[A-Z0-9]{8,12}", id_number):
            c.fail("id_number", "is not an identity document number", "không phải số giấy tờ tùy thân")
    issued_on = c.past_date("id_issued_on")
    if issued_on is not None and birth is not None and issued_on < birth:
        c.fail("id_issued_on", "must not be before the date of birth", "không được trước ngày sinh")
    elif issued_on is not None and id_type is not None and (too_early := issue_date_problem(id_type, issued_on)):
        c.fail("id_issued_on", *too_early)
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
    channels = _notice_channels(c, email_given=email_raw is not None)
    if c.fields:
        raise ValidationFailedError(fields=c.fields, extra={"fields_vi": c.fields_vi})
    return Form01(
        full_name=full_name, date_of_birth=birth.isoformat(), gender=gender,  # type: ignore[union-attr,arg-type]
        social_insurance_number=sin, id_type=id_type, id_number=id_number,  # type: ignore[arg-type]
        id_issued_on=issued_on.isoformat(), id_issued_by=issued_by,  # type: ignore[union-attr,arg-type]
        phone=phone, email=email, address=address, office_code=office_code,  # type: ignore[arg-type]
        nationality=nationality, notice_channels=channels,  # type: ignore[arg-type]
    )


def _nationality(c: _Checker) -> str | None:
    """Quốc tịch: Việt Nam when not given; the usual spellings of Việt Nam are stored as "Việt Nam"."""
    raw = c.body.get("nationality")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return VIETNAM
    value = c.text("nationality", min_len=2, max_len=60, fold=True)
    if value is not None and not _NAME.fullmatch(value):
        c.fail("nationality", "may contain only letters, spaces, hyphens and apostrophes",
               "chỉ được chứa chữ cái, dấu cách, dấu gạch nối và dấu nháy")
        return None
    return nationality_of(value) if value is not None else None


def _notice_channels(c: _Checker, *, email_given: bool) -> tuple[str, ...] | None:
    """Where notices go: SMS always (the initial password only goes by SMS), e-mail only with an address,
    the VssID app. Absent: SMS and the app, plus e-mail when an address is given. Kept in a fixed order."""
    raw = c.body.get("notice_channels")
    if raw is None:
        return default_channels(email_given=email_given)
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        c.fail("notice_channels", f"must be a list of {', '.join(NOTICE_CHANNELS)}",
               f"phải là danh sách gồm {', '.join(NOTICE_CHANNELS)}")
        return None
    unknown = [item for item in raw if item not in NOTICE_CHANNELS]
    if unknown:
        c.fail("notice_channels", f"must contain only {', '.join(NOTICE_CHANNELS)}",
               f"chỉ được gồm {', '.join(NOTICE_CHANNELS)}")
        return None
    if "SMS" not in raw:
        c.fail("notice_channels", "must include SMS: the initial password is sent only by SMS",
               "phải có SMS: mật khẩu khởi tạo chỉ được gửi qua tin nhắn SMS")
        return None
    if "EMAIL" in raw and not email_given:
        c.fail("notice_channels", "EMAIL needs an e-mail address in the email field",
               "chọn EMAIL thì phải khai địa chỉ thư điện tử (email)")
        return None
    return tuple(channel for channel in NOTICE_CHANNELS if channel in raw)
