"""One-time codes by SMS (mã OTP): to move the account to a new device, or to reset the password.

A code has 6 digits (pyotp), lives 5 minutes, works once, is stored only as a hash, and allows 5 tries
per challenge, each taken with one conditional write before the code is compared (so parallel requests
get no more); a new code needs 60 seconds since the last and at most 5 codes an hour go to one account,
on top of the daily SMS limits. A reset for a number without an account sends nothing but is counted
against the same limits, so a 429 does not tell which numbers have accounts. The SMS ends in the
origin-bound format (`@domain #code`) that iOS and Android keyboards offer to fill in.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.aws import notifier
from chalicelib.config import get_settings
from chalicelib.errors import (
    ChallengeNotFoundError,
    OtpInvalidError,
    OtpTriesExceededError,
    ResendTooSoonError,
    ServiceUnavailableError,
)
from chalicelib.models.account import Account
from chalicelib.models.base import condition_failed
from chalicelib.models.sign_in import OtpChallenge
from chalicelib.observability import logger
from chalicelib.services import sms_budget

CHALLENGE_SECONDS = 15 * 60


def _digest(challenge_id: str, code: str) -> str:
    return hashlib.sha256(f"{challenge_id}:{code}".encode()).hexdigest()


def create(purpose: str, username: str, device_id: str | None = None, device_name: str | None = None,
           new_phone: str | None = None) -> str:
    challenge_id = uuid.uuid4().hex
    expires = clock.now() + timedelta(seconds=CHALLENGE_SECONDS)
    OtpChallenge(challenge_id, purpose=purpose, username=username, device_id=device_id, device_name=device_name,
                 new_phone=new_phone, expires_at_epoch=int(expires.timestamp())).save()
    return challenge_id


def load(challenge_id: str, purpose: str) -> OtpChallenge:
    try:
        challenge = OtpChallenge.get(challenge_id, consistent_read=True)
    except OtpChallenge.DoesNotExist:
        raise ChallengeNotFoundError() from None
    if challenge.purpose != purpose or challenge.used or challenge.expires_at_epoch <= clock.now().timestamp():
        raise ChallengeNotFoundError()
    return challenge


def sms_text(code: str, purpose: str) -> str:
    what = {"DEVICE": "dang nhap tren thiet bi moi", "PHONE": "doi so dien thoai",
            "TAKEOVER": "dang ky lai ma so BHXH cua ban"}.get(purpose, "dat lai mat khau")
    domain = get_settings().otp_autofill_domain
    return (f"BHXH VN: Ma xac thuc {what} la {code}, hieu luc 5 phut. Khong cung cap ma nay cho ai.\n\n"
            f"@{domain} #{code}")


def send(challenge: OtpChallenge, account: Account | None) -> dict[str, object]:
    """Send a fresh code; an unknown account (a reset for a number that has none) sends nothing but
    answers the same, so the endpoint does not reveal which numbers have accounts."""
    import pyotp

    settings = get_settings()
    now = int(clock.now().timestamp())
    wait = challenge.last_sent_epoch + settings.otp_resend_seconds - now
    if wait > 0:
        raise ResendTooSoonError(retry_after=wait)
    # A code confirming a new number goes to that number; every other code to the registered phone.
    to = challenge.new_phone or (account.phone if account is not None else None)
    # Counted for a number without an account too (the number typed, no phone): the same 429s either way.
    sms_budget.spend(account.username if account is not None else challenge.username, to,
                     hourly=("otp", settings.otp_sends_per_hour))
    code = pyotp.TOTP(pyotp.random_base32(), digits=6).now()
    previous = (challenge.otp_digest, challenge.otp_expires_epoch, challenge.last_sent_epoch)
    try:
        challenge.update(
            actions=[OtpChallenge.otp_digest.set(_digest(challenge.challenge_id, code)),
                     OtpChallenge.otp_expires_epoch.set(now + settings.otp_seconds),
                     OtpChallenge.sends.add(1),  # wrong tries are per challenge: a new code does not reset them
                     OtpChallenge.last_sent_epoch.set(now)],
            condition=(OtpChallenge.last_sent_epoch == challenge.last_sent_epoch) & (OtpChallenge.used == False),  # noqa: E712
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise ResendTooSoonError(retry_after=settings.otp_resend_seconds) from None
        raise
    if account is not None and to:
        try:
            notifier.send_sms(to, sms_text(code, challenge.purpose))
        except notifier.NotificationError:
            _unsend(challenge, previous, now)
            raise ServiceUnavailableError() from None
    return {"challenge_id": challenge.challenge_id, "expires_in": settings.otp_seconds,
            "resend_after": settings.otp_resend_seconds}


def _unsend(challenge: OtpChallenge, previous: tuple[str | None, int, int], sent_epoch: int) -> None:
    """The SMS did not go out: put the earlier code and resend time back, so the client's retry is not
    told to wait for a code it never got."""
    digest, expires_epoch, last_sent_epoch = previous
    try:
        challenge.update(
            actions=[OtpChallenge.otp_digest.set(digest) if digest else OtpChallenge.otp_digest.remove(),
                     OtpChallenge.otp_expires_epoch.set(expires_epoch),
                     OtpChallenge.last_sent_epoch.set(last_sent_epoch)],
            condition=OtpChallenge.last_sent_epoch == sent_epoch,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def _take_try(challenge: OtpChallenge) -> None:
    """Count one try before the code is compared: ADD 1 on the condition that tries are left and the
    challenge is not spent, so forty parallel requests get at most `otp_max_wrong` comparisons."""
    limit = get_settings().otp_max_wrong
    try:
        challenge.update(actions=[OtpChallenge.wrong_tries.add(1)],
                         condition=(OtpChallenge.wrong_tries < limit) & (OtpChallenge.used == False))  # noqa: E712
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        try:
            current = OtpChallenge.get(challenge.challenge_id, consistent_read=True)
        except OtpChallenge.DoesNotExist:
            raise ChallengeNotFoundError() from None
        if current.used:
            raise OtpInvalidError() from None  # spent a moment ago by a concurrent request
        raise OtpTriesExceededError() from None


def prove(challenge: OtpChallenge, code: object, on_wrong: Callable[[], None] | None = None) -> None:
    """Take one try, then compare; a wrong (or expired, or never sent) code raises OTP_INVALID with the
    tries left, or OTP_TRIES_EXCEEDED on the last one, after calling `on_wrong`. The challenge is not
    spent: `spend` does that once whatever the code unlocks may go ahead."""
    if not isinstance(code, str) or len(code) > 64:
        raise OtpInvalidError()  # not a guess at all: no try taken
    _take_try(challenge)
    now = clock.now().timestamp()
    right = (challenge.otp_digest is not None and challenge.otp_expires_epoch > now
             and hmac.compare_digest(_digest(challenge.challenge_id, code.strip()), challenge.otp_digest))
    if right:
        return
    if on_wrong is not None:
        on_wrong()
    left = get_settings().otp_max_wrong - challenge.wrong_tries
    if left <= 0:
        raise OtpTriesExceededError()
    raise OtpInvalidError(extra={"tries_left": left})


def give_back_try(challenge: OtpChallenge) -> None:
    """The code was right but the request was refused for another reason (a new password the policy
    refuses): its try is returned, so choosing again costs the citizen nothing."""
    try:
        challenge.update(actions=[OtpChallenge.wrong_tries.add(-1)], condition=OtpChallenge.wrong_tries > 0)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def spend(challenge: OtpChallenge) -> None:
    """Mark a proven challenge used, once: a concurrent request that spent it first wins."""
    try:
        challenge.update(actions=[OtpChallenge.used.set(True)],
                         condition=(OtpChallenge.used == False) & (OtpChallenge.otp_digest == challenge.otp_digest))  # noqa: E712
    except UpdateError as exc:
        if condition_failed(exc):
            raise OtpInvalidError() from None  # used a moment ago by a concurrent request
        raise


def verify(challenge: OtpChallenge, code: object) -> None:
    """Spend the challenge if `code` is right; count a wrong try otherwise."""
    prove(challenge, code)
    spend(challenge)


@contextmanager
def given_back_on_failure(challenge: OtpChallenge) -> Iterator[None]:
    """After `verify` spent the challenge: if the work it unlocks fails, make the code usable again so the
    client's retry can finish (the work itself is all-or-nothing or repeatable)."""
    try:
        yield
    except Exception:
        try:
            challenge.update(actions=[OtpChallenge.used.set(False)], condition=OtpChallenge.used == True)  # noqa: E712
        except Exception:  # noqa: BLE001 - the original error is the one to report
            logger.warning("spent challenge could not be given back")
        raise
