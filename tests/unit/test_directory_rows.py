"""Directory rows: validation, keys and the hash that makes reloads idempotent (no AWS)."""

from __future__ import annotations

import pytest

from chalicelib.domain.areas import area_key
from chalicelib.domain.directory_rows import item_terms, validate_directory_row
from chalicelib.domain.record_rows import RowInvalid

PROVINCES = {"01", "79"}
POINT = {"point_code": "CP-01-001", "name": "Bưu cục Sao Mai (minh hoạ)", "kind": "POST_OFFICE", "province_code": "01",
         "ward": "Phường Cửa Nam", "former_district": "Quận Hoàn Kiếm",
         "address": "Số 3 phố Phan Chu Trinh, phường Cửa Nam, Thành phố Hà Nội", "phone": "024 6321 2030",
         "services": ["VOLUNTARY_BHXH", "HOUSEHOLD_BHYT"], "lat": 21.02656, "lon": 105.84833, "demo": True}
OFFICE = {"office_code": "HN-HK", "province_code": "01", "name": "BHXH cơ sở Hoàn Kiếm",
          "former_names": ["BHXH quận Hoàn Kiếm"], "parent_name": "BHXH TP Hà Nội",
          "served_areas": ["Phường Hoàn Kiếm", "Phường Cửa Nam"], "address": "Phường Hoàn Kiếm, Thành phố Hà Nội",
          "phone": "0243 9440116", "lat": 21.0285, "lon": 105.8542, "demo": True, "source": "vssid-guide"}
FACILITY = {"facility_code": "01-901", "name": "Phòng khám Đa khoa Sao Mai (minh hoạ)", "types": ["SICK_LEAVE"],
            "province_code": "01", "ward": "Phường Giảng Võ", "address": "Số 5 phố Giảng Võ, Thành phố Hà Nội",
            "phone": "024 0000 0001", "lat": 21.03, "lon": 105.82, "demo": True}
EMPLOYER = {"tax_code": "0124488843", "name": "Công ty TNHH Sao Mai (minh hoạ)", "province_code": "01",
            "ward": "Phường Cửa Nam", "address": "Số 1 phố Hàng Bài, Thành phố Hà Nội", "demo": True}
NEWS = {"news_id": "n-9", "title": "Tin", "summary": "Tóm tắt", "body": "Đoạn.",
        "published_at": "2025-01-15T06:30:00+07:00", "demo": True}


@pytest.mark.parametrize(("area", "key"), [
    ("Quận Hoàn Kiếm", "hoan kiem"), ("Hoàn Kiếm", "hoan kiem"), ("Huyện Gia Lâm", "gia lam"),
    ("Thị xã Sơn Tây", "son tay"), ("Thành phố Thủ Đức", "thu duc"), ("Quận 1", "1"), ("Quận 10", "10"),
    ("Quận", "quan"), ("Quận Tân Phú", "tan phu"), ("Phường Cửa Nam", "cua nam"), ("Xã Bát Tràng", "bat trang"),
    ("Thị trấn Đông Anh", "dong anh"), ("Phường 3", "3"), (None, ""),
])
def test_area_key_drops_the_unit_word(area, key: str):
    assert area_key(area) == key


def test_a_collection_point_is_listed_by_ward_then_name():
    row = validate_directory_row("COLLECTION_POINT", POINT, PROVINCES)
    assert row.item_key == "COLLECTION_POINT#CP-01-001"
    assert (row.list_key, row.sort_key) == ("COLLECTION_POINT#01", "cua nam#buu cuc sao mai minh hoa#CP-01-001")
    assert row.geo_cell == "COLLECTION_POINT#w7er"
    assert "COLLECTION_POINT#buu" in row.terms and row.name_norm == "buu cuc sao mai minh hoa"
    assert (row.fields["ward"], row.fields["former_district"], row.fields["demo"]) == \
        ("Phường Cửa Nam", "Quận Hoàn Kiếm", True)


def test_a_file_written_before_the_reform_gives_its_district_as_the_former_district():
    old = {k: v for k, v in POINT.items() if k not in ("ward", "former_district")} | {"district": "Quận Hoàn Kiếm"}
    row = validate_directory_row("COLLECTION_POINT", old, PROVINCES)
    assert (row.fields["ward"], row.fields["former_district"]) == (None, "Quận Hoàn Kiếm")
    assert row.sort_key.startswith("~#")  # no ward: listed after the rows that have one


