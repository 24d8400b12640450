"""What staff see: their office's queue, oldest first, and one registration with its images."""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.aws import documents as document_store
from chalicelib.domain.documents import DOCUMENT_KINDS, form01_key, image_filename, submitted_key
from chalicelib.domain.form01_terms import VIETNAM, channels_or_default
from chalicelib.domain.messages import reference
from chalicelib.domain.registration_status import RegistrationStatus
from chalicelib.errors import ValidationFailedError
from chalicelib.models.audit import AuditEvent
from chalicelib.models.registration import Registration
from chalicelib.pagination import Page, decode_token, encode_token, scope_of
from chalicelib.services import access_log, register_match
from chalicelib.services.decisions import load_for_staff
from chalicelib.services.staff_auth import StaffIdentity
from chalicelib.services.timestamps import parse

IMAGE_LINK_SECONDS = 120


def _time(value: str | None) -> str | None:
    return clock.iso(parse(value)) if value else None


def validated_status(status: str | None) -> str:
    """The queue's status filter: AWAITING_VERIFICATION unless another registration status is named."""
    status = status or RegistrationStatus.AWAITING_VERIFICATION.value
    if status not in RegistrationStatus.__members__:
        raise ValidationFailedError(
            fields={"status": "must be one of " + ", ".join(RegistrationStatus.__members__)},
            extra={"fields_vi": {"status": "trạng thái không hợp lệ"}},
        )
    return status


def queue(staff: StaffIdentity, status: str | None, limit: int, next_token: str | None) -> Page:
    status = validated_status(status)
    partition = f"{staff.office_code}#{status}"
    scope = scope_of("registration-queue", partition)
    result = Registration.office_status_index.query(
        partition, limit=limit, last_evaluated_key=decode_token(next_token, scope), scan_index_forward=True,
    )
    items = [queue_item(r) for r in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key, scope))


def queue_item(r: Registration) -> dict[str, Any]:
    """One row of the queue (and of a search in it)."""
    return {
        "registration_id": r.registration_id,
        "reference": reference(r.registration_id),
        "status": r.status,
        "attempt": int(r.attempt or 0),
        "full_name": r.full_name,
        "social_insurance_number": r.social_insurance_number,
        "submitted_at": _time(r.submitted_at),
        "deadline_at": _time(r.deadline_at),
        "status_changed_at": _time(r.status_changed_at),
    }


def _frozen_images(r: Registration) -> dict[str, str | None]:
    """Links to the images as checked at submit (never the upload keys, which a live upload link can still
    overwrite), served as the type their bytes proved and as attachments, so a browser never renders one
    as a page. Before a submit there is nothing checked to show."""
    stored = r.document_types
    types = dict(stored.as_dict() if hasattr(stored, "as_dict") else stored or {})
    links: dict[str, str | None] = {}
    for kind in DOCUMENT_KINDS:
        content_type = types.get(kind)
        links[kind] = document_store.presigned_download(
            submitted_key(r.registration_id, r.documents_batch, kind), IMAGE_LINK_SECONDS,
            filename=image_filename(kind, content_type), content_type=content_type, disposition="attachment",
        ) if r.documents_batch and content_type else None
    return links


def detail(staff: StaffIdentity, registration_id: str) -> dict[str, Any]:
    r = load_for_staff(staff, registration_id)
    access_log.record(r.social_insurance_number, staff.username, staff.office_code,
                      f"registration {r.registration_id[:8].upper()} (Form 01, ID images)")
    images = _frozen_images(r)
    audit = [
        {"at": _time(e.at), "actor": e.actor, "office": e.actor_office, "action": e.action,
         "from_status": e.from_status, "to_status": e.to_status, "detail": e.detail}
        for e in AuditEvent.query(r.registration_id, scan_index_forward=True)
    ]
    return {
        "registration_id": r.registration_id,
        "reference": reference(r.registration_id),
        "status": r.status,
        "attempt": int(r.attempt or 0),
        "office_code": r.office_code,
        "full_name": r.full_name,
        "date_of_birth": r.date_of_birth,
        "gender": r.gender,
        "social_insurance_number": r.social_insurance_number,
        "id_type": r.id_type,
        "id_number": r.id_number,
        "id_issued_on": r.id_issued_on,
        "id_issued_by": r.id_issued_by,
        "phone": r.phone,
        "email": r.email,
        "address": r.address,
        "nationality": r.nationality or VIETNAM,
        "notice_channels": list(channels_or_default(r.notice_channels, r.email)),
        "commitment_accepted_at": _time(r.commitment_accepted_at),
        "register": register_match.staff_view(r),  # the register's person beside the form, differences named
        "created_at": _time(r.created_at),
        "submitted_at": _time(r.submitted_at),
        "deadline_at": _time(r.deadline_at),
        "decided_by": r.decided_by,
        "decided_at": _time(r.decided_at),
        "rejection_reason": r.rejection_reason,
        "id_document_checked": r.id_document_checked,
        "form01_received": r.form01_received,
        "expired_at": _time(r.expired_at),
        "images": images,
        "images_expire_in": IMAGE_LINK_SECONDS,
        "form01_url": document_store.presigned_download(form01_key(r.registration_id, int(r.attempt)), 600)
        if r.attempt else None,
        "audit": audit,
    }
