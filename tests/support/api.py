"""A mobile client and a staff client over the real HTTP API (Chalice's test client)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

VALID_FORM: dict[str, Any] = {
    "full_name": "Nguyễn Thị Hường",
    "date_of_birth": "1990-05-17",
    "gender": "female",
    "social_insurance_number": "0123456789",
    "id_type": "CCCD",
    "id_number": "001190123456",
    "id_issued_on": "2021-04-01",
    "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "phone": "0901 234 567",
    "email": "huong.nguyen@example.vn",
    "address": "Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội",
    "office_code": "HN-HK",
}


# What the app sends at "Ghi nhận": the person read and accepted Form 01's commitment (cam kết).
SUBMIT_BODY: dict[str, Any] = {"commitment_accepted": True}

TEST_CAPTCHA_ANSWER = "K7M4P"  # the answer of every captcha `solved_captcha` makes


def solved_captcha() -> dict[str, str]:
    """`captcha_id` and `captcha_answer` of a captcha stored as GET /v1/auth/captcha stores one, whose answer
    the test knows (whatever VSSID_LOCAL_CAPTCHA_ANSWER is); for the in-process backend."""
    import uuid
    from datetime import timedelta

    from chalicelib import clock
    from chalicelib.config import get_settings
    from chalicelib.domain.captcha_text import answer_digest
    from chalicelib.models.sign_in import Captcha
    from tests.support.log_scan import remember

    captcha_id = uuid.uuid4().hex
    expires = clock.now() + timedelta(seconds=get_settings().captcha_seconds)
    Captcha(captcha_id, answer_digest=answer_digest(captcha_id, TEST_CAPTCHA_ANSWER),
            expires_at_epoch=int(expires.timestamp())).save()
    remember(TEST_CAPTCHA_ANSWER)
    return {"captcha_id": captcha_id, "captcha_answer": TEST_CAPTCHA_ANSWER}


def participant_row(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The register's row (data/demo/records/participant.jsonl shape) of the person `form` describes."""
    row = {name: form.get(name) for name in ("social_insurance_number", "full_name", "date_of_birth", "gender",
                                             "id_number")}
    return {**row, "province_code": "01", **changes}


def in_register(form: dict[str, Any], **changes: Any) -> bool:
    """Make the register know the person `form` describes (with `changes`) under the form's number, unless it
    already knows someone under that number (then it is left alone: the test means that person). False when
    the form is too broken to be a register row (the test is about validation)."""
    from chalicelib.domain.record_rows import RowInvalid, validate_row
    from chalicelib.models.records import InsuranceRecord

    try:
        row = validate_row("participant", participant_row(form, **changes))
    except RowInvalid:
        return False
    try:
        InsuranceRecord.get(row.username, row.record_key, consistent_read=True)
        return True
    except InsuranceRecord.DoesNotExist:
        pass
    from chalicelib.services.record_loader import record_item

    record_item(row).save()
    return True


def ready_to_create(form: dict[str, Any]) -> dict[str, Any]:
    """What a client that passes the captcha sends to create `form`, with the register knowing its person."""
    in_register(form)
    return {**form, **solved_captcha()}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    raw: bytes


def call(client: Any, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         raw_body: bytes | None = None) -> Reply:
    sent_headers = {"Content-Type": "application/json", **(headers or {})}
    payload = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else b"")
    response = getattr(client.http, method.lower())(path, headers=sent_headers, body=payload)
    raw = response.body or b""
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return Reply(response.status_code, dict(response.headers), parsed, raw)


def upload(presigned: dict[str, Any], data: bytes, content_type: str | None = None) -> int:
    fields = dict(presigned["fields"])
    if content_type:
        fields["Content-Type"] = content_type
    response = requests.post(presigned["url"], data=fields, files={"file": ("photo", data)}, timeout=10)
    return response.status_code