@pytest.mark.parametrize("collection", ["OFFICE", "FACILITY", "EMPLOYER", "COLLECTION_POINT", "NEWS"])
def test_a_reference_row_with_neither_source_nor_demo_is_refused(collection: str):
    row = {"OFFICE": OFFICE, "COLLECTION_POINT": POINT, "NEWS": NEWS, "FACILITY": FACILITY,
           "EMPLOYER": EMPLOYER}[collection]
    bare = {k: v for k, v in row.items() if k not in ("source", "demo")}
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row(collection, bare, PROVINCES)
    assert set(caught.value.fields) == {"source"}
    assert "demo: true" in caught.value.fields["source"] and "demo: true" in caught.value.fields_vi["source"]
    with pytest.raises(RowInvalid):
        validate_directory_row(collection, {**bare, "demo": False}, PROVINCES)
    assert validate_directory_row(collection, {**bare, "demo": True}, PROVINCES).fields["demo"] is True
    cited = validate_directory_row(collection, {**bare, "source": "issue-12"}, PROVINCES)
    assert cited.fields["demo"] is False and "source" not in cited.fields


def test_demo_and_source_are_checked_like_any_field():
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FACILITY", {**FACILITY, "demo": "maybe", "source": "Báo Nhân Dân"}, PROVINCES)
    assert set(caught.value.fields) == {"demo", "source"}
    as_text = validate_directory_row("FACILITY", {**FACILITY, "demo": "TRUE", "lat": "", "lon": ""}, PROVINCES)
    assert as_text.fields["demo"] is True and as_text.geo_cell is None  # a clinic not put on the map


def test_a_new_citation_changes_the_hash_so_the_row_is_rewritten():
    bare = {k: v for k, v in FACILITY.items() if k != "demo"}
    first = validate_directory_row("FACILITY", {**bare, "source": "issue-12"}, PROVINCES)
    assert validate_directory_row("FACILITY", {**bare, "source": "vssid-guide"}, PROVINCES).source_hash != \
        first.source_hash


def test_a_demo_employer_cannot_carry_a_tax_code_that_passes_the_check_digit():
    real_looking = {**EMPLOYER, "tax_code": "0124488848"}  # passes the check: may be a real company's
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("EMPLOYER", real_looking, PROVINCES)
    assert set(caught.value.fields) == {"tax_code"} and "check digit" in caught.value.fields["tax_code"]
    cited = {k: v for k, v in real_looking.items() if k != "demo"} | {"source": "issue-12"}
    assert validate_directory_row("EMPLOYER", cited, PROVINCES).fields["tax_code"] == "0124488848"


def test_an_office_is_found_by_its_name_its_former_name_and_the_wards_it_serves():
    row = validate_directory_row("OFFICE", OFFICE, PROVINCES)
    assert row.match_text == "bhxh co so hoan kiem\nbhxh quan hoan kiem\nphuong hoan kiem\nphuong cua nam"
    assert {"OFFICE#hoan", "OFFICE#quan", "OFFICE#cua"} <= row.terms
    assert row.fields["served_areas"] == ["Phường Hoàn Kiếm", "Phường Cửa Nam"]
    assert row.fields["phone"] == "0243 9440116" and row.fields["opening_hours"] is None
    no_phone = validate_directory_row("OFFICE", {**OFFICE, "phone": None,
                                                 "opening_hours": {"vi": "Thứ Hai – Thứ Sáu"}}, PROVINCES)
    assert no_phone.fields["phone"] is None
    assert no_phone.fields["opening_hours"] == {"vi": "Thứ Hai – Thứ Sáu", "en": "Thứ Hai – Thứ Sáu"}


def test_the_same_content_has_the_same_hash_and_any_change_another():
    first = validate_directory_row("COLLECTION_POINT", POINT, PROVINCES)
    assert validate_directory_row("COLLECTION_POINT", dict(POINT), PROVINCES).source_hash == first.source_hash
    spaced = {**POINT, "name": "  Bưu cục   Sao Mai (minh hoạ) "}  # the stored text is the same
    assert validate_directory_row("COLLECTION_POINT", spaced, PROVINCES).source_hash == first.source_hash
    moved = {**POINT, "phone": "024 6321 2031"}
    assert validate_directory_row("COLLECTION_POINT", moved, PROVINCES).source_hash != first.source_hash


def test_csv_text_values_are_read_like_json_ones():
    as_text = {**POINT, "lat": "21.02656", "lon": " 105.84833", "services": "VOLUNTARY_BHXH|HOUSEHOLD_BHYT"}
    assert validate_directory_row("COLLECTION_POINT", as_text, PROVINCES).fields == \
        validate_directory_row("COLLECTION_POINT", POINT, PROVINCES).fields


def test_every_bad_field_is_named_at_once():
    bad = {**POINT, "point_code": "X1", "kind": "BANK", "services": [], "province_code": "02", "lat": True,
           "lon": "east", "phone": "12"}
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("COLLECTION_POINT", bad, PROVINCES)
    assert set(caught.value.fields) == {"point_code", "kind", "services", "province_code", "lat", "lon", "phone"}
    assert caught.value.fields.keys() == caught.value.fields_vi.keys()


