"""Races over HTTP: staff deciding while the window's timer fires, and identical requests under one
Idempotency-Key. Whoever wins, there is exactly one outcome, at most one account, one SMS per decision
and an audit trail that tells the same story. Races are probabilistic, so each scenario runs ROUNDS
times; what varies between rounds is only who wins, never whether the rules hold.

test_decisions.py already races six approve/reject calls at the service layer; here the calls go
through the HTTP API (idempotency, authorizer, error mapping) and the workflow's own expiry joins in.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.domain.credentials import verify_password
from chalicelib.lazy import load_all
from chalicelib.models.audit import AuditEvent
from chalicelib.models.registration import Registration, RegistrationClaim
from local.outbox import messages_for
from tests.support.api import VALID_FORM, Reply, call, ready_to_create, upload
from tests.support.images import photo
from tests.support.people import Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, executions, history_states, wait_for_execution

ROUNDS = 5
THREADS = 8
RELEASE_AFTER = (1.6, 1.9, 2.05, 2.2, 3.0)  # seconds after submission, one per round

# What each SMS of the procedure says, to count them by kind.
SMS_KINDS = {"Da nhan to khai": "submitted", "Mat khau khoi tao": "approved", "chua duoc duyet": "rejected",
             "da qua han": "expired"}
DECISION_SMS = {"approved": "APPROVED", "rejected": "REJECTED", "expired": "EXPIRED"}


@pytest.fixture
def api(client) -> Iterator[Any]:
    """The test client, safe to call from several threads at once.

    Chalice keeps the request being handled on the app object. On Lambda one process handles one
    request at a time, so that is right there; threads in one process would read each other's
    requests (an approve handler parsing a reject's body). `chalice local` swaps in its thread-local
    LocalChalice for this reason; do the same for the length of a test.
    """
    from chalice.local import LocalChalice

    from app import app

    original = type(app)
    app.__class__ = type("ThreadLocalChalice", (LocalChalice, original), {})
    try:
        yield client
    finally:
        app.__class__ = original


@functools.cache
def _photo(seed: int) -> bytes:
    return photo("JPEG", seed=seed)


def registered(api: Any, round_no: int, scenario: int) -> Citizen:
    """A Form 01 with its three images, for a number and a phone of its own."""
    citizen = Citizen(api)
    reply = citizen.create(social_insurance_number=f"07{scenario}{round_no:07d}", phone=f"0903{scenario}{round_no:05d}")
    assert reply.status == 201, reply.body
    for seed, kind in enumerate(("id_front", "id_back", "portrait")):
        assert upload(citizen.uploads[kind], _photo(seed)) in (200, 201, 204)
    return citizen


def race(calls: list[Callable[[], Reply]], start: Callable[[], None] | None = None) -> list[Reply | BaseException]:
    """Run every call in its own thread, released together (after `start`, if given); a crash is a result."""
    # Each test-client request swaps os.environ for a copy and puts back what it found; interleaved,
    # a copy can be left in place and outlive the test's settings. Put the real one back afterwards.
    environ = os.environ
    # Python 3.11's lazy modules are not thread-safe (see chalicelib/lazy.py): threads that first touch a
    # handler's service together can see it half-loaded. A Lambda serves one request at a time and the
    # threaded local server loads them all before serving; so does this threaded caller.
    load_all()
    barrier = threading.Barrier(len(calls) + 1)
    results: list[Reply | BaseException] = [RuntimeError("did not run")] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not lost in the thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    if start:
        start()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=60)
    os.environ = environ  # noqa: B003 - restoring the very object, not clearing it
    for result in results:
        assert isinstance(result, Reply), repr(result)
    return results


def sms_kinds(phone: str) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for message in messages_for(phone):
        if message["channel"] == "sms":
            kinds.update(kind for marker, kind in SMS_KINDS.items() if marker in message["body"])
    return kinds


def audit_trail(registration_id: str) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.from_status, e.to_status) for e in AuditEvent.query(registration_id, consistent_read=True)]


def retry_in_progress(replies: list[Reply], again: Callable[[], Reply]) -> list[Reply]:
    """Identical requests under one key: each either got the first response or was told the first
    is still running (409 REQUEST_IN_PROGRESS, Retry-After) — and then its retry gets the first response."""
    final: list[Reply] = []
    for reply in replies:
        if reply.status == 409:
            assert reply.body["error"]["code"] == "REQUEST_IN_PROGRESS", reply.body
            assert reply.headers["Retry-After"]
            reply = again()
        final.append(reply)
    return final


def test_staff_deciding_while_the_window_runs_out_leave_exactly_one_outcome(api, settings_env):
    # A one-second window: the workflow's timer fires about two seconds after the start, for real.
    settings_env(VSSID_DEADLINE_SECONDS="1")
    staff = [Staff.signed_in(api, username=f"canbo.race{i}") for i in range(THREADS)]
    outcomes: Counter[str] = Counter()
    for round_no in range(ROUNDS):
        clock.set_clock(None)
        citizen = registered(api, round_no, 1)
        # The app's clock stays at the moment of submission, so to staff the window is still open
        # while the timer runs out: decisions and expiry meet only at the conditional writes.
        submitted_at = clock.now()
        clock.set_clock(lambda moment=submitted_at: moment)
        assert citizen.submit().status == 200
        started = time.monotonic()  # the workflow started at the end of the submit
        assert deliver_tokens() == ["recorded"]
        reg_id = citizen.registration_id
        # Rejecting is quicker than approving (no password to hash), so odd rounds race approvals alone.
        approving = [bool(i % 2 or round_no % 2) for i in range(THREADS)]
        calls = [functools.partial(s.approve, reg_id) if approves else functools.partial(s.reject, reg_id, "Ảnh mờ")
                 for s, approves in zip(staff, approving, strict=True)]
        # Release the staff around the moment the timer fires (about 2 s after the start), earlier or later
        # each round; on a busy machine any round may go either way, and each way must hold the rules.
        release_at = started + RELEASE_AFTER[round_no]

        replies = race(calls, start=lambda at=release_at: time.sleep(max(at - time.monotonic(), 0)))

        execution = wait_for_execution(f"{reg_id}-1")
        final = Registration.get(reg_id, consistent_read=True).status
        outcomes[final] += 1
        winners = [(i, r) for i, r in enumerate(replies) if r.status == 200]
        assert len(winners) + (final == "EXPIRED") == 1, (final, [r.status for r in replies])
        for index, reply in winners:
            assert reply.body["status"] == final == ("APPROVED" if approving[index] else "REJECTED")
        loser_code = "DEADLINE_PASSED" if final == "EXPIRED" else "ALREADY_DECIDED"
        assert {r.body["error"]["code"] for r in replies if r.status != 200} == {loser_code}
        account = account_of(citizen.form["social_insurance_number"])
        assert (account is not None) == (final == "APPROVED")
        assert account is None or account.registration_id == reg_id
        kinds = sms_kinds(citizen.form["phone"])
        assert kinds["submitted"] == 1
        assert {DECISION_SMS[k]: n for k, n in kinds.items() if k in DECISION_SMS} == {final: 1}, kinds
        expected_trail = [("SUBMIT", "DRAFT", "AWAITING_VERIFICATION")]
        if final != "EXPIRED":  # the workflow's expiry is a status change, not a staff action
            action = {"APPROVED": "APPROVE", "REJECTED": "REJECT"}[final]
            expected_trail.append((action, "AWAITING_VERIFICATION", final))
        # Sorted: with the clock frozen, submission and decision carry the same time stamp.
        assert sorted(audit_trail(reg_id)) == sorted(expected_trail)
        assert execution["status"] == "SUCCEEDED"
        assert history_states(execution["executionArn"])[-1] == ("Expired" if final == "EXPIRED" else "Decided")
    print(f"\ndecision-vs-expiry outcomes over {ROUNDS} rounds of {THREADS} threads: {dict(outcomes)}")


def test_identical_submits_under_one_key_start_one_workflow_and_send_one_sms(api):
    for round_no in range(ROUNDS):
        citizen = registered(api, round_no, 2)
        key = {"Idempotency-Key": f"submit-race-{round_no}-0001"}

        replies = race([functools.partial(citizen.submit, key)] * THREADS)

        replies = retry_in_progress(replies, functools.partial(citizen.submit, key))
        assert {r.status for r in replies} == {200}
        assert all(r.body == replies[0].body for r in replies)
        assert replies[0].body["attempt"] == 1
        reg_id = citizen.registration_id
        assert [e["name"] for e in executions() if e["name"].startswith(reg_id)] == [f"{reg_id}-1"]
        assert sms_kinds(citizen.form["phone"]) == {"submitted": 1}
        assert audit_trail(reg_id) == [("SUBMIT", "DRAFT", "AWAITING_VERIFICATION")]
        assert deliver_tokens() == ["recorded"]


def test_identical_approvals_under_one_key_create_one_account_and_send_one_password(api):
    staff = Staff.signed_in(api)
    for round_no in range(ROUNDS):
        citizen = registered(api, round_no, 3)
        assert citizen.submit().status == 200
        assert deliver_tokens() == ["recorded"]
        key = {"Idempotency-Key": f"approve-race-{round_no}-0001"}
        again = functools.partial(staff.approve, citizen.registration_id, key)

        replies = retry_in_progress(race([again] * THREADS), again)

        assert {r.status for r in replies} == {200}
        assert all(r.body == replies[0].body for r in replies)
        assert replies[0].body["status"] == "APPROVED"
        assert sms_kinds(citizen.form["phone"]) == {"submitted": 1, "approved": 1}
        [password_sms] = [m["body"] for m in messages_for(citizen.form["phone"]) if "Mat khau khoi tao" in m["body"]]
        password = password_sms.split("Mat khau khoi tao: ")[1].split(" ")[0]
        account = account_of(citizen.form["social_insurance_number"])
        assert account is not None and account.registration_id == citizen.registration_id
        assert verify_password(account.password_hash, password)  # the password sent is the one that works
        assert [a for a, _, _ in audit_trail(citizen.registration_id)] == ["SUBMIT", "APPROVE"]
        assert wait_for_execution(f"{citizen.registration_id}-1")["status"] == "SUCCEEDED"


def test_many_registering_one_number_at_once_leave_one_holder(api):
    for round_no in range(ROUNDS):
        number = f"074{round_no:07d}"
        forms = [ready_to_create({**VALID_FORM, "social_insurance_number": number, "phone": f"09034{round_no}{i:04d}"})
                 for i in range(THREADS)]

        replies = race([functools.partial(call, api, "POST", "/v1/registrations", form) for form in forms])

        created = [r for r in replies if r.status == 201]
        assert len(created) == 1, [r.status for r in replies]
        assert {r.body["error"]["code"] for r in replies if r.status != 201} == {"REGISTRATION_EXISTS"}
        claim = RegistrationClaim.get(number, consistent_read=True)
        assert claim.registration_id == created[0].body["registration_id"]
        holders = [r for r in Registration.scan(Registration.social_insurance_number == number)]
        assert [r.registration_id for r in holders] == [claim.registration_id]
