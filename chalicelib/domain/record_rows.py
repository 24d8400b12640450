"""One input row of the agency's record files, validated: the BHYT card, a contribution period, a benefit
payment or a medical visit.

Rows come from CSV (every value a string) or JSON Lines (typed values), so "1200000" and 1200000 are the
same amount, "true" and true the same flag, and an empty string is a missing value. Unknown columns are
ignored. `validate_row` returns a `ValidRow` ready to store, or raises `RowInvalid` naming every bad
field at once, in English (`fields`) and Vietnamese (`fields_vi`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain.contact import normalise_vn_mobile
from chalicelib.domain.identity import CCCD_PROVINCE_CODES
from chalicelib.domain.row_reader import RowReader

KINDS = ("participant", "health_card", "contribution", "benefit", "medical_visit")
RECORD_KINDS = {"participant": "PERSON", "health_card": "CARD", "contribution": "CONTRIBUTION", "benefit": "BENEFIT",
                "medical_visit": "VISIT"}
SCHEMES = ("BHXH", "BHTN", "TNLD_BNN", "BHYT")
BENEFIT_KINDS = ("ONE_TIME", "SICKNESS", "MATERNITY", "CONVALESCENCE", "MONTHLY_PENSION", "UNEMPLOYMENT",
                 "OCCUPATIONAL_INJURY_ONE_TIME", "OCCUPATIONAL_INJURY_MONTHLY")
# Chế độ tai nạn lao động - bệnh nghề nghiệp (TNLĐ-BNN): one regime for an accident at work and for an occupational
# disease ("employment injury" as the ILO says), paid once or monthly by how much of the capacity to work was lost
# (tỷ lệ suy giảm khả năng lao động, in whole per cent as the medical assessment states it): 5-30 % once,
# 31 % or more monthly (Luật An toàn, vệ sinh lao động 2015, Điều 48 and 49). `cause` says which of the two it was.
OCCUPATIONAL_LOSS_PERCENT = {"OCCUPATIONAL_INJURY_ONE_TIME": (5, 30), "OCCUPATIONAL_INJURY_MONTHLY": (31, 100)}
OCCUPATIONAL_CAUSES = ("ACCIDENT", "DISEASE")
# A reader marks a line it could not parse with this key, so the line is rejected like any bad row.
MALFORMED = "_malformed"


def json_line_row(raw: bytes) -> dict[str, Any]:
    """One JSON Lines line as a row; a line that is not a JSON object becomes a row validation rejects."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        value = None
    return value if isinstance(value, dict) else {MALFORMED: True}

# The two-digit province codes of the 63 provinces (the administrative code list the CCCD uses too); a
# card issued before or after the 2025 merger carries one of them.
CARD_PROVINCE_CODES = frozenset(code[1:] for code in CCCD_PROVINCE_CODES)
MAX_VND = 10**12  # no single amount of a person's record reaches a trillion đồng: such a value is a typo

_SIN = re.compile(r"[0-9]{10}")
_RECORD_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_TAX_CODE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?|[0-9]{13}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_CARD = re.compile(r"([A-Z]{2})([1-5])([0-9]{2})([0-9]{10})")
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no", "")


class RowInvalid(ValueError):
    """A row with bad fields: `fields` and `fields_vi` say what is wrong with each, in both languages."""

    def __init__(self, fields: dict[str, str], fields_vi: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in fields.items()))
        self.fields = fields
        self.fields_vi = fields_vi


@dataclass(frozen=True)
class ValidRow:
    username: str  # the 10-digit social-insurance number: the citizen's partition
    record_key: str
    record_kind: str  # CARD | CONTRIBUTION | BENEFIT | VISIT
    fields: dict[str, Any]  # strings, ints, bools, None and nested dicts: what the API returns
    source_hash: str


