"""How instants are stored: UTC ISO 8601 with milliseconds, so they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime


def stored(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
