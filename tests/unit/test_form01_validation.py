"""Form 01 validation: every field, every way it can be wrong, in English and Vietnamese.

`parse_form01` is the only gate between an untrusted JSON body and a stored registration, so each case
below states the input a client might send and the field (and reason) the client must be told about.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.form01 import FIELDS, OPTIONAL_FIELDS, Form01, parse_form01
from chalicelib.errors import ValidationFailedError

TODAY = date(2026, 11, 25)
ABSENT = object()  # marks a key to remove from the body

VALID: dict[str, Any] = {
    "full_name": "Nguyễn Thị Hường",
    "date_of_birth": "1990-07-15",
    "gender": "female",
    "social_insurance_number": "0123456789",
    "id_type": "CCCD",
    "id_number": "001190012345",  # Hà Nội (001), woman born 19xx (1), born 1990 (90)
    "id_issued_on": "2021-04-20",
    "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "phone": "0901 234 567",
    "email": "huong.nguyen@example.vn",
    "address": "Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội",
    "office_code": "HN-HK",
}
REQUIRED = tuple(name for name in FIELDS if name not in OPTIONAL_FIELDS)
TEXT_FIELDS = tuple(name for name in FIELDS if name != "notice_channels")


def body(**changes: Any) -> dict[str, Any]:
    result = dict(VALID)
    for name, value in changes.items():
        if value is ABSENT:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def parse(**changes: Any) -> Form01:
    return parse_form01(body(**changes), TODAY)


def problems(**changes: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The English and Vietnamese reasons the form is refused with."""
    with pytest.raises(ValidationFailedError) as caught:
        parse(**changes)
    error = caught.value
    assert error.code == "VALIDATION_FAILED"
    assert error.status == 400
    return dict(error.fields or {}), dict(error.extra["fields_vi"])


