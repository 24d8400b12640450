"""Issue 14, without I/O: how Form 01 is compared with the register, names folded from look-alike letters,
and the register row's optional phone."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from chalicelib.domain.form01 import parse_form01
from chalicelib.domain.record_rows import RowInvalid, validate_row
from chalicelib.domain.register_match import differences, matches
from chalicelib.errors import ValidationFailedError
from tests.support.api import VALID_FORM

TODAY = date(2026, 11, 25)
PERSON = {"full_name": "Nguyễn Thị Hường", "date_of_birth": "1990-05-17", "gender": "female",
          "province_code": "01", "id_number": "001190123456"}


def parse(**changes):
    return parse_form01({**VALID_FORM, **changes}, TODAY)


# --- names and free text: NFKC-folded, stored NFC -----------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "𝐍𝐠𝐮𝐲𝐞̂̃𝐧 𝐓𝐡𝐢̣ 𝐇𝐮̛𝐨̛̀𝐧𝐠",  # mathematical bold, with combining marks
    "𝑁𝑔𝑢𝑦𝑒̂̃𝑛 𝑇ℎ𝑖̣ 𝐻𝑢̛𝑜̛̀𝑛𝑔",  # mathematical italic
    "Ｎｇｕｙễｎ Ｔｈị Ｈườｎｇ",  # fullwidth
])
def test_a_name_in_look_alike_letters_is_stored_as_the_plain_name_in_nfc(raw: str):
    name = parse(full_name=raw).full_name
    assert name == "Nguyễn Thị Hường"
    assert unicodedata.is_normalized("NFC", name)


def test_free_text_is_folded_too():
    form = parse(address="Ｓố １２ phố Hàng Bài, Hà Nội", id_issued_by="𝐂𝐮̣𝐜 𝐂𝐒𝐐𝐋𝐇𝐂")
    assert form.address == "Số 12 phố Hàng Bài, Hà Nội"
    assert form.id_issued_by == "Cục CSQLHC"


@pytest.mark.parametrize("name", ["Иван Петров", "Νγκουγιεν", "王小明", "Nguyễn Văn Аn"])  # the last: Cyrillic А
def test_a_name_outside_the_latin_alphabet_is_refused(name: str):
    with pytest.raises(ValidationFailedError) as caught:
        parse(full_name=name)
    assert caught.value.fields == {"full_name": "must be written in Latin letters (the Vietnamese alphabet)"}
    assert caught.value.extra["fields_vi"]["full_name"]


def test_numbers_and_dates_are_not_folded():
    with pytest.raises(ValidationFailedError) as caught:
        parse(social_insurance_number="０１２３４５６７８９")
    assert set(caught.value.fields) == {"social_insurance_number"}


# --- the register match -------------------------------------------------------------------------------------

def test_name_birth_date_and_id_number_must_all_agree():
    form = dict(VALID_FORM)
    assert matches(form, PERSON)
    for field, value in (("full_name", "Nguyễn Thị Hoa"), ("date_of_birth", "1990-05-18"),
                         ("id_number", "001190123457")):
        assert not matches({**form, field: value}, PERSON)
        assert differences({**form, field: value}, PERSON) == [field]


def test_the_name_is_compared_without_diacritics_case_or_punctuation():
    assert matches({**VALID_FORM, "full_name": "NGUYEN  THI-HUONG"}, PERSON)
    assert matches({**VALID_FORM, "id_number": "001 190 123 456"}, PERSON)


def test_gender_is_shown_but_not_required():
    form = {**VALID_FORM, "gender": "male"}
    assert matches(form, PERSON) and differences(form, PERSON) == ["gender"]


def test_a_number_the_register_does_not_know_matches_nobody():
    assert not matches(VALID_FORM, None)
    assert differences(VALID_FORM, None) == ["full_name", "date_of_birth", "id_number", "gender"]


def test_an_empty_value_never_matches():
    assert not matches({**VALID_FORM, "full_name": ""}, {**PERSON, "full_name": ""})


# --- the register row's optional phone ----------------------------------------------------------------------

ROW = {"social_insurance_number": "0123456789", **PERSON}


def test_a_participant_row_may_carry_a_mobile_phone_stored_as_e164():
    assert validate_row("participant", {**ROW, "phone": "0912 000 009"}).fields["phone"] == "+84912000009"


def test_without_a_phone_the_row_and_its_hash_are_as_before():
    row = validate_row("participant", ROW)
    assert "phone" not in row.fields
    assert validate_row("participant", {**ROW, "phone": ""}).source_hash == row.source_hash


def test_a_phone_that_is_not_a_vietnamese_mobile_is_refused():
    with pytest.raises(RowInvalid) as caught:
        validate_row("participant", {**ROW, "phone": "024 3825 1234"})
    assert set(caught.value.fields) == {"phone"}
