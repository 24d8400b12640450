"""The one source of "now", so deadlines and expiries can be tested with a frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")  # Viet Nam keeps UTC+7 all year, no DST.

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Tests freeze or move time with this; None restores the real clock."""
    global _now
    _now = fn or (lambda: datetime.now(UTC))


def iso(moment: datetime) -> str:
    """ISO 8601 in Vietnam time with its offset, as the API contract shows timestamps."""
    return moment.astimezone(VIETNAM_TZ).isoformat(timespec="seconds")
