"""The `district` filter after the 2025 reform: a ward, or a former district as an alias of its wards."""

from __future__ import annotations

import pytest

from chalicelib.domain.areas import AreaQuery, in_area, parse_area
from chalicelib.services.areas import former_wards

IN_CUA_NAM = {"ward": "Phường Cửa Nam", "former_district": None}  # recorded after the reform: no district
OLD_HOAN_KIEM = {"ward": None, "former_district": "Quận Hoàn Kiếm"}  # recorded before, never given a ward
IN_WARD_HOAN_KIEM = {"ward": "Phường Hoàn Kiếm", "former_district": "Quận Hoàn Kiếm"}
IN_BA_DINH = {"ward": "Phường Ba Đình", "former_district": "Quận Ba Đình"}


@pytest.mark.parametrize(("text", "query"), [
    ("Phường Cửa Nam", AreaQuery("cua nam", ward=True, former=False)),
    ("xa bat trang", AreaQuery("bat trang", ward=True, former=False)),
    ("Quận Hoàn Kiếm", AreaQuery("hoan kiem", ward=False, former=True)),
    ("QUAN 1", AreaQuery("1", ward=False, former=True)),
    ("Thị xã Sơn Tây", AreaQuery("son tay", ward=False, former=True)),
    ("Hoàn Kiếm", AreaQuery("hoan kiem", ward=True, former=True)),
])
def test_the_unit_word_says_whether_a_ward_or_a_former_district_is_meant(text: str, query: AreaQuery):
    assert parse_area(text) == query


def test_a_former_district_finds_the_rows_in_the_wards_that_replaced_it():
    wards = former_wards("01")
    query = parse_area("Quận Hoàn Kiếm")
    assert in_area(query, IN_CUA_NAM, wards)  # only its ward is known, and Cửa Nam replaced part of it
    assert in_area(query, OLD_HOAN_KIEM, wards) and in_area(query, IN_WARD_HOAN_KIEM, wards)
    assert not in_area(query, IN_BA_DINH, wards)
    assert not in_area(query, IN_CUA_NAM, {})  # in a province without a known mapping: by the row's own district


def test_a_ward_finds_only_that_ward():
    wards = former_wards("01")
    assert in_area(parse_area("Phường Cửa Nam"), IN_CUA_NAM, wards)
    assert not in_area(parse_area("Phường Cửa Nam"), IN_WARD_HOAN_KIEM, wards)
    assert not in_area(parse_area("Phường Hoàn Kiếm"), OLD_HOAN_KIEM, wards)  # a ward, not the old district
    assert in_area(parse_area("hoan kiem"), OLD_HOAN_KIEM, wards)  # bare: either


def test_quan_1_is_not_quan_10_nor_phuong_1():
    wards = former_wards("79")
    in_quan_10 = {"ward": "Phường 12", "former_district": "Quận 10"}
    phuong_1 = {"ward": "Phường 1", "former_district": "Quận 5"}
    assert not in_area(parse_area("Quận 1"), in_quan_10, wards)
    assert not in_area(parse_area("Quận 1"), phuong_1, wards)
    assert in_area(parse_area("Quận 1"), {"ward": "Phường Bến Thành", "former_district": None}, wards)


def test_the_shipped_mapping_names_each_ward_once_per_province():
    for province in ("01", "48", "79"):
        table = former_wards(province)
        assert table, province
        every = [ward for wards in table.values() for ward in wards]
        assert len(every) == len(set(every)), province
    assert former_wards("04") == {} and former_wards(None) == {}