def test_an_employer_is_searchable_by_name_and_tax_code():
    row = validate_directory_row("EMPLOYER", {"tax_code": "0124178495001", "name": "Công ty TNHH Vận tải Minh Phát",
                                              "province_code": "01", "district": "Quận Nam Từ Liêm",
                                              "address": "Số 116 đường Tố Hữu, Hà Nội", "demo": True}, PROVINCES)
    assert row.item_key == "EMPLOYER#0124178495-001" and row.fields["participating_since"] is None
    assert {"EMPLOYER#0124", "EMPLOYER#0124178495", "EMPLOYER#0124178495001", "EMPLOYER#minh"} <= row.terms
    assert item_terms("EMPLOYER", row.fields) == set(row.terms)


def test_news_sort_by_the_utc_instant_and_faq_by_id():
    news = validate_directory_row("NEWS", {"news_id": "n-1", "title": "Tin", "summary": "Tóm tắt",
                                           "body": "Đoạn một.\n\n\n  Đoạn   hai. ", "tags": ["BHYT"],
                                           "published_at": "2025-01-15T06:30:00+07:00", "demo": True}, PROVINCES)
    assert (news.list_key, news.sort_key, news.terms) == ("NEWS", "2025-01-14T23:30:00Z", frozenset())
    assert news.fields["body"] == "Đoạn một.\n\nĐoạn hai."
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("NEWS", {"news_id": "n-2", "title": "T", "summary": "S", "body": "B",
                                        "published_at": "2025-01-15 06:30", "demo": True}, PROVINCES)
    assert set(caught.value.fields) == {"published_at"}
    faq = validate_directory_row("FAQ", {"faq_id": "faq-009", "category": "APP_HELP", "question": "Hỏi?",
                                         "answer": "Đáp.", "demo": True}, PROVINCES)
    assert (faq.item_key, faq.list_key, faq.sort_key, faq.fields["tags"]) == ("FAQ#faq-009", "FAQ", "faq-009", [])


FAQ = {"faq_id": "faq-900", "category": "BENEFITS", "question": "Khi nào được hưởng lương hưu?",
       "answer": "Khi đủ tuổi nghỉ hưu và đủ 15 năm đóng BHXH.", "tags": ["lương hưu"],
       "phrasings": ["bao giờ được nhận lương hưu", "đóng mấy năm thì có lương hưu"]}


def test_an_faq_row_cites_its_source_or_is_marked_demo_and_neither_is_refused():
    # the same rule as every public reference file: a source id of data/reference/SOURCES.md, or demo
    cited = validate_directory_row("FAQ", {**FAQ, "source": "vssid-guide"}, PROVINCES)
    assert (cited.fields["source"], cited.fields["demo"]) == ("vssid-guide", False)
    demo = validate_directory_row("FAQ", {**FAQ, "demo": "true"}, PROVINCES)  # CSV text reads as JSON
    assert (demo.fields["source"], demo.fields["demo"]) == (None, True)
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {**FAQ, "demo": False}, PROVINCES)
    assert list(caught.value.fields) == ["source"] and "demo: true" in caught.value.fields["source"]
    assert "demo: true" in caught.value.fields_vi["source"]
    with pytest.raises(RowInvalid) as free_text:
        validate_directory_row("FAQ", {**FAQ, "source": "Luật Bảo hiểm xã hội số 41/2024/QH15"}, PROVINCES)
    assert "SOURCES.md" in free_text.value.fields["source"]


def test_an_faq_row_has_a_known_category_and_its_phrasings_and_examples_are_kept_for_the_chat():
    row = validate_directory_row("FAQ", {**FAQ, "demo": True, "category": "app_help"}, PROVINCES)
    assert row.fields["category"] == "APP_HELP"
    assert row.fields["phrasings"] == ["bao giờ được nhận lương hưu", "đóng mấy năm thì có lương hưu"]
    as_csv = validate_directory_row("FAQ", {**FAQ, "demo": True, "phrasings": "một | hai"}, PROVINCES)
    assert as_csv.fields["phrasings"] == ["một", "hai"]
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {**FAQ, "demo": "maybe", "category": "NEWS", "phrasings": [1]}, PROVINCES)
    assert set(caught.value.fields) == {"demo", "category", "phrasings"}
    asked = validate_directory_row("FAQ", {**FAQ, "demo": True, "examples": ["bh huu dc bao nhieu tuoi a"]}, PROVINCES)
    assert (asked.fields["examples"], row.fields["examples"]) == (["bh huu dc bao nhieu tuoi a"], [])
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {**FAQ, "demo": True, "examples": ["x" * 601]}, PROVINCES)
    assert set(caught.value.fields) == {"examples"} and "600 characters" in caught.value.fields["examples"]
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {key: value for key, value in FAQ.items() if key != "category"} | {"demo": True},
                               PROVINCES)
    assert caught.value.fields == {"category": "is required"}
