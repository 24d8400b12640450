"""Throughput of the local system (`python -m local.run`: chalice local + moto server), with locust headless.

    .venv/bin/python bench/throughput.py [--seconds 20] [--users 10]

Needs locust (`pip install -r requirements-bench.txt`). Starts the local system on free ports (as
tests/e2e does), then runs each scenario of bench/locust/locustfile.py for `--seconds` with `--users` users and
no think time: a public read (GET /v1/offices?province_code=01) and Form 01 creation (POST /v1/registrations).
Prints requests/s, p50, p99 and failures per scenario.

This is a TREND figure for this code on this machine — chalice local is a single-process development
server, and moto answers every DynamoDB request with Python locks and full-table sorts — not a prediction
for Lambda + DynamoDB, where each request gets its own execution environment (see docs/SCALE.md).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCENARIOS = (("OfficesReader", "GET /v1/offices?province_code=01"), ("Registrant", "POST /v1/registrations"))


def locust_binary() -> str | None:
    local = Path(sys.executable).parent / "locust"
    return str(local) if local.exists() else shutil.which("locust")


def run(locust: str, base: str, scenario: str, seconds: int, users: int, folder: Path) -> dict[str, str]:
    prefix = folder / scenario
    subprocess.run([locust, "-f", str(ROOT / "bench" / "locust" / "locustfile.py"), "--headless", "--host", base,
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix),
                    "--only-summary", "--loglevel", "ERROR", scenario],
                   cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return next(row for row in rows if row["Name"] == "Aggregated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=10)
    args = parser.parse_args(argv)
    locust = locust_binary()
    if not locust:
        print("throughput: locust is not installed; `pip install -r requirements-bench.txt` (skipped)")
        return 0
    from tests.support.local_server import running_local_server

    print(f"throughput of the local system: locust headless, {args.users} users, no think time, "
          f"{args.seconds} s per scenario (trend figure: chalice local + moto server on this machine)")
    print(f"  {'scenario':<36}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'failures':>9}")
    try:
        with running_local_server() as server, tempfile.TemporaryDirectory(prefix="vssid-locust-") as folder:
            for scenario, title in SCENARIOS:
                row = run(locust, server.base, scenario, args.seconds, args.users, Path(folder))
                print(f"  {title:<36}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}{row['50%']:>8}"
                      f"{row['99%']:>8}{row['Failure Count']:>9}", flush=True)
    except AssertionError as stopped:  # after load, Ctrl-C may take longer than the helper waits; it then kills
        print(f"  (local server: {stopped}; it was stopped with SIGKILL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
