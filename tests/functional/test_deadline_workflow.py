"""The 10-day window, run by the real state machine with a window of seconds."""

from __future__ import annotations

import time
from datetime import timedelta

from chalicelib import clock
from tests.support.people import Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, history_states, wait_for_execution


def submit(client) -> Citizen:
    citizen = Citizen(client).registered()
    reply = citizen.submit()
    assert reply.status == 200, reply.body
    return citizen


def test_registration_expires_when_nobody_decides(client, settings_env):
    settings_env(VSSID_DEADLINE_SECONDS="2")
    citizen = submit(client)
    assert deliver_tokens() == ["recorded"]

    execution = wait_for_execution(citizen.registration_id, timeout=20)

    assert execution["status"] == "SUCCEEDED"
    assert history_states(execution["executionArn"]) == [
        "FirstReminderDue", "SecondReminderDue", "WaitForDecisionUntilDeadline", "MarkExpired", "SendExpiryNotice",
        "Expired",
    ]
    assert citizen.status().body["status"] == "EXPIRED"
    assert "da qua han 10 ngay" in citizen.sms()[-1]
    staff = Staff.create(client)
    staff.login()
    late = staff.approve(citizen.registration_id)
    assert late.status == 410 and late.body["error"]["code"] == "DEADLINE_PASSED"
    assert account_of(citizen.form["social_insurance_number"]) is None
    assert [i["registration_id"] for i in staff.queue("EXPIRED").body["items"]] == [citizen.registration_id]
    assert staff.queue().body["items"] == []


def test_expired_registration_can_be_resubmitted_with_a_new_window(client, settings_env):
    settings_env(VSSID_DEADLINE_SECONDS="2")
    citizen = submit(client)
    deliver_tokens()
    wait_for_execution(f"{citizen.registration_id}-1", timeout=20)
    assert citizen.status().body["status"] == "EXPIRED"

    settings_env(VSSID_DEADLINE_SECONDS="600")
    again = citizen.submit()

    assert again.status == 200
    assert again.body["attempt"] == 2
    assert again.body["status"] == "AWAITING_VERIFICATION"
    assert deliver_tokens() == ["recorded"]
    staff = Staff.create(client)
    staff.login()
    assert staff.approve(citizen.registration_id).status == 200
    assert wait_for_execution(f"{citizen.registration_id}-2")["status"] == "SUCCEEDED"


def test_decision_after_the_deadline_is_refused_even_before_the_workflow_marks_it(client, settings_env):
    settings_env(VSSID_DEADLINE_SECONDS="600")
    citizen = submit(client)
    deliver_tokens()
    staff = Staff.create(client)
    staff.login()
    # Staff open the registration when the window has just ended, before any timer fired
    clock.set_clock(lambda: clock.datetime.now(clock.timezone.utc) + timedelta(seconds=601))

    late = staff.approve(citizen.registration_id)

    assert late.status == 410 and late.body["error"]["code"] == "DEADLINE_PASSED"
    assert account_of(citizen.form["social_insurance_number"]) is None


def test_a_decision_that_got_there_first_wins_over_the_timer(client, settings_env):
    # The workflow's timer fires after staff approved but before it was told (its token never
    # recorded): the expiry's conditional write must lose, and no expiry SMS may go out.
    settings_env(VSSID_DEADLINE_SECONDS="2")
    submitted_at = clock.now()
    citizen = submit(client)
    # The app sees the moment of submission (however slow this machine is); the workflow's timer runs
    # on real time and fires 2 s later.
    clock.set_clock(lambda: submitted_at)
    staff = Staff.create(client)
    staff.login()
    assert staff.approve(citizen.registration_id).status == 200  # no deliver_tokens(): the workflow waits on

    execution = wait_for_execution(citizen.registration_id, timeout=20)

    states = history_states(execution["executionArn"])
    assert states[-2:] == ["MarkExpired", "Decided"]
    assert citizen.status().body["status"] == "APPROVED"
    assert not any("qua han" in sms for sms in citizen.sms())
    assert account_of(citizen.form["social_insurance_number"]) is not None


def test_token_recorded_after_the_decision_still_ends_the_workflow(client, settings_env):
    settings_env(VSSID_DEADLINE_SECONDS="600")
    citizen = submit(client)
    staff = Staff.create(client)
    staff.login()
    assert staff.reject(citizen.registration_id).status == 200

    assert deliver_tokens() == ["resumed"]  # the consumer sees the decision and resumes the wait

    execution = wait_for_execution(citizen.registration_id)
    assert history_states(execution["executionArn"])[-1] == "Decided"


def test_reminders_go_out_before_the_deadline(client, settings_env):
    settings_env(VSSID_DEADLINE_SECONDS="8", VSSID_REMINDER_OFFSETS="5,2")
    citizen = submit(client)
    started = time.monotonic()
    assert deliver_tokens() == ["recorded"]
    assert deliver_tokens(wait_seconds=10) == ["recorded"]  # second wait, after the first reminder
    assert deliver_tokens(wait_seconds=10) == ["recorded"]  # the wait until the deadline

    execution = wait_for_execution(citizen.registration_id, timeout=20)

    assert time.monotonic() - started >= 7
    assert history_states(execution["executionArn"]) == [
        "FirstReminderDue", "WaitForDecisionUntilFirstReminder", "MarkFirstReminder", "SendFirstReminder",
        "SecondReminderDue", "WaitForDecisionUntilSecondReminder", "MarkSecondReminder", "SendSecondReminder",
        "WaitForDecisionUntilDeadline", "MarkExpired", "SendExpiryNotice", "Expired",
    ]
    texts = citizen.sms()
    assert len(texts) == 4
    assert texts[1] == texts[2] and "Nhac lich" in texts[1] and "BHXH co so Hoan Kiem" in texts[1]
    assert "qua han" in texts[3]
