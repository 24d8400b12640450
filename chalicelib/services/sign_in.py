"""Citizen sign-in (đăng nhập VssID): password + captcha, lockout, first-login change, one device.

Wrong password and unknown number give the same answer after the same work: the guessing budget is
keyed by the number typed, whether or not it has an account (services/attempts.py), and a real
Argon2id verification runs either way. Every try at the password — login, and the current password of a
password or phone change — is counted before it is compared, so parallel requests cannot outrun the
lockout; wrong password-reset codes count against the same budget. The initial password works once and
for 7 days; after it is used, or when the password is older than 180 days, the account must change it
before any /v1/me call.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.aws import notifier
from chalicelib.config import get_settings
from chalicelib.domain import credentials
from chalicelib.domain.password_policy import normalise_password, password_problem
from chalicelib.errors import (
    AccountLockedError,
    AppError,
    DeviceConflictError,
    InitialPasswordExpiredError,
    InvalidCredentialsError,
    OtpInvalidError,
    ValidationFailedError,
)
from chalicelib.models.account import Account
from chalicelib.observability import logger, metrics
from chalicelib.services import attempts, captchas, otp, sessions
from chalicelib.services.timestamps import parse, stored

_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(credentials.hash_password("not-a-real-password"))
    return _DUMMY[0]


def _text(body: dict[str, Any], name: str, max_len: int = 256) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise ValidationFailedError(fields={name: "is required"}, extra={"fields_vi": {name: "bắt buộc nhập"}})
    return value


def password_change_required(account: Account) -> bool:
    if account.password_change_required:
        return True
    age = clock.now() - parse(account.password_set_at)
    return age > timedelta(days=get_settings().password_max_age_days)


def _metric(name: str) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def _budget_key(username: str) -> str:
    return f"login:{username}"


def _take_try(username: str) -> Any:
    """Count one try at the account's password before it is compared; 423 once the budget is spent."""
    settings = get_settings()
    try:
        return attempts.take(_budget_key(username), settings.login_max_failures, settings.lockout_seconds)
    except attempts.BudgetSpentError as spent:
        raise _locked(spent.until_epoch) from None


def _wrong_password(attempt: Any) -> AppError:
    """The answer to a wrong password (or unknown number): 401, or 423 when this try spent the budget,
    which then stays spent for the whole lockout from now."""
    settings = get_settings()
    _metric("LoginFailed")
    if attempt.count < settings.login_max_failures:
        return InvalidCredentialsError()
    counter = attempts.failed(attempt.counter_key, settings.lockout_seconds, lock_at=settings.login_max_failures)
    _metric("AccountLocked")
    return _locked(counter.window_end_epoch)


def count_wrong_code(username: str) -> None:
    """A wrong password-reset code is a wrong try against the account too: reset and login share one
    guessing budget. (Already spent: nothing more to count; the reset itself is not refused.)"""
    try:
        attempt = attempts.take(_budget_key(username), get_settings().login_max_failures,
                                get_settings().lockout_seconds)
    except attempts.BudgetSpentError:
        return
    _wrong_password(attempt)


def check_password(account: Account, password: object) -> None:
    """The account's password or an error — counted towards the same lockout as sign-in, so a stolen
    session cannot be used to guess the password (e.g. through the phone change)."""
    attempt = _take_try(account.username)
    if not isinstance(password, str) or not credentials.verify_password(account.password_hash,
                                                                       normalise_password(password)):
        raise _wrong_password(attempt)
    attempts.clear(attempt.counter_key)


def _locked(until_epoch: int) -> AccountLockedError:
    now = clock.now().timestamp()
    until = clock.iso(clock.datetime.fromtimestamp(until_epoch, clock.timezone.utc))
    return AccountLockedError(headers={"Retry-After": str(max(int(until_epoch - now), 1))},
                              extra={"locked_until": until})


