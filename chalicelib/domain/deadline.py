"""The 10-day window (thời hạn 10 ngày) to show the original ID at the chosen office, and its reminders."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chalicelib.clock import VIETNAM_TZ

WINDOW_DAYS = 10


def verification_deadline(submitted_at: datetime, override_seconds: int | None = None) -> datetime:
    """23:59:59 Vietnam time on the 10th calendar day after the day of submission.

    Submitted on 25 Nov (any hour) → the person may come until 5 Dec 23:59:59 +07:00. Offices are
    closed at night, but the day is the unit the procedure speaks in, so the whole day counts.
    `override_seconds` (local and tests only) makes the window that many seconds long.
    """
    if override_seconds:
        return submitted_at + timedelta(seconds=override_seconds)
    local_day = submitted_at.astimezone(VIETNAM_TZ).date() + timedelta(days=WINDOW_DAYS)
    return datetime.combine(local_day, time(23, 59, 59), tzinfo=VIETNAM_TZ)


@dataclass(frozen=True)
class WaitPlan:
    """How long each phase of the workflow waits for the staff decision, in whole seconds.

    The workflow waits until the first reminder, reminds, waits until the second, reminds, waits until
    the deadline, then expires the registration. A reminder whose moment has already passed (a short
    window) is skipped: its wait is 0 and the workflow's Choice state jumps over it.
    """

    first_reminder_wait: int
    second_reminder_wait: int
    deadline_wait: int

    def as_input(self) -> dict[str, int | bool]:
        return {
            "first_reminder": self.first_reminder_wait > 0,
            "first_reminder_wait": max(self.first_reminder_wait, 1),
            "second_reminder": self.second_reminder_wait > 0,
            "second_reminder_wait": max(self.second_reminder_wait, 1),
            "deadline_wait": max(self.deadline_wait, 1),
        }


def plan_waits(start: datetime, deadline: datetime, reminder_offsets: tuple[int, int]) -> WaitPlan:
    """Split the time from `start` to `deadline` into the workflow's three waits."""
    first_at = deadline - timedelta(seconds=reminder_offsets[0])
    second_at = deadline - timedelta(seconds=reminder_offsets[1])
    cursor = start
    waits: list[int] = []
    for moment in (first_at, second_at):
        if moment > cursor:
            waits.append(math.ceil((moment - cursor).total_seconds()))
            cursor = cursor + timedelta(seconds=waits[-1])
        else:
            waits.append(0)
    # Round up, and add a second so the timeout never fires before the deadline has really passed.
    last = math.ceil((deadline - cursor).total_seconds()) + 1
    return WaitPlan(waits[0], waits[1], max(last, 1))


# Thứ Hai … Chủ Nhật, by date.weekday()
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True)
class LastDay:
    """The last day to come to the office, as a person reads it (Vietnam time).

    `until` is None when the window runs to the end of that day (the procedure's 10 days): the person can
    come any time the office is open that day, so texts name the day and the opening hours, not 23:59.
    A shortened window (local and tests) ends mid-day, and then the time is named too.
    """

    day: date
    until: time | None

    @property
    def weekday_vi(self) -> str:
        return WEEKDAYS_VI[self.day.weekday()]


def last_day(deadline: datetime) -> LastDay:
    local = deadline.astimezone(VIETNAM_TZ)
    whole_day = local.time() >= time(23, 59)
    return LastDay(local.date(), None if whole_day else local.time().replace(second=0, microsecond=0))
