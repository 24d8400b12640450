"""The staff decision (duyệt / từ chối) on a registration awaiting verification of the original ID.

The decision is one DynamoDB transaction: the registration moves only if it is still awaiting, in the
same attempt, before its deadline; approval creates the account in the same transaction (only if none
exists); the audit event is written with it. The workflow's expiry writes under the opposite condition,
so a registration is never both decided and expired. Approval first re-reads the register: an account
is never bound to a number whose register entry names another person (409 REGISTER_CONFLICT). Notices
go out after the commit; if the SMS fails the client gets 503 and the same staff member's retry sends it
(with a fresh initial password).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.aws import notifier, workflow
from chalicelib.config import get_settings
from chalicelib.domain import messages
from chalicelib.domain.credentials import hash_password
from chalicelib.domain.form01_terms import channels_or_default
from chalicelib.domain.password_policy import new_citizen_initial_password
from chalicelib.domain.registration_status import RegistrationStatus
from chalicelib.errors import (
    AccountExistsError,
    AlreadyDecidedError,
    DeadlinePassedError,
    InvalidStateError,
    NotFoundError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.models.account import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.registration import Registration
from chalicelib.observability import logger, metrics
from chalicelib.services import register_match
from chalicelib.services.registrations import office_view
from chalicelib.services.staff_auth import StaffIdentity
from chalicelib.services.timestamps import parse, stored

AWAITING = RegistrationStatus.AWAITING_VERIFICATION.value
APPROVED = RegistrationStatus.APPROVED.value
REJECTED = RegistrationStatus.REJECTED.value


def load_for_staff(staff: StaffIdentity, registration_id: str) -> Registration:
    """Another office's registration is indistinguishable from one that does not exist."""
    try:
        registration = Registration.get(registration_id, consistent_read=True)
    except Registration.DoesNotExist:
        registration = None
    if registration is None or registration.office_code != staff.office_code:
        raise NotFoundError("No registration with this id at your office.",
                            "Không có tờ khai với mã này tại cơ quan của bạn.")
    return registration


def _refuse_unless_decidable(registration: Registration, now_epoch: int) -> None:
    status = registration.status
    if status in (APPROVED, REJECTED):
        raise AlreadyDecidedError()
    if status == RegistrationStatus.EXPIRED.value:
        raise DeadlinePassedError()
    if status != AWAITING:
        raise InvalidStateError("Only a submitted registration can be decided.",
                                "Chỉ tờ khai đã gửi mới có thể được xử lý.")
    if registration.deadline_epoch is not None and now_epoch >= registration.deadline_epoch:
        raise DeadlinePassedError()


def _decision_actions(staff: StaffIdentity, to_status: str, now: Any) -> list[Any]:
    return [
        Registration.status.set(to_status),
        Registration.office_status.set(f"{staff.office_code}#{to_status}"),
        Registration.status_changed_at.set(stored(now)),
        Registration.updated_at.set(stored(now)),
        Registration.decided_by.set(staff.username),
        Registration.decided_at.set(stored(now)),
    ]


def _decidable_condition(registration: Registration, now_epoch: int) -> Any:
    return (
        (Registration.status == AWAITING)
        & (Registration.attempt == registration.attempt)
        & (Registration.deadline_epoch > now_epoch)
    )


def _audit(staff: StaffIdentity, registration: Registration, action: str, to_status: str, now: Any,
           detail: str | None = None) -> AuditEvent:
    return AuditEvent(
        registration.registration_id,
        f"{stored(now)}#{uuid.uuid4().hex[:8]}",
        actor=staff.username,
        actor_office=staff.office_code,
        action=action,
        from_status=registration.status,
        to_status=to_status,
        detail=detail,
        at=stored(now),
    )


def _explain_cancellation(registration_id: str, username: str | None = None) -> Exception:
    fresh = Registration.get(registration_id, consistent_read=True)
    if fresh.status in (APPROVED, REJECTED):
        return AlreadyDecidedError()
    if fresh.status == RegistrationStatus.EXPIRED.value or (
        fresh.deadline_epoch is not None and clock.now().timestamp() >= fresh.deadline_epoch
    ):
        return DeadlinePassedError()
    if username is not None:
        try:
            Account.get(username, attributes_to_get=["username"], consistent_read=True)
            return AccountExistsError()
        except Account.DoesNotExist:
            pass
    return InvalidStateError()


