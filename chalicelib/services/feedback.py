"""Feedback and complaints (phản ánh, kiến nghị): submit, follow with the tracking key, and the staff's
answer, which reaches the citizen by SMS and/or e-mail.

Which office answers: `office_code` when given (it must exist); otherwise the provincial office of
`province_code` when given (from the province table: the 2025 map is data, not code); otherwise the
national queue `VSS` (Bảo hiểm xã hội Việt Nam), worked by staff whose office code is `VSS`. A citizen
rarely knows which office handles their complaint, so none of the three is required.

The feedback id is the tracking key: 144 random bits, URL-safe, shown once to the citizen. Anyone who
has it sees the status and the answer, never the contact details; logs carry only its first 8
characters.

Answering is one conditional write (still OPEN), so two staff answering at once cannot both win; the
loser gets 409 ALREADY_ANSWERED. The notice goes out after the write; if the channel the citizen relies
on fails, the write is undone (conditionally) and the staff member gets 503 to retry. The same staff
member repeating the same answer (a retry whose response was lost) gets 200 and no second message.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.aws import notifier
from chalicelib.domain import feedback_messages
from chalicelib.domain.contact import normalise_email, normalise_vn_mobile
from chalicelib.domain.form01 import clean_text
from chalicelib.errors import FieldProblems, ServiceUnavailableError, ValidationFailedError
from chalicelib.models.base import condition_failed
from chalicelib.models.directory import Feedback
from chalicelib.models.reference import Province
from chalicelib.observability import logger
from chalicelib.pagination import Page, decode_token, encode_token, scope_of
from chalicelib.services.reference import find_office
from chalicelib.services.staff_auth import StaffIdentity
from chalicelib.services.support_info import category_codes
from chalicelib.services.timestamps import parse, stored
from chalicelib.support_errors import AlreadyAnsweredError, FeedbackNotFoundError

OPEN = "OPEN"
ANSWERED = "ANSWERED"
STATUSES = (OPEN, ANSWERED)
NATIONAL_QUEUE = "VSS"
MESSAGE_LENGTH = (10, 2000)
ANSWER_LENGTH = (5, 2000)
NAME_MAX_LENGTH = 100
_TRACKING_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _paragraphs(value: Any) -> str | None:
    """Text as stored: NFC, each line's white space folded, at most one empty line in a row."""
    if not isinstance(value, str):
        return None
    lines: list[str] = []
    for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = clean_text(line)
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def _ref(feedback_id: str) -> str:
    return feedback_id[:8]


def _time(value: str | None) -> str | None:
    return clock.iso(parse(value)) if value else None


def _office_for(body: dict[str, Any], problems: FieldProblems) -> str:
    office_code = body.get("office_code")
    if office_code not in (None, ""):
        if not isinstance(office_code, str) or len(office_code) > 20 or find_office(office_code) is None:
            problems.add("office_code", "is not a social-insurance office", "không phải cơ quan BHXH")
            return ""
        return office_code
    province_code = body.get("province_code")
    if province_code not in (None, ""):
        try:
            if not isinstance(province_code, str) or len(province_code) > 10:
                raise Province.DoesNotExist()
            province = Province.get("VN", province_code)
        except Province.DoesNotExist:
            problems.add("province_code", "is not a province", "không phải mã tỉnh, thành phố")
            return ""
        return province.provincial_office_code or NATIONAL_QUEUE
    return NATIONAL_QUEUE


