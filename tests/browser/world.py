"""The people around the counter, over real HTTP to the local server: citizens who filed Form 01 online,
the demo staff, the messages the system sent."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pyotp
import requests

from tests.browser.documents import documents_of

LOCAL_CAPTCHA_ANSWER = "local-captcha"  # local/run.py's default VSSID_LOCAL_CAPTCHA_ANSWER
T = TypeVar("T")

# Register persons of data/demo/records/participant.jsonl that have no account yet.
APPLICANT = {  # comes to Hoàn Kiếm with the right papers: approved
    "full_name": "Nguyễn Văn An", "date_of_birth": "1990-07-21", "gender": "male",
    "social_insurance_number": "0102345678", "id_type": "CCCD", "id_number": "001090054321",
    "id_issued_on": "2021-04-01", "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "phone": "0912 000 003", "address": "Số 8 phố Hàng Trống, phường Hoàn Kiếm, Hà Nội", "office_code": "HN-HK",
}
MISMATCHED = {  # the form says female, the register male: the officer rejects it
    "full_name": "Phạm Đức Thắng", "date_of_birth": "1979-09-09", "gender": "female",
    "social_insurance_number": "0103456789", "id_type": "CAN_CUOC", "id_number": "001179012468",
    "id_issued_on": "2025-02-10", "id_issued_by": "Bộ Công an",
    "phone": "0912 000 005", "address": "Số 21 phố Lý Thường Kiệt, phường Cửa Nam, Hà Nội", "office_code": "HN-HK",
}
LATECOMER = {  # files at Ba Đình and comes after the (shortened) deadline
    "full_name": "Lê Thị Hồng Nhung", "date_of_birth": "1998-01-30", "gender": "female",
    "social_insurance_number": "4801234569", "id_type": "CCCD", "id_number": "048198000123",
    "id_issued_on": "2022-03-10", "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "phone": "0912 000 004", "address": "Số 3 phố Đội Cấn, phường Ba Đình, Hà Nội", "office_code": "HN-BD",
}
DEMO_CITIZEN = "0101234567"  # Nguyễn Văn An (1985), a demo account at Hoàn Kiếm with records


@dataclass(frozen=True)
class Filed:
    registration_id: str
    reference: str
    deadline_at: str
    phone: str  # E.164, as the messages are addressed


def e164(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "+84" + digits[1:]


def file_form01(base: str, form: dict[str, Any], seed: int = 1) -> Filed:
    """What the app does for a citizen: captcha, Form 01, the three photos, submit."""
    captcha = requests.get(f"{base}/v1/auth/captcha", timeout=10).json()["captcha_id"]
    created = requests.post(f"{base}/v1/registrations", timeout=15, json={
        **form, "captcha_id": captcha, "captcha_answer": LOCAL_CAPTCHA_ANSWER})
    assert created.status_code == 201, created.text
    body = created.json()
    for kind, data in documents_of(form, seed).items():
        upload = body["uploads"][kind]
        answer = requests.post(upload["url"], data=upload["fields"], files={"file": (f"{kind}.jpg", data)}, timeout=15)
        assert answer.status_code in (200, 201, 204), (kind, answer.text)
    submitted = requests.post(f"{base}/v1/registrations/{body['registration_id']}/submit", timeout=30,
                              json={"commitment_accepted": True},
                              headers={"X-Registration-Key": body["access_key"]})
    assert submitted.status_code == 200, submitted.text
    registration_id = body["registration_id"]
    return Filed(registration_id, registration_id[:8].upper(), submitted.json()["deadline_at"], e164(form["phone"]))


def staff_member(base: str, office_code: str) -> dict[str, str]:
    demo = requests.get(f"{base}/_local/demo", timeout=10).json()
    return next(s for s in demo["staff"] if s["office_code"] == office_code)


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_totp(secret: str) -> str:
    """A 6-digit code no clock drift could make right (the server accepts the codes of the steps around now)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + drift) for drift in (-60, -30, 0, 30, 60)}
    return next(code for code in (f"{n:06d}" for n in range(100000, 1000000, 7919)) if code not in valid)


def sms(base: str, phone: str) -> list[str]:
    items = requests.get(f"{base}/_local/messages", params={"to": phone}, timeout=10).json()["items"]
    return [m["body"] for m in items if m["channel"] == "sms"]


def wait_for(probe: Callable[[], T], seconds: float = 15.0, what: str = "condition") -> T:
    end = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what} not met within {seconds} s")
        time.sleep(0.25)


def citizen_access_log(base: str, username: str, password: str) -> list[dict[str, Any]]:
    """What the citizen's app shows under "who looked at my data"."""
    captcha = requests.get(f"{base}/v1/auth/captcha", timeout=10).json()["captcha_id"]
    login = requests.post(f"{base}/v1/auth/login", timeout=15, json={
        "username": username, "password": password, "captcha_id": captcha, "captcha_answer": LOCAL_CAPTCHA_ANSWER,
        "device_id": "browser-test-phone", "device_name": "Test phone"})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    log = requests.get(f"{base}/v1/me/access-log", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert log.status_code == 200, log.text
    return log.json()["items"]