def source_hash(username: str, record_key: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the stored content: equal content, equal hash."""
    canonical = json.dumps({"fields": fields, "record_key": record_key, "username": username},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def month_index(month: str) -> int:
    """"2024-03" → a month count, so that differences are numbers of months."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def months_between(from_month: str, to_month: str) -> int:
    """Months from `from_month` to `to_month`, both included."""
    return month_index(to_month) - month_index(from_month) + 1


class _Row(RowReader):
    """Reads typed values from one row, collecting every problem instead of stopping at the first."""

    def social_insurance_number(self) -> str | None:
        value = self.text("social_insurance_number", max_len=20)
        if value is not None and not _SIN.fullmatch(value):
            self.fail("social_insurance_number", "must be exactly 10 digits", "phải gồm đúng 10 chữ số")
            return None
        return value

    def record_id(self) -> str | None:
        raw = self.row.get("record_id")
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            value: str | None = str(raw)  # a numeric id of the source system
        else:
            value = self.text("record_id")
        if value is not None and not _RECORD_ID.fullmatch(value):
            self.fail("record_id", "must be 1 to 64 letters, digits, '-' or '_'",
                      "phải gồm 1 đến 64 chữ cái, chữ số, '-' hoặc '_'")
            return None
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(name, max_len=40)
        if value is None:
            return None
        if value.upper() not in allowed:
            self.fail(name, f"must be one of {', '.join(allowed)}", f"phải là một trong {', '.join(allowed)}")
            return None
        return value.upper()

    def iso_date(self, name: str, *, required: bool = True) -> str | None:
        value = self.text(name, required=required, max_len=10)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value) if _DATE.fullmatch(value) else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail(name, "must be a date YYYY-MM-DD", "phải là ngày theo dạng YYYY-MM-DD")
            return None
        if not 1900 <= parsed.year <= 2100:
            self.fail(name, "must be between 1900 and 2100", "phải trong khoảng năm 1900 đến 2100")
            return None
        return value

    def month(self, name: str) -> str | None:
        value = self.text(name, max_len=7)
        if value is None:
            return None
        match = _MONTH.fullmatch(value)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            self.fail(name, "must be a month YYYY-MM", "phải là tháng theo dạng YYYY-MM")
            return None
        if not 1900 <= int(match.group(1)) <= 2100:
            self.fail(name, "must be between 1900 and 2100", "phải trong khoảng năm 1900 đến 2100")
            return None
        return value

    def amount(self, name: str, *, minimum: int = 0) -> int | None:
        """Whole đồng: an integer, or its digits as text (CSV)."""
        raw = self._raw(name, True)
        if raw is None:
            return None
        value: int | None = None
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str) and re.fullmatch(r"-?[0-9]{1,16}", raw.strip()):
            value = int(raw.strip())
        if value is None:
            self.fail(name, "must be a whole number of đồng", "phải là số đồng nguyên")
            return None
        if value < minimum:
            if minimum == 0:
                self.fail(name, "must not be negative", "không được là số âm")
            else:
                self.fail(name, f"must be at least {minimum}", f"phải từ {minimum} trở lên")
            return None
        if value >= MAX_VND:
            self.fail(name, "is too large", "quá lớn")
            return None
        return value

    def given(self, name: str) -> bool:
        """Whether the row has a value for `name` (an empty CSV cell is no value)."""
        return self._raw(name, False) is not None

    def percent(self, name: str, low: int, high: int) -> int | None:
        """A whole per cent from `low` to `high`: an integer, or its digits as text (CSV)."""
        raw = self._raw(name, True)
        if raw is None:
            return None
        value: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str) and re.fullmatch(r"[0-9]{1,3}", raw.strip().removesuffix("%").strip()):
            value = int(raw.strip().removesuffix("%"))
        if value is None or not low <= value <= high:
            self.fail(name, f"must be a whole per cent from {low} to {high}",
                      f"phải là số phần trăm nguyên từ {low} đến {high}")
            return None
        return value

    def flag(self, name: str) -> bool | None:
        """true/false, 1/0, yes/no; missing or empty is false."""
        raw = self.row.get(name)
        if raw is None or isinstance(raw, bool):
            return bool(raw)
        if isinstance(raw, int) and raw in (0, 1):
            return raw == 1
        if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
        self.fail(name, "must be true or false", "phải là true hoặc false")
        return None

    def not_before(self, later_name: str, later: str | None, earlier_name: str, earlier: str | None) -> None:
        if later is not None and earlier is not None and later < earlier:  # ISO dates and months sort as text
            self.fail(later_name, f"must not be before {earlier_name}", f"không được trước {earlier_name}")

    def done(self) -> None:
        if self.fields:
            raise RowInvalid(dict(self.fields), dict(self.fields_vi))


def _health_card(r: _Row, sin: str | None) -> tuple[str, dict[str, Any]]:
    card = r.text("card_number", max_len=30)
    parts = None
    if card is not None:
        card = card.replace(" ", "").upper()  # printed cards group the digits; the number is the same
        parts = _card_parts(r, card, sin)
    valid_from = r.iso_date("valid_from")
    valid_to = r.iso_date("valid_to")
    r.not_before("valid_to", valid_to, "valid_from", valid_from)
    clinic = r.text("initial_clinic", max_len=200)
    five_years = r.iso_date("five_year_continuous_from", required=False)
    r.done()
    assert parts is not None  # r.done() raised if the card number was bad
    group_code, level, province = parts
    return "CARD", {
        "card_number": card, "group_code": group_code, "benefit_level": level, "province_code": province,
        "valid_from": valid_from, "valid_to": valid_to, "initial_clinic": clinic,
        "five_year_continuous_from": five_years,
    }


