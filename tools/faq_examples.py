"""Copy the measured questions of the chat's evaluation set into the FAQ as `examples`.

A blind batch of data/eval/chat_eval.jsonl is measured once (docs/CHAT.md); from then on its questions are
what they are: real ways of asking, each labelled with the entry that answers it. This puts every such
question into data/reference/faq.jsonl as an `example` of its first expected entry, so the chat learns
from them (`faq_match`). Questions of a batch not yet measured (not yet in `SPLITS`) are never copied;
off-topic and unanswerable messages neither (they have no entry).

    .venv/bin/python tools/faq_examples.py           # rewrite the examples in faq.jsonl
    .venv/bin/python tools/faq_examples.py --check   # exit 1 if faq.jsonl differs (the tests do this)

Two questions that read the same (`vi_typing.tokens`) are kept once, the first in the file
(`tests.support.chat_eval.measured_examples`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.chat_eval import EVAL, FAQ, SPLITS, measured_examples  # noqa: E402


def faq_lines(faq_rows: list[dict], examples: dict[str, list[str]]) -> list[str]:
    lines = []
    for row in faq_rows:
        row = {key: value for key, value in row.items() if key != "examples"}
        if examples.get(row["faq_id"]):
            row["examples"] = examples[row["faq_id"]]
        lines.append(json.dumps(row, ensure_ascii=False))
    return lines


def expected_faq_text() -> str:
    """faq.jsonl as it should read: every row as it is, its `examples` those of the measured batches."""
    eval_rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    faq_rows = [json.loads(line) for line in FAQ.read_text(encoding="utf-8").splitlines() if line.strip()]
    return "\n".join(faq_lines(faq_rows, measured_examples(eval_rows, SPLITS))) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether faq.jsonl is up to date")
    args = parser.parse_args(argv)
    text = expected_faq_text()
    if args.check:
        up_to_date = FAQ.read_text(encoding="utf-8") == text
        print("faq.jsonl examples are up to date" if up_to_date else "faq.jsonl examples are out of date")
        return 0 if up_to_date else 1
    FAQ.write_text(text, encoding="utf-8")
    print(f"wrote {FAQ}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