def _contact(body: dict[str, Any], problems: FieldProblems) -> tuple[str, str | None, str | None]:
    contact = body.get("contact")
    if not isinstance(contact, dict):
        problems.add("contact", "is required: {name, phone and/or email}",
                     "bắt buộc nhập: họ tên và số điện thoại hoặc email")
        return "", None, None
    name = clean_text(contact["name"]) if isinstance(contact.get("name"), str) else ""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        problems.add("contact.name", f"must be 1 to {NAME_MAX_LENGTH} characters",
                     f"phải dài từ 1 đến {NAME_MAX_LENGTH} ký tự")
    phone = email = None
    raw_phone, raw_email = contact.get("phone"), contact.get("email")
    if raw_phone not in (None, ""):
        phone = normalise_vn_mobile(raw_phone) if isinstance(raw_phone, str) else None
        if phone is None:
            problems.add("contact.phone", "is not a Vietnamese mobile number", "không phải số di động Việt Nam")
    if raw_email not in (None, ""):
        email = normalise_email(raw_email) if isinstance(raw_email, str) and len(raw_email) <= 254 else None
        if email is None:
            problems.add("contact.email", "is not a valid e-mail address", "không phải địa chỉ email hợp lệ")
    if raw_phone in (None, "") and raw_email in (None, ""):
        problems.add("contact", "give a mobile number or an e-mail address for the answer",
                     "cần số điện thoại di động hoặc email để nhận trả lời")
    return name, phone, email


def submit(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    problems = FieldProblems()
    category = body.get("category")
    if category not in category_codes():
        problems.add("category", "must be one of " + ", ".join(category_codes()),
                     "phải là một trong các nhóm: " + ", ".join(category_codes()))
    message = _paragraphs(body.get("message")) or ""
    low, high = MESSAGE_LENGTH
    if not low <= len(message) <= high:
        problems.add("message", f"must be {low} to {high} characters", f"phải dài từ {low} đến {high} ký tự")
    name, phone, email = _contact(body, problems)
    office_code = _office_for(body, problems)
    problems.raise_if_any()

    now = clock.now()
    feedback = Feedback(
        secrets.token_urlsafe(18),
        office_code=office_code,
        office_status=f"{office_code}#{OPEN}",
        created_at=stored(now),
        category=category,
        message=message,
        contact_name=name,
        contact_phone=phone,
        contact_email=email,
        status=OPEN,
    )
    feedback.save(condition=Feedback.feedback_id.does_not_exist())
    logger.info("feedback submitted", extra={"feedback_ref": _ref(feedback.feedback_id), "office": office_code,
                                             "category": category})
    return 201, {"feedback_id": feedback.feedback_id, "status": OPEN, "created_at": clock.iso(now),
                 "category": category, "office_code": office_code}


def _find(feedback_id: str) -> Feedback | None:
    if not _TRACKING_KEY.fullmatch(feedback_id or ""):
        return None
    try:
        return Feedback.get(feedback_id, consistent_read=True)
    except Feedback.DoesNotExist:
        return None


def view(feedback_id: str) -> dict[str, Any]:
    """What the tracking key shows: never the contact details."""
    feedback = _find(feedback_id)
    if feedback is None:
        raise FeedbackNotFoundError()
    return {
        "feedback_id": feedback.feedback_id,
        "status": feedback.status,
        "category": feedback.category,
        "office_code": feedback.office_code,
        "created_at": _time(feedback.created_at),
        "answer": feedback.answer,
        "answered_at": _time(feedback.answered_at),
    }


def _staff_view(feedback: Feedback) -> dict[str, Any]:
    return {
        "feedback_id": feedback.feedback_id,
        "status": feedback.status,
        "category": feedback.category,
        "message": feedback.message,
        "contact": {"name": feedback.contact_name, "phone": feedback.contact_phone, "email": feedback.contact_email},
        "created_at": _time(feedback.created_at),
        "answer": feedback.answer,
        "answered_by": feedback.answered_by,
        "answered_at": _time(feedback.answered_at),
    }


def queue(staff: StaffIdentity, status: str | None, limit: int, next_token: str | None) -> Page:
    """The staff member's office's feedback in one status, oldest first (office-status-index)."""
    status = status or OPEN
    if status not in STATUSES:
        raise ValidationFailedError(fields={"status": "must be OPEN or ANSWERED"},
                                    extra={"fields_vi": {"status": "phải là OPEN hoặc ANSWERED"}})
    partition = f"{staff.office_code}#{status}"
    scope = scope_of("feedback-queue", partition)  # a token of another office's or status's queue is refused
    result = Feedback.by_office.query(partition, limit=limit, last_evaluated_key=decode_token(next_token, scope),
                                      scan_index_forward=True)
    items = [_staff_view(feedback) for feedback in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key, scope))


