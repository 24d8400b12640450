"""Staff sign-in: password + authenticator-app code (TOTP), then an opaque session token.

Staff usernames are predictable and there is no captcha, so a lockout that refused everyone would be a
weapon: five requests would lock any staff member out. Instead:

- each source address may try 60 times an hour (429 TOO_MANY_REQUESTS, `Retry-After`);
- each username has a budget of 5 failures in 15 minutes, counted atomically BEFORE anything is
  compared (services/attempts.py), so parallel requests get no more than 5 answers of 401. Once it is
  spent, every wrong attempt is answered 423 ACCOUNT_LOCKED — but the right password with a fresh right
  code still signs in: only the holder of the authenticator can, and the lock costs them nothing;
- the right password with a wrong code, 5 times, is a stolen password: the account is hard-locked, and
  even the right code is refused, for 15 minutes from the last such attempt. Who lacks the code sees the
  same answers as for any wrong password (the same write, the same status, the same Retry-After), so
  the hard lock does not tell them the password was right.

Unknown usernames get the same answers after the same work: the budget is keyed by the name typed, and
a real Argon2id verification runs against a dummy hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.domain.credentials import hash_password, new_token, token_digest, verify_password
from chalicelib.errors import (
    AccountLockedError,
    ForbiddenError,
    InvalidCredentialsError,
    StaffLoginLimitError,
    UnauthorizedError,
    ValidationFailedError,
)
from chalicelib.models.base import condition_failed
from chalicelib.models.staff import StaffMember, StaffSession
from chalicelib.observability import logger
from chalicelib.services import attempts
from chalicelib.services.sms_budget import count_or_refuse
from chalicelib.services.timestamps import stored

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
STOLEN_PASSWORD_FAILURES = 5  # right password, wrong code: this many times hard-locks the account
ATTEMPTS_PER_ADDRESS_PER_HOUR = 60
# Verifying against a real hash even for an unknown username keeps both answers equally slow.
_DUMMY_HASH: list[str] = []
_DUMMY_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # checked for unknown usernames, never accepted


@dataclass(frozen=True)
class StaffIdentity:
    username: str
    office_code: str
    role: str = "office"


ROLES = ("office", "operations")  # office staff (cán bộ một cửa) · operations (vận hành dữ liệu)


def require_operations(staff: StaffIdentity) -> StaffIdentity:
    """The data-feed routes are for the operations role only; office staff get 403."""
    if staff.role != "operations":
        raise ForbiddenError("Only operations staff may see data loads.",
                             "Chỉ cán bộ vận hành mới được xem các lượt nạp dữ liệu.")
    return staff


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("not-a-real-password"))
    return _DUMMY_HASH[0]


def _field(body: dict[str, Any], name: str, max_len: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValidationFailedError(fields={name: "is required"}, extra={"fields_vi": {name: "bắt buộc nhập"}})
    return value


def _locked(until_epoch: int) -> AccountLockedError:
    return AccountLockedError(headers={"Retry-After": str(max(int(until_epoch - clock.now().timestamp()), 1))})


def _throttle_address(client_address: str) -> None:
    """At most ATTEMPTS_PER_ADDRESS_PER_HOUR sign-ins from one source address an hour (hashed in the key)."""
    hour = clock.now().replace(minute=0, second=0, microsecond=0)
    address_key = hashlib.sha256(client_address.encode()).hexdigest()[:32]
    count_or_refuse(f"staff-login:{address_key}:{hour.isoformat()}", ATTEMPTS_PER_ADDRESS_PER_HOUR,
                    hour + timedelta(hours=1), StaffLoginLimitError)


def _get(username: str) -> StaffMember | None:
    try:
        return StaffMember.get(username, consistent_read=True)
    except StaffMember.DoesNotExist:
        return None


def login(body: dict[str, Any], client_address: str = "unknown") -> dict[str, Any]:
    import pyotp

    username = _field(body, "username", 64)
    password = _field(body, "password", 256)
    code = _field(body, "totp", 10)
    _throttle_address(client_address)
    key = f"staff:{username}"
    # Counted before anything is compared; a spent budget refuses wrong attempts only (see the docstring).
    try:
        budget = attempts.take(key, MAX_FAILURES, LOCK_SECONDS)
        spent = False
    except attempts.BudgetSpentError as refused:
        budget, spent = refused.counter, True
    staff = _get(username)
    now = clock.now()
    password_ok = verify_password(staff.password_hash if staff else _dummy_hash(), password) and staff is not None
    step = _matching_step(pyotp.TOTP(staff.totp_secret if staff else _DUMMY_TOTP_SECRET), code, now.timestamp())
    code_ok = staff is not None and step is not None and step > staff.last_totp_step
    if not (password_ok and code_ok):
        # One write, whatever was wrong: it locks the budget if this attempt spent it, and counts a stolen password.
        after = attempts.failed(key, LOCK_SECONDS, lock_at=MAX_FAILURES if not spent and budget.count >= MAX_FAILURES
                                else None, second_factor=password_ok)
        if staff is not None:
            logger.info("staff sign-in failed", extra={"staff": staff.username, "locked": spent})
            if password_ok and after.second_factor_failures == STOLEN_PASSWORD_FAILURES:
                logger.warning("staff account hard-locked: the right password with wrong codes",
                               extra={"staff": staff.username})
        if spent:
            raise _locked(budget.window_end_epoch)
        raise InvalidCredentialsError()
    hard_until = budget.second_factor_failed_epoch + LOCK_SECONDS
    if budget.second_factor_failures >= STOLEN_PASSWORD_FAILURES and hard_until > now.timestamp():
        raise _locked(hard_until)  # the code is not spent: it is refused like every other
    if staff is None or step is None:  # cannot happen (code_ok says so); for the type checker
        raise InvalidCredentialsError()
    attempts.clear(key)  # first: if it fails, nothing was spent and the retry with the same code works
    # The session is stored before the code is spent, so a failure in between never spends a code
    # without a session (the retry with the same code must work); its token is shown only afterwards.
    token = new_token()
    expires = now + timedelta(seconds=get_settings().staff_session_seconds)
    session = StaffSession(
        token_digest(token),
        username=staff.username,
        office_code=staff.office_code,
        role=staff.role or "office",
        expires_at=stored(expires),
        expires_at_epoch=int(expires.timestamp()),
    )
    session.save()
    try:
        # The code is spent: the same code cannot open a second session (replay).
        staff.update(actions=[StaffMember.last_totp_step.set(step)], condition=StaffMember.last_totp_step < step)
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


def logout(authorization: str | None) -> None:
    """End the staff session behind the token at once (POST /v1/admin/auth/logout)."""
    staff, digest = _session_of(authorization)
    StaffSession(digest).delete()
    logger.info("staff signed out", extra={"staff": staff.username})


def from_request(request: Any) -> StaffIdentity:
    """The signed-in staff member of a Chalice request (every /v1/admin route but login)."""
    return authenticate(request.headers.get("authorization"))


def office_from_request(request: Any) -> StaffIdentity:
    """The signed-in office staff member: the counter's routes (queue, decisions, help desk, feedback) refuse
    the operations role, which sees load counts and never a citizen's data."""
    staff = from_request(request)
    if staff.role != "office":
        raise ForbiddenError("Only office staff may do this.", "Chỉ cán bộ tại cơ quan BHXH mới được thực hiện.")
    return staff