# (case id, changes to the valid body, the one field that must be reported, a fragment of its English reason)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # full_name
    ("name-one-letter", {"full_name": "A"}, "full_name", "2 to 100 characters"),
    ("name-101-letters", {"full_name": "a" * 101}, "full_name", "2 to 100 characters"),
    ("name-with-digit", {"full_name": "Nguyễn Văn 2"}, "full_name", "only letters"),
    ("name-digit-inside-word", {"full_name": "Nguy3n Văn An"}, "full_name", "only letters"),
    ("name-with-emoji", {"full_name": "Nguyễn Thị 😀"}, "full_name", "only letters"),
    ("name-with-heart", {"full_name": "Hường❤"}, "full_name", "only letters"),
    ("name-with-at-sign", {"full_name": "Nguyễn@Văn"}, "full_name", "only letters"),
    ("name-with-underscore", {"full_name": "Nguyễn_Văn"}, "full_name", "only letters"),
    ("name-double-hyphen", {"full_name": "Nguyễn--Văn"}, "full_name", "only letters"),
    ("name-leading-hyphen", {"full_name": "-Nguyễn Văn"}, "full_name", "only letters"),
    ("name-nul", {"full_name": "Nguyễn\x00Văn"}, "full_name", "control characters"),
    ("name-bell", {"full_name": "Nguyễn Văn\x07"}, "full_name", "control characters"),
    ("name-escape", {"full_name": "Nguyễn\x1b[31mVăn"}, "full_name", "control characters"),
    ("name-delete", {"full_name": "Nguyễn\x7fVăn"}, "full_name", "control characters"),
    ("name-c1-control", {"full_name": "Nguyễn\x9bVăn"}, "full_name", "control characters"),
    # date_of_birth
    ("dob-feb-30", {"date_of_birth": "2023-02-30"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-month-13", {"date_of_birth": "1990-13-01"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-unpadded", {"date_of_birth": "1990-7-15"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-vietnamese-order", {"date_of_birth": "15/07/1990"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-no-dashes", {"date_of_birth": "19900715"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-words", {"date_of_birth": "hôm qua"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-fullwidth-digits", {"date_of_birth": "１９９０-07-15"}, "date_of_birth", "YYYY-MM-DD"),
    ("dob-with-time", {"date_of_birth": "1990-07-15T00:00:00"}, "date_of_birth", "10 characters"),
    ("dob-tomorrow", {"date_of_birth": "2026-11-26"}, "date_of_birth", "future"),
    ("dob-far-future", {"date_of_birth": "2999-01-01"}, "date_of_birth", "future"),
    ("dob-1899", {"date_of_birth": "1899-12-31"}, "date_of_birth", "1900"),
    ("dob-year-1", {"date_of_birth": "0001-01-01"}, "date_of_birth", "1900"),
    # gender
    ("gender-capitalised", {"gender": "Male"}, "gender", "one of male, female"),
    ("gender-vietnamese", {"gender": "nữ"}, "gender", "one of male, female"),
    ("gender-letter", {"gender": "m"}, "gender", "one of male, female"),
    ("gender-other", {"gender": "other"}, "gender", "one of male, female"),
    ("gender-very-long", {"gender": "female" * 5}, "gender", "characters"),
    # social_insurance_number
    ("sin-9-digits", {"social_insurance_number": "012345678"}, "social_insurance_number", "exactly 10 digits"),
    ("sin-11-digits", {"social_insurance_number": "01234567890"}, "social_insurance_number", "10"),
    ("sin-letters", {"social_insurance_number": "01234abcde"}, "social_insurance_number", "exactly 10 digits"),
    ("sin-last-letter", {"social_insurance_number": "012345678X"}, "social_insurance_number", "exactly 10 digits"),
    ("sin-fullwidth", {"social_insurance_number": "０１２３４５６７８９"}, "social_insurance_number", "10 digits"),
    ("sin-spaced", {"social_insurance_number": "01234 5678"}, "social_insurance_number", "exactly 10 digits"),
    # id_type
    ("id-type-lowercase", {"id_type": "cccd"}, "id_type", "one of CCCD, CAN_CUOC, PASSPORT"),
    ("id-type-unknown", {"id_type": "CMT"}, "id_type", "one of CCCD, CAN_CUOC, PASSPORT"),
    ("id-type-driving-licence", {"id_type": "GPLX"}, "id_type", "one of CCCD, CAN_CUOC, PASSPORT"),
    ("id-type-can-cuoc-lowercase", {"id_type": "can_cuoc"}, "id_type", "one of CCCD, CAN_CUOC, PASSPORT"),
    # the CMND expired on 01/01/2025, whatever its number looks like
    ("cmnd-9-digits", {"id_type": "CMND", "id_number": "123456789"}, "id_type", "ceased to be valid on 01/01/2025"),
    ("cmnd-12-digits", {"id_type": "CMND", "id_number": "001190012345"}, "id_type", "use your Can cuoc or CCCD"),
    ("cmnd-8-digits", {"id_type": "CMND", "id_number": "12345678"}, "id_type", "(CMND) ceased to be valid"),
    # a Căn cước or CCCD card is for Vietnamese citizens
    ("foreigner-with-cccd", {"nationality": "Nhật Bản"}, "id_type", "Vietnamese citizens only"),
    ("foreigner-with-can-cuoc", {"nationality": "Hàn Quốc", "id_type": "CAN_CUOC", "id_issued_on": "2025-01-02"},
     "id_type", "a foreign national registers with a passport"),
    # id_number as a CCCD
    ("cccd-11-digits", {"id_number": "00119001234"}, "id_number", "12 digits"),
    ("cccd-13-digits", {"id_number": "0011900123456"}, "id_number", "12 characters"),
    ("cccd-letter", {"id_number": "00119001234A"}, "id_number", "12 digits"),
    ("cccd-province-003", {"id_number": "003190012345"}, "id_number", "province code"),
    ("cccd-province-000", {"id_number": "000190012345"}, "id_number", "province code"),
    ("cccd-province-097", {"id_number": "097190012345"}, "id_number", "province code"),
    ("cccd-province-100", {"id_number": "100190012345"}, "id_number", "province code"),
    ("cccd-male-digit-for-woman", {"id_number": "001090012345"}, "id_number", "4th digit"),
    ("cccd-21st-century-digit", {"id_number": "001390012345"}, "id_number", "4th digit"),
    ("cccd-year-digits", {"id_number": "001191012345"}, "id_number", "5th and 6th"),
    ("cccd-year-digits-swapped", {"id_number": "001109012345"}, "id_number", "5th and 6th"),
    # id_number as a Căn cước (numbered as the CCCD) or passport
    ("can-cuoc-11-digits", {"id_type": "CAN_CUOC", "id_issued_on": "2024-07-01", "id_number": "00119001234"},
     "id_number", "12 digits"),
    ("can-cuoc-4th-digit", {"id_type": "CAN_CUOC", "id_issued_on": "2024-07-01", "id_number": "001090012345"},
     "id_number", "4th digit"),
    ("passport-digits-only", {"id_type": "PASSPORT", "id_number": "12345678"}, "id_number", "one letter"),
    ("passport-two-letters", {"id_type": "PASSPORT", "id_number": "CC123456"}, "id_number", "one letter"),
    ("passport-8-digits", {"id_type": "PASSPORT", "id_number": "C12345678"}, "id_number", "one letter"),
    ("passport-6-digits", {"id_type": "PASSPORT", "id_number": "C123456"}, "id_number", "one letter"),
    # id_issued_on
    ("can-cuoc-issued-before-july-2024", {"id_type": "CAN_CUOC", "id_issued_on": "2024-06-30"}, "id_issued_on",
     "issued from 01/07/2024"),
    ("issued-before-birth", {"id_issued_on": "1990-07-14"}, "id_issued_on", "before the date of birth"),
    ("issued-tomorrow", {"id_issued_on": "2026-11-26"}, "id_issued_on", "future"),
    ("issued-malformed", {"id_issued_on": "2021-02-29"}, "id_issued_on", "YYYY-MM-DD"),
    # id_issued_by
    ("issued-by-201-chars", {"id_issued_by": "a" * 201}, "id_issued_by", "1 to 200 characters"),
    ("issued-by-nul", {"id_issued_by": "Cục\x00Cảnh sát"}, "id_issued_by", "control characters"),
    # phone
    ("phone-hanoi-landline", {"phone": "024 3825 1234"}, "phone", "Vietnamese mobile"),
    ("phone-landline-e164", {"phone": "+84 24 3825 1234"}, "phone", "Vietnamese mobile"),
    ("phone-us-number", {"phone": "+1 650 253 0000"}, "phone", "Vietnamese mobile"),
    ("phone-too-short", {"phone": "12345"}, "phone", "Vietnamese mobile"),
    ("phone-9-digits", {"phone": "090123456"}, "phone", "Vietnamese mobile"),
    ("phone-11-digits", {"phone": "09012345678"}, "phone", "Vietnamese mobile"),
    ("phone-hotline", {"phone": "1900 1234"}, "phone", "Vietnamese mobile"),
    ("phone-words", {"phone": "không có"}, "phone", "Vietnamese mobile"),
    ("phone-21-chars", {"phone": "0901 234 567 0901 234"}, "phone", "20 characters"),
    # email
    ("email-no-at", {"email": "not-an-email"}, "email", "e-mail"),
    ("email-no-tld", {"email": "huong@localhost"}, "email", "e-mail"),
    ("email-no-domain", {"email": "huong@"}, "email", "e-mail"),
    ("email-space", {"email": "huong nguyen@example.vn"}, "email", "e-mail"),
    ("email-double-dot", {"email": "huong..nguyen@example.vn"}, "email", "e-mail"),
    ("email-255-chars", {"email": "a" * 244 + "@example.vn"}, "email", "254 characters"),
    # address
    ("address-4-chars", {"address": "Hà N"}, "address", "5 to 300 characters"),
    ("address-short-after-folding", {"address": "  Hà   N  "}, "address", "5 to 300 characters"),
    ("address-301-chars", {"address": "Số 1 " + "a" * 296}, "address", "5 to 300 characters"),
    ("address-nul", {"address": "Số 12\x00 phố Hàng Bài"}, "address", "control characters"),
    # office_code
    ("office-lowercase", {"office_code": "hn-hk"}, "office_code", "not an office code"),
    ("office-leading-hyphen", {"office_code": "-HNHK"}, "office_code", "not an office code"),
    ("office-one-char", {"office_code": "H"}, "office_code", "not an office code"),
    ("office-space", {"office_code": "HN HK"}, "office_code", "not an office code"),
    ("office-underscore", {"office_code": "HN_HK"}, "office_code", "not an office code"),
    ("office-path", {"office_code": "../HN"}, "office_code", "not an office code"),
    ("office-33-chars", {"office_code": "H" * 33}, "office_code", "32 characters"),
    # nationality (optional)
    ("nationality-digits", {"nationality": "Việt Nam 2"}, "nationality", "only letters"),
    ("nationality-one-letter", {"nationality": "V"}, "nationality", "2 to 60 characters"),
    ("nationality-61-chars", {"nationality": "a" * 61}, "nationality", "2 to 60 characters"),
    ("nationality-number", {"nationality": 84}, "nationality", "must be text"),
    # notice_channels (optional)
    ("foreign-passport-symbols", {"nationality": "Nhật Bản", "id_type": "PASSPORT", "id_number": "TZ-12345"},
     "id_number", "6 to 12 letters and digits"),
    ("channels-not-a-list", {"notice_channels": "SMS"}, "notice_channels", "must be a list"),
    ("channels-numbers", {"notice_channels": [1, 2]}, "notice_channels", "must be a list"),
    ("channels-unknown", {"notice_channels": ["SMS", "ZALO"]}, "notice_channels", "must contain only"),
    ("channels-lowercase", {"notice_channels": ["sms"]}, "notice_channels", "must contain only"),
    ("channels-without-sms", {"notice_channels": ["EMAIL", "VSSID"]}, "notice_channels", "must include SMS"),
    ("channels-empty", {"notice_channels": []}, "notice_channels", "must include SMS"),
    ("channels-email-without-address", {"notice_channels": ["SMS", "EMAIL"], "email": None}, "notice_channels",
     "needs an e-mail address"),
]


@pytest.mark.parametrize(
    ("changes", "field", "reason"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_an_invalid_field_is_reported_alone_with_its_reason(changes: dict[str, Any], field: str, reason: str):
    fields, fields_vi = problems(**changes)
    assert set(fields) == {field}
    assert reason in fields[field]
    assert set(fields_vi) == {field}


@pytest.mark.parametrize(
    ("changes", "field"), [(case[1], case[2]) for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_every_reason_is_given_in_english_and_vietnamese(changes: dict[str, Any], field: str):
    fields, fields_vi = problems(**changes)
    english, vietnamese = fields[field], fields_vi[field]
    assert english.strip() and vietnamese.strip()
    assert english.isascii()
    assert not vietnamese.isascii(), f"{vietnamese!r} reads as untranslated"
    assert vietnamese != english


def test_a_fully_valid_form_is_accepted_and_normalised():
    form = parse()

    assert form.as_dict() == {
        "full_name": "Nguyễn Thị Hường",
        "date_of_birth": "1990-07-15",
        "gender": "female",
        "social_insurance_number": "0123456789",
        "id_type": "CCCD",
        "id_number": "001190012345",
        "id_issued_on": "2021-04-20",
        "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "phone": "+84901234567",
        "email": "huong.nguyen@example.vn",
        "address": "Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội",
        "office_code": "HN-HK",
        "nationality": "Việt Nam",
        "notice_channels": ["SMS", "EMAIL", "VSSID"],
    }


def test_the_result_holds_exactly_the_form01_fields():
    assert tuple(parse().as_dict()) == FIELDS


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "APPROVED"},
        {"password_hash": "x"},
        {"status": "APPROVED", "password_hash": "x", "account_id": "admin", "office_code_override": "HCM-Q1"},
        {"registration_id": "3f2a9c1e", "deadline_at": "2099-01-01T00:00:00+07:00", "attempt": 7},
    ],
)
def test_unknown_keys_are_ignored_and_never_reach_the_result(extra: dict[str, Any]):
    form = parse(**extra)

    assert form == parse()
    assert set(form.as_dict()).isdisjoint(extra)
    assert all(not hasattr(form, key) for key in extra)


def test_an_empty_body_reports_every_required_field_at_once():
    with pytest.raises(ValidationFailedError) as caught:
        parse_form01({}, TODAY)

    assert caught.value.fields == {name: "is required" for name in REQUIRED}
    assert caught.value.extra["fields_vi"] == {name: "bắt buộc nhập" for name in REQUIRED}


def test_several_bad_fields_are_all_reported_together():
    fields, fields_vi = problems(full_name="X", gender="nam", phone="12345", office_code="hn")

    assert set(fields) == set(fields_vi) == {"full_name", "gender", "phone", "office_code"}


@pytest.mark.parametrize("missing", [ABSENT, None, "", "   ", "\t\n"], ids=["absent", "null", "empty", "spaces", "tab"])
@pytest.mark.parametrize("field", REQUIRED)
def test_a_required_field_cannot_be_left_out(field: str, missing: Any):
    fields, fields_vi = problems(**{field: missing})

    assert fields == {field: "is required"}
    assert fields_vi == {field: "bắt buộc nhập"}


@pytest.mark.parametrize(
    "wrong", [123, 0, 12.5, True, False, ["Nguyễn"], {"value": "x"}], ids=["int", "zero", "float", "true", "false",
                                                                           "list", "object"]
)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_field_must_be_text_not_another_json_type(field: str, wrong: Any):
    fields, fields_vi = problems(**{field: wrong})

    assert fields == {field: "must be text"}
    assert fields_vi == {field: "phải là chuỗi ký tự"}


def test_an_empty_list_is_refused_as_not_text_rather_than_taken_as_missing():
    fields, _ = problems(full_name=[])

    assert fields == {"full_name": "must be text"}


# --- full name ------------------------------------------------------------------------------------------------


def test_a_decomposed_name_is_stored_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    assert decomposed != "Nguyễn Thị Hường"

    form = parse(full_name=decomposed)

    assert form.full_name == "Nguyễn Thị Hường"
    assert unicodedata.is_normalized("NFC", form.full_name)


def test_name_length_is_counted_after_nfc_normalisation():
    name = "ễ" * 100  # 100 letters; 300 code points once decomposed
    decomposed = unicodedata.normalize("NFD", name)
    assert len(decomposed) == 300

    assert parse(full_name=decomposed).full_name == name


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Nguyễn Thị Hường  ", "Nguyễn Thị Hường"),
        ("Nguyễn   Thị\tHường", "Nguyễn Thị Hường"),
        ("Nguyễn\nThị\r\nHường", "Nguyễn Thị Hường"),
        ("Nguyễn\u00a0Thị\u3000Hường", "Nguyễn Thị Hường"),  # no-break and ideographic spaces
    ],
    ids=["trimmed", "inner-runs", "line-breaks", "unicode-spaces"],
)
def test_white_space_in_a_name_is_trimmed_and_folded(raw: str, stored: str):
    assert parse(full_name=raw).full_name == stored


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Văn An",
        "Đặng Thị Ỷ",
        "Tôn Nữ Hoàng Thị Minh Khuê",
        "Phạm Thị Thu-Hà",
        "H'Hen Niê",
        "Ksor Y'Đhăm",
        "Lê",
        "a" * 100,
        "ỐỒỔỖỘ ƠỚỜỞỠỢ ƯỨỪỬỮỰ",
    ],
)
def test_real_vietnamese_names_are_accepted(name: str):
    assert parse(full_name=name).full_name == name


