"""Record rows from the agency's files: every rule of every kind, in English and Vietnamese.

Rows arrive from CSV (every value a string) and from JSON Lines (typed values); both must give the same
stored record, and a bad row must name every bad field at once.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from chalicelib.domain.record_rows import KINDS, MALFORMED, RowInvalid, ValidRow, validate_row

ABSENT = object()
SIN = "0101234567"

VALID: dict[str, dict[str, Any]] = {
    "participant": {
        "social_insurance_number": SIN, "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12",
        "gender": "male", "province_code": "01", "id_number": "001085012345",
    },
    "health_card": {
        "social_insurance_number": SIN, "card_number": "DN4010101234567", "valid_from": "2026-01-01",
        "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện Đa khoa Xanh Pôn",
        "five_year_continuous_from": "2013-07-01",
    },
    "contribution": {
        "record_id": "QT-0101234567-BHXH-202401", "social_insurance_number": SIN, "scheme": "BHXH",
        "from_month": "2024-01", "to_month": "2026-07", "employer": "Công ty TNHH Giải pháp Số Long Biên (minh hoạ)",
        "employer_code": "0109123456", "occupation": "Kiến trúc sư phần mềm", "position": "Giám đốc kỹ thuật",
        "contribution_base": 36000000, "in_arrears": False,
    },
    "benefit": {
        "record_id": "CD-0101234567-20250415", "social_insurance_number": SIN, "kind": "SICKNESS",
        "period_from": "2025-03-03", "period_to": "2025-03-05", "amount": 3375000, "paid_on": "2025-04-15",
    },
    "medical_visit": {
        "record_id": "KCB-0101234567-20240219", "social_insurance_number": SIN, "date": "2024-02-19",
        "facility": "Bệnh viện Đa khoa Xanh Pôn", "diagnosis": "J06.9 - Viêm đường hô hấp trên cấp, không đặc hiệu",
        "cost_total": 285000, "cost_covered": 228000,
    },
}


def row(kind: str, /, **changes: Any) -> dict[str, Any]:
    result = dict(VALID[kind])
    for name, value in changes.items():
        if value is ABSENT:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def valid(kind: str, /, **changes: Any) -> ValidRow:
    return validate_row(kind, row(kind, **changes))


def problems(kind: str, /, **changes: Any) -> dict[str, str]:
    """The English reasons the row is refused with (checking the Vietnamese ones name the same fields)."""
    with pytest.raises(RowInvalid) as caught:
        valid(kind, **changes)
    error = caught.value
    assert set(error.fields_vi) == set(error.fields)
    assert all(error.fields_vi[name] != error.fields[name] for name in error.fields)
    return error.fields


def as_csv(values: dict[str, Any]) -> dict[str, str]:
    """The row as csv.DictReader gives it."""
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {name: text(value) for name, value in values.items()}


# --- every kind -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_a_csv_row_and_a_json_row_with_the_same_values_are_the_same_record(kind):
    typed = validate_row(kind, row(kind))
    from_csv = validate_row(kind, as_csv(row(kind)))
    assert from_csv == typed


@pytest.mark.parametrize("kind", KINDS)
def test_the_social_insurance_number_is_ten_digits_and_names_the_partition(kind):
    assert valid(kind).username == SIN
    for bad in ("010123456", "01012345678", "01O1234567", "0101 234567"):
        assert problems(kind, social_insurance_number=bad) == {"social_insurance_number": "must be exactly 10 digits"}
    assert problems(kind, social_insurance_number=ABSENT)["social_insurance_number"] == "is required"
    # a number in JSON has lost its leading zero: it is refused, not padded
    assert problems(kind, social_insurance_number=101234567)["social_insurance_number"] == "must be text"


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_columns_are_ignored(kind):
    assert valid(kind, status="APPROVED", password_hash="x", extra_note="ghi chú") == valid(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_line_that_was_not_a_json_object_is_rejected_as_such(kind):
    for bad in ({MALFORMED: True}, ["a", "list"], "text"):
        with pytest.raises(RowInvalid) as caught:
            validate_row(kind, bad)  # type: ignore[arg-type]
        assert caught.value.fields == {"_line": "is not a JSON object"}
        assert caught.value.fields_vi == {"_line": "không phải là đối tượng JSON"}


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown record kind"):
        validate_row("pension_book", {})


def test_text_is_stored_nfc_normalised_with_white_space_folded():
    decomposed = unicodedata.normalize("NFD", "  Công ty   TNHH\u200bPhần mềm Sông Hồng ")
    fields = valid("contribution", employer=decomposed).fields
    assert fields["employer"] == "Công ty TNHH Phần mềm Sông Hồng"
    assert unicodedata.is_normalized("NFC", fields["employer"])


def test_the_hash_changes_with_the_content_and_only_with_it():
    first = valid("medical_visit")
    assert valid("medical_visit").source_hash == first.source_hash
    assert valid("medical_visit", cost_covered=228001).source_hash != first.source_hash
    assert valid("medical_visit", social_insurance_number="0101234568").source_hash != first.source_hash
    assert len(first.source_hash) == 64


# --- health_card ------------------------------------------------------------------------------------------

def test_a_health_card_is_split_into_its_parts():
    card = valid("health_card")
    assert (card.username, card.record_key, card.record_kind) == (SIN, "CARD", "CARD")
    assert card.fields == {
        "card_number": "DN4010101234567", "group_code": "DN", "benefit_level": 4, "province_code": "01",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện Đa khoa Xanh Pôn",
        "five_year_continuous_from": "2013-07-01",
    }


def test_a_card_number_written_with_spaces_or_in_small_letters_is_the_same_card():
    assert valid("health_card", card_number="dn4 01 0101234567").fields["card_number"] == "DN4010101234567"


def test_the_five_year_date_is_optional():
    assert valid("health_card", five_year_continuous_from="").fields["five_year_continuous_from"] is None
    assert valid("health_card", five_year_continuous_from=ABSENT).fields["five_year_continuous_from"] is None
    assert problems("health_card", five_year_continuous_from="2013-13-01") == {
        "five_year_continuous_from": "must be a date YYYY-MM-DD"}


@pytest.mark.parametrize("card, reason", [
    ("DN401010123456", "must be exactly 15 characters"),
    ("DN40101012345678", "must be exactly 15 characters"),
    ("D14010101234567", "must be 2 capital letters"),
    ("DN0010101234567", "must be 2 capital letters"),  # benefit level 0
    ("DN6010101234567", "must be 2 capital letters"),  # benefit level 6
    ("DN40A0101234567", "must be 2 capital letters"),  # province not digits
    ("DN4000101234567", "has an unknown province code 00"),
    ("DN4030101234567", "has an unknown province code 03"),  # 03 is not a province code
    ("DN4010101234568", "must end with the row's social_insurance_number"),
    ("ĐN4010101234567", "must be 2 capital letters"),
])
def test_bad_card_numbers_are_refused(card, reason):
    assert problems("health_card", card_number=card)["card_number"].startswith(reason)


@pytest.mark.parametrize("level", ["1", "2", "3", "4", "5"])
def test_every_benefit_level_from_1_to_5_is_accepted(level):
    card = valid("health_card", card_number=f"HT{level}790101234567")
    assert card.fields["benefit_level"] == int(level)
    assert card.fields["province_code"] == "79"
    assert card.fields["group_code"] == "HT"


def test_a_card_ends_before_it_starts_is_refused():
    assert problems("health_card", valid_to="2025-12-31") == {"valid_to": "must not be before valid_from"}
    assert valid("health_card", valid_to="2026-01-01").fields["valid_to"] == "2026-01-01"


def test_the_initial_clinic_is_required_and_at_most_200_characters():
    assert problems("health_card", initial_clinic="  ") == {"initial_clinic": "is required"}
    assert problems("health_card", initial_clinic="B" * 201) == {"initial_clinic": "must be at most 200 characters"}
    assert valid("health_card", initial_clinic="B" * 200).fields["initial_clinic"] == "B" * 200


def test_a_health_card_reports_every_bad_field_at_once_in_both_languages():
    with pytest.raises(RowInvalid) as caught:
        validate_row("health_card", {"social_insurance_number": "12345", "card_number": "XX",
                                     "valid_from": "2026/01/01", "valid_to": "31-12-2026"})
    error = caught.value
    assert error.fields == {
        "social_insurance_number": "must be exactly 10 digits",
        "card_number": "must be exactly 15 characters",
        "valid_from": "must be a date YYYY-MM-DD",
        "valid_to": "must be a date YYYY-MM-DD",
        "initial_clinic": "is required",
    }
    assert error.fields_vi == {
        "social_insurance_number": "phải gồm đúng 10 chữ số",
        "card_number": "phải gồm đúng 15 ký tự",
        "valid_from": "phải là ngày theo dạng YYYY-MM-DD",
        "valid_to": "phải là ngày theo dạng YYYY-MM-DD",
        "initial_clinic": "bắt buộc nhập",
    }


# --- contribution -----------------------------------------------------------------------------------------

def test_a_contribution_period_is_keyed_by_scheme_start_and_source_id():
    period = valid("contribution")
    assert period.record_key == "CONTRIBUTION#BHXH#2024-01#QT-0101234567-BHXH-202401"
    assert period.record_kind == "CONTRIBUTION"
    assert period.fields == {
        "record_id": "QT-0101234567-BHXH-202401", "scheme": "BHXH", "from_month": "2024-01", "to_month": "2026-07",
        "months": 31, "employer": "Công ty TNHH Giải pháp Số Long Biên (minh hoạ)", "employer_code": "0109123456",
        "occupation": "Kiến trúc sư phần mềm", "position": "Giám đốc kỹ thuật", "contribution_base": 36000000,
        "in_arrears": False,
    }


@pytest.mark.parametrize("from_month, to_month, months", [
    ("2024-01", "2024-12", 12), ("2023-11", "2024-02", 4), ("2026-10", "2026-10", 1), ("2008-07", "2011-12", 42),
])
def test_months_count_both_ends(from_month, to_month, months):
    assert valid("contribution", from_month=from_month, to_month=to_month).fields["months"] == months


def test_a_period_ending_before_it_starts_is_refused():
    assert problems("contribution", from_month="2024-05", to_month="2024-04") == {
        "to_month": "must not be before from_month"}


@pytest.mark.parametrize("bad", ["2024-13", "2024-00", "2024-1", "202401", "2024-01-01", "1899-12"])
def test_months_are_yyyy_mm(bad):
    assert "from_month" in problems("contribution", from_month=bad)


@pytest.mark.parametrize("scheme", ["BHXH", "BHTN", "TNLD_BNN", "BHYT"])
def test_the_four_schemes(scheme):
    assert valid("contribution", scheme=scheme).record_key.startswith(f"CONTRIBUTION#{scheme}#")


def test_a_scheme_in_small_letters_is_read_and_an_unknown_one_refused():
    assert valid("contribution", scheme="bhtn").fields["scheme"] == "BHTN"
    assert problems("contribution", scheme="TNLĐ-BNN") == {"scheme": "must be one of BHXH, BHTN, TNLD_BNN, BHYT"}


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), ("true", True), ("TRUE", True), ("1", True),
    ("yes", True), ("Yes", True), ("false", False), ("0", False), ("no", False), ("", False), (None, False),
    (ABSENT, False),
])
def test_in_arrears_reads_the_usual_spellings(value, expected):
    assert valid("contribution", in_arrears=value).fields["in_arrears"] is expected


@pytest.mark.parametrize("bad", ["maybe", 2, "có", 0.5])
def test_in_arrears_refuses_anything_else(bad):
    assert problems("contribution", in_arrears=bad) == {"in_arrears": "must be true or false"}


@pytest.mark.parametrize("value, expected", [
    (36000000, 36000000), ("4960000", 4960000), (" 4960000 ", 4960000), (0, 0), ("0", 0), (4960000.0, 4960000),
])
def test_the_contribution_base_is_whole_dong_as_number_or_text(value, expected):
    assert valid("contribution", contribution_base=value).fields["contribution_base"] == expected


@pytest.mark.parametrize("bad, reason", [
    (-1, "must not be negative"), ("-1", "must not be negative"), ("4.960.000", "must be a whole number of đồng"),
    ("4,960,000", "must be a whole number of đồng"), (4960000.5, "must be a whole number of đồng"),
    (True, "must be a whole number of đồng"), ("abc", "must be a whole number of đồng"),
    (10**12, "is too large"), ("", "is required"), (ABSENT, "is required"),
])
def test_bad_contribution_bases_are_refused(bad, reason):
    assert problems("contribution", contribution_base=bad) == {"contribution_base": reason}


@pytest.mark.parametrize("code", ["0109123456", "0106789012-001", "0106789012001", "", None])
def test_an_employer_tax_code_is_10_or_13_digits_or_absent(code):
    assert valid("contribution", employer_code=code).fields["employer_code"] == (code or None)


@pytest.mark.parametrize("code", ["010912345", "0106789012-01", "01067890120011", "MST0109123456", "0106789012/001"])
def test_other_employer_codes_are_refused(code):
    assert problems("contribution", employer_code=code) == {
        "employer_code": "must be a tax code of 10 or 13 digits (0101234567 or 0101234567-001)"}


def test_occupation_and_position_may_be_empty_but_employer_may_not():
    fields = valid("contribution", occupation="", position=ABSENT).fields
    assert fields["occupation"] is None and fields["position"] is None
    assert problems("contribution", employer="") == {"employer": "is required"}


@pytest.mark.parametrize("record_id, expected", [
    ("QT_2024-01", "QT_2024-01"), ("a" * 64, "a" * 64), (123456, "123456"), ("123456", "123456"),
])
def test_a_record_id_is_the_source_systems_id(record_id, expected):
    assert valid("contribution", record_id=record_id).fields["record_id"] == expected


@pytest.mark.parametrize("bad", ["a" * 65, "QT 2024", "QT#2024", "QT/1", "mã-1"])
def test_a_record_id_with_other_characters_is_refused(bad):
    assert problems("contribution", record_id=bad) == {"record_id": "must be 1 to 64 letters, digits, '-' or '_'"}
    assert problems("contribution", record_id=-5) == {"record_id": "must be text"}


def test_a_contribution_reports_every_bad_field_at_once():
    fields = problems("contribution", record_id="", scheme="BHXXH", from_month="2024-02", to_month="2024-01",
                      employer=None, employer_code="123", contribution_base="-3", in_arrears="perhaps")
    assert set(fields) == {"record_id", "scheme", "to_month", "employer", "employer_code", "contribution_base",
                           "in_arrears"}


# --- participant ------------------------------------------------------------------------------------------

def test_a_participant_may_carry_the_commune_and_parents_the_look_up_without_id_matches():
    person = valid("participant", commune="  Phường   Hoàn Kiếm ", mother_name="Trần Thị Lan",
                   father_name="Nguyễn Văn Bình").fields
    assert (person["commune"], person["mother_name"], person["father_name"]) == (
        "Phường Hoàn Kiếm", "Trần Thị Lan", "Nguyễn Văn Bình")


def test_without_them_a_participant_row_is_stored_and_hashed_as_before():
    before = valid("participant")
    assert valid("participant", commune="", mother_name="", father_name=None) == before
    assert set(before.fields) == {"full_name", "date_of_birth", "gender", "province_code", "id_number"}


def test_the_commune_and_parents_are_text_of_at_most_100_characters():
    assert problems("participant", commune="x" * 101, mother_name=7) == {
        "commune": "must be at most 100 characters", "mother_name": "must be text"}


# --- benefit ----------------------------------------------------------------------------------------------

def test_a_benefit_is_keyed_by_payment_date_and_source_id():
    benefit = valid("benefit")
    assert benefit.record_key == "BENEFIT#2025-04-15#CD-0101234567-20250415"
    assert benefit.record_kind == "BENEFIT"
    assert benefit.fields == {"record_id": "CD-0101234567-20250415", "kind": "SICKNESS",
                              "period": {"from": "2025-03-03", "to": "2025-03-05"}, "amount": 3375000,
                              "paid_on": "2025-04-15"}


@pytest.mark.parametrize("kind", ["ONE_TIME", "SICKNESS", "MATERNITY", "CONVALESCENCE", "MONTHLY_PENSION",
                                  "UNEMPLOYMENT"])
def test_the_benefit_kinds(kind):
    assert valid("benefit", kind=kind).fields["kind"] == kind


def test_bad_benefits_are_refused_with_every_reason():
    fields = problems("benefit", kind="PENSION", period_from="2025-03-05", period_to="2025-03-03", amount=0,
                      paid_on="15/04/2025")
    assert fields == {"kind": ("must be one of ONE_TIME, SICKNESS, MATERNITY, CONVALESCENCE, MONTHLY_PENSION, "
                               "UNEMPLOYMENT, OCCUPATIONAL_INJURY_ONE_TIME, OCCUPATIONAL_INJURY_MONTHLY"),
                      "period_to": "must not be before period_from", "amount": "must be at least 1",
                      "paid_on": "must be a date YYYY-MM-DD"}
    assert problems("benefit", amount="-100") == {"amount": "must be at least 1"}
    assert valid("benefit", amount="1").fields["amount"] == 1


# --- benefit: tai nạn lao động - bệnh nghề nghiệp (TNLĐ-BNN) --------------------------------------------

ONE_OFF = {"kind": "OCCUPATIONAL_INJURY_ONE_TIME", "cause": "ACCIDENT", "work_capacity_loss_percent": 18,
           "period_from": "2023-08-01", "period_to": "2023-08-01", "amount": 85100000, "paid_on": "2023-09-08"}
MONTHLY = {"kind": "OCCUPATIONAL_INJURY_MONTHLY", "cause": "DISEASE", "work_capacity_loss_percent": 41,
           "period_from": "2025-11-01", "period_to": "2025-11-30", "amount": 2300000, "paid_on": "2025-11-10"}


def test_a_one_off_occupational_benefit_carries_its_cause_and_the_capacity_lost():
    benefit = valid("benefit", **ONE_OFF)
    assert benefit.record_key == "BENEFIT#2023-09-08#CD-0101234567-20250415"
    assert benefit.fields == {"record_id": "CD-0101234567-20250415", "kind": "OCCUPATIONAL_INJURY_ONE_TIME",
                              "period": {"from": "2023-08-01", "to": "2023-08-01"}, "amount": 85100000,
                              "paid_on": "2023-09-08", "cause": "ACCIDENT", "work_capacity_loss_percent": 18}


def test_a_monthly_occupational_benefit_reads_the_same_from_csv_text():
    typed = valid("benefit", **MONTHLY)
    assert typed.fields["cause"] == "DISEASE" and typed.fields["work_capacity_loss_percent"] == 41
    assert validate_row("benefit", as_csv(row("benefit", **MONTHLY))) == typed
    assert valid("benefit", **{**MONTHLY, "cause": "disease", "work_capacity_loss_percent": "41%"}) == typed


@pytest.mark.parametrize("kind, low, high", [("OCCUPATIONAL_INJURY_ONE_TIME", 5, 30),
                                             ("OCCUPATIONAL_INJURY_MONTHLY", 31, 100)])
def test_the_capacity_lost_decides_one_off_or_monthly(kind, low, high):
    changes = {**ONE_OFF, "kind": kind}
    for accepted in (low, high):
        assert valid("benefit", **{**changes, "work_capacity_loss_percent": accepted}).fields[
            "work_capacity_loss_percent"] == accepted
    reason = f"must be a whole per cent from {low} to {high}"
    for refused in (low - 1, high + 1, 12.5, "ba mươi", True):
        assert problems("benefit", **{**changes, "work_capacity_loss_percent": refused}) == {
            "work_capacity_loss_percent": reason}


def test_an_occupational_benefit_needs_its_cause_and_capacity_lost():
    fields = problems("benefit", **{**MONTHLY, "cause": "FALL", "work_capacity_loss_percent": ABSENT})
    assert fields == {"cause": "must be one of ACCIDENT, DISEASE", "work_capacity_loss_percent": "is required"}
    assert problems("benefit", **{**MONTHLY, "cause": ""}) == {"cause": "is required"}


def test_other_benefits_refuse_the_occupational_fields_but_not_empty_cells():
    assert problems("benefit", cause="ACCIDENT", work_capacity_loss_percent=20) == {
        "cause": "is only for the OCCUPATIONAL_INJURY_* kinds",
        "work_capacity_loss_percent": "is only for the OCCUPATIONAL_INJURY_* kinds"}
    # A CSV file mixing kinds has the columns, empty, on every other row; such rows keep their old hash.
    assert valid("benefit", cause="", work_capacity_loss_percent="") == valid("benefit")
    assert "cause" not in valid("benefit").fields


# --- medical_visit ----------------------------------------------------------------------------------------

def test_a_medical_visit_is_keyed_by_date_and_source_id():
    visit = valid("medical_visit")
    assert visit.record_key == "VISIT#2024-02-19#KCB-0101234567-20240219"
    assert visit.record_kind == "VISIT"
    assert visit.fields == {"record_id": "KCB-0101234567-20240219", "date": "2024-02-19",
                            "facility": "Bệnh viện Đa khoa Xanh Pôn",
                            "diagnosis": "J06.9 - Viêm đường hô hấp trên cấp, không đặc hiệu",
                            "cost_total": 285000, "cost_covered": 228000}


def test_the_covered_cost_is_between_nothing_and_the_total():
    assert problems("medical_visit", cost_covered=285001) == {"cost_covered": "must not be more than cost_total"}
    assert valid("medical_visit", cost_covered="285000").fields["cost_covered"] == 285000
    assert valid("medical_visit", cost_total="0", cost_covered=0).fields["cost_total"] == 0
    assert problems("medical_visit", cost_covered=-1) == {"cost_covered": "must not be negative"}


def test_a_visit_reports_every_bad_field_at_once():
    fields = problems("medical_visit", date="2024-02-30", facility="", diagnosis="x" * 501, cost_total="abc",
                      cost_covered=None)
    assert fields == {"date": "must be a date YYYY-MM-DD", "facility": "is required",
                      "diagnosis": "must be at most 500 characters", "cost_total": "must be a whole number of đồng",
                      "cost_covered": "is required"}
