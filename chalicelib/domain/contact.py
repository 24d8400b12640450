"""Phone numbers and e-mail addresses, checked with maintained libraries."""

from __future__ import annotations

import re

_PHONE_CHARACTERS = re.compile(r"^[0-9０-９ +().\-]{1,30}$")


def normalise_vn_mobile(raw: str) -> str | None:
    """A Vietnamese mobile number in any common form as E.164 (`+84901234567`); None if it is not one."""
    # phonenumbers turns letters into keypad digits and drops "ext 12"; a person who typed a letter
    # did not mean a number, and the initial password must not go to a number nobody typed.
    if not _PHONE_CHARACTERS.fullmatch(raw):
        return None
    import phonenumbers  # imported on first use: ~35 ms that most requests (and cold starts) never need

    try:
        parsed = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != 84 or not phonenumbers.is_valid_number(parsed):
        return None
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str | None:
    """The normalised address, or None if it is not a valid e-mail address (no DNS look-up)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def mask_phone(e164: str) -> str:
    """`+84901234567` → `+84*****4567`: enough for a person to recognise, useless to a log reader."""
    return e164[:3] + "*" * max(len(e164) - 7, 0) + e164[-4:]