# --- dates ----------------------------------------------------------------------------------------------------


def test_the_earliest_accepted_birth_date_is_1900_01_01():
    form = parse(date_of_birth="1900-01-01", id_type="PASSPORT", id_number="C1234567")

    assert form.date_of_birth == "1900-01-01"


def test_a_person_born_today_can_be_registered():
    # A woman born in 2026: 4th CCCD digit 3 (21st century, female), 5th-6th "26".
    form = parse(date_of_birth="2026-11-25", id_number="001326012345", id_issued_on="2026-11-25")

    assert (form.date_of_birth, form.id_issued_on) == ("2026-11-25", "2026-11-25")


def test_an_id_may_be_issued_on_the_day_of_birth():
    assert parse(id_issued_on="1990-07-15").id_issued_on == "1990-07-15"


def test_the_future_is_judged_against_the_day_given_not_the_real_clock():
    body_2030 = body(date_of_birth="2030-01-01", id_number="001330012345", id_issued_on="2030-01-02")

    assert parse_form01(body_2030, date(2030, 1, 2)).date_of_birth == "2030-01-01"
    with pytest.raises(ValidationFailedError):
        parse_form01(body_2030, date(2030, 1, 1))


# --- identity document ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_of_birth", "gender", "right_digit"),
    [
        ("1990-07-15", "male", 0),
        ("1990-07-15", "female", 1),
        ("2001-03-09", "male", 2),
        ("2001-03-09", "female", 3),
        ("1900-01-01", "male", 0),
        ("1999-12-31", "female", 1),
        ("2000-01-01", "male", 2),
    ],
)
def test_cccd_fourth_digit_must_match_century_and_gender(date_of_birth: str, gender: str, right_digit: int):
    year = date_of_birth[2:4]
    common = {"date_of_birth": date_of_birth, "gender": gender, "id_issued_on": "2025-01-01"}

    for digit in range(10):
        id_number = f"001{digit}{year}012345"
        if digit == right_digit:
            assert parse(id_number=id_number, **common).id_number == id_number
        else:
            fields, fields_vi = problems(id_number=id_number, **common)
            assert fields == {"id_number": "the 4th digit does not match the date of birth and gender"}
            assert fields_vi == {"id_number": "chữ số thứ 4 không khớp với năm sinh và giới tính"}


