"""Submitting Form 01 ("Ghi nhận"): check the images, open the 10-day window, tell the citizen.

Every step after the status change is safe to repeat, so a retried submit (with or without an
Idempotency-Key) finishes a half-done one and never starts a second workflow or sends a second SMS:
the workflow's execution name is `<registration id>-<attempt>`, the PDF key is per attempt, and the
SMS is sent only by the request that moves `submit_sms_attempt` to this attempt.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.aws import documents as document_store
from chalicelib.aws import notifier, workflow
from chalicelib.config import get_settings
from chalicelib.domain import messages
from chalicelib.domain.deadline import plan_waits, verification_deadline
from chalicelib.domain.documents import (
    DOCUMENT_KINDS,
    document_key,
    document_problem,
    form01_key,
    sniff_image_type,
    submitted_key,
)
from chalicelib.domain.form01_terms import VIETNAM, channels_or_default
from chalicelib.domain.identity import retired_id_type_problem
from chalicelib.domain.registration_status import SUBMITTABLE, RegistrationStatus
from chalicelib.errors import (
    DocumentInvalidError,
    DocumentsMissingError,
    InvalidStateError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.models.audit import AuditEvent
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.registration import Registration
from chalicelib.observability import logger, metrics
from chalicelib.services import claims
from chalicelib.services.registrations import office_view
from chalicelib.services.timestamps import parse, stored

FORM01_LINK_SECONDS = 3600
AWAITING = RegistrationStatus.AWAITING_VERIFICATION.value


def freeze_documents(registration_id: str) -> tuple[str, dict[str, str]]:
    """Copy the three uploads where no presigned POST reaches, then check the copies: what staff are shown
    is exactly what was checked, even if an upload link still valid for minutes replaces an upload later.
    Returns the copies' batch and the content type each one's bytes proved."""
    settings = get_settings()
    batch = uuid.uuid4().hex[:16]
    missing: dict[str, str] = {}
    invalid: dict[str, str] = {}
    invalid_vi: dict[str, str] = {}
    types: dict[str, str] = {}
    for kind in DOCUMENT_KINDS:
        frozen = submitted_key(registration_id, batch, kind)
        stored_object = document_store.inspect_object(frozen) if document_store.copy_object(
            document_key(registration_id, kind), frozen) else None
        if stored_object is None:
            missing[kind] = "not uploaded"
            continue
        problem = document_problem(
            stored_object.size, stored_object.head, settings.upload_min_bytes, settings.upload_max_bytes
        )
        if problem:
            invalid[kind], invalid_vi[kind] = problem
        else:
            types[kind] = sniff_image_type(stored_object.head) or ""
    # Copies of a refused submit stay tagged as drafts: the bucket's lifecycle rule deletes them.
    if missing:
        raise DocumentsMissingError(fields=missing, extra={"fields_vi": {k: "chưa tải lên" for k in missing}})
    if invalid:
        raise DocumentInvalidError(fields=invalid, extra={"fields_vi": invalid_vi})
    return batch, types


def opening_hours_vi(office: dict[str, Any]) -> str | None:
    """The office's giờ làm việc in Vietnamese, None when the reference data does not know them."""
    hours = office.get("opening_hours")
    return hours.get("vi") if isinstance(hours, dict) else None


def require_commitment(registration: Registration, body: dict[str, Any]) -> None:
    """The declarant's cam kết for a submission that opens a window. The app shows it (GET …/{id}
    `commitment`) before "Ghi nhận", and submitting is accepting it: API.md's submit takes an empty body, so
    an absent `commitment_accepted` stays valid. A client that sends it must send `true` — anything else is
    a refusal, never read as consent. A retry of a submission already made does not ask again."""
    if RegistrationStatus(registration.status) not in SUBMITTABLE:
        return
    if "commitment_accepted" in body and body["commitment_accepted"] is not True:
        raise ValidationFailedError(
            "Read and accept the commitment of Form 01 (commitment_accepted: true) before submitting.",
            "Vui lòng đọc và đồng ý với phần cam kết của Tờ khai 01 (commitment_accepted: true) trước khi gửi.",
            fields={"commitment_accepted": "must be true: the declarant accepts the commitment (cam ket) "
                                           "of Form 01"},
            extra={"fields_vi": {"commitment_accepted": "phải là true: người kê khai đồng ý với phần cam kết "
                                                        "của Tờ khai 01"}},
        )


