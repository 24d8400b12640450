"""Which new passwords a citizen may choose: NIST SP 800-63B's rules, not composition rules.

Length 8–128 characters counted as Unicode code points, any characters (Vietnamese with its diacritics
included), never truncated; not containing the social-insurance number, the phone number or the date of
birth; not one of the most common passwords; not guessable by zxcvbn's estimate (`password_strength`:
repeats, sequences, keyboard walks, dictionary words, dates, the citizen's own name — at least
`MIN_STRENGTH` of 4); and not the current or the initial password. No "one upper-case letter and one
digit" rules: they push people to `Matkhau1`, which the common list catches anyway.

Every refusal says why in English and Vietnamese; a password refused for its estimate also says the
estimated strength ("1 of 4; at least 2 is needed").

Passwords are NFC-normalised before they are hashed, verified or checked. The same Vietnamese password is
sent precomposed (NFC) by iOS and decomposed (NFD, a letter followed by combining marks) by some Android
keyboards; without one form the citizen would be locked out by the phone they happen to hold.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from chalicelib.domain.credentials import new_initial_password, verify_password
from chalicelib.domain.password_strength import Strength, context_words, estimate, without_context

MIN_LENGTH = 8
MAX_LENGTH = 128  # well above any passphrase; bounds the work Argon2 is given per request
# zxcvbn's score: 2 is about a million guesses or more. Sign-in allows 5 wrong tries per 15 minutes, so that is
# years of trying per account online; 3 would refuse any 8-character password however random ("kqz7wbm2"),
# which NIST's 8-character minimum allows on purpose.
MIN_STRENGTH = 2
STAFF_MIN_LENGTH = 12  # staff accounts reach every citizen of an office: longer, as the staff tool always asked

# Why zxcvbn found a password guessable, by the pattern that covers most of it (English, Vietnamese).
_WHY = {
    "repeat": ('it repeats a character or a group of characters (like "aaaa" or "abcabc")',
               'lặp lại một ký tự hoặc một nhóm ký tự (như "aaaa", "abcabc")'),
    "sequence": ('it is a run of letters or digits in order (like "abcd", "1234" or "9876")',
                 'là một dãy chữ hoặc số liên tiếp (như "abcd", "1234", "9876")'),
    "spatial": ('it is a walk along the keyboard (like "qwerty", "asdfgh" or "zxcvbn")',
                'là các phím liền nhau trên bàn phím (như "qwerty", "asdfgh", "zxcvbn")'),
    "date": ("it is mostly a date", "chủ yếu là một ngày tháng"),
    "dictionary": ("it is made of common words or passwords", "ghép từ các từ hoặc mật khẩu phổ biến"),
    "context": ("it is built from your name or other personal details others know",
                "được ghép từ họ tên hoặc thông tin cá nhân mà người khác có thể biết"),
}
# The citizen's facts a password can be built from (English, Vietnamese), in `context_words`' kinds.
_FACTS = {"name": ("name", "họ tên"), "birth": ("date of birth", "ngày sinh"),
          "phone": ("phone number", "số điện thoại"), "number": ("social-insurance number", "mã số BHXH")}
_GUESSABLE = ("it is too simple", "quá đơn giản")

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


def _guessable(strength: Strength, facts: list[str] | None = None) -> tuple[str, str]:
    if facts or strength.context:
        kinds = facts or [strength.context or ""]
        why = "it is built from your " + " and ".join(_FACTS[k][0] for k in kinds if k in _FACTS)
        why_vi = "được ghép từ " + " và ".join(_FACTS[k][1] for k in kinds if k in _FACTS) + " của bạn"
    else:
        why, why_vi = _WHY.get(strength.pattern or "") or _GUESSABLE
    return (
        f"This password is easy to guess because {why}. Estimated strength {strength.score} of 4; at least "
        f"{MIN_STRENGTH} is needed — a few words of your own with digits or signs between them are stronger.",
        f"Mật khẩu này dễ bị đoán vì {why_vi}. Độ mạnh ước tính {strength.score}/4, cần từ {MIN_STRENGTH}/4 trở "
        "lên — hãy ghép vài từ của riêng bạn, xen thêm chữ số hoặc ký hiệu.",
    )


def _birth_forms(date_of_birth: str | None) -> list[str]:
    """ddmmyyyy, yyyymmdd and ddmmyy of a YYYY-MM-DD date: how a birth date is typed into a password."""
    if not date_of_birth or len(date_of_birth) != 10:
        return []
    year, month, day = date_of_birth[:4], date_of_birth[5:7], date_of_birth[8:10]
    return [f"{day}{month}{year}", f"{year}{month}{day}", f"{day}{month}{year[2:]}"]


def _phone_forms(phone: str | None) -> list[str]:
    """The 9 significant digits of a Vietnamese mobile (+84912345678 → 912345678): in 0912345678 and
    84912345678 alike."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return [digits[-9:]] if len(digits) >= 9 else []


