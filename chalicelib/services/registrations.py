"""Form 01 as the citizen sees it: create a draft, correct it, upload images, follow its status.

Creating needs a captcha (as sign-in does) and a form the register agrees with (`register_match`), in
that order, before anything is said about accounts or claims on the number. A correction that changes
the number, name, birth date or ID number is checked against the register again, at most
`REGISTER_CHECKS_PER_DAY` times a day per registration. A draft holds its number for
`draft_hold_seconds` after it was created or last corrected.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.aws import documents as document_store
from chalicelib.config import get_settings
from chalicelib.domain.credentials import new_token, same_digest, token_digest
from chalicelib.domain.deadline import plan_waits, verification_deadline
from chalicelib.domain.documents import ALLOWED_CONTENT_TYPES, DOCUMENT_KINDS, document_key
from chalicelib.domain.form01 import Form01, parse_form01
from chalicelib.domain.form01_terms import VIETNAM, channels_or_default, commitment_view
from chalicelib.domain.registration_status import EDITABLE, SUBMITTABLE, RegistrationStatus
from chalicelib.errors import (
    AccountExistsError,
    AppError,
    InvalidStateError,
    RegistrationExistsError,
    RegistrationNotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationFailedError,
)
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.reference import Office
from chalicelib.models.registration import Registration
from chalicelib.models.sign_in import Captcha
from chalicelib.observability import logger
from chalicelib.services import captchas, claims, register_match, sms_budget
from chalicelib.services.reference import find_office
from chalicelib.services.timestamps import parse, stored

IDENTITY_FIELDS = ("social_insurance_number", "full_name", "date_of_birth", "id_number")
REGISTER_CHECKS_PER_DAY = 5


class RegisterChecksLimitError(TooManyRequestsError):
    message = "Too many corrections of the number, name, date of birth or ID number today; try again tomorrow."
    message_vi = ("Đã sửa mã số BHXH, họ tên, ngày sinh hoặc số giấy tờ quá nhiều lần hôm nay; "
                  "vui lòng thử lại vào ngày mai.")


def load_for_owner(registration_id: str, access_key: str | None) -> Registration:
    """The registration, if `access_key` is its key; the same 404 whether the id or the key is wrong."""
    if not access_key:
        raise UnauthorizedError(
            "Send the registration's access key in X-Registration-Key.",
            "Vui lòng gửi khóa truy cập của tờ khai trong X-Registration-Key.",
        )
    try:
        registration = Registration.get(registration_id, consistent_read=True)
    except Registration.DoesNotExist:
        registration = None
    if registration is None or not same_digest(access_key, registration.access_key_digest):
        raise RegistrationNotFoundError()
    return registration


def _office_or_fail(form: Form01) -> Office:
    office = find_office(form.office_code)
    if office is None:
        raise ValidationFailedError(
            fields={"office_code": "is not a known social-insurance office"},
            extra={"fields_vi": {"office_code": "không phải cơ quan BHXH trong danh mục"}},
        )
    return office


def _uploads(registration_id: str, content_types: dict[str, str] | None = None) -> dict[str, Any]:
    content_types = content_types or {}
    return {
        kind: document_store.presigned_upload(
            document_key(registration_id, kind), content_types.get(kind, "image/jpeg")
        )
        for kind in DOCUMENT_KINDS
    }


@contextmanager
def _captcha_spent(captcha_id: Any, answer: Any) -> Iterator[None]:
    """Spend the captcha for the work in the block. If that work fails on our side (DynamoDB busy or down:
    the client gets 503 and learned nothing), the captcha is put back, so the client's retry with the same
    body and Idempotency-Key can finish; a refusal (an AppError) keeps it spent."""
    try:
        kept = Captcha.get(captcha_id, consistent_read=True) if isinstance(captcha_id, str) and captcha_id else None
    except (Captcha.DoesNotExist, PynamoDBException):
        kept = None  # spend() reads it again and answers CAPTCHA_INVALID or a retryable error itself
    captchas.spend(captcha_id, answer)
    try:
        yield
    except Exception as exc:
        if isinstance(exc, AppError) and exc.status < 500:
            raise  # a refusal: the captcha was used
        if kept is not None:
            try:
                kept.save(condition=Captcha.captcha_id.does_not_exist())
            except Exception:  # noqa: BLE001 - the original failure is the one to report
                logger.warning("spent captcha could not be given back")  # the client asks for a new one
        raise


def create(body: dict[str, Any], issue_access_key: Callable[[str], str] = lambda _: new_token(),
           ) -> tuple[int, dict[str, Any]]:
    """A DRAFT Form 01; `issue_access_key` makes its key (services.access_keys: derived when a retry must
    be able to show it again)."""
    now = clock.now()
    form = parse_form01(body, today=now.astimezone(clock.VIETNAM_TZ).date())
    _office_or_fail(form)
    with _captcha_spent(body.get("captcha_id"), body.get("captcha_answer")):
        return _create(form, now, issue_access_key)


def _create(form: Form01, now: datetime, issue_access_key: Callable[[str], str]) -> tuple[int, dict[str, Any]]:
    register_match.ensure_form_matches(form.as_dict())  # before any answer about accounts or claims
    claims.ensure_no_account(form.social_insurance_number)
    registration_id = uuid.uuid4().hex
    access_key = issue_access_key(registration_id)
    status = RegistrationStatus.DRAFT.value
    registration = Registration(
        registration_id,
        access_key_digest=token_digest(access_key),
        status=status,
        office_status=f"{form.office_code}#{status}",
        status_changed_at=stored(now),
        created_at=stored(now),
        updated_at=stored(now),
        draft_expires_epoch=_draft_expiry(now),
        **form.as_dict(),
    )
    try:
        with transaction() as tx:
            claims.add_claim(tx, form.social_insurance_number, registration_id, now)
            tx.save(registration, condition=Registration.registration_id.does_not_exist())
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise claims.conflict_from_cancellation(form.social_insurance_number) from None
    return 201, {
        "registration_id": registration_id,
        "access_key": access_key,
        "status": status,
        "uploads": _uploads(registration_id),
    }


def _draft_expiry(now: Any) -> int:
    """Until when a draft created or corrected `now` holds its number."""
    return int((now + timedelta(seconds=get_settings().draft_hold_seconds)).timestamp())


def _check_identity_change(registration: Registration, form: Form01, now: datetime) -> None:
    """A correction of the number, name, birth date or ID number meets the register again (a few times a
    day per registration: the key holder gets no captcha here)."""
    fields = form.as_dict()
    if all(fields[name] == getattr(registration, name) for name in IDENTITY_FIELDS):
        return
    day = now.astimezone(clock.VIETNAM_TZ).date()
    reset_at = datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.VIETNAM_TZ)
    sms_budget.count_or_refuse(f"register-check:{registration.registration_id}:{day.isoformat()}",
                               REGISTER_CHECKS_PER_DAY, reset_at, RegisterChecksLimitError)
    register_match.ensure_form_matches(fields)


def update(registration: Registration, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Correct the form while DRAFT, REJECTED or EXPIRED; images already uploaded are kept."""
    if RegistrationStatus(registration.status) not in EDITABLE:
        raise InvalidStateError()
    now = clock.now()
    form = parse_form01(body, today=now.astimezone(clock.VIETNAM_TZ).date())
    _office_or_fail(form)
    _check_identity_change(registration, form, now)
    fields = form.as_dict()
    actions = [getattr(Registration, name).set(value) for name, value in fields.items() if value is not None]
    if form.email is None:
        actions.append(Registration.email.remove())
    actions += [
        Registration.commitment_accepted_at.remove(),  # given for the form as it was; asked again at submit
        Registration.office_status.set(f"{form.office_code}#{registration.status}"),
        Registration.updated_at.set(stored(now)),
        Registration.draft_expires_epoch.set(_draft_expiry(now)),
    ]
    condition = Registration.status == registration.status
    number_changed = form.social_insurance_number != registration.social_insurance_number
    try:
        if number_changed:
            claims.ensure_no_account(form.social_insurance_number)
            with transaction() as tx:
                if registration.status == RegistrationStatus.DRAFT.value:
                    claims.add_claim(tx, form.social_insurance_number, registration.registration_id, now)
                claims.release_claim(tx, registration.social_insurance_number, registration.registration_id)
                tx.update(registration, actions=actions, condition=condition)
        else:
            registration.update(actions=actions, condition=condition)
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise claims.conflict_from_cancellation(form.social_insurance_number) from None
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        raise InvalidStateError() from None
    registration.refresh(consistent_read=True)
    return 200, {**view(registration), "uploads": _uploads(registration.registration_id)}


