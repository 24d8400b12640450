"""Directory rows: validation, keys and the hash that makes reloads idempotent (no AWS)."""

from __future__ import annotations

import pytest

from chalicelib.domain.directory_rows import district_key, item_terms, validate_directory_row
from chalicelib.domain.record_rows import RowInvalid

PROVINCES = {"01", "79"}
POINT = {"point_code": "CP-01-001", "name": "Bưu điện thành phố Hà Nội", "kind": "POST_OFFICE", "province_code": "01",
         "district": "Quận Hoàn Kiếm", "address": "Số 3 phố Phan Chu Trinh, Hà Nội", "phone": "024 6321 2030",
         "services": ["VOLUNTARY_BHXH", "HOUSEHOLD_BHYT"], "lat": 21.02656, "lon": 105.84833}


@pytest.mark.parametrize(("district", "key"), [
    ("Quận Hoàn Kiếm", "hoan kiem"), ("Hoàn Kiếm", "hoan kiem"), ("Huyện Gia Lâm", "gia lam"),
    ("Thị xã Sơn Tây", "son tay"), ("Thành phố Thủ Đức", "thu duc"), ("Quận 1", "1"), ("Quận 10", "10"),
    ("Quận", "quan"), ("Quận Tân Phú", "tan phu"),
])
def test_district_key_drops_the_unit_word(district: str, key: str):
    assert district_key(district) == key


def test_a_collection_point_is_listed_by_district_then_name():
    row = validate_directory_row("COLLECTION_POINT", POINT, PROVINCES)
    assert row.item_key == "COLLECTION_POINT#CP-01-001"
    assert (row.list_key, row.sort_key) == ("COLLECTION_POINT#01", "hoan kiem#buu dien thanh pho ha noi#CP-01-001")
    assert row.geo_cell == "COLLECTION_POINT#w7er"
    assert "COLLECTION_POINT#buu" in row.terms and row.name_norm == "buu dien thanh pho ha noi"


def test_the_same_content_has_the_same_hash_and_any_change_another():
    first = validate_directory_row("COLLECTION_POINT", POINT, PROVINCES)
    assert validate_directory_row("COLLECTION_POINT", dict(POINT), PROVINCES).source_hash == first.source_hash
    spaced = {**POINT, "name": "  Bưu điện   thành phố Hà Nội "}  # the stored text is the same
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
    row = validate_directory_row("EMPLOYER", {"tax_code": "0124178490001", "name": "Công ty TNHH Vận tải Minh Phát",
                                              "province_code": "01", "district": "Quận Nam Từ Liêm",
                                              "address": "Số 116 đường Tố Hữu, Hà Nội"}, PROVINCES)
    assert row.item_key == "EMPLOYER#0124178490-001" and row.fields["participating_since"] is None
    assert {"EMPLOYER#0124", "EMPLOYER#0124178490", "EMPLOYER#0124178490001", "EMPLOYER#minh"} <= row.terms
    assert item_terms("EMPLOYER", row.fields) == set(row.terms)


def test_news_sort_by_the_utc_instant_and_faq_by_id():
    news = validate_directory_row("NEWS", {"news_id": "n-1", "title": "Tin", "summary": "Tóm tắt",
                                           "body": "Đoạn một.\n\n\n  Đoạn   hai. ", "tags": ["BHYT"],
                                           "published_at": "2025-01-15T06:30:00+07:00"}, PROVINCES)
    assert (news.list_key, news.sort_key, news.terms) == ("NEWS", "2025-01-14T23:30:00Z", frozenset())
    assert news.fields["body"] == "Đoạn một.\n\nĐoạn hai."
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("NEWS", {"news_id": "n-2", "title": "T", "summary": "S", "body": "B",
                                        "published_at": "2025-01-15 06:30"}, PROVINCES)
    assert set(caught.value.fields) == {"published_at"}
    faq = validate_directory_row("FAQ", {"faq_id": "faq-009", "category": "APP_HELP", "question": "Hỏi?",
                                         "answer": "Đáp.", "demo": True}, PROVINCES)
    assert (faq.item_key, faq.list_key, faq.sort_key, faq.fields["tags"]) == ("FAQ#faq-009", "FAQ", "faq-009", [])


FAQ = {"faq_id": "faq-900", "category": "BENEFITS", "question": "Khi nào được hưởng lương hưu?",
       "answer": "Khi đủ tuổi nghỉ hưu và đủ 15 năm đóng BHXH.", "tags": ["lương hưu"],
       "phrasings": ["bao giờ được nhận lương hưu", "đóng mấy năm thì có lương hưu"]}


def test_an_faq_row_cites_its_source_or_is_marked_demo_and_neither_is_refused():
    cited = validate_directory_row("FAQ", {**FAQ, "source": "Luật Bảo hiểm xã hội số 41/2024/QH15"}, PROVINCES)
    assert (cited.fields["source"], cited.fields["demo"]) == ("Luật Bảo hiểm xã hội số 41/2024/QH15", False)
    demo = validate_directory_row("FAQ", {**FAQ, "demo": "true"}, PROVINCES)  # CSV text reads as JSON
    assert (demo.fields["source"], demo.fields["demo"]) == (None, True)
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {**FAQ, "demo": False}, PROVINCES)
    assert caught.value.fields == {"source": "a row must cite its source or be marked demo: true"}
    assert "demo: true" in caught.value.fields_vi["source"]


def test_an_faq_row_has_a_known_category_and_its_phrasings_are_kept_for_the_chat():
    row = validate_directory_row("FAQ", {**FAQ, "demo": True, "category": "app_help"}, PROVINCES)
    assert row.fields["category"] == "APP_HELP"
    assert row.fields["phrasings"] == ["bao giờ được nhận lương hưu", "đóng mấy năm thì có lương hưu"]
    as_csv = validate_directory_row("FAQ", {**FAQ, "demo": True, "phrasings": "một | hai"}, PROVINCES)
    assert as_csv.fields["phrasings"] == ["một", "hai"]
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {**FAQ, "demo": "maybe", "category": "NEWS", "phrasings": [1]}, PROVINCES)
    assert set(caught.value.fields) == {"demo", "category", "phrasings"}
    with pytest.raises(RowInvalid) as caught:
        validate_directory_row("FAQ", {key: value for key, value in FAQ.items() if key != "category"} | {"demo": True},
                               PROVINCES)
    assert caught.value.fields == {"category": "is required"}