def _card_parts(r: _Row, card: str, sin: str | None) -> tuple[str, int, str] | None:
    """Group code, benefit level and province code of a 15-character BHYT card number."""
    if len(card) != 15:
        r.fail("card_number", "must be exactly 15 characters", "phải gồm đúng 15 ký tự")
        return None
    match = _CARD.fullmatch(card)
    if match is None:
        r.fail("card_number",
               "must be 2 capital letters (group), 1 digit 1-5 (benefit level), 2 digits (province) and the "
               "10-digit social-insurance number",
               "phải gồm 2 chữ cái in hoa (mã đối tượng), 1 chữ số từ 1 đến 5 (mức hưởng), 2 chữ số (mã tỉnh) "
               "và 10 chữ số mã số BHXH")
        return None
    group_code, level, province, card_sin = match.groups()
    if province not in CARD_PROVINCE_CODES:
        r.fail("card_number", f"has an unknown province code {province}", f"có mã tỉnh {province} không tồn tại")
        return None
    if sin is not None and card_sin != sin:
        r.fail("card_number", "must end with the row's social_insurance_number",
               "phải kết thúc bằng mã số BHXH của dòng (social_insurance_number)")
        return None
    return group_code, int(level), province


def _contribution(r: _Row, sin: str | None) -> tuple[str, dict[str, Any]]:
    record_id = r.record_id()
    scheme = r.choice("scheme", SCHEMES)
    from_month = r.month("from_month")
    to_month = r.month("to_month")
    r.not_before("to_month", to_month, "from_month", from_month)
    employer = r.text("employer", max_len=200)
    employer_code = r.text("employer_code", required=False, max_len=20)
    if employer_code is not None and not _TAX_CODE.fullmatch(employer_code):
        r.fail("employer_code", "must be a tax code of 10 or 13 digits (0101234567 or 0101234567-001)",
               "phải là mã số thuế 10 hoặc 13 chữ số (0101234567 hoặc 0101234567-001)")
    occupation = r.text("occupation", required=False, max_len=200)
    position = r.text("position", required=False, max_len=200)
    base = r.amount("contribution_base")
    in_arrears = r.flag("in_arrears")
    r.done()
    return f"CONTRIBUTION#{scheme}#{from_month}#{record_id}", {
        "record_id": record_id, "scheme": scheme, "from_month": from_month, "to_month": to_month,
        "months": months_between(from_month, to_month),  # type: ignore[arg-type]
        "employer": employer, "employer_code": employer_code, "occupation": occupation, "position": position,
        "contribution_base": base, "in_arrears": in_arrears,
    }


def _benefit(r: _Row, sin: str | None) -> tuple[str, dict[str, Any]]:
    record_id = r.record_id()
    kind = r.choice("kind", BENEFIT_KINDS)
    period_from = r.iso_date("period_from")
    period_to = r.iso_date("period_to")
    r.not_before("period_to", period_to, "period_from", period_from)
    amount = r.amount("amount", minimum=1)
    paid_on = r.iso_date("paid_on")
    occupational = _occupational(r, kind)
    r.done()
    # The TNLĐ-BNN fields only on those kinds: absent (not null) elsewhere, so the benefit rows loaded before
    # they existed keep their hash and a reload rewrites nothing.
    return f"BENEFIT#{paid_on}#{record_id}", {
        "record_id": record_id, "kind": kind, "period": {"from": period_from, "to": period_to},
        "amount": amount, "paid_on": paid_on, **occupational,
    }


def _occupational(r: _Row, kind: str | None) -> dict[str, Any]:
    """`cause` and `work_capacity_loss_percent` of a TNLĐ-BNN benefit; refused on any other kind, where they
    would be silently meaningless."""
    if kind not in OCCUPATIONAL_LOSS_PERCENT:
        for name in ("cause", "work_capacity_loss_percent"):
            if kind is not None and r.given(name):
                r.fail(name, "is only for the OCCUPATIONAL_INJURY_* kinds",
                       "chỉ dùng cho chế độ TNLĐ-BNN (OCCUPATIONAL_INJURY_*)")
        return {}
    cause = r.choice("cause", OCCUPATIONAL_CAUSES)
    loss = r.percent("work_capacity_loss_percent", *OCCUPATIONAL_LOSS_PERCENT[kind])
    return {"cause": cause, "work_capacity_loss_percent": loss}


