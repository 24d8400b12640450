"""Vietnamese-insensitive normalisation, index terms and prefix matching."""

from __future__ import annotations

import pytest

from chalicelib.domain.text_search import (
    MAX_PREFIX,
    compact_code,
    index_terms,
    lookup_word,
    matches,
    normalise,
    words,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("Nguyễn Văn An", "nguyen van an"),
    ("BHXH quận Hoàn Kiếm", "bhxh quan hoan kiem"),
    ("ĐƯỜNG Điện Biên Phủ", "duong dien bien phu"),
    ("Bệnh viện Đa khoa Xanh Pôn", "benh vien da khoa xanh pon"),
    ("  Ủy ban   nhân dân\tphường  ", "uy ban nhan dan phuong"),
    ("Công ty TNHH Cơ khí Vạn Xuân, chi nhánh #2!", "cong ty tnhh co khi van xuan chi nhanh 2"),
    ("Hợp tác xã — Vận_tải/Tràng-An", "hop tac xa van tai trang an"),
    ("Số 3 phố Phan Chu Trinh", "so 3 pho phan chu trinh"),
    ("ỮỨỪỬỰ ơờớởỡợ", "uuuuu oooooo"),
    ("zero\u200bwidth", "zero width"),
    ("", ""),
    ("!!!", ""),
])
def test_normalise_drops_diacritics_case_and_punctuation(text: str, expected: str):
    assert normalise(text) == expected


def test_composed_and_decomposed_forms_are_the_same_text():
    import unicodedata

    name = "Nguyễn Văn An"
    assert normalise(unicodedata.normalize("NFC", name)) == normalise(unicodedata.normalize("NFD", name))
    assert normalise(name) == normalise("nguyen van an") == normalise("NGUYỄN  VĂN-AN")


def test_words_are_the_normalised_words_in_order():
    assert words("Bệnh viện  Bạch Mai") == ["benh", "vien", "bach", "mai"]
    assert words("") == []


def test_index_terms_are_every_prefix_of_two_or_more_characters_of_each_word():
    assert index_terms("Bệnh viện E") == {"be", "ben", "benh", "vi", "vie", "vien"}
    assert index_terms("Bạch Mai") == {"ba", "bac", "bach", "ma", "mai"}


def test_word_prefixes_stop_at_twenty_characters():
    long_word = "a" * 30
    terms = index_terms(long_word)
    assert max(len(t) for t in terms) == MAX_PREFIX
    assert len(terms) == MAX_PREFIX - 1


def test_codes_are_indexed_whole_and_by_every_prefix_of_four_or_more():
    terms = index_terms("Công ty An Phát", extra_codes=["0124488848-001"])
    assert "0124488848001" in terms
    assert {"0124", "01244", "0124488848"} <= terms
    assert "012" not in terms
    assert {"co", "cong", "ty", "an", "ph", "phat"} <= terms
    assert index_terms("X", extra_codes=["AB"]) == {"ab"}  # a short code is still found whole


def test_compact_code_joins_the_parts_of_a_code():
    assert compact_code("0124488848-001") == "0124488848001"
    assert compact_code(" 0124 488 848 ") == "0124488848"


def test_lookup_word_is_the_longest_query_word_cut_to_twenty():
    assert lookup_word("benh vien bach mai") == "benh"
    assert lookup_word("bv Bạch Mai") == "bach"
    assert lookup_word("e x") is None
    assert lookup_word("") is None
    assert lookup_word("a" * 25) == "a" * MAX_PREFIX


@pytest.mark.parametrize(("query", "name", "found"), [
    ("benh vien bach mai", "Bệnh viện Bạch Mai", True),
    ("Bạch Mai", "benh vien bach mai", True),
    ("bach", "benh vien bach mai", True),
    ("b v bach", "benh vien bach mai", True),
    ("mai bach", "benh vien bach mai", True),  # word order does not matter
    ("Hoan Kiem", "bhxh quan hoan kiem", True),
    ("hoàn kiếm", "bhxh quan hoan kiem", True),
    ("kiem hoan bhxh", "bhxh quan hoan kiem", True),
    ("bach maj", "benh vien bach mai", False),
    ("viet duc", "benh vien bach mai", False),
    ("ach", "benh vien bach mai", False),  # inside a word is not a prefix
    ("benhvien", "benh vien bach mai", False),
])
def test_every_query_word_must_begin_some_word_of_the_name(query: str, name: str, found: bool):
    assert matches(query, normalise(name)) is found
