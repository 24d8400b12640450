"""BM25 Okapi against a hand-computed example, ranking, bigrams, and the Vietnamese tokenizer."""

from __future__ import annotations

import math

import pytest

from chalicelib.domain.bm25 import Bm25, tokens


def test_scores_equal_the_hand_computed_formula():
    # Given three documents of 2, 3 and 1 tokens: N = 3, avgdl = 2
    bm25 = Bm25([["a", "b"], ["a", "c", "c"], ["d"]])
    # idf = ln((N - n + 0.5) / (n + 0.5) + 1): "a" is in 2 documents, "c" in 1
    idf_a = math.log((3 - 2 + 0.5) / (2 + 0.5) + 1)  # ln 1.6
    idf_c = math.log((3 - 1 + 0.5) / (1 + 0.5) + 1)  # ln 8/3
    # Document 0 (|D| = 2 = avgdl): "a" once → 1 · 2.5 / (1 + 1.5 · (0.25 + 0.75 · 1)) = 1
    # Document 1 (|D| = 3): norm = 1.5 · (0.25 + 0.75 · 1.5) = 2.0625
    #   "a" once → 2.5 / 3.0625 = 40/49; "c" twice → 2 · 2.5 / 4.0625 = 16/13
    expected = [idf_a * 1.0, idf_a * 40 / 49 + idf_c * 16 / 13, 0.0]

    scores = bm25.scores(["a", "c"])

    assert scores == pytest.approx(expected, abs=1e-9)
    assert math.isclose(idf_a, math.log(1.6), abs_tol=1e-12)
    assert math.isclose(idf_c, math.log(8 / 3), abs_tol=1e-12)


def test_a_repeated_query_token_counts_twice_and_unknown_tokens_count_nothing():
    bm25 = Bm25([["a", "b"], ["a", "c", "c"], ["d"]])
    once, twice = bm25.scores(["c"]), bm25.scores(["c", "c"])
    assert twice == pytest.approx([2 * s for s in once], abs=1e-12)
    assert bm25.scores(["zzz"]) == [0.0, 0.0, 0.0]


def test_idf_stays_positive_for_a_term_in_every_document():
    bm25 = Bm25([["x", "a"], ["x", "b"], ["x"]])
    assert bm25.idf("x") == pytest.approx(math.log(0.5 / 3.5 + 1))
    assert all(score > 0 for score in bm25.scores(["x"]))


def test_top_ranks_best_first_leaves_out_zero_scores_and_breaks_ties_by_index():
    bm25 = Bm25([["mat", "khau"], ["the", "bhyt"], ["mat", "khau", "mat"], ["mat", "khau"]])
    top = bm25.top(["mat"], 10)
    assert [index for index, _ in top] == [2, 0, 3]
    assert top[1][1] == top[2][1]
    assert bm25.top(["mat"], 1) == top[:1]
    assert bm25.top(["bhyt"], 5) == [(1, pytest.approx(bm25.scores(["bhyt"])[1]))]


def test_max_score_bounds_every_document():
    bm25 = Bm25([["a"] * 50, ["a", "b"], ["c"]])
    query = ["a", "b", "unseen"]
    ceiling = bm25.max_score(query)
    assert ceiling == pytest.approx(2.5 * (bm25.idf("a") + bm25.idf("b") + bm25.idf("unseen")))
    assert max(bm25.scores(query)) < ceiling


def test_empty_corpus_and_empty_query():
    assert Bm25([]).scores(["a"]) == []
    assert Bm25([[], []]).scores(["a"]) == [0.0, 0.0]
    assert Bm25([["a"]]).top([], 3) == []


def test_tokens_drop_diacritics_and_case_so_typed_without_accents_matches():
    assert tokens("Quên MẬT KHẨU") == tokens("quen mat khau") == ["quen", "mat", "khau", "quen_mat", "mat_khau"]
    assert tokens("Đăng ký") == ["dang", "ky", "dang_ky"]
    # Decomposed input (as some keyboards send it) gives the same tokens as precomposed
    import unicodedata

    assert tokens(unicodedata.normalize("NFD", "Thẻ bảo hiểm y tế")) == tokens("Thẻ bảo hiểm y tế")


def test_tokens_drop_function_words_and_form_bigrams_only_between_neighbouring_content_words():
    assert tokens("Tôi quên mật khẩu của tôi, làm thế nào?") == [
        "quen", "mat", "khau", "the", "quen_mat", "mat_khau",
    ]
    # No bigram across a comma or a dropped function word
    assert "khau_lam" not in tokens("mật khẩu, làm lại")
    assert "so_bhxh" not in tokens("mã số và BHXH")
    # Words whose unaccented form is also a content word are kept: cơ quan, thẻ BHYT, bảo hiểm
    assert tokens("cơ quan") == ["co", "quan", "co_quan"]
    assert tokens("thẻ BHYT")[:2] == ["the", "bhyt"]
    assert "bao_hiem" in tokens("bảo hiểm thân thể")


def test_spelled_out_insurance_names_read_as_their_abbreviations():
    assert tokens("Bảo hiểm  Xã hội một lần") == tokens("BHXH một lần") == ["bhxh", "mot", "lan", "bhxh_mot", "mot_lan"]
    assert tokens("thẻ bảo hiểm y tế")[:2] == ["the", "bhyt"]
    assert tokens("bảo hiểm thất nghiệp") == ["bhtn"]


def test_tokens_split_on_anything_that_is_not_a_letter_or_digit_and_phrases_end_at_clause_punctuation():
    # Hyphens and slashes join a phrase; clause punctuation (here ";") ends it
    assert tokens("OTP-5 phút/lần; 1900_9068") == [
        "otp", "5", "phut", "lan", "1900", "9068", "otp_5", "5_phut", "phut_lan", "1900_9068",
    ]
    assert tokens("") == []
    assert tokens("là của và") == []


def test_a_phrase_outranks_the_same_words_apart():
    docs = [tokens("mật mã của thẻ và khẩu hiệu"), tokens("quên mật khẩu đăng nhập")]
    bm25 = Bm25(docs)
    (best, _), (second, _) = bm25.top(tokens("mật khẩu"), 2)
    assert (best, second) == (1, 0)
