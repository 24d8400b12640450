"""The directory loader against DynamoDB (in-process moto): every row validated and reported, idempotent
reloads, search terms kept in step with renamed items, and no row without a source or a demo mark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.text_search import index_terms, normalise
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


FACILITY = {"facility_code": "01-901", "name": "Phòng khám Đa khoa Hồng Ngọc (minh hoạ)", "types": ["BHYT_CONTRACT"],
            "province_code": "01", "ward": "Phường Ba Đình", "former_district": "Quận Ba Đình",
            "address": "Số 55 phố Yên Ninh, phường Ba Đình, Thành phố Hà Nội",
            "phone": "024 3927 5568", "lat": 21.0445, "lon": 105.8437, "demo": True}
EMPLOYER = {"tax_code": "0109999990", "name": "Công ty TNHH Sao Mai (minh hoạ)", "province_code": "01",
            "ward": "Phường Cầu Giấy", "address": "Số 1 phố Duy Tân, phường Cầu Giấy, Thành phố Hà Nội",
            "participating_since": "2019-04", "employees": 12, "demo": True}


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
    hours = next(o for o in rows_of("offices.json") if o["office_code"] == "HN-HK")["opening_hours"]
    assert office.fields.as_dict() == {
        "code": "HN-HK", "name": "BHXH cơ sở Hoàn Kiếm", "parent_name": "BHXH TP Hà Nội", "province_code": "01",
        "address": "Phường Hoàn Kiếm, Thành phố Hà Nội", "phone": "0243 9440116", "lat": office.lat,
        "lon": office.lon, "opening_hours": hours,
        "served_areas": ["Phường Hoàn Kiếm", "Phường Cửa Nam"], "former_names": ["BHXH quận Hoàn Kiếm"],
        "demo": True}
    assert office.geo_cell == "OFFICE#w7er" and office.list_key == "OFFICE#01"
    clinic = DirectoryItem.get("FACILITY#01-001")
    assert (clinic.list_key, clinic.sort_key) == ("FACILITY#01", "benh vien bach mai#01-001")
    assert clinic.geo_cell is None and clinic.fields["demo"] is False  # cited, and not placed on the map
    point = DirectoryItem.get("COLLECTION_POINT#CP-01-001")
    first_point = rows_of("collection_points.jsonl")[0]
    assert point.sort_key == f"hoan kiem#{normalise(first_point['name'])}#CP-01-001"  # by ward, then name
    news = DirectoryItem.get("NEWS#n-2025-002")
    assert (news.list_key, news.sort_key) == ("NEWS", "2025-02-20T03:30:00Z")  # 10:30 in Hà Nội, in UTC
    assert news.fields["published_at"] == "2025-02-20T10:30:00+07:00" and news.fields["demo"] is True
    faq = DirectoryItem.get("FAQ#faq-001")
    assert (faq.list_key, faq.sort_key, faq.collection) == ("FAQ", "faq-001", "FAQ")
    assert set(faq.fields.as_dict()) == {"faq_id", "category", "question", "answer", "tags", "phrasings", "examples",
                                         "source", "demo"}
    term = SearchTerm.get("FACILITY#bach", "FACILITY#01-001")
    assert (term.name_norm, term.province_code) == ("benh vien bach mai", "01")
    employer = rows_of("employers.jsonl")[0]
    code = employer["tax_code"]
    assert SearchTerm.get(f"EMPLOYER#{code[:8]}", f"EMPLOYER#{code}").name_norm == normalise(employer["name"])
    assert SearchTerm.get("OFFICE#quan", "OFFICE#HN-HK").name_norm.split("\n")[1] == "bhxh quan hoan kiem"


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
    report = load_directory("EMPLOYER", [{**EMPLOYER, "tax_code": "0109999990001"},
                                         {**EMPLOYER, "tax_code": "0109999990-001"},
                                         {**EMPLOYER, "tax_code": "01099"}])
    assert report.valid == 1 and [r.row_number for r in report.rejected] == [2, 3]
    assert report.rejected[0].fields == {"_row": "duplicate of row 1"}
    assert DirectoryItem.get("EMPLOYER#0109999990-001").fields["tax_code"] == "0109999990-001"


def test_a_renamed_clinic_loses_its_old_search_terms(aws):
    load_directory("FACILITY", [FACILITY])
    old_terms = {f"FACILITY#{t}" for t in index_terms(FACILITY["name"])}
    assert terms_of("FACILITY#01-901", old_terms) == old_terms

    renamed = {**FACILITY, "name": "Phòng khám Đa khoa Thu Cúc (minh hoạ)"}
    report = load_directory("FACILITY", [renamed])
    assert (report.updated, report.created, report.unchanged) == (1, 0, 0)
    gone = {f"FACILITY#{t}" for t in index_terms(FACILITY["name"]) - index_terms(renamed["name"])}
    assert gone and report.terms_deleted == len(gone)
    assert terms_of("FACILITY#01-901", gone) == set()
    assert SearchTerm.get("FACILITY#thu", "FACILITY#01-901").name_norm == "phong kham da khoa thu cuc minh hoa"
    assert [f["code"] for f in facilities(q="thu cuc").items] == ["01-901"]
    assert facilities(q="hong ngoc").items == []


def test_a_moved_employer_is_searched_in_its_new_province(aws):
    load_directory("EMPLOYER", [EMPLOYER])
    load_directory("EMPLOYER", [{**EMPLOYER, "province_code": "79", "ward": "Phường Sài Gòn",
                                 "address": "Số 2 Lê Duẩn, phường Sài Gòn, Thành phố Hồ Chí Minh"}])
    assert SearchTerm.get("EMPLOYER#sao", "EMPLOYER#0109999990").province_code == "79"
    assert employers(q="sao mai", province_code="01").items == []
    assert [e["tax_code"] for e in employers(q="sao mai", province_code="79").items] == ["0109999990"]
    assert [e["tax_code"] for e in employers(q="0109999").items] == ["0109999990"]


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


def test_a_row_with_neither_source_nor_demo_is_refused_by_its_number_and_the_others_load(aws):
    uncited = {k: v for k, v in FACILITY.items() if k != "demo"} | {"facility_code": "01-902"}
    cited = uncited | {"facility_code": "01-903", "source": "issue-12"}
    said_not_demo = uncited | {"facility_code": "01-904", "demo": False}
    report = load_directory("FACILITY", [FACILITY, uncited, cited, said_not_demo])
    assert [r.row_number for r in report.rejected] == [2, 4]
    assert set(report.rejected[0].fields) == {"source"}
    assert "demo: true" in report.rejected[0].fields["source"]
    assert "demo: true" in report.rejected[0].fields_vi["source"]
    with pytest.raises(DirectoryItem.DoesNotExist):
        DirectoryItem.get("FACILITY#01-902")
    assert [(f["code"], f["demo"]) for f in facilities(province_code="01").items] == [("01-901", True),
                                                                                      ("01-903", False)]


def test_a_row_recorded_after_the_reform_is_found_under_its_former_district(aws):
    load_directory("FACILITY", [{k: v for k, v in FACILITY.items() if k != "former_district"}
                                | {"ward": "Phường Cửa Nam"}])
    for district in ("Quận Hoàn Kiếm", "Hoàn Kiếm", "Cửa Nam"):
        assert [f["code"] for f in facilities(province_code="01", district=district).items] == ["01-901"], district
    assert facilities(province_code="01", district="Quận Ba Đình").items == []


def test_the_loader_refuses_an_uncited_office_and_the_seed_refuses_the_file(aws, tmp_path, monkeypatch):
    from local import seed

    offices = rows_of("offices.json")
    bare = [{k: v for k, v in office.items() if k not in ("demo", "source")} if office["office_code"] == "HN-BD"
            else office for office in offices]
    report = load_directory("OFFICE", bare)
    [rejected] = report.rejected
    assert rejected.row_number == 2 and set(rejected.fields) == {"source"}
    (tmp_path / "provinces.json").write_text((DATA / "provinces.json").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "offices.json").write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(seed, "DATA", tmp_path)
    with pytest.raises(seed.ReferenceDataError, match=r"offices.json row 2 \(HN-BD\): source is required unless"):
        seed.load_reference_data()


def test_unknown_collection_is_a_programming_error(aws):
    with pytest.raises(ValueError):
        load_directory("HOSPITAL", [])
