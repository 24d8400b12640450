"""Staff sign-in: password + authenticator-app code (TOTP), then an opaque session token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.domain.credentials import hash_password, new_token, token_digest, verify_password
from chalicelib.errors import AccountLockedError, InvalidCredentialsError, UnauthorizedError, ValidationFailedError
from chalicelib.models.base import condition_failed
from chalicelib.models.staff import StaffMember, StaffSession
from chalicelib.observability import logger
from chalicelib.services.timestamps import stored

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
# Verifying against a real hash even for an unknown username keeps both answers equally slow.
_DUMMY_HASH: list[str] = []


@dataclass(frozen=True)
class StaffIdentity:
    username: str
    office_code: str


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("not-a-real-password"))
    return _DUMMY_HASH[0]


def _field(body: dict[str, Any], name: str, max_len: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValidationFailedError(fields={name: "is required"}, extra={"fields_vi": {name: "bắt buộc nhập"}})
    return value


def login(body: dict[str, Any]) -> dict[str, Any]:
    import pyotp

    username = _field(body, "username", 64)
    password = _field(body, "password", 256)
    code = _field(body, "totp", 10)
    now = clock.now()
    try:
        staff = StaffMember.get(username, consistent_read=True)
    except StaffMember.DoesNotExist:
        verify_password(_dummy_hash(), password)
        raise InvalidCredentialsError() from None
    if staff.locked_until_epoch > now.timestamp():
        retry = int(staff.locked_until_epoch - now.timestamp()) + 1
        raise AccountLockedError(headers={"Retry-After": str(retry)})
    totp = pyotp.TOTP(staff.totp_secret)
    password_ok = verify_password(staff.password_hash, password)
    step = _matching_step(totp, code, now.timestamp())
    if not password_ok or step is None or step <= staff.last_totp_step:
        _record_failure(staff, now.timestamp())
        raise InvalidCredentialsError()
    # The session is stored before the code is spent, so a failure in between never spends a code
    # without a session (the retry with the same code must work); its token is shown only afterwards.
    token = new_token()
    expires = now + timedelta(seconds=get_settings().staff_session_seconds)
    session = StaffSession(
        token_digest(token),
        username=staff.username,
        office_code=staff.office_code,
        expires_at=stored(expires),
        expires_at_epoch=int(expires.timestamp()),
    )
    session.save()
    try:
        # The code is spent: the same code cannot open a second session (replay).
        staff.update(
            actions=[StaffMember.last_totp_step.set(step), StaffMember.failed_logins.set(0)],
            condition=StaffMember.last_totp_step < step,
        )
    except UpdateError as exc:
        session.delete()
        if not condition_failed(exc):
            raise
        raise InvalidCredentialsError() from None
    logger.info("staff signed in", extra={"staff": staff.username, "office": staff.office_code})
    return {"staff_token": token, "expires_at": clock.iso(expires), "office_code": staff.office_code,
            "username": staff.username}


def _matching_step(totp: Any, code: str, at: float) -> int | None:
    """The 30-second step the code belongs to (±1 step for clock drift), or None."""
    if not code.isdigit():
        return None
    current = int(at // totp.interval)
    for step in (current, current - 1, current + 1):
        if totp.verify(code, for_time=step * totp.interval, valid_window=0):
            return step
    return None


def _record_failure(staff: StaffMember, now_epoch: float) -> None:
    failures = staff.failed_logins + 1
    actions = [StaffMember.failed_logins.add(1)]
    if failures >= MAX_FAILURES:
        actions = [StaffMember.failed_logins.set(0), StaffMember.locked_until_epoch.set(int(now_epoch) + LOCK_SECONDS)]
    staff.update(actions=actions)
    logger.info("staff sign-in failed", extra={"staff": staff.username, "failures": failures})


def from_request(request: Any) -> StaffIdentity:
    """The signed-in staff member of a Chalice request (every /v1/admin route but login)."""
    return authenticate(request.headers.get("authorization"))


def authenticate(authorization: str | None) -> StaffIdentity:
    """The staff member behind `Authorization: Bearer <staff_token>`."""
    if not authorization or not authorization.startswith("Bearer "):
        raise UnauthorizedError("Staff sign-in required.", "Cần đăng nhập tài khoản cán bộ.")
    token = authorization[len("Bearer "):].strip()
    try:
        session = StaffSession.get(token_digest(token))
    except StaffSession.DoesNotExist:
        raise UnauthorizedError("Staff sign-in required.", "Cần đăng nhập tài khoản cán bộ.") from None
    if session.expires_at_epoch <= clock.now().timestamp():
        raise UnauthorizedError("The staff session has ended.", "Phiên đăng nhập của cán bộ đã hết hạn.")
    return StaffIdentity(username=session.username, office_code=session.office_code)


def create_staff(username: str, full_name: str, office_code: str, password: str, totp_secret: str) -> StaffMember:
    staff = StaffMember(
        username,
        full_name=full_name,
        office_code=office_code,
        password_hash=hash_password(password),
        totp_secret=totp_secret,
        created_at=stored(clock.now()),
    )
    staff.save(condition=StaffMember.username.does_not_exist())
    return staff
