"""Loader throughput: synthetic contribution rows into an in-process moto DynamoDB, rows per second.

    .venv/bin/python bench/loader_throughput.py [--rows 5000]

Times `load_rows` twice on the same rows: the first load (every row new: BatchGetItem, BatchWriteItem,
then a Query and a summary write per citizen and scheme) and the reload (every row unchanged: reads only).
Figures are for moto on this machine, not DynamoDB; they show the loader's own cost and its trend.
The totals take most of a first load here because moto answers every Query by sorting the whole table
(moto 5.2), which grows with the rows loaded; DynamoDB reads only the one partition.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="ap-southeast-1",
    AWS_REGION="ap-southeast-1",
    VSSID_STAGE="test",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import moto  # noqa: E402,F401 - imported before any boto3 client exists, so moto sees them all

from local.moto_patches import apply_all  # noqa: E402

apply_all()

SCHEMES = ("BHXH", "BHTN", "TNLD_BNN", "BHYT")
PERIODS_PER_CITIZEN = 5  # each in the four schemes: 20 rows a citizen


def synthetic_rows(count: int) -> list[dict[str, str]]:
    """`count` valid contribution rows as a CSV reader gives them (every value a string)."""
    rows = []
    for n in range(count):
        citizen, rest = divmod(n, PERIODS_PER_CITIZEN * len(SCHEMES))
        period, scheme_index = divmod(rest, len(SCHEMES))
        year = 2000 + period * 4
        rows.append({
            "record_id": f"BENCH-{n:08d}", "social_insurance_number": f"99{citizen:08d}",
            "scheme": SCHEMES[scheme_index], "from_month": f"{year}-01", "to_month": f"{year + 3}-12",
            "employer": f"Công ty TNHH Thử nghiệm Số {citizen % 97 + 1}", "employer_code": f"01{citizen:08d}",
            "occupation": "Kỹ sư phần mềm", "position": "Nhân viên",
            "contribution_base": str(4_960_000 + (n % 50) * 100_000), "in_arrears": "1" if period == 4 else "0",
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args(argv)

    from moto import mock_aws

    with mock_aws():
        from chalicelib.aws.clients import reset_clients
        from local.bootstrap import create_all

        reset_clients()
        os.environ.update(create_all(os.environ["AWS_DEFAULT_REGION"]))
        from chalicelib.services import record_loader

        in_summaries = [0.0]
        refresh = record_loader.refresh_summaries

        def timed_refresh(*call_args, **call_kwargs):
            started = time.perf_counter()
            try:
                return refresh(*call_args, **call_kwargs)
            finally:
                in_summaries[0] += time.perf_counter() - started

        record_loader.refresh_summaries = timed_refresh
        rows = synthetic_rows(args.rows)
        print(f"loader throughput: {args.rows} contribution rows "
              f"({-(-args.rows // (PERIODS_PER_CITIZEN * len(SCHEMES)))} citizens), in-process moto")
        for label in ("first load", "reload"):
            in_summaries[0] = 0.0
            started = time.perf_counter()
            report = record_loader.load_rows("contribution", rows)
            seconds = time.perf_counter() - started
            print(f"  {label:<10} {seconds:7.2f} s  {args.rows / seconds:8.0f} rows/s  created {report.created}, "
                  f"updated {report.updated}, unchanged {report.unchanged}, rejected {len(report.rejected)}; "
                  f"of the time, {in_summaries[0]:.2f} s recomputing per-scheme totals")
    return 0


if __name__ == "__main__":
    sys.exit(main())