@pytest.mark.parametrize(
    ("date_of_birth", "gender", "right", "wrong"),
    [
        ("1990-07-15", "female", "001190012345", "001191012345"),
        ("1990-07-15", "female", "001190012345", "001109012345"),
        ("2001-03-09", "male", "001201012345", "001210012345"),
        ("2001-03-09", "male", "001201012345", "001200012345"),
        ("1905-05-05", "male", "001005012345", "001095012345"),
    ],
)
def test_cccd_fifth_and_sixth_digits_must_be_the_year_of_birth(date_of_birth: str, gender: str, right: str, wrong: str):
    common = {"date_of_birth": date_of_birth, "gender": gender, "id_issued_on": "2025-01-01"}

    assert parse(id_number=right, **common).id_number == right
    fields, fields_vi = problems(id_number=wrong, **common)
    assert fields == {"id_number": "the 5th and 6th digits do not match the year of birth"}
    assert fields_vi == {"id_number": "chữ số thứ 5 và 6 không khớp với năm sinh"}


@pytest.mark.parametrize("province", ["001", "079", "048", "096", "031", "092"])
def test_cccd_from_any_province_is_accepted(province: str):
    assert parse(id_number=f"{province}190012345").id_number == f"{province}190012345"


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": "not a date"},
        {"date_of_birth": "2999-01-01"},
        {"gender": "other"},
        {"gender": None},
    ],
    ids=["bad-birth", "future-birth", "bad-gender", "no-gender"],
)
def test_cccd_cross_checks_wait_until_birth_date_and_gender_are_valid(changes: dict[str, Any]):
    # The CCCD is right for a woman born 1990 but not for anyone else; only the real problem is reported.
    fields, _ = problems(**changes)

    assert "id_number" not in fields


