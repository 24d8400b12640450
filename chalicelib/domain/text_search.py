"""Vietnamese-insensitive name search: what a word prefix index stores and how a query matches.

`normalise("BHXH quận Hoàn Kiếm") == "bhxh quan hoan kiem"`: diacritics dropped (NFD, combining marks
removed, đ/Đ → d), lower case, every run of anything that is not a letter or digit read as one space.
So "Nguyen Van An", "nguyễn  văn-an" and "NGUYỄN VĂN AN" are the same text.

A name is indexed under every prefix of 2 or more characters of each of its words (a word's prefixes stop
at 20 characters), plus codes such as a tax code (all digits, and every prefix of 4 or more). A query
matches a name when each of its words begins some word of the name: "bach mai" and "b v bach" both
match "Bệnh viện Bạch Mai".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_PREFIX = 2  # one-letter prefixes would put most names under every letter
MAX_PREFIX = 20  # longer query words are looked up by their first 20 characters, then checked in full
MIN_CODE_PREFIX = 4

_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, without diacritics, words separated by single spaces, trimmed."""
    decomposed = unicodedata.normalize("NFD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "d").lower()
    return _NOT_ALNUM.sub(" ", bare).strip()


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order (repeats kept)."""
    return normalise(text).split()


def compact_code(code: str) -> str:
    """A code as one normalised token: "0101234567-001" → "0101234567001"."""
    return normalise(code).replace(" ", "")


def index_terms(name: str, extra_codes: Iterable[str] = ()) -> set[str]:
    """Every term under which the item must be found: word prefixes of the name and code prefixes."""
    terms: set[str] = set()
    for word in words(name):
        for length in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1):
            terms.add(word[:length])
    for code in extra_codes:
        compact = compact_code(code)
        if not compact:
            continue
        terms.add(compact)
        for length in range(MIN_CODE_PREFIX, len(compact)):
            terms.add(compact[:length])
    return terms


def lookup_word(query: str) -> str | None:
    """The query word to look up in the index: the longest (the most selective), cut to MAX_PREFIX;
    None when no word has MIN_PREFIX characters."""
    candidates = [w for w in words(query) if len(w) >= MIN_PREFIX]
    if not candidates:
        return None
    return max(candidates, key=len)[:MAX_PREFIX]


def matches(query: str, name_norm: str) -> bool:
    """Whether every word of `query` is a prefix of some word of the (normalised) name."""
    name_words = normalise(name_norm).split()
    return all(any(word.startswith(q) for word in name_words) for q in words(query))


def matches_any(query: str, texts: str) -> bool:
    """Whether `query` matches one of `texts` (normalised texts, one a line: a name and its aliases) as a
    whole: "quan hoan kiem" matches "bhxh co so hoan kiem\nbhxh quan hoan kiem" by its second line."""
    return any(matches(query, text) for text in texts.split("\n"))
