"""Recording who looked at a citizen's data, so the citizen can see it at GET /v1/me/access-log."""

from __future__ import annotations

import uuid

from chalicelib import clock
from chalicelib.models.records import AccessLogEntry
from chalicelib.services.timestamps import stored


def record(username: str, actor: str, office_code: str | None, what: str) -> None:
    now = clock.now()
    AccessLogEntry(username, f"{stored(now)}#{uuid.uuid4().hex[:8]}", actor=actor, office_code=office_code,
                   what=what, at=clock.iso(now)).save()
