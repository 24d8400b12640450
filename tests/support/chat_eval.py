"""The support chat's evaluation set (data/eval/chat_eval.jsonl) and how a run of it is scored; used by
tests/unit/test_chat_accuracy.py and bench/chat_accuracy.py.

Each line: `id`, `message` (as people type it), `kind`, `expected` (FAQ ids that answer it), `split`.
- kind `faq`: a question the FAQ answers; `expected` lists every entry that answers it.
- kind `off_topic`: weather, football, loans, jokes, other apps, insults, prompt injection…: must be refused.
- kind `unanswerable`: about BHXH/BHYT, but no entry answers it: should be refused (reported, no target).
- split `tune` (written to choose phrasings, synonyms and thresholds), `holdout` (held out of the first
  batches), then `heldout2` … `heldout14`: batches written blind from the FAQ answers by a second
  person, each committed before the round it measures (docs/CHAT.md says which were tuned on since).
  A batch is scored only once it is in `SPLITS`; from then on its questions are the FAQ's `examples`.

Scores, per split, of the chat's decision (`FaqIndex.match`):
- top-1: answered, with an expected entry (what the person reads is right);
- ranked first / top-3: an expected entry is first / among the first three, answered or not;
- confidently wrong: answered with an entry that is not expected;
- refused: the hotline answer instead (for `faq` questions a miss, not an error).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.domain.directory_rows import validate_directory_row
from chalicelib.domain.faq_match import FaqIndex, Match
from chalicelib.domain.vi_typing import tokens

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "data" / "eval" / "chat_eval.jsonl"
FAQ = ROOT / "data" / "reference" / "faq.jsonl"
SPLITS = ("tune", "holdout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7",
          "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14",
          "heldout15", "heldout16")
# Written as held-out batches: no phrasing may copy one of their questions (tests/unit/test_faq_data.py).
HELD_OUT = ("holdout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8",
            "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14", "heldout15", "heldout16")
# The newest batches, measured once on first sight (docs/CHAT.md): the honest estimate of what a new question
# gets. Once measured, a batch's questions are the FAQ's `examples` like every scored split's
# (tools/faq_examples.py); the tests hold these to their blind figures with their own examples left out.
BLIND: tuple[str, ...] = ("heldout15", "heldout16")


def faq_entries() -> list[dict[str, Any]]:
    """The FAQ rows as the directory loader stores them (validated, then their `fields`)."""
    rows = [json.loads(line) for line in FAQ.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [validate_directory_row("FAQ", row, set()).fields for row in rows]


def eval_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def measured_examples(rows: Iterable[dict[str, Any]], read_splits: Collection[str]) -> dict[str, list[str]]:
    """Per FAQ id, the questions of `read_splits` it is the first expected answer of, in file order; two
    that read the same (`vi_typing.tokens`) once. What tools/faq_examples.py writes as `examples`."""
    examples: dict[str, list[str]] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for row in rows:
        if row["split"] not in read_splits or row["kind"] != "faq" or not row["expected"]:
            continue
        reading = (row["expected"][0], tuple(tokens(row["message"])))
        if reading not in seen:
            seen.add(reading)
            examples.setdefault(reading[0], []).append(row["message"])
    return examples


def without_examples_of(entries: list[dict[str, Any]], rows: Iterable[dict[str, Any]],
                        split: str) -> list[dict[str, Any]]:
    """The entries as if `split` had not been read: their examples from every other measured split."""
    learned = measured_examples(rows, set(SPLITS) - {split})
    return [{**entry, "examples": learned.get(entry["faq_id"], [])} for entry in entries]


@dataclass
class Scores:
    questions: int = 0
    top1: int = 0
    ranked_first: int = 0
    top3: int = 0
    wrong: int = 0
    off_topic: int = 0
    off_topic_refused: int = 0
    unanswerable: int = 0
    unanswerable_refused: int = 0
    failures: list[str] = field(default_factory=list)

    def rate(self, count: int, of: int) -> float:
        return count / of if of else 1.0

    @property
    def top1_rate(self) -> float:
        return self.rate(self.top1, self.questions)

    @property
    def wrong_rate(self) -> float:
        return self.rate(self.wrong, self.questions)

    @property
    def off_topic_refusal_rate(self) -> float:
        return self.rate(self.off_topic_refused, self.off_topic)


def score(rows: Iterable[dict[str, Any]], index: FaqIndex,
          match: Callable[[str], Match] | None = None) -> dict[str, Scores]:
    """Scores per split and for "all"; `match` defaults to `index.match`."""
    decide = match or index.match
    result = {name: Scores() for name in (*SPLITS, "all")}
    for row in rows:
        if row["split"] not in SPLITS:
            continue  # a blind batch committed before it is scored (docs/CHAT.md)
        outcome = decide(row["message"])
        ids = [index.entries[i].get("faq_id") for i, _ in outcome.ranked]
        answered = ids[0] if outcome.answered and ids else None
        for scores in (result[row["split"]], result["all"]):
            if row["kind"] == "faq":
                scores.questions += 1
                scores.top1 += answered in row["expected"]
                scores.ranked_first += bool(ids) and ids[0] in row["expected"]
                scores.top3 += any(i in row["expected"] for i in ids[:3])
                scores.wrong += answered is not None and answered not in row["expected"]
            else:
                refused = answered is None
                setattr(scores, row["kind"], getattr(scores, row["kind"]) + 1)
                setattr(scores, f"{row['kind']}_refused", getattr(scores, f"{row['kind']}_refused") + refused)
        if (row["kind"] == "faq" and answered not in row["expected"]) or (row["kind"] != "faq" and answered):
            what = "refused" if answered is None else f"answered {answered}"
            result[row["split"]].failures.append(
                f"{row['id']} {row['kind']} {what} ({outcome.reason}), expected {row['expected'] or 'refusal'}: "
                f"{row['message']}")
    return result
