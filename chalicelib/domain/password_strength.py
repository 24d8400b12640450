"""How guessable a new password is: zxcvbn's estimate (Dropbox's, the maintained Python port `zxcvbn`),
told the citizen's own words so a password built from them counts as guessable.

zxcvbn finds in the password what attackers try first — words and common passwords of its lists,
repeats ("aaaa", "abcabc"), sequences ("abcd", "9876"), keyboard walks ("qwerty", "zxcvbn", "1qaz2wsx"),
dates, and the context words given to it (name, birth date, phone) — and estimates how many guesses the
cheapest combination needs; `score` 0–4 is that number on a log scale (2: at least about 10^6, 3: 10^8,
4: 10^10). NIST SP 800-63B asks exactly this of a verifier — refuse dictionary words, repetitive or
sequential characters and context-specific words — without composition rules.

Two bounds keep one estimate under about 60 ms on a Lambda vCPU whatever is typed (unbounded, 40 crafted
characters took 4 s: zxcvbn tries every way of reading "1|!7$@…" as letters, and a repeat is estimated
again inside itself): only the first `ESTIMATED_CHARACTERS` characters are estimated (a password that
starts with 32 guessable characters is refused whatever follows — rare, and the reason says why), and the
l33t reading ("p@ssw0rd" = "password") considers at most 5 substituted letters and 16 readings.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ESTIMATED_CHARACTERS = 32
_L33T_LETTERS = 5
_L33T_READINGS = 16
# zxcvbn keeps the context words in a module-level dictionary for the length of one estimate: one at a time.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Strength:
    score: int  # 0–4
    guesses_log10: float
    pattern: str | None  # what made it guessable: repeat, sequence, spatial, date, dictionary, context; or None
    context: str | None  # for "context": which of the citizen's words (name, birth date, phone, number)


def _fold(text: str) -> str:
    """Without diacritics, lower case: "Nguyễn" → "nguyen", "Đức" → "duc"."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "d").lower()


def context_words(*, full_name: str | None = None, date_of_birth: str | None = None, phone: str | None = None,
                  number: str | None = None) -> dict[str, str]:
    """Each word an attacker who knows the citizen would try first → which fact it comes from.

    The name as words, with and without diacritics, and joined in the orders people use ("nguyenvanan",
    "vanan", "annguyen"); the birth date as year and as ddmmyyyy, ddmmyy, yyyymmdd; the phone number in its
    national and international forms; the social-insurance number."""
    words: dict[str, str] = {}

    def add(kind: str, *values: str) -> None:
        for value in values:
            if value and value.lower() not in words:
                words[value.lower()] = kind

    if full_name:
        parts = [part for part in unicodedata.normalize("NFC", full_name).split() if part]
        folded = [_fold(part) for part in parts]
        add("name", "".join(folded), "".join(folded[1:]), "".join(folded[-2:]), folded[-1] + folded[0],
            "".join(p.lower() for p in parts))
        add("name", *folded, *(part.lower() for part in parts))
    if date_of_birth and len(date_of_birth) == 10:
        year, month, day = date_of_birth[:4], date_of_birth[5:7], date_of_birth[8:10]
        add("birth", f"{day}{month}{year}", f"{day}{month}{year[2:]}", f"{year}{month}{day}", year)
    if phone:
        digits = "".join(ch for ch in phone if ch.isdigit())
        national = "0" + digits[2:] if digits.startswith("84") else digits
        add("phone", national, national[1:], digits)
    if number:
        add("number", number)
    return words


@lru_cache(maxsize=1)
def _estimator() -> Any:
    """zxcvbn, imported when a password is first judged (about 0.25 s and 12 MB), with the two bounds."""
    from zxcvbn import matching, zxcvbn

    relevant, readings = matching.relevant_l33t_subtable, matching.enumerate_l33t_subs
    matching.relevant_l33t_subtable = lambda password, table: dict(
        list(relevant(password, table).items())[:_L33T_LETTERS])
    matching.enumerate_l33t_subs = lambda table: readings(table)[:_L33T_READINGS]
    return zxcvbn


def without_context(password: str, context: dict[str, str]) -> tuple[str, list[str]]:
    """The password (folded: lower case, no diacritics, no spaces) with every context word of 3 or more
    letters taken out, longest first, and which kinds of fact were taken out ("name", "birth", …).

    zxcvbn charges every extra piece of a password a growth factor, so "VanAn1985!" (name, birth year, a
    sign) or "Hường 2026!" scores like a random word; what is left once the citizen's own details (and the
    spaces between them) are taken out — "!", "2026!" — must be strong enough by itself."""
    remainder = "".join(_fold(password).split())
    found: list[str] = []
    for word in sorted({_fold(w) for w in context if len(_fold(w)) >= 3}, key=len, reverse=True):
        if word in remainder:
            remainder = remainder.replace(word, "")
            kind = next(context[w] for w in context if _fold(w) == word)
            if kind not in found:
                found.append(kind)
    return remainder, found


def estimate(password: str, context: dict[str, str] | None = None) -> Strength:
    """zxcvbn's estimate of `password` (its first ESTIMATED_CHARACTERS characters), with `context` words
    (from `context_words`) counted as the first guesses."""
    context = context or {}
    if not password:  # nothing left once the context is taken out (zxcvbn itself fails on "")
        return Strength(score=0, guesses_log10=0.0, pattern=None, context=None)
    zxcvbn = _estimator()
    with _LOCK:
        result = zxcvbn(password[:ESTIMATED_CHARACTERS], user_inputs=list(context),
                        max_length=ESTIMATED_CHARACTERS)
    pattern, which, widest = None, None, 0
    for match in result["sequence"]:
        kind = match.get("pattern")
        if kind == "bruteforce":
            continue
        width = match["j"] - match["i"] + 1
        if width > widest:
            widest, pattern, which = width, kind, None
            if kind == "dictionary" and match.get("dictionary_name") == "user_inputs":
                pattern, which = "context", context.get(match.get("matched_word", ""))
    return Strength(score=int(result["score"]), guesses_log10=float(result["guesses_log10"]), pattern=pattern,
                    context=which)
