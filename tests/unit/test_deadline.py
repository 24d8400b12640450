"""The 10-day window, counted in Vietnam calendar days, and how the workflow splits it into waits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from chalicelib.clock import VIETNAM_TZ
from chalicelib.domain.deadline import WaitPlan, last_day, plan_waits, verification_deadline

DEFAULT_OFFSETS = (259200, 86400)  # reminders 3 days and 1 day before the deadline


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VIETNAM_TZ)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- verification_deadline ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "deadline"),
    [
        (vn(2026, 11, 25, 10, 0), vn(2026, 12, 5, 23, 59, 59)),
        (vn(2026, 11, 25, 0, 0), vn(2026, 12, 5, 23, 59, 59)),
        (vn(2026, 11, 25, 23, 30), vn(2026, 12, 5, 23, 59, 59)),
        (utc(2026, 11, 25, 16, 30), vn(2026, 12, 5, 23, 59, 59)),  # 23:30 on 25 Nov in Viet Nam
        (utc(2026, 11, 25, 18, 0), vn(2026, 12, 6, 23, 59, 59)),  # already 01:00 on 26 Nov in Viet Nam
        (utc(2026, 11, 24, 17, 0), vn(2026, 12, 5, 23, 59, 59)),  # exactly midnight 25 Nov in Viet Nam
        (utc(2026, 11, 24, 16, 59, 59), vn(2026, 12, 4, 23, 59, 59)),  # one second before it
        (vn(2026, 12, 28, 9, 0), vn(2027, 1, 7, 23, 59, 59)),  # month and year roll over
        (vn(2028, 2, 25, 9, 0), vn(2028, 3, 6, 23, 59, 59)),  # leap February has 29 days
        (vn(2027, 2, 25, 9, 0), vn(2027, 3, 7, 23, 59, 59)),
    ],
    ids=[
        "morning", "midnight", "late-evening", "late-evening-given-in-utc", "utc-evening-is-next-day-in-vietnam",
        "vietnam-midnight-in-utc", "just-before-vietnam-midnight", "year-rollover", "leap-year", "common-year",
    ],
)
def test_the_deadline_is_the_end_of_the_tenth_vietnam_day_after_submission(submitted_at: datetime, deadline: datetime):
    result = verification_deadline(submitted_at)

    assert result == deadline
    assert result.utcoffset() == timedelta(hours=7)
    assert result.astimezone(VIETNAM_TZ).time().isoformat() == "23:59:59"


def test_the_deadline_reads_as_vietnam_time_in_the_api():
    assert verification_deadline(vn(2026, 11, 25, 10, 0)).isoformat() == "2026-12-05T23:59:59+07:00"


def test_every_hour_of_a_vietnam_day_gets_the_same_deadline():
    deadlines = {verification_deadline(vn(2026, 11, 25, hour, 17)) for hour in range(24)}

    assert deadlines == {vn(2026, 12, 5, 23, 59, 59)}


@pytest.mark.parametrize("seconds", [1, 2, 30, 3600])
def test_an_override_makes_the_window_that_many_seconds_long(seconds: int):
    submitted_at = utc(2026, 11, 25, 3, 0, 0)

    assert verification_deadline(submitted_at, seconds) == submitted_at + timedelta(seconds=seconds)


@pytest.mark.parametrize("override", [None, 0])
def test_no_override_means_the_real_ten_day_window(override: int | None):
    assert verification_deadline(vn(2026, 11, 25, 10, 0), override) == vn(2026, 12, 5, 23, 59, 59)


# --- plan_waits -----------------------------------------------------------------------------------------------


def effective_total(plan: WaitPlan) -> int:
    """Seconds the workflow really waits: skipped reminders' waits are jumped over by its Choice states."""
    waits = plan.as_input()
    return (
        (waits["first_reminder_wait"] if waits["first_reminder"] else 0)
        + (waits["second_reminder_wait"] if waits["second_reminder"] else 0)
        + waits["deadline_wait"]
    )


def test_a_ten_day_window_reminds_three_days_and_one_day_before_the_deadline():
    start = vn(2026, 11, 25, 10, 0)
    deadline = verification_deadline(start)

    plan = plan_waits(start, deadline, DEFAULT_OFFSETS)

    first_at = start + timedelta(seconds=plan.first_reminder_wait)
    second_at = first_at + timedelta(seconds=plan.second_reminder_wait)
    assert first_at == deadline - timedelta(days=3)
    assert second_at == deadline - timedelta(days=1)
    assert plan.as_input()["first_reminder"] is True
    assert plan.as_input()["second_reminder"] is True


def test_a_ten_day_window_never_times_out_before_the_deadline():
    start = vn(2026, 11, 25, 10, 0)
    deadline = verification_deadline(start)

    plan = plan_waits(start, deadline, DEFAULT_OFFSETS)

    total = plan.first_reminder_wait + plan.second_reminder_wait + plan.deadline_wait
    assert total >= (deadline - start).total_seconds()
    assert start + timedelta(seconds=effective_total(plan)) > deadline


