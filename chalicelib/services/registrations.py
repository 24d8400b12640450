"""Form 01 as the citizen sees it: create a draft, correct it, upload images, follow its status."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.aws import documents as document_store
from chalicelib.config import get_settings
from chalicelib.domain.credentials import new_token, same_digest, token_digest
from chalicelib.domain.documents import ALLOWED_CONTENT_TYPES, DOCUMENT_KINDS, document_key
from chalicelib.domain.form01 import Form01, parse_form01
from chalicelib.domain.registration_status import EDITABLE, RegistrationStatus
from chalicelib.errors import (
    InvalidStateError,
    RegistrationNotFoundError,
    UnauthorizedError,
    ValidationFailedError,
)
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.reference import Office
from chalicelib.models.registration import Registration
from chalicelib.services import claims
from chalicelib.services.reference import find_office
from chalicelib.services.timestamps import parse, stored


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


def create(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    now = clock.now()
    form = parse_form01(body, today=now.astimezone(clock.VIETNAM_TZ).date())
    _office_or_fail(form)
    claims.ensure_no_account(form.social_insurance_number)
    registration_id = uuid.uuid4().hex
    access_key = new_token()
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
    return int((now + timedelta(days=get_settings().draft_ttl_days)).timestamp())


def update(registration: Registration, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Correct the form while DRAFT, REJECTED or EXPIRED; images already uploaded are kept."""
    if RegistrationStatus(registration.status) not in EDITABLE:
        raise InvalidStateError()
    now = clock.now()
    form = parse_form01(body, today=now.astimezone(clock.VIETNAM_TZ).date())
    _office_or_fail(form)
    fields = form.as_dict()
    actions = [getattr(Registration, name).set(value) for name, value in fields.items() if value is not None]
    if form.email is None:
        actions.append(Registration.email.remove())
    actions += [
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


def documents_present(registration_id: str) -> dict[str, bool]:
    return {kind: document_store.exists(document_key(registration_id, kind)) for kind in DOCUMENT_KINDS}


def office_view(office_code: str) -> dict[str, Any] | None:
    office = find_office(office_code)
    if office is None:
        return {"code": office_code}
    return {k: v for k, v in office.as_api().items() if k in ("code", "name", "parent_name", "address", "phone")}


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
        },
    }