def _resume_workflow(registration_id: str, decision: str) -> None:
    fresh = Registration.get(registration_id, consistent_read=True, attributes_to_get=["registration_id", "task_token"])
    if fresh.task_token:
        workflow.resume_with_decision(fresh.task_token, decision)
    # No token yet: the token consumer sees the decision when it records the token and resumes then.


def approve(staff: StaffIdentity, registration_id: str, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("id_document_checked") is not True:
        raise ValidationFailedError(
            fields={"id_document_checked": "must be true: the original ID was checked at the counter"},
            extra={"fields_vi": {"id_document_checked": "phải là true: đã đối chiếu giấy tờ gốc tại quầy"}},
        )
    # Optional (mobile and staff tools built before it omit it); the counter console always sends it.
    form01_received = body.get("form01_received")
    if form01_received is not None and not isinstance(form01_received, bool):
        raise ValidationFailedError(
            fields={"form01_received": "must be true or false: the signed paper Form 01 was handed in"},
            extra={"fields_vi": {"form01_received": "phải là true hoặc false: đã nhận Tờ khai 01 có chữ ký"}},
        )
    registration = load_for_staff(staff, registration_id)
    if registration.status == APPROVED and registration.decided_by == staff.username:
        # A retry: the first request may have stopped before the workflow heard of the decision.
        _resume_workflow(registration_id, APPROVED)
        account = Account.get(registration.social_insurance_number, consistent_read=True)
        if not account.initial_password_delivered:
            _deliver_initial_password(registration, account, rotate=True)
        return _decision_body(registration)
    now = clock.now()
    now_epoch = int(now.timestamp())
    _refuse_unless_decidable(registration, now_epoch)
    # The register, read now, must still name this person: 409 REGISTER_CONFLICT otherwise.
    register_match.ensure_registration_matches(registration)
    settings = get_settings()
    password = new_citizen_initial_password(username=registration.social_insurance_number,
                                            full_name=registration.full_name,
                                            date_of_birth=registration.date_of_birth, phone=registration.phone)
    account = Account(
        registration.social_insurance_number,
        registration_id=registration.registration_id,
        office_code=registration.office_code,
        full_name=registration.full_name,
        date_of_birth=registration.date_of_birth,
        gender=registration.gender,
        id_type=registration.id_type,
        id_number=registration.id_number,
        phone=registration.phone,
        email=registration.email,
        address=registration.address,
        password_hash=hash_password(password),
        password_set_at=stored(now),
        password_change_required=True,
        initial_password_expires_at=stored(now + timedelta(days=settings.initial_password_days)),
        initial_password_delivered=False,
        created_at=stored(now),
        created_by=staff.username,
    )
    try:
        with transaction() as tx:
            checks = [Registration.id_document_checked.set(True)] + (
                [Registration.form01_received.set(form01_received)] if form01_received is not None else [])
            tx.update(registration,
                      actions=_decision_actions(staff, APPROVED, now) + checks,
                      condition=_decidable_condition(registration, now_epoch), add_version_condition=False)
            tx.save(account, condition=Account.username.does_not_exist())
            tx.save(_audit(staff, registration, "APPROVE", APPROVED, now, "original ID checked"
                           + ("; signed Form 01 received" if form01_received else "")))
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise _explain_cancellation(registration_id, registration.social_insurance_number) from None
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name="RegistrationApproved", unit=MetricUnit.Count, value=1)
    logger.info("registration approved", extra={"registration_id": registration_id, "staff": staff.username})
    registration.refresh(consistent_read=True)
    _resume_workflow(registration_id, APPROVED)
    account.refresh(consistent_read=True)
    _deliver_initial_password(registration, account, rotate=False, password=password)
    return _decision_body(registration)


def _deliver_initial_password(registration: Registration, account: Account, *, rotate: bool,
                              password: str | None = None) -> None:
    settings = get_settings()
    if rotate or password is None:
        # The first password's SMS may or may not have arrived; never resend a password we cannot
        # vouch for: issue a new one and send that.
        password = new_citizen_initial_password(username=account.username, full_name=account.full_name,
                                                date_of_birth=account.date_of_birth, phone=account.phone)
        now = clock.now()
        account.update(actions=[
            Account.password_hash.set(hash_password(password)),
            Account.password_set_at.set(stored(now)),
            Account.initial_password_expires_at.set(stored(now + timedelta(days=settings.initial_password_days))),
        ])
    try:
        notifier.send_sms(account.phone, messages.approved_sms(account.username, password,
                                                               settings.initial_password_days))
    except notifier.NotificationError:
        logger.warning("initial password SMS failed", extra={"registration_id": registration.registration_id})
        raise ServiceUnavailableError() from None
    account.update(actions=[Account.initial_password_delivered.set(True)])
    if account.email and _wants_email(registration):
        subject, text = messages.approved_email(account.full_name, account.username, password,
                                                settings.initial_password_days)
        _best_effort_email(account.email, subject, text, registration.registration_id)