def test_an_id_number_is_not_checked_against_an_unknown_id_type():
    fields, _ = problems(id_type="GPLX", id_number="anything")

    assert set(fields) == {"id_type"}


def test_a_cmnd_is_refused_with_the_reason_and_what_to_use_instead():
    fields, fields_vi = problems(id_type="CMND", id_number="123456789")

    assert fields == {"id_type": "the old identity card (CMND) ceased to be valid on 01/01/2025; please use your "
                                 "Can cuoc or CCCD card (id_type CAN_CUOC or CCCD)"}
    assert fields_vi == {"id_type": "CMND hết giá trị sử dụng từ 01/01/2025, vui lòng dùng thẻ Căn cước/CCCD "
                                    "(chọn loại giấy tờ Căn cước hoặc CCCD)"}


@pytest.mark.parametrize("issued_on", ["2024-07-01", "2025-03-15", "2026-11-25"])
def test_a_can_cuoc_card_issued_since_july_2024_is_accepted_with_its_12_digit_number(issued_on: str):
    form = parse(id_type="CAN_CUOC", id_number="001190012345", id_issued_on=issued_on, id_issued_by="Bộ Công an")

    assert (form.id_type, form.id_number, form.id_issued_on) == ("CAN_CUOC", "001190012345", issued_on)


