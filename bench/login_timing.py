"""Sign-in latency for a number (or staff username) that exists against one that does not.

    .venv/bin/python bench/login_timing.py [--runs 32]

An attacker timed `POST /v1/auth/login` (104 ms for an existing number vs 90 ms for an unknown one, n = 16):
the known path wrote a failure count that the unknown path did not. Both paths now count the try in the
same budget item before anything is compared (keyed by the number typed), read the account, and run one
Argon2id verification (a dummy hash for an unknown number). This bench measures both, in-process (Chalice's
test client over in-process moto: the figures are this machine's, not Lambda's), alternating the two so
load hits both alike, and also lists the DynamoDB operations each path made. It prints figures and
asserts nothing; no test asserts a timing.

Cases (a fresh captcha and a cleared budget before each sample, neither timed):
  citizen, wrong password   — an existing number vs an unknown well-formed number (401 either way);
  citizen, locked           — both numbers after five failures (423 either way, nothing compared);
  staff, wrong password     — an existing username vs an unknown one (401 either way).

Not covered, and not equal: a password-reset START for an existing number sends an SMS (an SNS call) and
one for an unknown number does not; the answers and limits are the same, the time is not (see docs/SECURITY.md).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import CAPTCHA, backend, prepare_environment  # noqa: E402

prepare_environment()

EXISTING, UNKNOWN = "0123456789", "0999999999"
STAFF, NOBODY = "canbo.hn-hk", "canbo.nobody"
PASSWORD = "Mật khẩu của bench 2026"


class Calls:
    """DynamoDB operations made while a sample ran (botocore's API call, patched for the bench only)."""

    def __init__(self) -> None:
        self.ops: Counter[str] = Counter()
        self.on = False

    def install(self) -> None:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        calls = self

        def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if calls.on and client.meta.service_model.service_name == "dynamodb":
                calls.ops[operation] += 1
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = recorded


CALLS = Calls()


def _figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (f"median {statistics.median(samples) * 1000:6.1f} ms  mean {statistics.fmean(samples) * 1000:6.1f} ms  "
            f"p90 {p90 * 1000:6.1f} ms  stdev {statistics.pstdev(samples) * 1000:5.1f} ms")


def _pair(label: str, runs: int, prepare: Callable[[str], Any], send: Callable[[str, Any], Any],
          names: tuple[str, str], expected: int) -> list[str]:
    """Alternate the two names; time only `send`; the figures as lines."""
    times: dict[str, list[float]] = {name: [] for name in names}
    ops: dict[str, Counter[str]] = {name: Counter() for name in names}
    for index in range(runs * 2):
        name = names[index % 2]
        ready = prepare(name)
        CALLS.ops.clear()
        CALLS.on = True
        started = time.perf_counter()
        reply = send(name, ready)
        elapsed = time.perf_counter() - started
        CALLS.on = False
        if reply.status != expected:
            raise SystemExit(f"{label} {name}: expected {expected}, got {reply.status} {reply.body}")
        times[name].append(elapsed)
        ops[name] = Counter(CALLS.ops)
    lines = [f"\n{label} (n = {runs} each, answer {expected})"]
    for name, kind in zip(names, ("existing", "unknown"), strict=True):
        lines.append(f"  {kind:<9} {_figures(times[name])}   DynamoDB: {dict(sorted(ops[name].items()))}")
    gap = statistics.median(times[names[0]]) - statistics.median(times[names[1]])
    lines.append(f"  difference of the medians: {gap * 1000:+.1f} ms")
    return lines


def _emulator_get_item(runs: int, table: str, key: str, names: tuple[str, str]) -> list[str]:
    """moto's own GetItem, a found item against a missing one (plain boto3, no app code)."""
    import boto3

    client = boto3.client("dynamodb", region_name="ap-southeast-1")
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(runs * 2):
        name = names[index % 2]
        started = time.perf_counter()
        client.get_item(TableName=table, Key={key: {"S": name}}, ConsistentRead=True)
        times[name].append(time.perf_counter() - started)
    lines = [f"\nthe emulator alone: moto GetItem on {table} (n = {runs} each)"]
    for name, kind in zip(names, ("found", "missing"), strict=True):
        lines.append(f"  {kind:<9} {_figures(times[name])}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=32, help="samples per name and case (default 32)")
    args = parser.parse_args()
    CALLS.install()

    with backend():
        from chalice.test import Client

        from app import app
        from chalicelib.services import attempts, staff_auth
        from tests.support.api import call
        from tests.support.citizens import make_account
        from tests.support.people import STAFF_PASSWORD, Staff

        make_account(EXISTING, PASSWORD, initial=False)
        with Client(app, stage_name="local") as client:
            Staff.create(client)
            staff_auth.ATTEMPTS_PER_ADDRESS_PER_HOUR = 10**6  # every sample comes from one address

            def new_captcha() -> str:
                return call(client, "GET", "/v1/auth/captcha").body["captcha_id"]

            def captcha(name: str) -> str:
                attempts.clear(f"login:{name}")
                return new_captcha()

            def citizen_login(name: str, captcha_id: str) -> Any:
                return call(client, "POST", "/v1/auth/login", {
                    "username": name, "password": "sai mật khẩu 2026", "captcha_id": captcha_id,
                    "captcha_answer": CAPTCHA, "device_id": "bench-phone"})

            def locked_captcha(name: str) -> str:
                attempts.clear(f"login:{name}")
                for _ in range(5):
                    citizen_login(name, new_captcha())
                return new_captcha()

            def staff_ready(name: str) -> None:
                attempts.clear(f"staff:{name}")

            def staff_login(name: str, _: Any) -> Any:
                return call(client, "POST", "/v1/admin/auth/login",
                            {"username": name, "password": STAFF_PASSWORD + "x", "totp": "000000"})

            from chalicelib.models.account import Account

            lines: list[str] = []
            with contextlib.redirect_stdout(io.StringIO()):  # the app's metric lines, not the figures
                # warm-up: first requests load modules and build the dummy hash
                citizen_login(UNKNOWN, captcha(UNKNOWN))
                staff_login(NOBODY, staff_ready(NOBODY))
                lines += _pair("citizen POST /v1/auth/login, wrong password", args.runs, captcha, citizen_login,
                               (EXISTING, UNKNOWN), 401)
                lines += _pair("citizen POST /v1/auth/login, locked", max(args.runs // 4, 4), locked_captcha,
                               citizen_login, (EXISTING, UNKNOWN), 423)
                lines += _pair("staff POST /v1/admin/auth/login, wrong password", args.runs, staff_ready, staff_login,
                               (STAFF, NOBODY), 401)
                lines += _emulator_get_item(args.runs, Account.Meta.table_name, "username", (EXISTING, UNKNOWN))
    print("sign-in latency, existing vs unknown (in-process moto; this machine)")
    print("\n".join(lines))
    print("\nSame DynamoDB requests on both paths. A gap left in the citizen figures is moto answering a found"
          "\naccount item (about 25 attributes) more slowly than a missing one, as the last block shows;"
          "\nDynamoDB reads a key either way (not measured here: no AWS).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
