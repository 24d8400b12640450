"""Which FAQ entry answers a chat message, and whether it answers it well enough to say so (no AWS).

Both the FAQ and a message are read by `vi_typing.tokens`: without diacritics, abbreviations and teen
spelling in one written form, function words dropped, each syllable plus each two-syllable phrase
("mat_khau"). A message word the FAQ does not know is repaired when a repair is a known word
(`vi_typing.correct`: "khua" → "khau", "huuu" → "huu").

Ranking, per entry, the sum of:

- *evidence*: BM25 (`bm25.Bm25`) of the entry's keys — its question (counted `QUESTION_WEIGHT` times),
  its `phrasings` (other ways people ask it: "quên pass", "lấy lại mật khẩu") and its tags — plus
  `ANSWER_WEIGHT` × BM25 of its answer (which holds the words of follow-up questions, "hết hạn",
  "5 phút", but also many incidental ones, so it only tips a balance);
- `CLOSEST_WEIGHT` × how close the closest single way of asking is to the message (an idf-weighted Dice
  coefficient of the two token sets): a message worded like one phrasing goes to that phrasing's entry
  even when a neighbour shares more common words ("xem tiền đã nhận" → where benefits are shown, not
  the benefit itself).

An entry's `examples` — questions people asked, once measured (`tools/faq_examples.py`) — are keys and
ways of asking like its phrasings; for what the entry *covers* a word of theirs counts only when
`MIN_EXAMPLES_TO_COVER` of them have it, and spelling repair and `other_subject` go by the FAQ's own text.

Answering: the best entry answers only when all of these hold; `Match.reason` names the first that
failed, in this order:

- `other_subject`: the message names no other app, company or subject that no entry mentions
  (`vi_typing.OTHER_SUBJECTS`: "quên mật khẩu Zalo" is about Zalo, not VssID);
- `weak`: its evidence reaches `MIN_SCORE`, about one distinctive word matched in the keys;
- `uncovered`: it covers at least `MIN_COVERAGE` of the message's weight (each distinct word weighs its
  idf; a word no entry has weighs as much as the rarest possible; covered = found in its keys or
  answer; a word that says when, how sure or for whom — "giờ", "lỡ", "bà", a number — counts only where
  the entry has it: `vi_typing.coverage_neutral`). An off-topic message shares a syllable or two with the
  FAQ ("giá" in "tham gia", "bao nhiêu"), rarely most of its weight. A long message that rambles is let
  through when the entry has two of its phrases and words weighing `MIN_EVIDENCE` in all;
- `no_phrase`: when the message has two-syllable phrases, the entry has at least one of them (without
  diacritics single syllables collide: "tỷ giá" shares "ty" with "công ty" and "gia" with "tham gia");
  and without a shared phrase, the entry has one of its words weighing `MIN_DISTINCT_WORD` (common words
  alone — "bạn là người hay máy" — are no evidence);
- `ambiguous`: the second entry scores at most `MAX_RUNNER_UP` of the best — two entries that fit about
  equally well make a guess, and a guess gets the hotline — unless the message is nearly word for word
  one of the best entry's ways of asking (`CLOSE_MATCH`) and clearly closer to it than to any other
  entry's (`CLOSE_MATCH_LEAD`), or the best entry has words of the message that the runner-up lacks,
  weighing (idf) `DISTINCT_LEAD` more than the runner-up's own such words — more than one distinctive
  word. Near neighbours share most of their words ("hồ sơ", "đăng ký", "mật khẩu"); what tells them
  apart is the word only one of them has ("hết hạn", "khởi tạo", "thất nghiệp"). The same rule works the
  other way: when the two score within `MAX_RUNNER_UP` and it is the second that has those words, the second
  is taken as the best before any check (`_distinct_first`).

The weights and thresholds were chosen on the parts of data/eval/chat_eval.jsonl read so far; the newest
blind batch measures how that generalises (docs/CHAT.md, bench/chat_accuracy.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.domain import vi_typing
from chalicelib.domain.bm25 import Bm25

QUESTION_WEIGHT = 2
ANSWER_WEIGHT = 0.3
CLOSEST_WEIGHT = 20.0
MIN_SCORE = 5.0
MIN_COVERAGE = 0.5
MIN_EVIDENCE = 12.0
# ... and a message that shares no phrase with the entry shares at least one word this distinctive (idf; "bạn",
# "người", "tiền" weigh 0.9–1.3, "otp" 1.8)
MIN_DISTINCT_WORD = 1.5
MAX_RUNNER_UP = 0.93
# ... unless the message is nearly word for word one of the best entry's ways of asking, clearly more
# than any other entry's.
CLOSE_MATCH = 0.8
CLOSE_MATCH_LEAD = 0.1
# ... or the best entry has distinctive words of the message weighing this much more than the runner-up's
# (an idf is 0.1 for a word in every entry, about 4.4 for a word in none). With 8–12 phrasings an entry,
# MAX_RUNNER_UP 0.9 / DISTINCT_LEAD 6 were chosen on the first 300 questions; with 16–32 an entry they were
# chosen again on the questions read so far (0.93 / 10; docs/CHAT.md).
DISTINCT_LEAD = 10.0
# A word of the entry's examples covers a message (`coverage`) only when at least this many examples have
# it: what recurs is how people ask about the entry; what one person's story mentions is not.
MIN_EXAMPLES_TO_COVER = 2


@lru_cache(maxsize=8192)
def text_tokens(text: str) -> tuple[str, ...]:
    """Syllables then bigrams of `text`, in written form, without spelling repair (how FAQ text is read).
    Remembered: the FAQ read again after five minutes, or with one entry edited, is mostly the same texts."""
    return tuple(vi_typing.tokens(text))


@dataclass(frozen=True)
class Match:
    ranked: list[tuple[int, float]]  # (entry index, score), best first; entries scoring 0 left out
    answered: bool
    reason: str  # "answered", or the first condition that failed (see the module docstring)
    coverage: float

    @property
    def best(self) -> int | None:
        return self.ranked[0][0] if self.ranked else None


class FaqIndex:
    """The FAQ entries ready to be matched; build once, match many times."""

    def __init__(self, entries: Sequence[dict[str, Any]]) -> None:
        self.entries = list(entries)
        keys, answers, written, learned, ways = [], [], [], [], []
        for entry in self.entries:
            question = text_tokens(str(entry.get("question") or ""))
            phrasings = [text_tokens(str(text)) for text in entry.get("phrasings") or []]
            tags = [text_tokens(str(text)) for text in entry.get("tags") or []]
            examples = [text_tokens(str(text)) for text in entry.get("examples") or []]
            own_keys = list(question) * QUESTION_WEIGHT + [token for text in phrasings + tags for token in text]
            written.append(frozenset(own_keys))
            in_examples = Counter(token for example in examples for token in set(example))
            learned.append(frozenset(t for t, n in in_examples.items() if n >= MIN_EXAMPLES_TO_COVER))
            keys.append(own_keys + [token for example in examples for token in example])
            answers.append(text_tokens(str(entry.get("answer") or "")))
            ways.append([question, *phrasings, *examples])
        self.keys = Bm25(keys)
        self.answers = Bm25(answers)
        own = [w | frozenset(a) for w, a in zip(written, answers, strict=True)]
        self.covered = [o | x for o, x in zip(own, learned, strict=True)]
        # Spelling repair and "another subject" go by the FAQ's own text only: examples are as people type,
        # misspellings and other subjects included ("sim Viettel" in an OTP question).
        words: Counter[str] = Counter()
        for text in own:
            words.update(token for token in text if "_" not in token)
        self.vocabulary = frozenset(words)
        self.own_tokens = frozenset().union(*own)
        self._popularity = words
        self._unseen_idf = self.keys.idf("")  # an idf for a word in no entry (the highest there is)
        self._idf = {token: self.keys.idf(token) for token in frozenset().union(*map(frozenset, keys), *answers)}
        # Each way of asking on its own (question, phrasings, examples), for `closest`: its entry, its weight,
        # and which of them have each token.
        self._sentence_entry: list[int] = []
        self._sentence_weight: list[float] = []
        self._sentences_with: dict[str, list[int]] = {}
        for i, entry_ways in enumerate(ways):
            for way in entry_ways:
                sentence = frozenset(way)
                for token in sentence:
                    self._sentences_with.setdefault(token, []).append(len(self._sentence_entry))
                self._sentence_entry.append(i)
                self._sentence_weight.append(sum(self._weight(token) for token in sentence))

    def _known(self, word: str) -> str | None:
        return vi_typing.correct(word, self.vocabulary, lambda w: self._popularity.get(w, 0))

    def message_tokens(self, message: str) -> list[str]:
        """Syllables then bigrams of a message, misspelt words repaired where a repair is known."""
        return vi_typing.tokens(message, self._known)

    def _weight(self, token: str) -> float:
        return self._idf.get(token, self._unseen_idf)

    def closest(self, tokens: Sequence[str]) -> list[float]:
        """Per entry, how close its closest way of asking is to the message: the Dice coefficient of the
        two token sets, each token weighing its idf (1 = the same words)."""
        message = frozenset(tokens)
        message_weight = sum(self._weight(t) for t in message)
        shared: dict[int, float] = {}
        for token in message:
            weight = self._weight(token)
            for sentence in self._sentences_with.get(token, ()):
                shared[sentence] = shared.get(sentence, 0.0) + weight
        best = [0.0] * len(self.entries)
        for sentence, weight in shared.items():
            dice = 2 * weight / (message_weight + self._sentence_weight[sentence])
            entry = self._sentence_entry[sentence]
            if dice > best[entry]:
                best[entry] = dice
        return best

    def evidence(self, tokens: Sequence[str]) -> list[float]:
        """Per entry, BM25 of the keys plus ANSWER_WEIGHT × BM25 of the answer."""
        return [k + ANSWER_WEIGHT * a
                for k, a in zip(self.keys.scores(tokens), self.answers.scores(tokens), strict=True)]

    def scores(self, tokens: Sequence[str]) -> list[float]:
        """The ranking score: `evidence` plus CLOSEST_WEIGHT × `closest` (0 where there is no evidence)."""
        return [e + CLOSEST_WEIGHT * c if e > 0.0 else 0.0
                for e, c in zip(self.evidence(tokens), self.closest(tokens), strict=True)]

    def rank(self, tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        return _ranked(self.scores(tokens), n)

    def coverage(self, tokens: Sequence[str], entry: int) -> float:
        """The share of the message's weight (idf of each distinct word) found in the entry; a word that
        is `vi_typing.coverage_neutral` counts only where the entry has it."""
        covered = self.covered[entry]
        words = {token for token in tokens if "_" not in token
                 and (token in covered or not vi_typing.coverage_neutral(token))}
        weight = {w: self._weight(w) for w in words}
        total = sum(weight.values())
        return sum(v for w, v in weight.items() if w in covered) / total if total else 0.0

    def _long_and_clear(self, tokens: Sequence[str], entry: int) -> bool:
        """A long message covered only in part, but with much evidence: the entry has words of the message
        weighing MIN_EVIDENCE (idf) and two of its phrases."""
        words = {token for token in tokens if "_" not in token and token in self.covered[entry]}
        phrases = {token for token in tokens if "_" in token and token in self.covered[entry]}
        return len(phrases) >= 2 and sum(self._weight(w) for w in words) >= MIN_EVIDENCE

    def _word_for_word(self, closest: Sequence[float], entry: int) -> bool:
        others = max((c for i, c in enumerate(closest) if i != entry), default=0.0)
        return closest[entry] >= CLOSE_MATCH and closest[entry] - others >= CLOSE_MATCH_LEAD

    def distinct_lead(self, tokens: Sequence[str], entry: int, other: int) -> float:
        """How much more the message's words found only in `entry` weigh (idf) than those found only in
        `other` (each word and two-word phrase counted once)."""
        lead = 0.0
        for token in set(tokens):
            mine, theirs = token in self.covered[entry], token in self.covered[other]
            if mine != theirs:
                lead += self._weight(token) if mine else -self._weight(token)
        return lead

    def shares_a_phrase(self, tokens: Sequence[str], entry: int) -> bool:
        """Whether the entry has one of the message's two-word phrases (true for a message without any)."""
        phrases = [token for token in tokens if "_" in token]
        return not phrases or any(phrase in self.covered[entry] for phrase in phrases)

    def _phrase_or_distinct_word(self, tokens: Sequence[str], entry: int) -> bool:
        """`shares_a_phrase`, and when the entry has none of the message's phrases (it may have none), one of
        the message's words that the entry has weighs MIN_DISTINCT_WORD: "bạn … người" alone is no evidence."""
        if not self.shares_a_phrase(tokens, entry):
            return False
        covered = self.covered[entry]
        return any(token in covered and ("_" in token or self._weight(token) >= MIN_DISTINCT_WORD)
                   for token in tokens)

    def names_other_subject(self, tokens: Sequence[str]) -> bool:
        """Whether the message names another app, company or subject that no entry mentions."""
        return any(token in vi_typing.OTHER_SUBJECTS and token not in self.own_tokens for token in tokens)

    def _distinct_first(self, tokens: Sequence[str], ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The ranking with the first two swapped when they score about the same (within MAX_RUNNER_UP) and
        the second has the message's distinctive words (DISTINCT_LEAD more than the first): a near tie in
        score is settled by the words only one of the two has, whichever of the two that is. Only when the
        second covers MIN_COVERAGE of the message: a long message piles up distinctive words for whatever its
        story mentions ("I changed phones, then no OTP came" is about the OTP, not the phone)."""
        if len(ranked) < 2 or ranked[1][1] <= MAX_RUNNER_UP * ranked[0][1]:
            return ranked
        if self.coverage(tokens, ranked[1][0]) < MIN_COVERAGE:
            return ranked
        if self.distinct_lead(tokens, ranked[1][0], ranked[0][0]) < DISTINCT_LEAD:
            return ranked
        return [ranked[1], ranked[0], *ranked[2:]]

    def match(self, message: str, n: int = 3) -> Match:
        """The `n` best entries for `message` and whether the best one answers it (module docstring)."""
        tokens = self.message_tokens(message)
        evidence = self.evidence(tokens)
        closest = self.closest(tokens)
        ranked = _ranked([e + CLOSEST_WEIGHT * c if e > 0.0 else 0.0
                          for e, c in zip(evidence, closest, strict=True)], max(n, 2))
        if not ranked:
            return Match([], False, "weak", 0.0)
        ranked = self._distinct_first(tokens, ranked)
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        coverage = self.coverage(tokens, best)
        if self.names_other_subject(tokens):
            reason = "other_subject"
        elif evidence[best] < MIN_SCORE:
            reason = "weak"
        elif coverage < MIN_COVERAGE and not self._long_and_clear(tokens, best):
            reason = "uncovered"
        elif not self._phrase_or_distinct_word(tokens, best):
            reason = "no_phrase"
        elif (runner_up > MAX_RUNNER_UP * score and not self._word_for_word(closest, best)
              and self.distinct_lead(tokens, best, ranked[1][0]) < DISTINCT_LEAD):
            reason = "ambiguous"
        else:
            reason = "answered"
        return Match(ranked[:n], reason == "answered", reason, coverage)


def _ranked(scores: Sequence[float], n: int) -> list[tuple[int, float]]:
    """The `n` best (index, score), best first, ties by index, zero scores left out."""
    ranked = sorted(((i, s) for i, s in enumerate(scores) if s > 0.0), key=lambda pair: (-pair[1], pair[0]))
    return ranked[:max(n, 0)]