def _medical_visit(r: _Row, sin: str | None) -> tuple[str, dict[str, Any]]:
    record_id = r.record_id()
    visit_date = r.iso_date("date")
    facility = r.text("facility", max_len=200)
    diagnosis = r.text("diagnosis", max_len=500)
    total = r.amount("cost_total")
    covered = r.amount("cost_covered")
    if total is not None and covered is not None and covered > total:
        r.fail("cost_covered", "must not be more than cost_total", "không được lớn hơn cost_total")
    r.done()
    return f"VISIT#{visit_date}#{record_id}", {
        "record_id": record_id, "date": visit_date, "facility": facility, "diagnosis": diagnosis,
        "cost_total": total, "cost_covered": covered,
    }


def _participant(r: _Row, sin: str | None) -> tuple[str, dict[str, Any]]:
    """The person behind a social-insurance number, as the core register knows them: what the public
    number look-up and Form 01 match against; the optional mobile `phone` (E.164) is where the code that
    frees a number held by someone else's draft is sent; the optional `commune`, `mother_name` and
    `father_name` are what the look-up without an ID number matches."""
    full_name = r.text("full_name", max_len=100)
    birth = r.iso_date("date_of_birth")
    gender = r.choice("gender", ("MALE", "FEMALE"))
    province = r.text("province_code", max_len=2)
    if province is not None and not re.fullmatch(r"[0-9]{2}", province):
        r.fail("province_code", "must be a 2-digit province code", "phải là mã tỉnh gồm 2 chữ số")
    id_number = r.text("id_number", max_len=12)
    if id_number is not None and not re.fullmatch(r"[0-9]{9}|[0-9]{12}|[A-Z][0-9]{7}", id_number.upper()):
        r.fail("id_number", "must be a CCCD (12 digits), CMND (9 digits) or passport number",
               "phải là số CCCD (12 số), CMND (9 số) hoặc hộ chiếu")
    phone_raw = r.text("phone", required=False, max_len=20)
    phone = normalise_vn_mobile(phone_raw) if phone_raw else None
    if phone_raw and phone is None:
        r.fail("phone", "must be a Vietnamese mobile number", "phải là số điện thoại di động Việt Nam")
    # What the number look-up without an ID number matches (domain.person_match): the commune of residence
    # (xã / phường / đặc khu, as named since the 2025 merger) and the parents' full names.
    residence = {name: r.text(name, required=False, max_len=100) for name in ("commune", "mother_name", "father_name")}
    r.done()
    person = {"full_name": full_name, "date_of_birth": birth, "gender": (gender or "").lower(),
              "province_code": province, "id_number": (id_number or "").upper()}
    # The optional fields are absent rather than null, so the rows loaded before they existed keep their hash.
    if phone:
        person["phone"] = phone
    person.update({name: value for name, value in residence.items() if value})
    return "PERSON", person


_VALIDATORS = {"participant": _participant, "health_card": _health_card, "contribution": _contribution,
               "benefit": _benefit, "medical_visit": _medical_visit}


def _reader(kind: str, row: dict[str, Any]) -> _Row:
    if kind not in _VALIDATORS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(row, dict) or row.get(MALFORMED):
        raise RowInvalid({"_line": "is not a JSON object"}, {"_line": "không phải là đối tượng JSON"})
    return _Row(row)


def validate_row(kind: str, row: dict[str, Any]) -> ValidRow:
    """The row as it will be stored; `RowInvalid` listing every bad field otherwise.

    `kind` must be one of `KINDS` (a programming error, ValueError, otherwise)."""
    r = _reader(kind, row)
    sin = r.social_insurance_number()
    record_key, fields = _VALIDATORS[kind](r, sin)
    return ValidRow(username=sin, record_key=record_key, record_kind=RECORD_KINDS[kind],  # type: ignore[arg-type]
                    fields=fields, source_hash=source_hash(sin, record_key, fields))  # type: ignore[arg-type]


def _key_fields(kind: str, r: _Row) -> str:
    """The record key from only the fields that make it (what a delete row must carry)."""
    if kind == "participant":
        return "PERSON"
    if kind == "health_card":
        return "CARD"
    record_id = r.record_id()
    if kind == "contribution":
        scheme = r.choice("scheme", SCHEMES)
        from_month = r.month("from_month")
        return f"CONTRIBUTION#{scheme}#{from_month}#{record_id}"
    if kind == "benefit":
        return f"BENEFIT#{r.iso_date('paid_on')}#{record_id}"
    return f"VISIT#{r.iso_date('date')}#{record_id}"


def validate_key(kind: str, row: dict[str, Any]) -> tuple[str, str]:
    """(social-insurance number, record key) of a row that deletes a record: only the key's fields are
    read (contribution: scheme, from_month, record_id; benefit: paid_on, record_id; medical visit: date,
    record_id; card and person: the number alone). `RowInvalid` if one of them is bad."""
    r = _reader(kind, row)
    sin = r.social_insurance_number()
    record_key = _key_fields(kind, r)
    r.done()
    return sin, record_key  # type: ignore[return-value]
