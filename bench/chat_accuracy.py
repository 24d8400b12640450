"""Support chat: how often it answers right, how often confidently wrong, off-topic refusals, warm latency
per answer and the memory of its index.

    .venv/bin/python bench/chat_accuracy.py [--rounds 5] [--failures [--split tune]] [--accuracy-only]

Accuracy: every message of data/eval/chat_eval.jsonl through `FaqIndex.match` (the chat's decision),
built from data/reference/faq.jsonl as the directory loader stores it, scored per split (tests/support/
chat_eval.py says how). `--failures` lists every miss, wrong answer and off-topic message answered.

Leave one out: every measured split's questions are the FAQ's `examples`, so its figure above says only that
the chat answers what it has learned. Each is scored again with an index that learned every other measured
split but not this one — how a question nobody asked before fares (the thresholds and reading rules were
still tuned on it; the blind batches are the clean measure).

Latency: the same messages through the chat service (`faq_chat.chat`, what POST /v1/support/chat runs
after parsing) on an in-process moto backend with the FAQ loaded: the first call Queries the FAQ list and
builds the index (once per container every 5 minutes), every later one answers from memory — the warm
figure, p50 / p95 / max over `--rounds` passes. Memory: what building the index allocates (tracemalloc),
and the process's peak RSS for scale against the Lambda's 512 MB (dev) / 1024 MB (prod).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

from _support import backend, prepare_environment, write_result

prepare_environment()

from chalicelib.domain.faq_match import FaqIndex  # noqa: E402
from tests.support.chat_eval import (  # noqa: E402
    FAQ,
    SPLITS,
    eval_rows,
    faq_entries,
    score,
    without_examples_of,
)

ROOT = Path(__file__).resolve().parent.parent


def accuracy(show_failures: bool, failure_splits: tuple[str, ...] = SPLITS) -> dict[str, dict[str, float | int]]:
    index = FaqIndex(faq_entries())
    results = score(eval_rows(), index)
    print(f"{'split':8s} {'questions':>9s} {'top-1':>7s} {'ranked 1st':>10s} {'top-3':>7s} {'conf. wrong':>11s} "
          f"{'off-topic refused':>18s} {'unanswerable refused':>21s}")
    figures = {}
    for name in (*SPLITS, "all"):
        s = results[name]
        unanswerable_rate = s.rate(s.unanswerable_refused, s.unanswerable)
        figures[name] = {
            "questions": s.questions, "top1": round(s.top1_rate, 4),
            "ranked_first": round(s.rate(s.ranked_first, s.questions), 4),
            "top3": round(s.rate(s.top3, s.questions), 4), "confidently_wrong": round(s.wrong_rate, 4),
            "off_topic": s.off_topic, "off_topic_refused": round(s.off_topic_refusal_rate, 4),
            "unanswerable": s.unanswerable,
            "unanswerable_refused": round(unanswerable_rate, 4),
        }
        print(f"{name:8s} {s.questions:9d} {s.top1_rate:7.1%} {s.rate(s.ranked_first, s.questions):10.1%} "
              f"{s.rate(s.top3, s.questions):7.1%} {s.wrong_rate:11.1%} "
              f"{s.off_topic_refused:>8d}/{s.off_topic:<3d} {s.off_topic_refusal_rate:6.1%} "
              f"{s.unanswerable_refused:>10d}/{s.unanswerable:<3d} {unanswerable_rate:6.1%}")
    if show_failures:
        for name in failure_splits:
            print(f"\n{name} failures:")
            for line in results[name].failures:
                print("  " + line)
    return figures


def leave_one_out() -> dict[str, dict[str, float | int]]:
    entries, rows = faq_entries(), eval_rows()
    print("\nleave one out (each split scored with an index that did not learn its questions):")
    print(f"{'split':9s} {'questions':>9s} {'top-1':>7s} {'conf. wrong':>11s} {'off-topic refused':>18s}")
    figures, total = {}, [0, 0, 0, 0, 0]
    for name in SPLITS:
        index = FaqIndex(without_examples_of(entries, rows, name))
        s = score([row for row in rows if row["split"] == name], index)[name]
        figures[name] = {"questions": s.questions, "top1": round(s.top1_rate, 4),
                         "confidently_wrong": round(s.wrong_rate, 4), "off_topic": s.off_topic,
                         "off_topic_refused": round(s.off_topic_refusal_rate, 4)}
        counts = (s.questions, s.top1, s.wrong, s.off_topic, s.off_topic_refused)
        total = [a + b for a, b in zip(total, counts, strict=True)]
        print(f"{name:9s} {s.questions:9d} {s.top1_rate:7.1%} {s.wrong_rate:11.1%} "
              f"{s.off_topic_refused:>8d}/{s.off_topic:<3d} {s.off_topic_refusal_rate:6.1%}")
    questions, top1, wrong, off_topic, refused = total
    print(f"{'all':9s} {questions:9d} {top1 / questions:7.1%} {wrong / questions:11.1%} "
          f"{refused:>8d}/{off_topic:<3d} {refused / off_topic:6.1%}")
    figures["all"] = {"questions": questions, "top1": round(top1 / questions, 4),
                      "confidently_wrong": round(wrong / questions, 4), "off_topic": off_topic,
                      "off_topic_refused": round(refused / off_topic, 4)}
    return figures


def index_memory() -> dict[str, float]:
    entries = faq_entries()
    started = time.perf_counter()
    FaqIndex(entries)
    build_ms = (time.perf_counter() - started) * 1000
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    index = FaqIndex(entries)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    allocated = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert index.entries  # keep the index alive until measured
    return {"entries": len(entries), "index_kib": round(allocated / 1024, 1), "build_ms": round(build_ms, 1)}


def latency(rounds: int) -> dict[str, float]:
    with backend(reference_data=True):
        from chalicelib.services import faq_chat
        from chalicelib.services.directory_loader import load_directory, province_codes

        rows = [json.loads(line) for line in FAQ.read_text(encoding="utf-8").splitlines() if line.strip()]
        report = load_directory("FAQ", rows, province_codes())
        assert not report.rejected, report.rejected
        faq_chat.reset_cache()
        messages = [row["message"] for row in eval_rows()]
        started = time.perf_counter()
        faq_chat.chat({"message": messages[0]})
        first_ms = (time.perf_counter() - started) * 1000
        samples, cpu = [], []
        for _ in range(rounds):
            for message in messages:
                started, started_cpu = time.perf_counter(), time.process_time()
                faq_chat.chat({"message": message})
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        longest = "quên mật khẩu vssid không nhận được otp bhxh " * 11
        started = time.perf_counter()
        for _ in range(20):
            faq_chat.chat({"message": longest[:500]})
        longest_ms = (time.perf_counter() - started) * 1000 / 20
    samples.sort()
    cpu.sort()
    return {"answers": len(samples), "first_call_ms": round(first_ms, 1),
            "p50_ms": round(statistics.median(samples), 3), "p95_ms": round(_p95(samples), 3),
            "max_ms": round(samples[-1], 3), "cpu_p50_ms": round(statistics.median(cpu), 3),
            "cpu_p95_ms": round(_p95(cpu), 3), "cpu_max_ms": round(cpu[-1], 3),
            "longest_message_ms": round(longest_ms, 3), "load_average": round(os.getloadavg()[0], 2)}


def _p95(values: list[float]) -> float:
    return values[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--failures", action="store_true", help="list every miss and wrong answer")
    parser.add_argument("--split", choices=SPLITS, action="append",
                        help="list the failures of this split only (repeatable); tune on `--split tune`")
    parser.add_argument("--accuracy-only", action="store_true", help="skip the memory and latency runs")
    args = parser.parse_args()
    figures = accuracy(args.failures, tuple(args.split or SPLITS))
    unlearned = leave_one_out()
    if args.accuracy_only:
        return
    memory = index_memory()
    timing = latency(args.rounds)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nindex: {memory['entries']} entries, {memory['index_kib']} KiB allocated, built in "
          f"{memory['build_ms']} ms; process peak RSS {peak_rss_mib:.0f} MiB (with moto and the whole app)")
    print(f"warm answer through faq_chat.chat over {timing['answers']} answers: wall p50 {timing['p50_ms']} ms, "
          f"p95 {timing['p95_ms']} ms, max {timing['max_ms']} ms; CPU p50 {timing['cpu_p50_ms']} ms, "
          f"p95 {timing['cpu_p95_ms']} ms, max {timing['cpu_max_ms']} ms (load average {timing['load_average']})")
    print(f"a 500-character message of FAQ words: {timing['longest_message_ms']} ms; first call (Query + build "
          f"of the index) {timing['first_call_ms']} ms")
    path = write_result("chat_accuracy.json", {"accuracy": figures, "leave_one_out": unlearned,
                                               "index": memory, "latency": timing,
                                               "peak_rss_mib": round(peak_rss_mib)})
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