@pytest.mark.parametrize("issued_on", ["2021-04-20", "2024-06-30", "2024-08-01"])
def test_a_cccd_card_is_still_accepted_whenever_it_was_issued(issued_on: str):
    assert parse(id_type="CCCD", id_issued_on=issued_on).id_type == "CCCD"


def test_a_can_cuoc_number_is_checked_like_a_cccd_number():
    fields, _ = problems(id_type="CAN_CUOC", id_number="003190012345", id_issued_on="2025-01-02")

    assert fields == {"id_number": "the first three digits are not a province code"}


# --- nationality and the content of the registration ----------------------------------------------------------


@pytest.mark.parametrize("nationality", [ABSENT, None, "", "   "], ids=["absent", "null", "empty", "spaces"])
def test_nationality_defaults_to_viet_nam(nationality: Any):
    assert parse(nationality=nationality).nationality == "Việt Nam"


@pytest.mark.parametrize("spelling", ["Việt Nam", "Viet Nam", "VIỆT NAM", "Vietnam", "viet nam", "VN",
                                      unicodedata.normalize("NFD", "Việt Nam")])
def test_every_usual_spelling_of_viet_nam_is_stored_as_viet_nam(spelling: str):
    assert parse(nationality=spelling).nationality == "Việt Nam"