def fresh_uploads(registration: Registration, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """New presigned POSTs (the old ones expire), optionally for PNG instead of JPEG."""
    if RegistrationStatus(registration.status) not in EDITABLE:
        raise InvalidStateError()
    wanted = body.get("content_types")
    if wanted is None:  # absent or null; `false`, `[]` or `""` are not a map and are refused below
        wanted = {}
    if not isinstance(wanted, dict) or any(
        kind not in DOCUMENT_KINDS or value not in ALLOWED_CONTENT_TYPES for kind, value in wanted.items()
    ):
        raise ValidationFailedError(
            fields={"content_types": "maps id_front/id_back/portrait to image/jpeg or image/png"},
            extra={"fields_vi": {"content_types": "chỉ nhận id_front/id_back/portrait với image/jpeg hoặc image/png"}},
        )
    return 200, {"uploads": _uploads(registration.registration_id, wanted)}


def notices_per_attempt(now: datetime) -> int:
    """The SMS one submission sends the citizen: "submitted", the reminders the window has room for, and
    the expiry notice (or the decision, which ends the window instead)."""
    settings = get_settings()
    plan = plan_waits(now, verification_deadline(now, settings.deadline_seconds), settings.reminder_offsets)
    return 2 + (plan.first_reminder_wait > 0) + (plan.second_reminder_wait > 0)


def pay_for_notices(registration: Registration) -> None:
    """Before a submission opens a new window: count its SMS against the phone's daily budget (shared with
    every other SMS to that phone), so anonymous registrations cannot pump SMS to someone's phone. Over
    budget: `429 SMS_LIMIT_REACHED` with Retry-After, and nothing has changed. A retry of a submission
    already made, or one that submit will refuse (missing images, the number held by another
    registration or an account), pays nothing."""
    if RegistrationStatus(registration.status) not in SUBMITTABLE:
        return
    if not all(documents_present(registration.registration_id).values()):
        return
    now = clock.now()
    try:
        claims.check_claimable(registration.social_insurance_number, registration.registration_id, now)
    except (AccountExistsError, RegistrationExistsError):
        return
    for _ in range(notices_per_attempt(now)):
        sms_budget.spend(f"registration:{registration.registration_id}", registration.phone)


def documents_present(registration_id: str) -> dict[str, bool]:
    return {kind: document_store.exists(document_key(registration_id, kind)) for kind in DOCUMENT_KINDS}


def office_view(office_code: str) -> dict[str, Any] | None:
    office = find_office(office_code)
    if office is None:
        return {"code": office_code}
    return {k: v for k, v in office.as_api().items()
            if k in ("code", "name", "parent_name", "address", "phone", "opening_hours")}


def _public_time(value: str | None) -> str | None:
    return clock.iso(parse(value)) if value else None


def view(registration: Registration) -> dict[str, Any]:
    """What the key holder sees: the status, the window, the office, and the form they filled."""
    return {
        "registration_id": registration.registration_id,
        "status": registration.status,
        "created_at": _public_time(registration.created_at),
        "submitted_at": _public_time(registration.submitted_at),
        "deadline_at": _public_time(registration.deadline_at),
        "office": office_view(registration.office_code),
        "rejection_reason": registration.rejection_reason if registration.status == "REJECTED" else None,
        "documents": documents_present(registration.registration_id),
        "form": {
            "full_name": registration.full_name,
            "date_of_birth": registration.date_of_birth,
            "gender": registration.gender,
            "social_insurance_number": registration.social_insurance_number,
            "id_type": registration.id_type,
            "id_number": registration.id_number,
            "id_issued_on": registration.id_issued_on,
            "id_issued_by": registration.id_issued_by,
            "phone": registration.phone,
            "email": registration.email,
            "address": registration.address,
            "office_code": registration.office_code,
            "nationality": registration.nationality or VIETNAM,
            "notice_channels": list(channels_or_default(registration.notice_channels, registration.email)),
        },
        # Cam kết: shown before "Ghi nhận", accepted with `commitment_accepted: true` at each submit.
        "commitment": {**commitment_view(), "accepted_at": _public_time(registration.commitment_accepted_at)},
    }