def login(body: dict[str, Any]) -> dict[str, Any]:
    username = _text(body, "username", 32)
    password = _text(body, "password", 1024)
    device_id = _text(body, "device_id", 128)
    device_name = body.get("device_name") if isinstance(body.get("device_name"), str) else None
    captchas.spend(body.get("captcha_id"), body.get("captcha_answer"))
    password = normalise_password(password)
    # Counted before anything is compared or even read; keyed by the number typed, known or not.
    attempt = _take_try(username)
    try:
        account = Account.get(username, consistent_read=True) if username.isdigit() and len(username) == 10 else None
    except Account.DoesNotExist:
        account = None
    if account is None:
        credentials.verify_password(_dummy_hash(), password)
        raise _wrong_password(attempt)
    if not credentials.verify_password(account.password_hash, password):
        raise _wrong_password(attempt)
    # Cleared before anything else is written: if this fails, the retry with the same password still works.
    attempts.clear(attempt.counter_key)
    now = clock.now()
    on_initial = account.password_change_required and account.initial_password_expires_at is not None
    if on_initial and (account.initial_password_used or parse(account.initial_password_expires_at) <= now):
        raise InitialPasswordExpiredError()
    actions: list[Any] = []
    if credentials.password_hasher().check_needs_rehash(account.password_hash):
        actions.append(Account.password_hash.set(credentials.hash_password(password)))
    if on_initial:
        actions += [Account.initial_password_used.set(True), Account.initial_password_hash.set(account.password_hash)]
    first_device = account.device_id is None
    if first_device:
        actions += [Account.device_id.set(device_id), Account.device_name.set(device_name)]
    # What the citizen receives (session or device challenge) is written before the account records the
    # initial password as used: if either write fails, the retry with the same password still works.
    if not first_device and account.device_id != device_id:
        challenge_id = otp.create("DEVICE", account.username, device_id, device_name)
        if actions:
            account.update(actions=actions, add_version_condition=False)
        raise DeviceConflictError(extra={"challenge_id": challenge_id})
    token, expires_at = sessions.start(account.username, device_id)
    if actions:
        account.update(actions=actions, add_version_condition=False)
    _metric("LoginSucceeded")
    logger.info("citizen signed in")
    return {"access_token": token, "expires_at": expires_at,
            "password_change_required": password_change_required(account)}


def send_device_code(challenge_id: str) -> dict[str, object]:
    challenge = otp.load(challenge_id, "DEVICE")
    return otp.send(challenge, Account.get(challenge.username))


