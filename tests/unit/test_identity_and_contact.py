"""Identity documents (CCCD, CMND, passport) and contact details (mobile number, e-mail), checked on their own."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.contact import mask_phone, normalise_email, normalise_vn_mobile
from chalicelib.domain.identity import (
    ACCEPTED_ID_TYPES,
    CCCD_PROVINCE_CODES,
    ID_TYPES,
    cccd_century_gender_digit,
    foreign_passport_problem,
    id_number_problem,
    issue_date_problem,
    retired_id_type_problem,
)

BORN_1990 = date(1990, 7, 15)

# --- CCCD province codes --------------------------------------------------------------------------------------


def test_there_are_63_three_digit_province_codes():
    assert len(CCCD_PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in CCCD_PROVINCE_CODES)


@pytest.mark.parametrize(
    ("code", "province"),
    [
        ("001", "Hà Nội"),
        ("031", "Hải Phòng"),
        ("046", "Thừa Thiên Huế"),
        ("048", "Đà Nẵng"),
        ("079", "TP Hồ Chí Minh"),
        ("092", "Cần Thơ"),
        ("096", "Cà Mau"),
    ],
)
def test_well_known_provinces_are_codes(code: str, province: str):
    assert code in CCCD_PROVINCE_CODES, province


@pytest.mark.parametrize("code", ["000", "003", "005", "007", "009", "013", "097", "099", "100", "999"])
def test_gaps_in_the_numbering_are_not_codes(code: str):
    assert code not in CCCD_PROVINCE_CODES


# --- the 4th CCCD digit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "gender", "digit"),
    [
        (1900, "male", 0),
        (1990, "male", 0),
        (1990, "female", 1),
        (1999, "female", 1),
        (2000, "male", 2),
        (2001, "male", 2),
        (2001, "female", 3),
        (2099, "female", 3),
        (2100, "male", 4),
        (2200, "female", 7),
        (2399, "female", 9),
    ],
)
def test_the_fourth_cccd_digit_encodes_century_and_gender(year: int, gender: str, digit: int):
    assert cccd_century_gender_digit(date(year, 6, 1), gender) == digit


# --- id_number_problem ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "id_number", "birth", "gender"),
    [
        ("CCCD", "001190012345", BORN_1990, "female"),
        ("CCCD", "079090999999", BORN_1990, "male"),
        ("CCCD", "001201000001", date(2001, 1, 1), "male"),
        ("CCCD", "001301000001", date(2001, 1, 1), "female"),
        ("CAN_CUOC", "001190012345", BORN_1990, "female"),
        ("CMND", "123456789", BORN_1990, "male"),
        ("CMND", "012345678", None, None),
        ("PASSPORT", "C1234567", BORN_1990, "female"),
        ("PASSPORT", "N0000001", None, None),
    ],
)
def test_a_correct_id_number_has_no_problem(id_type: str, id_number: str, birth: date | None, gender: str | None):
    assert id_number_problem(id_type, id_number, birth, gender) is None


@pytest.mark.parametrize(
    ("id_type", "id_number", "birth", "gender", "english"),
    [
        ("CCCD", "00119001234", BORN_1990, "female", "12 digits"),
        ("CCCD", "00119001234X", BORN_1990, "female", "12 digits"),
        ("CCCD", "003190012345", BORN_1990, "female", "province code"),
        ("CCCD", "001090012345", BORN_1990, "female", "4th digit"),
        ("CCCD", "001191012345", BORN_1990, "female", "5th and 6th"),
        ("CAN_CUOC", "00119001234", BORN_1990, "female", "12 digits"),
        ("CAN_CUOC", "001090012345", BORN_1990, "female", "4th digit"),
        ("CMND", "12345678", None, None, "9 digits"),
        ("CMND", "1234567890", None, None, "9 digits"),
        ("CMND", "001190012345", BORN_1990, "female", "9 digits"),
        ("PASSPORT", "c1234567", None, None, "one letter"),  # the caller upper-cases first
        ("PASSPORT", "C123456", None, None, "one letter"),
        ("PASSPORT", "12345678", None, None, "one letter"),
    ],
)
def test_a_wrong_id_number_says_why_in_both_languages(
    id_type: str, id_number: str, birth: date | None, gender: str | None, english: str
):
    problem = id_number_problem(id_type, id_number, birth, gender)

    assert problem is not None
    en, vi = problem
    assert english in en
    assert vi and not vi.isascii()


@pytest.mark.parametrize(("birth", "gender"), [(None, "female"), (BORN_1990, None), (None, None)])
def test_cccd_cross_checks_are_skipped_without_birth_date_and_gender(birth: date | None, gender: str | None):
    # 4th digit 9 fits nobody alive; without both facts only the shape and province are checked.
    assert id_number_problem("CCCD", "001990012345", birth, gender) is None
    assert id_number_problem("CCCD", "003190012345", birth, gender) is not None


def test_cccd_cross_checks_leave_an_out_of_range_birth_year_to_the_date_field():
    assert id_number_problem("CCCD", "001990012345", date(1899, 1, 1), "male") is None


def test_the_id_types_are_those_of_the_contract_and_the_2024_can_cuoc():
    assert ID_TYPES == ("CCCD", "CAN_CUOC", "PASSPORT", "CMND")
    assert ACCEPTED_ID_TYPES == ("CCCD", "CAN_CUOC", "PASSPORT")


def test_a_registration_made_now_refuses_the_cmnd_and_says_why():
    en, vi = retired_id_type_problem("CMND")

    assert "ceased to be valid on 01/01/2025" in en and en.isascii()
    assert vi.startswith("CMND hết giá trị sử dụng từ 01/01/2025, vui lòng dùng thẻ Căn cước/CCCD")


@pytest.mark.parametrize("id_type", ACCEPTED_ID_TYPES)
def test_the_accepted_types_are_not_retired(id_type: str):
    assert retired_id_type_problem(id_type) is None


@pytest.mark.parametrize(
    ("id_type", "issued_on", "refused"),
    [
        ("CAN_CUOC", date(2024, 6, 30), True),
        ("CAN_CUOC", date(2024, 7, 1), False),
        ("CCCD", date(2024, 6, 30), False),
        ("CCCD", date(2025, 1, 1), False),
        ("PASSPORT", date(2010, 1, 1), False),
    ],
)
def test_a_can_cuoc_card_cannot_predate_july_2024(id_type: str, issued_on: date, refused: bool):
    assert (issue_date_problem(id_type, issued_on) is not None) == refused


@pytest.mark.parametrize(("number", "fine"), [("TZ1234567", True), ("123456", True), ("AB12", False),
                                              ("AB-123456", False), ("A" * 13, False)])
def test_a_foreign_passport_is_6_to_12_letters_and_digits(number: str, fine: bool):
    assert (foreign_passport_problem(number) is None) == fine


# --- mobile numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0901234567", "+84901234567"),
        ("+84 90 123 4567", "+84901234567"),
        ("84901234567", "+84901234567"),
        ("0084901234567", "+84901234567"),
        ("090.123.4567", "+84901234567"),
        ("(090) 123-4567", "+84901234567"),
        ("+84 (0) 90 123 4567", "+84901234567"),
        ("０９０１２３４５６７", "+84901234567"),
        ("0321234567", "+84321234567"),  # Viettel 03x
        ("0561234567", "+84561234567"),  # Vietnamobile 05x
        ("0701234567", "+84701234567"),  # MobiFone 07x
        ("0811234567", "+84811234567"),  # VinaPhone 08x
        ("0991234567", "+84991234567"),  # Gmobile 099
    ],
)
def test_vietnamese_mobiles_are_normalised_to_e164(raw: str, e164: str):
    assert normalise_vn_mobile(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "024 3825 1234",  # Hà Nội landline
        "028 3829 1234",  # TP HCM landline
        "+84 24 3825 1234",
        "+1 650 253 0000",  # United States
        "+66 81 234 5678",  # a Thai mobile
        "+86 138 0013 8000",  # a Chinese mobile
        "12345",
        "090123456",
        "09012345678",
        "1900 1234",  # a hotline
        "",
        "+",
        "không có",
    ],
)
def test_anything_but_a_vietnamese_mobile_is_refused(raw: str):
    assert normalise_vn_mobile(raw) is None


@pytest.mark.parametrize("raw", ["090O1234567", "0901 ABC DEF", "0901234567 ext 12"])
def test_a_phone_number_containing_letters_is_refused(raw: str):
    assert normalise_vn_mobile(raw) is None


# --- e-mail ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("huong.nguyen@example.vn", "huong.nguyen@example.vn"),
        ("Huong.Nguyen@Example.VN", "Huong.Nguyen@example.vn"),  # the local part is the mailbox owner's
        ("huong+bhxh@GMAIL.COM", "huong+bhxh@gmail.com"),
        ("a@b.co", "a@b.co"),
    ],
)
def test_a_valid_email_keeps_its_local_part_and_lowercases_its_domain(raw: str, normalised: str):
    assert normalise_email(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "not-an-email",
        "huong@",
        "@example.vn",
        "huong@localhost",
        "huong@example",
        "huong nguyen@example.vn",
        "huong..nguyen@example.vn",
        ".huong@example.vn",
        "huong@example..vn",
        "huong@@example.vn",
        "huong@test",  # special-use domain
        "",
    ],
)
def test_an_invalid_email_is_refused(raw: str):
    assert normalise_email(raw) is None


# --- masking --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e164", "masked"),
    [("+84901234567", "+84*****4567"), ("+84321234567", "+84*****4567"), ("+84991112223", "+84*****2223")],
)
def test_a_masked_phone_shows_country_code_and_last_four_digits_only(e164: str, masked: str):
    assert mask_phone(e164) == masked


def test_a_masked_phone_keeps_its_length_and_hides_the_subscriber_prefix():
    masked = mask_phone("+84901234567")

    assert len(masked) == len("+84901234567")
    assert "90123" not in masked
