"""Daily SMS limits per account and per phone number: the SMS budget cannot be drained by one person."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.errors import SmsLimitError, TooManyRequestsError
from chalicelib.models.base import condition_failed
from chalicelib.models.sign_in import SmsCounter


def _next_midnight(now: datetime) -> datetime:
    local = now.astimezone(clock.VIETNAM_TZ)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=clock.VIETNAM_TZ)


def _count_one(key: str, limit: int, reset_at: datetime) -> None:
    count_or_refuse(key, limit, reset_at, SmsLimitError)


def count_or_refuse(key: str, limit: int, reset_at: datetime, error: type[TooManyRequestsError]) -> None:
    """Add one to a counter that resets at `reset_at`; refuse with `error` (429) once it is at `limit`."""
    counter = SmsCounter(key, expires_at_epoch=int(reset_at.timestamp()) + 86400)
    try:
        counter.update(
            actions=[SmsCounter.count.add(1), SmsCounter.expires_at_epoch.set(counter.expires_at_epoch)],
            condition=SmsCounter.counter_key.does_not_exist() | (SmsCounter.count < limit),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise error(retry_after=int((reset_at - clock.now()).total_seconds())) from None
        raise


def spend(username: str, phone: str | None, hourly: tuple[str, int] | None = None) -> None:
    """Count one SMS against the account's and the phone's daily limits (and an optional hourly one).

    `phone` None: a reset for a number without an account, counted like one (the same 429s) though
    nothing is sent; there is no phone to count."""
    settings = get_settings()
    now = clock.now()
    day = now.astimezone(clock.VIETNAM_TZ).date().isoformat()
    reset_at = _next_midnight(now)
    if hourly is not None:
        purpose, limit = hourly
        hour_start = now.replace(minute=0, second=0, microsecond=0)
        _count_one(f"{purpose}:{username}:{hour_start.isoformat()}", limit, hour_start + timedelta(hours=1))
    _count_one(f"account:{username}:{day}", settings.sms_per_account_per_day, reset_at)
    if phone:
        # The phone is hashed: the counter table need not hold phone numbers.
        phone_key = hashlib.sha256(phone.encode()).hexdigest()[:32]
        _count_one(f"phone:{phone_key}:{day}", settings.sms_per_phone_per_day, reset_at)
