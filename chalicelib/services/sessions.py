"""Citizen sessions: opaque reference tokens, stored hashed, with an idle timeout and a lifetime.

Idle timeout 30 minutes, absolute lifetime 12 hours (both configurable): a social-insurance app holds
health and income data, so a phone left unlocked should not stay signed in for days, yet a working
day of use needs no new sign-in. The authorizer resolves a token on every request; logout deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.domain.credentials import new_token, token_digest
from chalicelib.models.base import condition_failed
from chalicelib.models.sign_in import CitizenSession

# Writing last-seen on every request would double the cost of a read; a minute's precision is plenty.
_TOUCH_EVERY_SECONDS = 60


@dataclass(frozen=True)
class ResolvedSession:
    token_digest: str
    username: str
    device_id: str
    state: str


def start(username: str, device_id: str) -> tuple[str, str]:
    """A new session; returns the token (shown once) and when it ends at the latest."""
    settings = get_settings()
    now = clock.now()
    token = new_token()
    expires = now + timedelta(seconds=settings.session_max_seconds)
    CitizenSession(token_digest(token), username=username, device_id=device_id, state="ACTIVE",
                   created_epoch=int(now.timestamp()), last_seen_epoch=int(now.timestamp()),
                   expires_at_epoch=int(expires.timestamp())).save()
    return token, clock.iso(expires)


def resolve(token: str) -> ResolvedSession | None:
    """The live session behind a token, or None (unknown, ended, idle too long, past its lifetime)."""
    if not token or len(token) > 256:
        return None
    digest = token_digest(token)
    try:
        session = CitizenSession.get(digest, consistent_read=True)
    except CitizenSession.DoesNotExist:
        return None
    now = int(clock.now().timestamp())
    settings = get_settings()
    if session.expires_at_epoch <= now or session.last_seen_epoch + settings.session_idle_seconds <= now:
        return None
    if session.state == "ACTIVE" and now - session.last_seen_epoch >= _TOUCH_EVERY_SECONDS:
        session.update(actions=[CitizenSession.last_seen_epoch.set(now)])
    return ResolvedSession(digest, session.username, session.device_id, session.state)


def end(digest: str) -> None:
    CitizenSession(digest).delete()


def end_all(username: str, *, replace: bool = False, keep: str | None = None) -> int:
    """End (or mark REPLACED, so the old device is told why) every session of the account but `keep`."""
    count = 0
    for key in CitizenSession.by_user.query(username):
        if key.token_digest == keep:
            continue
        if replace:
            try:
                CitizenSession(key.token_digest).update(actions=[CitizenSession.state.set("REPLACED")],
                                                        condition=CitizenSession.token_digest.exists())
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise
        else:
            CitizenSession(key.token_digest).delete()
        count += 1
    return count