def submit(registration: Registration, correlation_id: str) -> tuple[int, dict[str, Any]]:
    status = RegistrationStatus(registration.status)
    if status == RegistrationStatus.AWAITING_VERIFICATION:
        return finish(registration, correlation_id)  # a retry: complete whatever did not happen
    if status not in SUBMITTABLE:
        raise InvalidStateError()
    refused = retired_id_type_problem(registration.id_type)
    if refused:  # a draft saved before CMND was refused: correct it first (PUT)
        raise ValidationFailedError(refused[0], refused[1], fields={"id_type": refused[0]},
                                    extra={"fields_vi": {"id_type": refused[1]}})
    batch, types = freeze_documents(registration.registration_id)
    settings = get_settings()
    now = clock.now()
    deadline = verification_deadline(now, settings.deadline_seconds)
    office = office_view(registration.office_code) or {}
    office_name = str(office.get("name") or registration.office_code)
    hours = opening_hours_vi(office)
    attempt = int(registration.attempt or 0) + 1
    actions = [
        Registration.status.set(AWAITING),
        Registration.office_status.set(f"{registration.office_code}#{AWAITING}"),
        Registration.status_changed_at.set(stored(now)),
        Registration.updated_at.set(stored(now)),
        Registration.attempt.set(attempt),
        Registration.documents_batch.set(batch),
        Registration.document_types.set(types),
        Registration.submitted_at.set(stored(now)),
        Registration.commitment_accepted_at.set(stored(now)),
        Registration.deadline_at.set(stored(deadline)),
        Registration.deadline_epoch.set(int(deadline.timestamp())),
        Registration.reminders_sent.set(0),
        Registration.notice_reminder.set(
            messages.reminder_sms(registration.registration_id, office_name, deadline, opening_hours=hours)),
        Registration.notice_expired.set(messages.expired_sms(registration.registration_id)),
        Registration.task_token.remove(),
        Registration.rejection_reason.remove(),
        Registration.decided_by.remove(),
        Registration.decided_at.remove(),
        Registration.expired_at.remove(),
    ]
    audit = AuditEvent(
        registration.registration_id,
        f"{stored(now)}#{uuid.uuid4().hex[:8]}",
        actor="citizen",
        action="SUBMIT",
        from_status=status.value,
        to_status=AWAITING,
        detail=f"attempt {attempt}; commitment accepted",
        at=stored(now),
    )
    try:
        with transaction() as tx:
            claims.add_claim(tx, registration.social_insurance_number, registration.registration_id, now)
            tx.update(
                registration,
                actions=actions,
                condition=(Registration.status == status.value) & (Registration.attempt == attempt - 1),
            )
            tx.save(audit)
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        fresh = Registration.get(registration.registration_id, consistent_read=True)
        if fresh.status == AWAITING and fresh.attempt == attempt:
            return finish(fresh, correlation_id)  # a concurrent identical submit got there first
        if fresh.status != status.value:
            raise InvalidStateError() from None
        raise claims.conflict_from_cancellation(registration.social_insurance_number) from None
    registration.refresh(consistent_read=True)
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name="RegistrationSubmitted", unit=MetricUnit.Count, value=1)
    logger.info("registration submitted", extra={"registration_id": registration.registration_id, "attempt": attempt})
    return finish(registration, correlation_id)


def _ensure_form01(registration: Registration) -> str:
    key = form01_key(registration.registration_id, int(registration.attempt))
    if not document_store.exists(key):
        document_store.put_bytes(key, render_form01(registration), "application/pdf")
    return key


def render_form01(registration: Registration) -> bytes:
    from chalicelib.services.form01_pdf import build_form01_pdf

    form: dict[str, Any] = {
        name: getattr(registration, name)
        for name in ("full_name", "date_of_birth", "gender", "social_insurance_number", "id_type", "id_number",
                     "id_issued_on", "id_issued_by", "phone", "email", "address")
    }
    form["nationality"] = registration.nationality or VIETNAM
    form["notice_channels"] = list(channels_or_default(registration.notice_channels, registration.email))
    office = office_view(registration.office_code) or {"code": registration.office_code}
    return build_form01_pdf(
        form, office, registration.registration_id, parse(registration.submitted_at), parse(registration.deadline_at)
    )


def _start_workflow(registration: Registration, correlation_id: str) -> None:
    settings = get_settings()
    deadline = parse(registration.deadline_at)
    plan = plan_waits(clock.now(), deadline, settings.reminder_offsets)
    workflow.start_execution(
        f"{registration.registration_id}-{int(registration.attempt)}",
        {
            "registration_id": registration.registration_id,
            "attempt": str(int(registration.attempt)),
            "office_status_expired": f"{registration.office_code}#{RegistrationStatus.EXPIRED.value}",
            "correlation_id": correlation_id,
            "waits": plan.as_input(),
        },
    )


def _send_submitted_sms(registration: Registration) -> None:
    attempt = int(registration.attempt)
    try:
        registration.update(
            actions=[Registration.submit_sms_attempt.set(attempt)],
            condition=(Registration.submit_sms_attempt < attempt) & (Registration.attempt == attempt),
            add_version_condition=False,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return  # already sent for this attempt (or a newer attempt exists)
    office = office_view(registration.office_code) or {}
    office_name = str(office.get("name") or registration.office_code)
    text = messages.submitted_sms(registration.registration_id, office_name, parse(registration.deadline_at),
                                  opening_hours=opening_hours_vi(office))
    try:
        notifier.send_sms(registration.phone, text)
    except notifier.NotificationError:
        # Give the marker back so the client's retry sends it; then tell the client to retry.
        registration.update(
            actions=[Registration.submit_sms_attempt.set(attempt - 1)],
            condition=Registration.submit_sms_attempt == attempt,
            add_version_condition=False,
        )
        raise ServiceUnavailableError() from None


def finish(registration: Registration, correlation_id: str) -> tuple[int, dict[str, Any]]:
    for kind in DOCUMENT_KINDS:
        document_store.keep(document_key(registration.registration_id, kind))
        if registration.documents_batch:
            document_store.keep(submitted_key(registration.registration_id, registration.documents_batch, kind))
    key = _ensure_form01(registration)
    _start_workflow(registration, correlation_id)
    _send_submitted_sms(registration)
    return 200, {
        "registration_id": registration.registration_id,
        "status": registration.status,
        "attempt": int(registration.attempt),
        "submitted_at": clock.iso(parse(registration.submitted_at)),
        "deadline_at": clock.iso(parse(registration.deadline_at)),
        "office": office_view(registration.office_code),
        "form01_url": document_store.presigned_download(key, FORM01_LINK_SECONDS, "to-khai-mau-01.pdf"),
    }
