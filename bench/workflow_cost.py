"""Workflow cost: Step Functions state transitions per registration, on each path, from execution histories.

    .venv/bin/python bench/workflow_cost.py

Runs registrations through the real state machine (infra/registration-workflow.asl.json, executed by
moto's Step Functions engine in-process) with the window shortened to seconds, the way the tests do:
  approve / reject early — decided before any reminder is due (the common case);
  approve after both reminders — decided in the last day;
  expire — nobody decides: both reminders, then the expiry notice (the longest path).
Each execution's history is read with GetExecutionHistory; transitions = StateEntered events (what a
Standard workflow is billed for, $0.025 per 1,000 in ap-southeast-1; retries would add to it, none happen
here). The same path in production takes 10 days instead of seconds but enters the same states.
Goal: ≤ 12 transitions per registration. Also counts the DynamoDB and SNS calls the state machine's own
tasks make (they are billed as ordinary requests).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import backend, prepare_environment, write_result  # noqa: E402

prepare_environment()
PRICE_PER_TRANSITION = 0.025 / 1000


def settings(deadline: int, offsets: str) -> None:
    from chalicelib.config import get_settings

    os.environ["VSSID_DEADLINE_SECONDS"] = str(deadline)
    os.environ["VSSID_REMINDER_OFFSETS"] = offsets
    get_settings.cache_clear()


def history(execution_arn: str) -> list[str]:
    from chalicelib.aws.clients import get_client

    sfn = get_client("stepfunctions")
    events, token = [], None
    while True:
        page = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000,
                                         **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    return [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]


def run_paths(client) -> list[dict[str, object]]:  # noqa: ANN001
    from tests.support.people import Citizen, Staff
    from tests.support.workflow import deliver_tokens, wait_for_execution

    staff = Staff.signed_in(client)
    numbers = iter(range(100))

    def citizen() -> Citizen:
        n = next(numbers)
        return Citizen(client).submitted(social_insurance_number=f"01234567{n:02d}", id_number=f"0011901234{n:02d}",
                                         phone=f"09012345{n:02d}")

    results = []

    def record(path: str, registration_id: str) -> None:
        execution = wait_for_execution(registration_id, timeout=60)
        states = history(execution["executionArn"])
        results.append({"path": path, "status": execution["status"], "transitions": len(states), "states": states})

    settings(deadline=600, offsets="400,200")  # reminders planned, not yet due
    early = citizen()
    assert staff.approve(early.registration_id).status == 200
    record("approve, before any reminder", early.registration_id)

    rejected = citizen()
    assert staff.reject(rejected.registration_id).status == 200
    record("reject, before any reminder", rejected.registration_id)

    settings(deadline=9, offsets="7,5")  # reminders at 2 s and 4 s after submit, deadline at 9 s
    late = citizen()
    assert deliver_tokens(wait_seconds=15, expect=2) == ["recorded"] * 2  # the waits after each reminder
    assert staff.approve(late.registration_id).status == 200
    record("approve, after both reminders", late.registration_id)

    settings(deadline=6, offsets="4,2")
    expired = citizen()
    deliver_tokens(wait_seconds=10, expect=2)
    record("expire (both reminders, then expiry)", expired.registration_id)
    time.sleep(0.2)
    return results


def main() -> int:
    from chalice.test import Client

    with backend():
        from app import app

        with Client(app, stage_name="local") as client, contextlib.redirect_stdout(io.StringIO()):
            results = run_paths(client)  # (Powertools prints its metrics to stdout)
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns.models import sns_backends

        sms = len(sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"].sms_messages)
    print("Step Functions state transitions per registration (StateEntered events; goal ≤ 12)")
    print(f"{'path':<40}{'status':<11}{'transitions':>12}{'$ per 1M regs':>15}  states")
    for r in results:
        cost = r["transitions"] * PRICE_PER_TRANSITION * 1_000_000
        print(f"{r['path']:<40}{r['status']:<11}{r['transitions']:>12}{cost:>15,.0f}  {' → '.join(r['states'])}")
    worst = max(r["transitions"] for r in results)
    print(f"\nmost transitions on any path: {worst} (goal ≤ 12: {'met' if worst <= 12 else 'NOT met'})")
    print(f"SMS sent by the whole run (submit, decisions, reminders, expiry): {sms}")
    counts = Counter(r["path"] for r in results)
    assert all(n == 1 for n in counts.values())
    path = write_result("workflow_cost.json", {"price_per_transition_usd": PRICE_PER_TRANSITION, "paths": results})
    print(f"wrote {path.relative_to(path.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
