"""The directory loader against DynamoDB (in-process moto): every row validated and reported, idempotent
reloads, search terms kept in step with renamed items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.text_search import index_terms
from chalicelib.models.directory import DirectoryItem, SearchTerm
from chalicelib.services import directory_loader
from chalicelib.services.directory_loader import load_directory, load_reference_directory
from chalicelib.services.public_directory import employers, facilities
from tests.support.directory_calls import dynamodb_calls, writes

DATA = Path(__file__).resolve().parents[2] / "data" / "reference"


def rows_of(name: str) -> list[dict[str, Any]]:
    if name.endswith(".json"):
        return json.loads((DATA / name).read_text(encoding="utf-8"))
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


FACILITY = {"facility_code": "01-901", "name": "Phòng khám Đa khoa Hồng Ngọc", "types": ["BHYT_CONTRACT"],
            "province_code": "01", "district": "Quận Ba Đình", "address": "Số 55 phố Yên Ninh, quận Ba Đình, Hà Nội",
            "phone": "024 3927 5568", "lat": 21.0445, "lon": 105.8437}
EMPLOYER = {"tax_code": "0109999999", "name": "Công ty TNHH Sao Mai", "province_code": "01",
            "district": "Quận Cầu Giấy", "address": "Số 1 phố Duy Tân, quận Cầu Giấy, Hà Nội",
            "participating_since": "2019-04", "employees": 12}


def terms_of(item_key: str, terms: set[str]) -> set[str]:
    found = set()
    for term in terms:
        try:
            SearchTerm.get(term, item_key)
            found.add(term)
        except SearchTerm.DoesNotExist:
            pass
    return found


def test_the_reference_files_load_whole_and_a_second_load_writes_nothing(aws):
    reports = load_reference_directory(DATA)
    expected = {collection: len(rows_of(name)) for collection, name in directory_loader.FILES.items()}
    for collection, count in expected.items():
        report = reports[collection]
        assert (report.read, report.valid, report.created, report.rejected) == (count, count, count, [])
    assert reports["FACILITY"].terms_written > 0 and reports["NEWS"].terms_written == 0

    with dynamodb_calls() as calls:
        again = load_reference_directory(DATA)
    assert writes(calls) == 0
    assert "Scan" not in calls
    for collection, count in expected.items():
        assert (again[collection].unchanged, again[collection].created, again[collection].updated) == (count, 0, 0)


def test_stored_items_carry_their_keys_and_fields(aws):
    load_reference_directory(DATA)
    office = DirectoryItem.get("OFFICE#HN-HK")
    assert office.fields.as_dict() == {"code": "HN-HK", "name": "BHXH quận Hoàn Kiếm", "parent_name": "BHXH TP Hà Nội",
                                       "province_code": "01", "address": office.fields["address"],
                                       "phone": office.fields["phone"], "lat": office.lat, "lon": office.lon}
    assert office.geo_cell == "OFFICE#w7er" and office.list_key == "OFFICE#01"
    clinic = DirectoryItem.get("FACILITY#01-001")
    assert (clinic.list_key, clinic.sort_key) == ("FACILITY#01", "benh vien bach mai#01-001")
    assert clinic.geo_cell.startswith("FACILITY#w7")
    point = DirectoryItem.get("COLLECTION_POINT#CP-01-001")
    assert point.sort_key == "hoan kiem#buu dien thanh pho ha noi#CP-01-001"
    news = DirectoryItem.get("NEWS#n-2025-001")
    assert (news.list_key, news.sort_key) == ("NEWS", "2025-01-15T02:00:00Z")  # 09:00 in Hà Nội, in UTC
    assert news.fields["published_at"] == "2025-01-15T09:00:00+07:00"
    faq = DirectoryItem.get("FAQ#faq-001")
    assert (faq.list_key, faq.sort_key, faq.collection) == ("FAQ", "faq-001", "FAQ")
    assert set(faq.fields.as_dict()) == {"faq_id", "category", "question", "answer", "tags", "phrasings", "source",
                                         "demo"}
    term = SearchTerm.get("FACILITY#bach", "FACILITY#01-001")
    assert (term.name_norm, term.province_code) == ("benh vien bach mai", "01")
    assert SearchTerm.get("EMPLOYER#01244888", "EMPLOYER#0124488848").name_norm == "hop tac xa van tai trang an"


def test_every_bad_row_is_named_by_number_in_english_and_vietnamese_and_the_good_ones_load(aws):
    rows = [
        FACILITY,
        {**FACILITY, "facility_code": "1-1"},
        {**FACILITY, "facility_code": "01-902", "province_code": "99"},
        {**FACILITY, "facility_code": "01-903", "lat": 105.84, "lon": 21.04},  # swapped
        {**FACILITY, "facility_code": "01-904", "types": ["XRAY"], "name": "", "phone": "gọi tôi"},
        FACILITY,  # the same code again
        {"_malformed": True},
        {**FACILITY, "facility_code": "01-905", "lat": "21.05", "lon": "105.85", "types": "SICK_LEAVE|BHYT_CONTRACT"},
    ]
    report = load_directory("FACILITY", rows)
    assert (report.read, report.valid, report.created) == (8, 2, 2)
    rejected = {r.row_number: r for r in report.rejected}
    assert set(rejected) == {2, 3, 4, 5, 6, 7}
    assert set(rejected[2].fields) == {"facility_code"}
    assert rejected[3].fields == {"province_code": "is not a province"}
    assert set(rejected[4].fields) == {"lat", "lon"}
    assert set(rejected[5].fields) == {"types", "name", "phone"} == set(rejected[5].fields_vi)
    assert rejected[6].fields == {"_row": "duplicate of row 1"}
    assert rejected[6].fields_vi == {"_row": "trùng với dòng 1"}
    assert set(rejected[7].fields) == {"_row"}
    assert all(r.fields_vi and r.fields_vi.keys() == r.fields.keys() for r in report.rejected)
    stored = DirectoryItem.get("FACILITY#01-905")
    assert stored.fields["types"] == ["SICK_LEAVE", "BHYT_CONTRACT"] and stored.lat == 21.05
    with pytest.raises(DirectoryItem.DoesNotExist):
        DirectoryItem.get("FACILITY#01-903")


def test_a_branch_tax_code_is_stored_in_one_form(aws):
    report = load_directory("EMPLOYER", [{**EMPLOYER, "tax_code": "0109999999001"},
                                         {**EMPLOYER, "tax_code": "0109999999-001"},
                                         {**EMPLOYER, "tax_code": "01099"}])
    assert report.valid == 1 and [r.row_number for r in report.rejected] == [2, 3]
    assert report.rejected[0].fields == {"_row": "duplicate of row 1"}
    assert DirectoryItem.get("EMPLOYER#0109999999-001").fields["tax_code"] == "0109999999-001"


def test_a_renamed_clinic_loses_its_old_search_terms(aws):
    load_directory("FACILITY", [FACILITY])
    old_terms = {f"FACILITY#{t}" for t in index_terms(FACILITY["name"])}
    assert terms_of("FACILITY#01-901", old_terms) == old_terms

    renamed = {**FACILITY, "name": "Phòng khám Đa khoa Thu Cúc"}
    report = load_directory("FACILITY", [renamed])
    assert (report.updated, report.created, report.unchanged) == (1, 0, 0)
    gone = {f"FACILITY#{t}" for t in index_terms(FACILITY["name"]) - index_terms(renamed["name"])}
    assert gone and report.terms_deleted == len(gone)
    assert terms_of("FACILITY#01-901", gone) == set()
    assert SearchTerm.get("FACILITY#thu", "FACILITY#01-901").name_norm == "phong kham da khoa thu cuc"
    assert [f["code"] for f in facilities(q="thu cuc").items] == ["01-901"]
    assert facilities(q="hong ngoc").items == []


def test_a_moved_employer_is_searched_in_its_new_province(aws):
    load_directory("EMPLOYER", [EMPLOYER])
    load_directory("EMPLOYER", [{**EMPLOYER, "province_code": "79", "district": "Quận 1",
                                 "address": "Số 2 Lê Duẩn, Quận 1, TP Hồ Chí Minh"}])
    assert SearchTerm.get("EMPLOYER#sao", "EMPLOYER#0109999999").province_code == "79"
    assert employers(q="sao mai", province_code="01").items == []
    assert [e["tax_code"] for e in employers(q="sao mai", province_code="79").items] == ["0109999999"]
    assert [e["tax_code"] for e in employers(q="0109999").items] == ["0109999999"]


def test_a_run_stopped_after_the_search_terms_is_finished_by_running_it_again(aws, monkeypatch):
    def outage(rows: Any) -> None:
        raise RuntimeError("DynamoDB went away")

    monkeypatch.setattr(directory_loader, "_write_items", outage)
    with pytest.raises(RuntimeError):
        load_directory("FACILITY", [FACILITY])
    monkeypatch.undo()
    report = load_directory("FACILITY", [FACILITY])
    assert report.created == 1
    assert [f["code"] for f in facilities(q="hong ngoc").items] == ["01-901"]


def test_unknown_collection_is_a_programming_error(aws):
    with pytest.raises(ValueError):
        load_directory("HOSPITAL", [])