def test_a_two_second_window_skips_both_reminders():
    start = utc(2026, 11, 25, 3, 0, 0)

    waits = plan_waits(start, start + timedelta(seconds=2), DEFAULT_OFFSETS).as_input()

    assert waits["first_reminder"] is False
    assert waits["second_reminder"] is False
    assert waits["deadline_wait"] >= 2


def test_a_five_second_window_with_short_offsets_sends_both_reminders():
    start = utc(2026, 11, 25, 3, 0, 0)

    waits = plan_waits(start, start + timedelta(seconds=5), (3, 1)).as_input()

    assert waits["first_reminder"] is True
    assert waits["second_reminder"] is True
    assert waits["first_reminder_wait"] == 2
    assert waits["second_reminder_wait"] == 2
    assert waits["deadline_wait"] >= 1


def test_a_window_shorter_than_the_first_offset_sends_only_the_second_reminder():
    start = utc(2026, 11, 25, 3, 0, 0)
    deadline = start + timedelta(days=2)

    plan = plan_waits(start, deadline, DEFAULT_OFFSETS)

    assert plan.as_input()["first_reminder"] is False
    assert plan.as_input()["second_reminder"] is True
    assert start + timedelta(seconds=plan.second_reminder_wait) == deadline - timedelta(days=1)
    assert start + timedelta(seconds=effective_total(plan)) > deadline


def test_a_workflow_started_after_the_deadline_still_waits_a_second():
    start = utc(2026, 12, 10, 0, 0, 0)

    waits = plan_waits(start, start - timedelta(hours=1), DEFAULT_OFFSETS).as_input()

    assert waits == {
        "first_reminder": False, "first_reminder_wait": 1,
        "second_reminder": False, "second_reminder_wait": 1,
        "deadline_wait": 1,
    }


WINDOWS = [
    (start, seconds, offsets)
    for start in (utc(2026, 11, 25, 3, 0, 0), utc(2026, 11, 25, 3, 0, 0, 999_999), utc(2026, 11, 25, 3, 0, 0, 1))
    for seconds in (1, 2, 3, 4, 5, 7, 60, 86_400, 259_201, 864_000, 914_399)
    for offsets in ((3, 1), DEFAULT_OFFSETS, (5, 5))
]


@pytest.mark.parametrize(("start", "seconds", "offsets"), WINDOWS)
def test_any_window_is_covered_by_whole_second_waits_that_never_fire_a_reminder_early(
    start: datetime, seconds: int, offsets: tuple[int, int]
):
    deadline = start + timedelta(seconds=seconds)
    plan = plan_waits(start, deadline, offsets)
    waits = plan.as_input()

    # Step Functions needs whole, positive timeouts.
    assert all(isinstance(waits[k], int) and waits[k] >= 1 for k in waits if k.endswith("_wait"))
    # The decision window closes only after the deadline has passed.
    assert start + timedelta(seconds=effective_total(plan)) > deadline
    # ...and not much later: less than two seconds of rounding in all.
    assert start + timedelta(seconds=effective_total(plan)) < deadline + timedelta(seconds=2)
    # A reminder is sent at or just after its moment, never before it; never at or after the deadline.
    elapsed = 0
    for enabled, wait, offset in (
        (waits["first_reminder"], waits["first_reminder_wait"], offsets[0]),
        (waits["second_reminder"], waits["second_reminder_wait"], offsets[1]),
    ):
        if enabled:
            elapsed += wait
            sent_at = start + timedelta(seconds=elapsed)
            assert deadline - timedelta(seconds=offset) <= sent_at < deadline - timedelta(seconds=offset - 1)
            assert sent_at < deadline


# --- last_day: what texts tell the person ---------------------------------------------------------------------


def test_the_procedures_window_ends_with_a_whole_day_named_without_a_time():
    last = last_day(verification_deadline(vn(2026, 11, 25, 10, 0)))

    assert (last.day, last.until, last.weekday_vi) == (date(2026, 12, 5), None, "Thứ Bảy")


def test_the_last_day_is_the_vietnam_day_whatever_zone_the_deadline_is_given_in():
    assert last_day(utc(2026, 12, 5, 16, 59, 59)).day == date(2026, 12, 5)
    assert last_day(utc(2026, 12, 5, 17, 30)).day == date(2026, 12, 6)


def test_a_shortened_window_ending_mid_day_keeps_its_time_to_the_minute():
    last = last_day(vn(2026, 12, 5, 14, 30, 45))

    assert (last.day, last.until) == (date(2026, 12, 5), time(14, 30))


@pytest.mark.parametrize(("day", "name"), [(7, "Thứ Hai"), (11, "Thứ Sáu"), (13, "Chủ Nhật")])
def test_weekdays_are_named_in_vietnamese(day: int, name: str):
    assert last_day(vn(2026, 12, day, 23, 59, 59)).weekday_vi == name
