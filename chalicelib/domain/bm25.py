"""BM25 Okapi ranking and a Vietnamese tokenizer, in plain Python.

Why not `rank-bm25`: it imports numpy (about 30 MB unpacked), which makes the Lambda package bigger
and its cold start slower, for a corpus of a few dozen FAQ entries where a dictionary of counters
is as fast. This is the textbook formula, exactly:

    score(D, Q) = Σ_{q in Q} idf(q) · f(q, D) · (k1 + 1) / (f(q, D) + k1 · (1 − b + b · |D| / avgdl))
    idf(q)      = ln((N − n(q) + 0.5) / (n(q) + 0.5) + 1)

with k1 = 1.5, b = 0.75, N documents, n(q) of them containing q, avgdl their mean length in tokens.
The "+ 1" inside the logarithm (the Lucene form) keeps idf positive even for a term found in more than
half of the documents, so no epsilon floor is needed (rank-bm25's BM25Okapi needs one).

Documents and queries are lists of tokens; how Vietnamese text becomes tokens (diacritics, abbreviations,
two-syllable phrases) is `vi_typing.tokens`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

K1 = 1.5
B = 0.75


class Bm25:
    """BM25 Okapi over tokenised documents; documents are referred to by their index."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self.k1 = k1
        self.b = b
        self.doc_count = len(docs)
        self.doc_lengths = [len(doc) for doc in docs]
        self.avgdl = sum(self.doc_lengths) / self.doc_count if self.doc_count else 0.0
        term_freqs = [Counter(doc) for doc in docs]
        self.doc_freqs: Counter[str] = Counter()
        for freqs in term_freqs:
            self.doc_freqs.update(freqs.keys())
        # Per term, the documents that have it with their term-frequency factor, so a query only visits
        # the documents it shares a term with.
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for index, (freqs, length) in enumerate(zip(term_freqs, self.doc_lengths, strict=True)):
            relative_length = length / self.avgdl if self.avgdl else 1.0
            norm = self.k1 * (1.0 - self.b + self.b * relative_length)
            for term, tf in freqs.items():
                self._postings.setdefault(term, []).append((index, tf * (self.k1 + 1.0) / (tf + norm)))
        self._idf = {term: self.idf(term) for term in self.doc_freqs}

    def idf(self, term: str) -> float:
        n = self.doc_freqs.get(term, 0)
        return math.log((self.doc_count - n + 0.5) / (n + 0.5) + 1.0)

    def scores(self, query_tokens: Sequence[str]) -> list[float]:
        """One score per document, in document order; each occurrence of a query token counts."""
        result = [0.0] * self.doc_count
        for term in query_tokens:
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, factor in self._postings[term]:
                result[index] += idf * factor
        return result

    def top(self, query_tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        """The `n` best (index, score) pairs, best first, ties by index; documents scoring 0 (sharing
        no token with the query) are left out."""
        ranked = sorted(
            ((index, score) for index, score in enumerate(self.scores(query_tokens)) if score > 0.0),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return ranked[:max(n, 0)]