def verify_device(challenge_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The code proves the registered phone: the account moves here, the old device is signed out."""
    challenge = otp.load(challenge_id, "DEVICE")
    otp.verify(challenge, body.get("otp"))
    with otp.given_back_on_failure(challenge):  # a failed write below must not burn the citizen's code
        account = Account.get(challenge.username, consistent_read=True)
        account.update(actions=[Account.device_id.set(challenge.device_id),
                                Account.device_name.set(challenge.device_name)], add_version_condition=False)
        sessions.end_all(account.username, replace=True)
        token, expires_at = sessions.start(account.username, challenge.device_id or "")
    name = (challenge.device_name or "thiet bi moi")[:40]
    from chalicelib.domain.messages import unaccented

    # The move itself stands; the notice (a warning if it was not the citizen) must still arrive.
    notifier.send_or_queue(account.phone, unaccented(
        f"BHXH VN: Tai khoan VssID cua ban vua dang nhap tren {name} luc "
        f"{clock.now().astimezone(clock.VIETNAM_TZ).strftime('%H:%M %d/%m/%Y')}. "
        "Neu khong phai ban, hay doi mat khau ngay."), "new_device")
    _metric("DeviceMoved")
    return {"access_token": token, "expires_at": expires_at,
            "password_change_required": password_change_required(account)}


def _set_password(account: Account, new_password: str) -> None:
    now = clock.now()
    account.update(actions=[
        Account.password_hash.set(credentials.hash_password(new_password)),
        Account.password_set_at.set(stored(now)),
        Account.password_change_required.set(False),
        Account.initial_password_expires_at.remove(),
    ], add_version_condition=False)


def _check_new_password(account: Account, new_password: str) -> None:
    """The policy, which compares with the current password: only for a caller who proved the current
    password or a code, never before (it would tell whether a guess is the password)."""
    problem = password_problem(new_password, username=account.username, current_hash=account.password_hash,
                               initial_hash=account.initial_password_hash, full_name=account.full_name,
                               date_of_birth=account.date_of_birth, phone=account.phone)
    if problem:
        raise ValidationFailedError(fields={"new_password": problem[0]},
                                    extra={"fields_vi": {"new_password": problem[1]}})


def _new_password_text(body: dict[str, Any]) -> str:
    new_password = body.get("new_password")
    if not isinstance(new_password, str):
        raise ValidationFailedError(fields={"new_password": "is required"},
                                    extra={"fields_vi": {"new_password": "bắt buộc nhập"}})
    return normalise_password(new_password)


def change_password(username: str, body: dict[str, Any], keep_session: str | None = None) -> None:
    """The current password (counted against the lockout), then the policy; every other session of the
    account ends — a thief signed in elsewhere is signed out — and `keep_session` (this one) stays."""
    current = normalise_password(_text(body, "current_password", 1024))
    new_password = _new_password_text(body)
    account = Account.get(username, consistent_read=True)
    check_password(account, current)
    _check_new_password(account, new_password)
    # Sessions end before the password changes: each step can be repeated, so a retry after a failure
    # (still with the old password as the current one) finishes the change.
    sessions.end_all(account.username, keep=keep_session)
    _set_password(account, new_password)
    logger.info("citizen password changed")


def start_reset(body: dict[str, Any]) -> dict[str, Any]:
    """Forgot password, or an initial password that expired: a code to the registered phone."""
    username = _text(body, "username", 32)
    captchas.spend(body.get("captcha_id"), body.get("captcha_answer"))
    try:
        account = Account.get(username, consistent_read=True) if username.isdigit() and len(username) == 10 else None
    except Account.DoesNotExist:
        account = None
    reset_id = otp.create("RESET", username)
    sent = otp.send(otp.load(reset_id, "RESET"), account)
    return {"reset_id": reset_id, "expires_in": sent["expires_in"], "resend_after": sent["resend_after"]}


def resend_reset(reset_id: str) -> dict[str, object]:
    challenge = otp.load(reset_id, "RESET")
    try:
        account = Account.get(challenge.username)
    except Account.DoesNotExist:
        account = None
    return otp.send(challenge, account)


def confirm_reset(reset_id: str, body: dict[str, Any]) -> None:
    """The code first — one try taken atomically, a wrong code counted against the challenge AND the
    account's sign-in budget — and only then the password policy, which compares with the current
    password. A refused new password gives the proven code's try back, so the citizen can choose again.

    A locked account can still be reset with the right code: that is how a citizen who forgot the
    password recovers, and the code proves the registered phone. The reset lifts the lock.
    """
    challenge = otp.load(reset_id, "RESET")
    new_password = _new_password_text(body)  # its shape only: nothing here depends on the account
    # For a number without an account no code was sent: every code is wrong, with the same answers.
    otp.prove(challenge, body.get("otp"), on_wrong=lambda: count_wrong_code(challenge.username))
    try:
        account = Account.get(challenge.username, consistent_read=True)
    except Account.DoesNotExist:
        raise OtpInvalidError() from None
    try:
        _check_new_password(account, new_password)
    except ValidationFailedError:
        otp.give_back_try(challenge)
        raise
    otp.spend(challenge)
    with otp.given_back_on_failure(challenge):  # each step below can be repeated by the client's retry
        sessions.end_all(account.username)
        attempts.clear(_budget_key(account.username))
        _set_password(account, new_password)
    logger.info("citizen password reset")


def logout(token_digest: str) -> None:
    sessions.end(token_digest)