def test_a_foreign_national_registers_with_a_passport_and_keeps_their_nationality():
    form = parse(nationality="  Nhật  Bản ", id_type="PASSPORT", id_number="tz1234567")

    assert (form.nationality, form.id_type, form.id_number) == ("Nhật Bản", "PASSPORT", "TZ1234567")


def test_a_vietnamese_passport_keeps_its_one_letter_seven_digits_rule():
    fields, _ = problems(id_type="PASSPORT", id_number="TZ1234567")

    assert "one letter" in fields["id_number"]


@pytest.mark.parametrize(
    ("email", "channels"),
    [("huong@example.vn", ("SMS", "EMAIL", "VSSID")), (None, ("SMS", "VSSID"))],
    ids=["with-email", "without-email"],
)
def test_notice_channels_default_to_sms_the_app_and_email_when_an_address_is_given(email: Any, channels: tuple):
    assert parse(email=email, notice_channels=ABSENT).notice_channels == channels


def test_notice_channels_are_stored_once_each_in_a_fixed_order():
    form = parse(notice_channels=["VSSID", "SMS", "EMAIL", "SMS"])

    assert form.notice_channels == ("SMS", "EMAIL", "VSSID")
    assert form.as_dict()["notice_channels"] == ["SMS", "EMAIL", "VSSID"]


def test_a_person_may_leave_out_email_and_the_app_but_never_sms():
    assert parse(notice_channels=["SMS"]).notice_channels == ("SMS",)


@pytest.mark.parametrize(
    ("raw", "stored"), [("C1234567", "C1234567"), ("c1234567", "C1234567"), (" n7654321 ", "N7654321")]
)
def test_a_passport_number_is_one_letter_and_seven_digits_stored_in_upper_case(raw: str, stored: str):
    assert parse(id_type="PASSPORT", id_number=raw).id_number == stored


def test_an_id_number_is_trimmed():
    assert parse(id_number="  001190012345\u00a0").id_number == "001190012345"


# --- contact --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "0901234567",
        "0901 234 567",
        "+84 90 123 4567",
        "+84901234567",
        "84901234567",
        "0084901234567",
        "090.123.4567",
        "090-123-4567",
        "(090) 123 4567",
        "０９０１２３４５６７",
    ],
)
def test_a_vietnamese_mobile_in_any_common_form_is_stored_as_e164(phone: str):
    assert parse(phone=phone).phone == "+84901234567"


@pytest.mark.parametrize("email", [ABSENT, None, "", "   "], ids=["absent", "null", "empty", "spaces"])
def test_email_is_optional(email: Any):
    assert parse(email=email).email is None


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Huong.Nguyen@Example.VN", "Huong.Nguyen@example.vn"),
        ("  huong@EXAMPLE.com.vn  ", "huong@example.com.vn"),
        ("huong+bhxh@gmail.com", "huong+bhxh@gmail.com"),
    ],
)
def test_a_valid_email_is_stored_with_its_domain_in_lower_case(raw: str, stored: str):
    assert parse(email=raw).email == stored


# --- address and office ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["Số 12", "a" * 300])
def test_address_may_be_5_to_300_characters(address: str):
    assert parse(address=address).address == address


@pytest.mark.parametrize("office_code", ["HN-HK", "HN", "HCM-Q1", "79-001", "A" * 32])
def test_office_codes_of_the_reference_data_shape_are_accepted(office_code: str):
    assert parse(office_code=office_code).office_code == office_code


# --- known gaps -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_issued_by", "\u200b"),
        ("address", "\u200b" * 5),
        ("address", "\ufeff" * 5),
        ("id_issued_by", "\u2060\u2060"),
    ],
    ids=["issued-by-zwsp", "address-zwsp", "address-bom", "issued-by-word-joiner"],
)
def test_a_required_field_of_only_invisible_characters_is_refused(field: str, value: str):
    try:
        parse(**{field: value})
    except ValidationFailedError as error:
        assert field in (error.fields or {})
    else:
        raise AssertionError(f"{field}={value!r} was accepted")


def test_an_invisible_separator_inside_a_name_reads_as_a_space():
    form = parse_form01({**VALID, "full_name": "Nguyễn\u200bVăn\ufeff An"}, TODAY)
    assert form.full_name == "Nguyễn Văn An"