def password_problem(
    new_password: str,
    *,
    username: str,
    current_hash: str | None = None,
    initial_hash: str | None = None,
    full_name: str | None = None,
    date_of_birth: str | None = None,
    phone: str | None = None,
    min_length: int = MIN_LENGTH,
) -> tuple[str, str] | None:
    """Why `new_password` may not be chosen, as (English, Vietnamese), or None when it may.

    `username` is the social-insurance number; `full_name`, `date_of_birth` (YYYY-MM-DD) and `phone` are the
    citizen's, when known, so a password built from them is refused. Cheap rules run first, then the
    estimate (a few milliseconds); the Argon2 comparisons with the current and initial password (tens of
    milliseconds each) run only for an otherwise acceptable password.
    """
    if not isinstance(new_password, str):
        return "The password must be text.", "Mật khẩu phải là chuỗi ký tự."
    candidate = normalise_password(new_password)
    if len(candidate) < min_length:
        return (
            f"The password must have at least {min_length} characters.",
            f"Mật khẩu phải có ít nhất {min_length} ký tự.",
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
    if any(form in candidate for form in _phone_forms(phone)):
        return (
            "The password must not contain your phone number.",
            "Mật khẩu không được chứa số điện thoại của bạn.",
        )
    if any(form in candidate for form in _birth_forms(date_of_birth)):
        return (
            "The password must not contain your date of birth.",
            "Mật khẩu không được chứa ngày sinh của bạn.",
        )
    if normalise_password(candidate.lower()) in common_passwords():
        return (
            "This password is too common and easy to guess; choose another.",
            "Mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác.",
        )
    context = context_words(full_name=full_name, date_of_birth=date_of_birth, phone=phone, number=username)
    strength = estimate(candidate, context)
    if strength.score < MIN_STRENGTH:
        return _guessable(strength)
    remainder, used = without_context(candidate, context)
    if used:
        rest = estimate(remainder)
        if rest.score < MIN_STRENGTH:
            return _guessable(rest, used)
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


def staff_password_problem(password: str, *, username: str, full_name: str | None = None) -> tuple[str, str] | None:
    """The citizen rules for a staff member's password, at least STAFF_MIN_LENGTH characters, and not
    containing the staff username (e.g. "canbo.hn-hk") or built from the staff member's name."""
    if isinstance(password, str) and len(username) >= 4 and username.lower() in normalise_password(password).lower():
        return (
            "The password must not contain the username.",
            "Mật khẩu không được chứa tên đăng nhập.",
        )
    return password_problem(password, username="", full_name=full_name, min_length=STAFF_MIN_LENGTH)


def new_citizen_initial_password(*, username: str, full_name: str | None = None, date_of_birth: str | None = None,
                                 phone: str | None = None) -> str:
    """A random initial password (the one sent by SMS) that this policy itself would accept for the citizen:
    a random draw that happens to spell "aaaa" or the citizen's birth date is drawn again."""
    while True:
        password = new_initial_password()
        if password_problem(password, username=username, full_name=full_name, date_of_birth=date_of_birth,
                            phone=phone) is None:
            return password


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
