"""Throughput of the local system (`python -m local.run`: chalice local + moto server), with locust headless.

    .venv/bin/python bench/throughput.py [--seconds 20] [--users 10] [--participants N]

Needs locust (`pip install -r requirements-bench.txt`). Starts the local system on free ports (as
tests/e2e does), then runs each scenario of bench/locust/locustfile.py for `--seconds` with `--users` users and
no think time:

- a public read: GET /v1/offices?province_code=01;
- Form 01 as the app makes it since captcha and register checks (issue 14): GET /v1/auth/captcha, then
  POST /v1/registrations with that captcha and the local answer, for a person the register knows. Before the
  run, `--participants` synthetic participant rows (numbers 99…, which no province issues; default 60 per
  second of the run) are loaded into the local register with the record loader (`python -m cli.load_records`
  against the moto server), and each create takes the next one, so every create is a real 201 — captcha
  spent, register read and matched, transaction, presigned POSTs — and not a refusal (random numbers would
  now measure REGISTER_MISMATCH). The figure is the pair, `Form 01: captcha + create`: creates per second and
  the time from the captcha request to the create's answer; the two requests are listed under it.

Prints requests/s, p50, p99 and failures per scenario (and per request of the Form 01 pair).

This is a TREND figure for this code on this machine — chalice local is a single-process development
server, and moto answers every DynamoDB request with Python locks and full-table sorts — not a prediction
for Lambda + DynamoDB, where each request gets its own execution environment (see docs/SCALE.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# scenario, its title, the locust row that is its figure (type, name), the rows listed under it
SCENARIOS = (
    ("OfficesReader", "GET /v1/offices?province_code=01", ("GET", "GET /v1/offices?province_code"), ()),
    ("Registrant", "Form 01: captcha + create", ("FORM01", "Form 01: captcha + create"),
     (("GET", "GET /v1/auth/captcha"), ("POST", "POST /v1/registrations"))),
)
CAPTCHA_ANSWER = "local-captcha"  # local.run's default VSSID_LOCAL_CAPTCHA_ANSWER


def locust_binary() -> str | None:
    local = Path(sys.executable).parent / "locust"
    return str(local) if local.exists() else shutil.which("locust")


def synthetic_participants(count: int) -> list[dict[str, str]]:
    """Register rows of nobody: numbers 99… (no province issues them), CCCDs of Hà Nội women born in 1990."""
    return [{"social_insurance_number": f"99{i:08d}", "full_name": "Nguyễn Thị Hường", "date_of_birth": "1990-05-17",
             "gender": "female", "province_code": "01", "id_number": f"001190{i:06d}"} for i in range(count)]


def load_participants(server_log: str, count: int, folder: Path) -> Path:
    """Write `count` synthetic participant rows and load them into the local server's register."""
    found = re.search(r"moto backend\s+(http://127\.0\.0\.1:\d+)", server_log)
    if not found:
        raise RuntimeError("the local server did not print its moto endpoint")
    path = folder / "participant.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in synthetic_participants(count)),
                    encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VSSID_"))}
    env.update(AWS_ENDPOINT_URL=found.group(1), AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
               AWS_DEFAULT_REGION="ap-southeast-1", AWS_REGION="ap-southeast-1")
    loaded = subprocess.run([sys.executable, "-m", "cli.load_records", "--kind", "participant", "--json", str(path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if loaded.returncode != 0:
        raise RuntimeError(f"loading the participants failed: {loaded.stdout}{loaded.stderr}")
    report = json.loads(loaded.stdout)[0]
    if report["created"] + report["unchanged"] != count:
        raise RuntimeError(f"not every participant was loaded: {report}")
    return path


def run(locust: str, base: str, scenario: str, seconds: int, users: int, folder: Path,
        env: dict[str, str]) -> dict[tuple[str, str], dict[str, str]]:
    prefix = folder / scenario
    subprocess.run([locust, "-f", str(ROOT / "bench" / "locust" / "locustfile.py"), "--headless", "--host", base,
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix),
                    "--only-summary", "--loglevel", "ERROR", scenario],
                   cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return {(row["Type"], row["Name"]): row for row in csv.DictReader(handle)}


def _line(title: str, row: dict[str, str] | None) -> str:
    if row is None:
        return f"  {title:<36}{'(no requests)':>42}"
    return (f"  {title:<36}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}{row['50%']:>8}"
            f"{row['99%']:>8}{row['Failure Count']:>9}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--participants", type=int, default=None,
                        help="synthetic register rows loaded for the Form 01 scenario (default 60 × --seconds)")
    args = parser.parse_args(argv)
    participants = args.participants or 60 * args.seconds
    locust = locust_binary()
    if not locust:
        print("throughput: locust is not installed; `pip install -r requirements-bench.txt` (skipped)")
        return 0
    from tests.support.local_server import running_local_server

    print(f"throughput of the local system: locust headless, {args.users} users, no think time, "
          f"{args.seconds} s per scenario (trend figure: chalice local + moto server on this machine)")
    try:
        with running_local_server() as server, tempfile.TemporaryDirectory(prefix="vssid-locust-") as folder:
            started = time.perf_counter()
            people = load_participants(server.output(), participants, Path(folder))
            print(f"  register: {participants} synthetic participants loaded in {time.perf_counter() - started:.1f} s "
                  "(python -m cli.load_records), one per Form 01 create")
            env = {**os.environ, "VSSID_BENCH_PARTICIPANTS": str(people), "VSSID_BENCH_CAPTCHA_ANSWER": CAPTCHA_ANSWER}
            print(f"  {'scenario':<36}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'failures':>9}")
            for scenario, title, figure, parts in SCENARIOS:
                rows = run(locust, server.base, scenario, args.seconds, args.users, Path(folder), env)
                print(_line(title, rows.get(figure)), flush=True)
                for part in parts:
                    print(_line(f"  {part[1]}", rows.get(part)), flush=True)
                if scenario == "Registrant" and int((rows.get(figure) or {}).get("Request Count", 0)) >= participants:
                    print(f"  (every one of the {participants} participants was used: the users stopped early; "
                          "give more with --participants)")
    except AssertionError as stopped:  # after load, Ctrl-C may take longer than the helper waits; it then kills
        print(f"  (local server: {stopped}; it was stopped with SIGKILL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
