"""Form 01 against the register: who may claim a social-insurance number.

- On create, and on a correction that changes the number, name, birth date or ID number, the form must
  match the register's person (`domain.register_match`); otherwise `422 REGISTER_MISMATCH`. A number the
  register does not know is refused with the same answer, and the answer never names the field, so
  Form 01 cannot be used to learn who is in the register. The check comes after the captcha and before
  the account and claim checks: `409 ACCOUNT_EXISTS` only ever answers someone who already knows the
  person's name, birth date and ID number.
- Staff see the register's person beside the form, with the fields that differ.
- Approval re-reads the register (consistently) inside the decision and refuses with `409
  REGISTER_CONFLICT` what it contradicts: an account is never bound to a number whose register entry
  names someone else, even for a registration made before these checks or a register reloaded since.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.register_match import MATCHED, SHOWN, differences, matches
from chalicelib.errors import RegisterConflictError, RegisterMismatchError
from chalicelib.models.records import InsuranceRecord
from chalicelib.models.registration import Registration
from chalicelib.observability import logger

PERSON = "PERSON"
_PERSON_FIELDS = ("full_name", "date_of_birth", "gender", "id_number", "province_code", "phone")


def person(sin: str, *, consistent: bool = False) -> dict[str, Any] | None:
    """The register's person for `sin` (participant row fields), or None."""
    try:
        item = InsuranceRecord.get(sin, PERSON, consistent_read=consistent)
    except InsuranceRecord.DoesNotExist:
        return None
    return item.fields.as_dict()


def _form_of(registration: Registration) -> dict[str, Any]:
    return {field: getattr(registration, field) for field in SHOWN}


def ensure_form_matches(form: dict[str, Any]) -> None:
    """Refuse a Form 01 whose number the register does not give to the person it describes."""
    if not matches(form, person(form["social_insurance_number"])):
        logger.info("form refused: register mismatch")  # which field, and whose number, stay out of logs
        raise RegisterMismatchError()


def ensure_registration_matches(registration: Registration) -> None:
    """At approval: the register, read now, still names the registration's person."""
    found = person(registration.social_insurance_number, consistent=True)
    if not matches(_form_of(registration), found):
        differing = differences(_form_of(registration), found, MATCHED) if found else ["social_insurance_number"]
        raise RegisterConflictError(extra={"differences": differing})


def staff_view(registration: Registration) -> dict[str, Any]:
    """The register's person beside the form, for the staff member deciding: `matches` is what create and
    approval require; `differences` lists every shown field that differs (gender included)."""
    found = person(registration.social_insurance_number)
    form = _form_of(registration)
    return {
        "found": found is not None,
        "matches": matches(form, found),
        "differences": differences(form, found) if found is not None else [],
        "person": {name: found.get(name) for name in _PERSON_FIELDS} if found is not None else None,
    }
