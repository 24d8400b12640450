"""The support chat on its evaluation set (data/eval/chat_eval.jsonl): questions as people type them must
get the right FAQ answer, off-topic messages the hotline. Accuracy only; bench/chat_accuracy.py times it.

Every split is held to the figures last measured (docs/CHAT.md), so a change can only make them better; the
newest blind batches (`BLIND`), with their own questions left out of the examples, to the figures they had
on first sight.
"""

from __future__ import annotations

import pytest

from chalicelib.domain.faq_match import FaqIndex
from tests.support.chat_eval import (
    BLIND,
    HELD_OUT,
    SPLITS,
    Scores,
    eval_rows,
    faq_entries,
    score,
    without_examples_of,
)

# split → (least top-1, most confidently wrong). Every measured split's questions are the FAQ's `examples`,
# so these floors say the chat answers what it has learned; bench/chat_accuracy.py prints each split as if
# it had not been learned, and the blind batches (docs/CHAT.md) say what a new question gets.
TARGETS = {"tune": (0.98, 0.0), "holdout": (1.0, 0.0), "heldout2": (1.0, 0.0), "heldout3": (0.99, 0.0),
           "heldout4": (1.0, 0.0), "heldout5": (0.98, 0.0), "heldout6": (1.0, 0.0),
           "heldout7": (1.0, 0.0), "heldout8": (0.98, 0.0), "heldout9": (0.97, 0.0),
           "heldout10": (0.97, 0.0), "heldout11": (0.99, 0.0), "heldout12": (0.95, 0.0),
           "heldout13": (0.96, 0.0), "heldout14": (0.99, 0.0), "heldout15": (0.96, 0.0), "heldout16": (0.97, 0.0)}
# The blind batches with their own questions left out of the examples: what they scored on first sight
# (97 and 100 of 105 right, 1 and 0 wrong), so a change can only make them better.
BLIND_TARGETS = {"heldout15": (0.92, 0.0096), "heldout16": (0.95, 0.0)}


@pytest.fixture(scope="module")
def results() -> dict[str, Scores]:
    return score(eval_rows(), FaqIndex(faq_entries()))


def test_the_evaluation_set_is_big_enough_and_a_third_of_it_held_out(results):
    every = results["all"]
    assert every.questions >= 100 and every.off_topic >= 30
    # A blind batch is what one person writes in one sitting (75–118 questions so far), then measured once.
    assert sum(results[name].questions for name in BLIND) >= 75
    assert sum(results[name].off_topic for name in BLIND) >= 25
    assert sum(results[name].questions for name in HELD_OUT) >= 0.3 * every.questions
    assert sum(results[name].off_topic for name in HELD_OUT) >= 0.3 * every.off_topic


@pytest.mark.parametrize("split", [*SPLITS, "all"])
def test_every_off_topic_message_gets_the_hotline_not_an_faq_answer(results, split):
    scores = results[split]
    answered = [line for name in SPLITS for line in results[name].failures if " off_topic " in line]
    assert scores.off_topic_refused == scores.off_topic, "\n".join(answered)


@pytest.mark.parametrize("split", SPLITS)
def test_questions_as_people_type_them_get_the_right_answer(results, split):
    least_top1, most_wrong = TARGETS[split]
    scores = results[split]
    report = f"{split}: top-1 {scores.top1_rate:.1%}, confidently wrong {scores.wrong_rate:.1%}\n" + "\n".join(
        scores.failures)
    assert scores.top1_rate >= least_top1, report
    assert scores.wrong_rate <= most_wrong, report


@pytest.mark.parametrize("split", BLIND)
def test_the_blind_batches_keep_their_first_sight_figures_without_their_own_examples(split):
    rows = eval_rows()
    index = FaqIndex(without_examples_of(faq_entries(), rows, split))
    scores = score([row for row in rows if row["split"] == split], index)[split]
    least_top1, most_wrong = BLIND_TARGETS[split]
    report = f"{split} unlearned: top-1 {scores.top1_rate:.1%}, confidently wrong {scores.wrong_rate:.1%}\n" + \
        "\n".join(scores.failures)
    assert scores.top1_rate >= least_top1, report
    assert scores.wrong_rate <= most_wrong, report
    assert scores.off_topic_refused == scores.off_topic >= 25, report
