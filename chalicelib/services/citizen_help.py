"""The citizen help desk (hỗ trợ người tham gia tại quầy): staff look up a citizen of their own office.

A person at the counter says "I cannot sign in" or "my contributions for 2024 are missing"; the officer
reads the profile, the account's sign-in state, the BHYT card and the contributions, as the citizen's
own app would show them. Rules:

- only citizens whose account belongs to the officer's office (`Account.office_code`); any other number —
  another office's citizen, a number without an account — answers the same 404;
- every read is written to the citizen's access log first (GET /v1/me/access-log shows "canbo.hn-hk viewed
  your contributions at …"); if that write fails, nothing is read;
- no secret leaves: no password hash, no device id, no QR payload.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from chalicelib import clock
from chalicelib.errors import NotFoundError, ValidationFailedError
from chalicelib.models.account import Account
from chalicelib.models.records import InsuranceRecord
from chalicelib.services import access_log, my_records
from chalicelib.services.staff_auth import StaffIdentity
from chalicelib.services.timestamps import parse

_NUMBER = re.compile(r"^[0-9]{10}$")
HELP_DESK = "citizen help desk"
_CARD_FIELDS = ("card_number", "valid_from", "valid_to", "initial_clinic", "five_year_continuous_from",
                "benefit_level")


def _time(value: str | None) -> str | None:
    return clock.iso(parse(value)) if value else None


def _account_at_office(staff: StaffIdentity, number: str) -> Account:
    if not _NUMBER.fullmatch(number or ""):
        raise ValidationFailedError(fields={"social_insurance_number": "must be 10 digits"},
                                    extra={"fields_vi": {"social_insurance_number": "phải gồm 10 chữ số"}})
    try:
        account = Account.get(number, consistent_read=True)
    except Account.DoesNotExist:
        account = None
    if account is None or account.office_code != staff.office_code:
        raise NotFoundError("No citizen with this social-insurance number has an account at your office.",
                            "Không có người tham gia có tài khoản với mã số BHXH này tại cơ quan của bạn.")
    return account


def _sign_in_state(account: Account) -> dict[str, Any]:
    now = clock.now().timestamp()
    locked = int(account.locked_until_epoch or 0)
    return {
        "status": account.status,
        "created_at": _time(account.created_at),
        "password_change_required": bool(account.password_change_required),
        "initial_password_pending": not account.initial_password_used and bool(account.initial_password_expires_at),
        "initial_password_expires_at": _time(account.initial_password_expires_at),
        "locked_until": clock.iso(datetime.fromtimestamp(locked, UTC)) if locked > now else None,
        "device_name": account.device_name,
    }


def citizen(staff: StaffIdentity, number: str) -> dict[str, Any]:
    """Profile, sign-in state and BHYT card of a citizen of the officer's office (logged for the citizen)."""
    account = _account_at_office(staff, number)
    access_log.record(number, staff.username, staff.office_code, f"profile and health-insurance card ({HELP_DESK})")
    try:
        card_fields = InsuranceRecord.get(number, "CARD").fields.as_dict()
        card = {name: card_fields.get(name) for name in _CARD_FIELDS}
    except InsuranceRecord.DoesNotExist:
        card = None
    return {
        "social_insurance_number": account.username,
        "full_name": account.full_name,
        "date_of_birth": account.date_of_birth,
        "gender": account.gender,
        "id_type": account.id_type,
        "id_number": account.id_number,
        "phone": account.phone,
        "email": account.email,
        "address": account.address,
        "office_code": account.office_code,
        "account": _sign_in_state(account),
        "health_card": card,
    }


def contributions(staff: StaffIdentity, number: str, scheme: str | None, limit: int,
                  next_token: str | None) -> dict[str, Any]:
    """The citizen's contribution periods and totals, exactly as their app shows them (logged for the citizen)."""
    _account_at_office(staff, number)
    if scheme is not None and scheme not in my_records.SCHEMES:
        listed = ", ".join(my_records.SCHEMES)
        raise ValidationFailedError(fields={"scheme": "must be one of " + listed},
                                    extra={"fields_vi": {"scheme": "phải là một trong " + listed}})
    what = f"{scheme} contributions" if scheme else "contributions"
    access_log.record(number, staff.username, staff.office_code, f"{what} ({HELP_DESK})")
    return my_records.contributions(number, scheme, limit, next_token)