def operations_from_request(request: Any) -> StaffIdentity:
    """The signed-in operations staff member (GET /v1/admin/loads…)."""
    return require_operations(from_request(request))


def authenticate(authorization: str | None) -> StaffIdentity:
    """The staff member behind `Authorization: Bearer <staff_token>`."""
    return _session_of(authorization)[0]


def _session_of(authorization: str | None) -> tuple[StaffIdentity, str]:
    if not authorization or not authorization.startswith("Bearer "):
        raise UnauthorizedError("Staff sign-in required.", "Cần đăng nhập tài khoản cán bộ.")
    digest = token_digest(authorization[len("Bearer "):].strip())
    try:
        # Strongly consistent: a token that was signed out is refused at once, not a moment later.
        session = StaffSession.get(digest, consistent_read=True)
    except StaffSession.DoesNotExist:
        raise UnauthorizedError("Staff sign-in required.", "Cần đăng nhập tài khoản cán bộ.") from None
    if session.expires_at_epoch <= clock.now().timestamp():
        raise UnauthorizedError("The staff session has ended.", "Phiên đăng nhập của cán bộ đã hết hạn.")
    return StaffIdentity(username=session.username, office_code=session.office_code,
                         role=session.role or "office"), digest


def create_staff(username: str, full_name: str, office_code: str, password: str, totp_secret: str,
                 role: str = "office") -> StaffMember:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    staff = StaffMember(
        username,
        full_name=full_name,
        office_code=office_code,
        role=role,
        password_hash=hash_password(password),
        totp_secret=totp_secret,
        created_at=stored(clock.now()),
    )
    staff.save(condition=StaffMember.username.does_not_exist())
    return staff
