"""The data a citizen reads must not mislead: every public reference row is cited or plainly demo.

Read from the files themselves (no AWS): the rule of docs/DATA.md, checked row by row — a real name only
with a source listed in data/reference/SOURCES.md, fictional "(minh hoạ)" names and failing tax codes
for demo rows, offices as they are after the 2025 reform, news without this app's own rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.areas import area_key
from chalicelib.domain.tax_code import check_digit_ok
from chalicelib.domain.text_search import normalise

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "reference"
DEMO_RECORDS = ROOT / "data" / "demo" / "records"
MARK = "(minh hoạ)"
CITED_FILES = ("offices.json", "facilities.jsonl", "employers.jsonl", "collection_points.jsonl", "news.jsonl")
# Real places the data named before with invented facts: a demo row must never name them again.
REAL_NAMES = ("Bạch Mai", "Việt Đức", "Xanh Pôn", "Chợ Rẫy", "Thanh Nhàn", "Nhi Trung ương", "Nhân dân 115",
              "Bưu điện thành phố", "Bưu điện tỉnh", "Ủy ban nhân dân", "Đại học Y Dược", "Đa khoa Sài Gòn",
              "Đa khoa tỉnh", "Trung tâm Y tế quận", "Trung tâm Y tế huyện")
# This app's own rules, which the news must not present as the agency's (they are "how this app works").
APP_RULES = (r"tạm khóa", r"15 phút", r"mật khẩu khởi tạo", r"\b5 lần\b", r"\b7 ngày\b", r"\b5 phút\b",
             r"\bJPEG\b", r"\bPNG\b", r"6 chữ số", r"một thiết bị", r"sau 6 tháng")


def rows_of(name: str, folder: Path = DATA) -> list[dict[str, Any]]:
    text = (folder / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def source_ids() -> set[str]:
    """The ids of the table of data/reference/SOURCES.md (its first column, in backticks)."""
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9][a-z0-9.\-]+)` \|", text, re.MULTILINE))


def names_a_district(address: str) -> bool:
    """Whether a part of the address after the street is a quận, huyện or thị xã (gone since 1/7/2025)."""
    return any(normalise(part).startswith(("quan ", "huyen ", "thi xa ")) for part in address.split(", ")[1:])


OFFICES = rows_of("offices.json")
FORMER_DISTRICTS = json.loads((ROOT / "chalicelib" / "data" / "former_districts.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CITED_FILES)
def test_every_row_is_cited_or_marked_demo(name: str):
    known = source_ids()
    for row in rows_of(name):
        assert row.get("source") or row.get("demo") is True, (name, row)
        if row.get("source"):
            assert row["source"] in known, f"{name}: {row['source']} is not listed in SOURCES.md"


def test_every_source_the_data_names_is_listed_in_sources_md():
    used = {row["source"] for name in CITED_FILES for row in rows_of(name) if row.get("source")}
    support = json.loads((DATA / "support.json").read_text(encoding="utf-8"))
    used |= {support["source"], FORMER_DISTRICTS["source"]} | {line["source"] for line in support["help_lines"]}
    assert used and used <= source_ids()


@pytest.mark.parametrize("name", ["facilities.jsonl", "employers.jsonl", "collection_points.jsonl"])
def test_no_row_names_a_real_place_without_a_source(name: str):
    for row in rows_of(name):
        if row.get("source"):
            continue
        assert row["demo"] is True and row["name"].endswith(MARK), row["name"]
        assert not any(real.lower() in row["name"].lower() for real in REAL_NAMES), row["name"]


def test_a_cited_clinic_carries_only_the_facts_of_its_source():
    cited = [row for row in rows_of("facilities.jsonl") if row.get("source")]
    assert {row["facility_code"]: row["address"] for row in cited} == {
        "01-001": "Số 78 Giải Phóng, Thành phố Hà Nội", "79-001": "Số 201B Nguyễn Chí Thanh, Thành phố Hồ Chí Minh"}
    for row in cited:
        assert (row["phone"], row["lat"], row["lon"], row["ward"]) == (None, None, None, None)


def test_demo_employers_carry_tax_codes_that_fail_the_check_digit():
    assert check_digit_ok("0124488848") and not check_digit_ok("0124488843")  # the weights 31, 29, 23, …
    assert check_digit_ok("0124488848-001") and not check_digit_ok("12")
    employers = rows_of("employers.jsonl")
    assert len(employers) > 250
    assert not [row["tax_code"] for row in employers if row.get("demo") and check_digit_ok(row["tax_code"])]
    demo_codes = [row["employer_code"] for row in rows_of("contribution.jsonl", DEMO_RECORDS)]
    assert not [code for code in demo_codes if check_digit_ok(code)]


def test_demo_records_name_no_real_hospital():
    places = [row["initial_clinic"] for row in rows_of("health_card.jsonl", DEMO_RECORDS)]
    places += [row["facility"] for row in rows_of("medical_visit.jsonl", DEMO_RECORDS)]
    assert places and all(place.endswith(MARK) for place in places), places


def test_rows_are_in_a_ward_of_today_and_keep_the_district_they_were_in():
    for name in ("facilities.jsonl", "employers.jsonl", "collection_points.jsonl"):
        for row in rows_of(name):
            assert "district" not in row, (name, row)
            if row.get("demo"):
                assert row["ward"] and row["former_district"], row
                assert not names_a_district(row["address"]), row["address"]


# --- offices after the 2025 reform -----------------------------------------------------------------------------


def test_office_codes_stay_as_staff_tests_and_the_console_know_them():
    codes = [office["office_code"] for office in OFFICES]
    assert len(codes) == len(set(codes)) == 55
    assert {"HN", "HN-HK", "HN-BD", "HCM", "HCM-Q1", "DNG-HC"} <= set(codes)


def test_offices_are_the_provincial_bhxh_and_grassroots_offices_named_after_their_area():
    for office in OFFICES:
        assert office["demo"] is True and office["opening_hours"]["vi"] and office["opening_hours"]["en"]
        assert not names_a_district(office["address"]), office["address"]  # ward and province only
        if office["parent_name"] is None:
            assert office["served_areas"] == []  # the provincial office serves the whole province
        else:
            assert office["name"].startswith("BHXH cơ sở ") and office["former_names"], office
            assert office["address"].split(", ")[0] in office["served_areas"]


def test_grassroots_offices_serve_the_wards_that_replaced_their_former_district():
    mapping = FORMER_DISTRICTS["provinces"]
    for office in OFFICES:
        if office["parent_name"] is None:
            continue
        [former] = office["former_names"]
        district = former.removeprefix("BHXH ")
        wards = {area_key(former): wards for former, wards in mapping[office["province_code"]].items()}
        assert office["served_areas"] == wards[area_key(district)], office["office_code"]


def test_an_office_shows_a_phone_only_when_it_is_cited():
    phones = {office["office_code"]: (office["phone"], office.get("source")) for office in OFFICES if office["phone"]}
    assert phones == {"HN-HK": ("0243 9440116", "vssid-guide")}


def test_hoan_kiem_is_found_under_the_name_people_know():
    [hoan_kiem] = [office for office in OFFICES if office["office_code"] == "HN-HK"]
    assert hoan_kiem["name"] == "BHXH cơ sở Hoàn Kiếm" and hoan_kiem["former_names"] == ["BHXH quận Hoàn Kiếm"]


# --- news and support ------------------------------------------------------------------------------------------


def test_no_news_item_states_this_apps_own_rules():
    for item in rows_of("news.jsonl"):
        text = " ".join((item["title"], item["summary"], item["body"]))
        found = [rule for rule in APP_RULES if re.search(rule, text, re.IGNORECASE)]
        assert not found, (item["news_id"], found)


def test_support_contacts_are_the_same_in_both_copies_and_say_what_is_illustrative():
    shipped = (ROOT / "chalicelib" / "data" / "support.json").read_text(encoding="utf-8")
    assert shipped == (DATA / "support.json").read_text(encoding="utf-8")
    support = json.loads(shipped)
    assert support["demo_fields"] == ["hours"]
    assert not re.search(r"24\s*/\s*7|24\s*/\s*24|24 giờ", support["hours"])
    for line in support["help_lines"]:
        assert line.get("source") or line.get("demo") is True, line
    assert {"office_code": "HN-HK", "phone": "0243 9440116"}.items() <= support["help_lines"][0].items()
