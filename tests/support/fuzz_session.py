"""The credentials and live records a fuzzing run needs, made on a running local server.

Schemathesis draws request data from the OpenAPI document, so without help it would only ever reach the
401/404 answers of operations that need a token or an existing registration. These sign the demo people
in and create one draft registration, the way a client would, so the fuzzer reaches the handlers' own rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp
import requests

from tests.support.api import VALID_FORM

TIMEOUT = 10
FUZZ_DEVICE = "schemathesis-device"
LOCAL_CAPTCHA_ANSWER = "local-captcha"  # local.run sets VSSID_LOCAL_CAPTCHA_ANSWER to this
STAFF_OFFICE = "HN-HK"


@dataclass(frozen=True)
class FuzzSession:
    base: str
    citizen_token: str
    staff_token: str
    registration_id: str
    registration_key: str
    # A second demo citizen, whose sessions the fuzzer may end (POST /v1/auth/logout) without cutting
    # the first one's off.
    spare_citizen: dict[str, str]
    # A second staff member's token for POST /v1/admin/auth/logout, so the admin operations keep theirs.
    # Signed in once: staff sign-ins from one address are limited per hour, and after the first logout the
    # fuzzer's cases get the documented 401.
    spare_staff_token: str


def fresh_captcha(base: str) -> tuple[str, str]:
    """A new captcha and the answer local mode accepts for it."""
    issued = requests.get(f"{base}/v1/auth/captcha", timeout=TIMEOUT)
    issued.raise_for_status()
    return issued.json()["captcha_id"], LOCAL_CAPTCHA_ANSWER


def sign_in_citizen(base: str, citizen: dict[str, str]) -> str:
    captcha_id, answer = fresh_captcha(base)
    reply = requests.post(f"{base}/v1/auth/login", timeout=TIMEOUT, json={
        "username": citizen["username"], "password": citizen["password"], "captcha_id": captcha_id,
        "captcha_answer": answer, "device_id": FUZZ_DEVICE, "device_name": "schemathesis"})
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def open_session(base: str) -> FuzzSession:
    demo = requests.get(f"{base}/_local/demo", timeout=TIMEOUT).json()
    staff = next(member for member in demo["staff"] if member["office_code"] == STAFF_OFFICE)
    spare_staff = next(member for member in demo["staff"] if member["office_code"] != STAFF_OFFICE)
    registration = _draft_registration(base)
    return FuzzSession(
        base=base, citizen_token=sign_in_citizen(base, demo["citizens"][0]), staff_token=_sign_in_staff(base, staff),
        registration_id=registration["registration_id"], registration_key=registration["access_key"],
        spare_citizen=demo["citizens"][1], spare_staff_token=_sign_in_staff(base, spare_staff),
    )


def _sign_in_staff(base: str, staff: dict[str, str]) -> str:
    totp = pyotp.TOTP(staff["totp_secret"])
    for _ in range(2):
        reply = requests.post(f"{base}/v1/admin/auth/login", timeout=TIMEOUT, json={
            "username": staff["username"], "password": staff["password"], "totp": totp.now()})
        if reply.status_code == 200:
            return reply.json()["staff_token"]
        # A code works once; on a server signed into moments ago (VSSID_FUZZ_BASE_URL) wait for the next one.
        time.sleep(totp.interval - time.time() % totp.interval + 0.5)
    raise AssertionError(reply.text)


# Demo participants of the register without an account (data/demo/records/participant.jsonl): Form 01 must
# match the register. Two, so a server reused within a draft's hold still has one free.
DRAFT_PEOPLE = (
    {"social_insurance_number": "0102345678", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-07-21",
     "gender": "male", "id_type": "CCCD", "id_number": "001090054321"},
    {"social_insurance_number": "0103456789", "full_name": "Phạm Đức Thắng", "date_of_birth": "1979-09-09",
     # The register says male, its card number (4th digit 1) female: the form must agree with the number.
     "gender": "female", "id_type": "CAN_CUOC", "id_number": "001179012468", "id_issued_on": "2025-02-10"},
)


def _draft_registration(base: str) -> dict[str, Any]:
    # In the staff member's office, so the admin operations find it; never submitted, so nothing is decided.
    for person in DRAFT_PEOPLE:
        captcha_id, answer = fresh_captcha(base)
        form = {**VALID_FORM, "id_issued_on": "2015-06-01", **person, "phone": "0987654321",
                "office_code": STAFF_OFFICE, "captcha_id": captcha_id, "captcha_answer": answer}
        created = requests.post(f"{base}/v1/registrations", json=form, timeout=TIMEOUT)
        if created.status_code != 409:
            break
    assert created.status_code == 201, created.text
    return created.json()
