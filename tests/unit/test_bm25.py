"""BM25 Okapi against a hand-computed example, and ranking (the Vietnamese tokenizer: test_vi_typing)."""

from __future__ import annotations

import math

import pytest

from chalicelib.domain.bm25 import Bm25
from chalicelib.domain.vi_typing import tokens


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


def test_empty_corpus_and_empty_query():
    assert Bm25([]).scores(["a"]) == []
    assert Bm25([[], []]).scores(["a"]) == [0.0, 0.0]
    assert Bm25([["a"]]).top([], 3) == []


def test_a_phrase_outranks_the_same_words_apart():
    docs = [tokens("mật mã của thẻ và khẩu hiệu"), tokens("quên mật khẩu đăng nhập")]
    bm25 = Bm25(docs)
    (best, _), (second, _) = bm25.top(tokens("mật khẩu"), 2)
    assert (best, second) == (1, 0)