def _wants_email(registration: Registration) -> bool:
    """Whether Form 01 registered e-mail as a channel for notices (nội dung đăng ký)."""
    return "EMAIL" in channels_or_default(registration.notice_channels, registration.email)


def _best_effort_email(to: str, subject: str, text: str, registration_id: str) -> None:
    try:
        notifier.send_email(to, subject, text)
    except notifier.NotificationError:
        # The SMS is the channel the procedure relies on; a failed e-mail is logged, not fatal.
        logger.warning("notice e-mail failed", extra={"registration_id": registration_id})


def reject(staff: StaffIdentity, registration_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reason = body.get("reason")
    if not isinstance(reason, str) or not 3 <= len(reason.strip()) <= 500:
        raise ValidationFailedError(
            fields={"reason": "must be 3 to 500 characters"},
            extra={"fields_vi": {"reason": "phải dài từ 3 đến 500 ký tự"}},
        )
    from chalicelib.domain.form01 import clean_text

    reason = clean_text(reason)
    registration = load_for_staff(staff, registration_id)
    if registration.status == REJECTED and registration.decided_by == staff.username:
        _resume_workflow(registration_id, REJECTED)  # a retry: see approve
        if not registration.decision_notice_sent:
            _send_rejection(registration)
        return _decision_body(registration)
    now = clock.now()
    now_epoch = int(now.timestamp())
    _refuse_unless_decidable(registration, now_epoch)
    try:
        with transaction() as tx:
            tx.update(registration,
                      actions=_decision_actions(staff, REJECTED, now) + [
                          Registration.rejection_reason.set(reason),
                          Registration.decision_notice_sent.set(False),
                      ],
                      condition=_decidable_condition(registration, now_epoch), add_version_condition=False)
            tx.save(_audit(staff, registration, "REJECT", REJECTED, now, reason))
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise _explain_cancellation(registration_id) from None
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name="RegistrationRejected", unit=MetricUnit.Count, value=1)
    logger.info("registration rejected", extra={"registration_id": registration_id, "staff": staff.username})
    registration.refresh(consistent_read=True)
    _resume_workflow(registration_id, REJECTED)
    _send_rejection(registration)
    return _decision_body(registration)


def _send_rejection(registration: Registration) -> None:
    # Whom to call is read before the mark, so a failed read leaves the notice to the retry.
    office = office_view(registration.office_code) or {}
    whom = {"office_name": str(office.get("name") or registration.office_code), "office_phone": office.get("phone")}
    # Marked before it is sent and given back if sending fails (as the submitted SMS is): marking after
    # sending made a failed mark send the notice twice on the retry.
    try:
        registration.update(actions=[Registration.decision_notice_sent.set(True)],
                            condition=(Registration.decision_notice_sent == False)  # noqa: E712
                            | Registration.decision_notice_sent.does_not_exist(),
                            add_version_condition=False)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return  # another request sent it
    reason = registration.rejection_reason or ""
    try:
        notifier.send_sms(registration.phone, messages.rejected_sms(registration.registration_id, reason, **whom))
    except notifier.NotificationError:
        logger.warning("rejection SMS failed", extra={"registration_id": registration.registration_id})
        registration.update(actions=[Registration.decision_notice_sent.set(False)], add_version_condition=False)
        raise ServiceUnavailableError() from None
    if registration.email and _wants_email(registration):
        subject, text = messages.rejected_email(registration.full_name, registration.registration_id, reason, **whom)
        _best_effort_email(registration.email, subject, text, registration.registration_id)


def _decision_body(registration: Registration) -> dict[str, Any]:
    body: dict[str, Any] = {
        "registration_id": registration.registration_id,
        "status": registration.status,
        "decided_by": registration.decided_by,
        "decided_at": clock.iso(parse(registration.decided_at)) if registration.decided_at else None,
    }
    if registration.status == APPROVED:
        body["username"] = registration.social_insurance_number
        body["form01_received"] = registration.form01_received  # null when the client did not say
    if registration.status == REJECTED:
        body["rejection_reason"] = registration.rejection_reason
    return body
