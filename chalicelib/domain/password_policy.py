"""Which new passwords a citizen may choose: NIST SP 800-63B's rules, not composition rules.

Length 8–128 characters counted as Unicode code points, any characters (Vietnamese with its diacritics
included), never truncated; not the social-insurance number, not one of the most common passwords, and not
the current or the initial password. No "one upper-case letter and one digit" rules: they push people to
`Matkhau1`, which the common list catches anyway.

Passwords are NFC-normalised before they are hashed, verified or checked. The same Vietnamese password is
sent precomposed (NFC) by iOS and decomposed (NFD, a letter followed by combining marks) by some Android
keyboards; without one form the citizen would be locked out by the phone they happen to hold.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from chalicelib.domain.credentials import verify_password

MIN_LENGTH = 8
MAX_LENGTH = 128  # well above any passphrase; bounds the work Argon2 is given per request

_COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


class PasswordRejected(ValueError):
    """A new password the policy refuses, with the reason in both languages for the client."""

    def __init__(self, reason: str, reason_vi: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_vi = reason_vi


def normalise_password(password: str) -> str:
    """The one form a password is hashed, verified and checked in (NFC; see the module docstring)."""
    return unicodedata.normalize("NFC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (NFC, lower-case), read once per Lambda container and only when first needed."""
    with _COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        return frozenset(word for line in lines if (word := line.rstrip("\r\n")) and not word.startswith("#"))


def password_problem(
    new_password: str,
    *,
    username: str,
    current_hash: str | None = None,
    initial_hash: str | None = None,
) -> tuple[str, str] | None:
    """Why `new_password` may not be chosen, as (English, Vietnamese), or None when it may.

    `username` is the social-insurance number. Cheap rules run first; the Argon2 comparisons with the
    current and initial password (tens of milliseconds each) run only for an otherwise acceptable password.
    """
    if not isinstance(new_password, str):
        return "The password must be text.", "Mật khẩu phải là chuỗi ký tự."
    candidate = normalise_password(new_password)
    if len(candidate) < MIN_LENGTH:
        return (
            f"The password must have at least {MIN_LENGTH} characters.",
            f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
        )
    if len(candidate) > MAX_LENGTH:
        return (
            f"The password must have at most {MAX_LENGTH} characters.",
            f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự.",
        )
    if username and username in candidate:
        return (
            "The password must not be or contain your social-insurance number.",
            "Mật khẩu không được trùng hoặc chứa mã số BHXH của bạn.",
        )
    if normalise_password(candidate.lower()) in common_passwords():
        return (
            "This password is too common and easy to guess; choose another.",
            "Mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác.",
        )
    if current_hash and verify_password(current_hash, candidate):
        return (
            "The new password must differ from the current one.",
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
        )
    if initial_hash and verify_password(initial_hash, candidate):
        return (
            "The new password must differ from the initial password sent by SMS.",
            "Mật khẩu mới phải khác mật khẩu ban đầu được gửi qua SMS.",
        )
    return None


def acceptable_password(
    new_password: str,
    *,
    username: str,
    current_hash: str | None = None,
    initial_hash: str | None = None,
) -> str:
    """The normalised password, ready for `hash_password`; raises PasswordRejected when the policy refuses it."""
    problem = password_problem(new_password, username=username, current_hash=current_hash, initial_hash=initial_hash)
    if problem:
        raise PasswordRejected(*problem)
    return normalise_password(new_password)
