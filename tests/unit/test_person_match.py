"""The register's person for a look-up without an ID number: name, birth date, province, commune and a
parent's name, compared the way people type them."""

from __future__ import annotations

import pytest

from chalicelib.domain.person_match import commune_key, findable_without_id, matches_without_id, person_key

AN = {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12", "province_code": "01", "id_number": "001085012345",
      "commune": "Phường Hoàn Kiếm", "mother_name": "Trần Thị Lan", "father_name": "Nguyễn Văn Bình"}
ASKED = {"full_name": "nguyen van an", "date_of_birth": "1985-03-12", "province_code": "01",
         "commune": "hoan kiem", "mother_name": "TRAN THI LAN"}


def test_the_index_key_is_the_name_as_typed_any_way_and_the_birth_date():
    assert person_key("  Nguyễn   VĂN an ", "1985-03-12") == person_key("Nguyen Van An", "1985-03-12") \
        == "nguyen van an#1985-03-12"


@pytest.mark.parametrize("typed", ["Phường Hoàn Kiếm", "phuong hoan kiem", "Hoàn Kiếm", "HOAN  KIEM", "P. Hoàn Kiếm"])
def test_a_commune_is_the_same_with_or_without_its_unit_word(typed):
    assert commune_key(typed) in ("hoan kiem", "p hoan kiem")
    if not typed.startswith("P."):
        assert commune_key(typed) == commune_key("Phường Hoàn Kiếm")


def test_unit_words_are_stripped_only_before_a_name():
    assert commune_key("Xã Sóc Sơn") == commune_key("Sóc Sơn") == "soc son"
    assert commune_key("Đặc khu Phú Quốc") == "phu quoc"
    assert commune_key("Phường") == "phuong"  # nothing after the unit word: kept as typed


def test_the_person_matches_with_either_parent_in_any_spelling():
    assert matches_without_id(AN, ASKED)
    assert matches_without_id(AN, {**ASKED, "mother_name": None, "father_name": "nguyen van binh"})
    assert matches_without_id(AN, {**ASKED, "father_name": "Nguyễn Văn Bình"})


@pytest.mark.parametrize("change", [
    {"full_name": "Nguyen Van Anh"}, {"date_of_birth": "1985-03-13"}, {"province_code": "79"},
    {"commune": "Cửa Nam"}, {"mother_name": "Trần Thị Lâm"}, {"father_name": "Nguyễn Văn Minh"},
    {"mother_name": None},
])
def test_any_other_detail_or_a_wrong_second_parent_is_no_match(change):
    assert not matches_without_id(AN, {**ASKED, **change})


def test_a_person_the_register_knows_without_commune_or_parents_cannot_be_found_this_way():
    for missing in ({"commune": None}, {"mother_name": None, "father_name": None}):
        person = {**AN, **missing}
        assert not findable_without_id(person)
        assert not matches_without_id(person, ASKED)
    only_father = {**AN, "mother_name": None}
    assert findable_without_id(only_father)
    assert not matches_without_id(only_father, ASKED)  # asked with the mother, whom the register does not name