def _load_for_staff(staff: StaffIdentity, feedback_id: str) -> Feedback:
    """Another office's feedback is indistinguishable from one that does not exist."""
    feedback = _find(feedback_id)
    if feedback is None or feedback.office_code != staff.office_code:
        raise FeedbackNotFoundError("No feedback with this key at your office.",
                                    "Không có phản ánh, kiến nghị với mã này tại cơ quan của bạn.")
    return feedback


def _answer_body(feedback: Feedback) -> dict[str, Any]:
    return {"feedback_id": feedback.feedback_id, "status": feedback.status, "answer": feedback.answer,
            "answered_by": feedback.answered_by, "answered_at": _time(feedback.answered_at)}


def _is_retry(feedback: Feedback, staff: StaffIdentity, text: str) -> bool:
    return feedback.status == ANSWERED and feedback.answered_by == staff.username and feedback.answer == text


def answer(staff: StaffIdentity, feedback_id: str, body: dict[str, Any]) -> dict[str, Any]:
    text = _paragraphs(body.get("answer")) or ""
    low, high = ANSWER_LENGTH
    if not low <= len(text) <= high:
        raise ValidationFailedError(fields={"answer": f"must be {low} to {high} characters"},
                                    extra={"fields_vi": {"answer": f"phải dài từ {low} đến {high} ký tự"}})
    feedback = _load_for_staff(staff, feedback_id)
    if _is_retry(feedback, staff, text):
        return _answer_body(feedback)
    if feedback.status != OPEN:
        raise AlreadyAnsweredError()
    answered_at = stored(clock.now())
    try:
        feedback.update(
            actions=[
                Feedback.status.set(ANSWERED),
                Feedback.office_status.set(f"{feedback.office_code}#{ANSWERED}"),
                Feedback.answer.set(text),
                Feedback.answered_by.set(staff.username),
                Feedback.answered_at.set(answered_at),
            ],
            condition=Feedback.status == OPEN,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        fresh = _load_for_staff(staff, feedback_id)
        if _is_retry(fresh, staff, text):  # the same request, sent twice at once: the other one notifies
            return _answer_body(fresh)
        raise AlreadyAnsweredError() from None
    try:
        _notify(feedback)
    except notifier.NotificationError:
        _reopen(feedback, staff, answered_at)
        raise ServiceUnavailableError() from None
    logger.info("feedback answered", extra={"feedback_ref": _ref(feedback_id), "staff": staff.username,
                                            "office": staff.office_code})
    return _answer_body(feedback)


def _notify(feedback: Feedback) -> None:
    """SMS when the citizen gave a mobile number, e-mail when they gave an address. The first channel
    the citizen gave must work (else NotificationError); an e-mail beside an SMS is best effort."""
    answer_text = feedback.answer or ""
    if feedback.contact_phone:
        notifier.send_sms(feedback.contact_phone, feedback_messages.answered_sms(feedback.feedback_id, answer_text))
    if feedback.contact_email:
        subject, text = feedback_messages.answered_email(feedback.contact_name, feedback.feedback_id,
                                                         feedback.message, answer_text)
        try:
            notifier.send_email(feedback.contact_email, subject, text)
        except notifier.NotificationError:
            if not feedback.contact_phone:
                raise
            logger.warning("feedback answer e-mail failed", extra={"feedback_ref": _ref(feedback.feedback_id)})


def _reopen(feedback: Feedback, staff: StaffIdentity, answered_at: str) -> None:
    """Undo this staff member's answer after its notice could not be sent, so a retry sends it."""
    logger.warning("feedback answer notice failed; reopened", extra={"feedback_ref": _ref(feedback.feedback_id)})
    try:
        feedback.update(
            actions=[
                Feedback.status.set(OPEN),
                Feedback.office_status.set(f"{feedback.office_code}#{OPEN}"),
                Feedback.answer.remove(),
                Feedback.answered_by.remove(),
                Feedback.answered_at.remove(),
            ],
            condition=(Feedback.status == ANSWERED) & (Feedback.answered_by == staff.username)
            & (Feedback.answered_at == answered_at),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
