"""Data feed scaling: rows per second with 1, 2, 4, 8 local workers against in-process moto, and the
DynamoDB calls and write units each row costs — the per-chunk figures docs/SCALE.md scales up.

    .venv/bin/python bench/feed_scale.py [--citizens 60] [--months 20] [--chunk-kb 16]

Synthetic, plainly fake contribution rows (numbers 99xxxxxxxx, employer "Đơn vị mẫu (dữ liệu thử)") go
into the feed bucket as one CSV; the splitter cuts it; N threads act as N worker Lambdas on the chunk queue.
Every DynamoDB call of every thread is counted; write units are computed from each written item's size
(1 WCU per started KB, DynamoDB's on-demand rule). moto runs in this one Python process, so threads share
one core and the GIL: rows/s do not grow with workers here as they do on Lambda, where each worker is its
own machine. The per-row calls and WCU are what carry over.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._support import prepare_environment  # noqa: E402

prepare_environment()


def synthetic_csv(citizens: int, months: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["social_insurance_number", "record_id", "scheme", "from_month", "to_month", "employer",
                     "contribution_base", "in_arrears"])
    for person in range(citizens):
        sin = f"99{person:08d}"
        for month in range(months):
            year, number = divmod(month, 12)
            period = f"{2020 + year}-{number + 1:02d}"
            writer.writerow([sin, f"TEST-{person}-{month}", "BHXH", period, period, "Đơn vị mẫu (dữ liệu thử)",
                             5_000_000 + 10_000 * month, "false"])
    return out.getvalue().encode()


class Calls:
    """Every DynamoDB call and the write units of what it wrote, from every thread."""

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self.wcu = 0
        self.lock = threading.Lock()

    def __enter__(self) -> Calls:
        from botocore.client import BaseClient

        self.original = BaseClient._make_api_call  # noqa: SLF001
        calls, original = self, self.original

        def counted(client, operation, params):  # noqa: ANN001, ANN202
            if client.meta.service_model.service_name == "dynamodb":
                units = 0
                if operation == "PutItem":
                    units = _wcu(params["Item"])
                elif operation in ("UpdateItem", "DeleteItem"):
                    units = 1  # small items here: the whole item is under 1 KB
                elif operation == "BatchWriteItem":
                    units = sum(_wcu(r.get("PutRequest", {}).get("Item", {})) or 1
                                for rs in params["RequestItems"].values() for r in rs)
                elif operation == "TransactWriteItems":
                    units = 2 * len(params["TransactItems"])  # transactions cost twice
                with calls.lock:
                    calls.operations[operation] += 1
                    calls.wcu += units
            return original(client, operation, params)

        BaseClient._make_api_call = counted  # noqa: SLF001
        return self

    def __exit__(self, *_: object) -> None:
        from botocore.client import BaseClient

        BaseClient._make_api_call = self.original  # noqa: SLF001


def _wcu(item: dict) -> int:
    return max(1, math.ceil(len(json.dumps(item, ensure_ascii=False).encode()) / 1024))


def run_workers(count: int) -> None:
    from chalicelib.aws.clients import get_client
    from chalicelib.services.feed_worker import load_chunk

    sqs = get_client("sqs")
    url = os.environ["FEED_CHUNKS_QUEUE_URL"]

    def worker() -> None:
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                return
            load_chunk(batch[0]["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=batch[0]["ReceiptHandle"])

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=60)
    parser.add_argument("--months", type=int, default=20)
    parser.add_argument("--chunk-kb", type=int, default=16)
    args = parser.parse_args()
    os.environ["FEED_CHUNK_BYTES"] = str(args.chunk_kb * 1024)
    os.environ["FEED_WRITE_THREADS"] = "1"
    from chalicelib.services.feed_loads import get
    from chalicelib.services.feed_splitter import handle_notification
    from tests.support.backend import fresh_backend
    from tests.support.feed import FeedRun, _sweep, empty_feed, upload

    body = synthetic_csv(args.citizens, args.months)
    rows = args.citizens * args.months
    print(f"{rows} contribution rows ({len(body) / 1024:.0f} KB), {args.citizens} citizens, chunks of "
          f"{args.chunk_kb} KB; moto in-process on this machine")
    print(f"{'workers':>7} {'rows/s':>8} {'chunks':>6} {'s/chunk':>8} {'ddb calls/row':>13} {'WCU/row':>8}  calls")
    results = []
    with fresh_backend(reference_data=False):
        for workers in (1, 2, 4, 8):
            empty_feed()
            upload(f"feeds/contribution/bench-{workers}.csv", body, as_of="2030-01-01")
            _sweep(os.environ["FEED_FILES_QUEUE_URL"], handle_notification, FeedRun(), [])
            with Calls() as calls:
                started = time.perf_counter()
                run_workers(workers)
                elapsed = time.perf_counter() - started
            from chalicelib.models.feed import LOAD, FeedLoad

            load = next(iter(FeedLoad.by_start.query(LOAD)))
            load = get(load.load_id)
            assert load.status == "FINISHED" and load.rows_loaded == rows, (load.status, load.rows_loaded)
            per_row = sum(calls.operations.values()) / rows
            figures = {"workers": workers, "rows_per_second": round(rows / elapsed), "chunks": load.chunks_total,
                       "seconds_per_chunk": round(elapsed * workers / load.chunks_total, 3),
                       "dynamodb_calls_per_row": round(per_row, 2), "wcu_per_row": round(calls.wcu / rows, 2),
                       "calls": dict(calls.operations)}
            results.append(figures)
            print(f"{workers:>7} {figures['rows_per_second']:>8} {load.chunks_total:>6} "
                  f"{figures['seconds_per_chunk']:>8} {per_row:>13.2f} {calls.wcu / rows:>8.2f}  "
                  + ", ".join(f"{k} {v}" for k, v in sorted(calls.operations.items())))
    out = Path(__file__).resolve().parent / "results" / "feed_scale.json"
    out.write_text(json.dumps({"rows": rows, "chunk_kb": args.chunk_kb, "results": results}, indent=2) + "\n")
    print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
