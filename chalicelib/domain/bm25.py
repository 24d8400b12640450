"""BM25 Okapi ranking and a Vietnamese tokenizer, in plain Python.

Why not `rank-bm25`: it imports numpy (about 30 MB unpacked), which makes the Lambda package bigger
and its cold start slower, for a corpus of a few dozen FAQ entries where a dictionary of counters
is as fast. This is the textbook formula, exactly:

    score(D, Q) = Σ_{q in Q} idf(q) · f(q, D) · (k1 + 1) / (f(q, D) + k1 · (1 − b + b · |D| / avgdl))
    idf(q)      = ln((N − n(q) + 0.5) / (n(q) + 0.5) + 1)

with k1 = 1.5, b = 0.75, N documents, n(q) of them containing q, avgdl their mean length in tokens.
The "+ 1" inside the logarithm (the Lucene form) keeps idf positive even for a term found in more than
half of the documents, so no epsilon floor is needed (rank-bm25's BM25Okapi needs one).

Tokens (`tokens`): Vietnamese is written in syllables separated by spaces, with diacritics that people
often leave out when typing ("quen mat khau" for "quên mật khẩu"). So text is NFD-decomposed, the
combining marks are dropped, "đ" becomes "d", everything is lower-cased and split on anything that is
not a letter or digit. A short list of function words is dropped (`STOP_WORDS`). "bảo hiểm xã hội",
"bảo hiểm y tế" and "bảo hiểm thất nghiệp" are read as the abbreviations people also write (BHXH, BHYT,
BHTN), so either form finds the other.

Bigrams: one Vietnamese word is often two syllables ("mật khẩu", "bảo hiểm"), so each pair of
neighbouring content syllables is also added as a token joined by "_" ("mat_khau"). A document with
the phrase then scores above one that merely has both syllables somewhere, and a query's phrases show
which of its words a document really shares. A bigram is never formed across a dropped function word
or clause punctuation (, . ; : ! ? brackets, quotes); hyphens and slashes do not break a phrase.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

K1 = 1.5
B = 0.75

# Unaccented function words. Dropping diacritics merges syllables, so a function word is only listed
# when its unaccented form is not also a common content syllable here. Left out on purpose: "co" (có =
# has, but also cơ in "cơ quan", "cơ sở"), "the" (thế in "thế nào", but also thẻ, the health-insurance
# card), "bao" (bao nhiêu, but also bảo in "bảo hiểm", "bảo mật"), "mot" (một, but "một lần" is the
# lump-sum benefit), "dang" (đang, but also đăng in "đăng ký"), "ha"/"minh" (Hà Nội, Hồ Chí Minh),
# "chu" (chủ, chữ), and time words ("khi", "sau") that carry meaning in FAQ questions.
# "khong" (không = not) changes the meaning of a sentence but not which entry answers it.
STOP_WORDS = frozenset({
    "a", "ai", "cac", "cho", "cua", "da", "de", "den", "do", "duoc", "gi", "hay", "hoac", "khong", "la",
    "lam", "nao", "nay", "nhe", "nhung", "ra", "roi", "sao", "se", "thi", "toi", "tren", "trong", "va",
    "vay", "ve", "vi", "voi",
})
_WORD = re.compile(r"[^\W_]+")
# Where a phrase ends: clause punctuation. Hyphens and slashes join ("CCCD/CMND", "COVID-19").
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»…]+")


# People write the insurance names both spelled out and abbreviated; both become the abbreviation.
_ABBREVIATIONS = (
    (re.compile(r"\bbao hiem xa hoi\b"), "bhxh"),
    (re.compile(r"\bbao hiem y te\b"), "bhyt"),
    (re.compile(r"\bbao hiem that nghiep\b"), "bhtn"),
)


def _plain(text: str) -> str:
    """Lower-case, NFD, combining marks dropped, đ → d, white space folded, the insurance names
    abbreviated: "Đăng ký Bảo hiểm Y tế" → "dang ky bhyt"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = " ".join("".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d").split())
    for pattern, abbreviation in _ABBREVIATIONS:
        plain = pattern.sub(abbreviation, plain)
    return plain


def _clauses(text: str) -> list[list[str]]:
    """Syllables (stop words kept), grouped by clause so bigrams never cross a comma or full stop."""
    return [_WORD.findall(clause) for clause in _CLAUSE_BREAK.split(_plain(text))]


def tokens(text: str) -> list[str]:
    """Content syllables, then the bigrams of neighbouring content syllables: "Tôi quên mật khẩu" →
    ["quen", "mat", "khau", "quen_mat", "mat_khau"]."""
    words: list[str] = []
    bigrams: list[str] = []
    for clause in _clauses(text):
        previous: str | None = None
        for syllable in clause:
            if syllable in STOP_WORDS:
                previous = None
                continue
            words.append(syllable)
            if previous is not None:
                bigrams.append(f"{previous}_{syllable}")
            previous = syllable
    return words + bigrams


class Bm25:
    """BM25 Okapi over tokenised documents; documents are referred to by their index."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self.k1 = k1
        self.b = b
        self.doc_count = len(docs)
        self.doc_lengths = [len(doc) for doc in docs]
        self.avgdl = sum(self.doc_lengths) / self.doc_count if self.doc_count else 0.0
        self.term_freqs = [Counter(doc) for doc in docs]
        self.doc_freqs: Counter[str] = Counter()
        for freqs in self.term_freqs:
            self.doc_freqs.update(freqs.keys())

    def idf(self, term: str) -> float:
        n = self.doc_freqs.get(term, 0)
        return math.log((self.doc_count - n + 0.5) / (n + 0.5) + 1.0)

    def scores(self, query_tokens: Sequence[str]) -> list[float]:
        """One score per document, in document order; each occurrence of a query token counts."""
        idfs = [(term, self.idf(term)) for term in query_tokens if term in self.doc_freqs]
        result = []
        for freqs, length in zip(self.term_freqs, self.doc_lengths, strict=True):
            relative_length = length / self.avgdl if self.avgdl else 1.0
            norm = self.k1 * (1.0 - self.b + self.b * relative_length)
            score = 0.0
            for term, idf in idfs:
                tf = freqs.get(term, 0)
                if tf:
                    score += idf * tf * (self.k1 + 1.0) / (tf + norm)
            result.append(score)
        return result

    def top(self, query_tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        """The `n` best (index, score) pairs, best first, ties by index; documents scoring 0 (sharing
        no token with the query) are left out."""
        ranked = sorted(
            ((index, score) for index, score in enumerate(self.scores(query_tokens)) if score > 0.0),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return ranked[:max(n, 0)]

    def max_score(self, query_tokens: Sequence[str]) -> float:
        """An upper bound of any document's score for this query: every token's term-frequency factor
        tends to (k1 + 1), so the bound is Σ idf(q) · (k1 + 1). Tokens the corpus has never seen count
        with their (highest) idf — the part of a question the corpus knows nothing about."""
        return sum(self.idf(term) for term in query_tokens) * (self.k1 + 1.0)
