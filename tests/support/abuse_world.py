"""One populated backend for the abuse tests: two citizens with accounts and open challenges, two
registrations, staff of two offices and an open feedback — every id an attacker could aim at.

Built once per test that needs it (a fresh moto each time, see tests/conftest.py); about a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chalicelib.models.account import Account
from chalicelib.models.directory import Feedback
from chalicelib.models.registration import Registration
from local.outbox import messages_for
from tests.support.api import call
from tests.support.citizens import CAPTCHA, Phone, make_account
from tests.support.people import Citizen, Staff

PASSWORD = "Mật khẩu của Hường 2026"
ALICE, BOB = "0333444555", "0444555666"
ALICE_PHONE, BOB_PHONE = "+84933444555", "+84944555666"
OTHER_OFFICE = "HN-BD"
FEEDBACK = {
    "category": "HEALTH_INSURANCE",
    "message": "Thẻ BHYT của tôi vẫn ghi nơi khám ban đầu cũ dù tôi đã đổi từ tháng 1.",
    "contact": {"name": "Trần Văn Bình", "phone": "0977 888 999", "email": "binh.tran@example.vn"},
    "office_code": "HN-HK",
}


@dataclass
class World:
    client: Any
    alice: Phone  # signed in on device A
    bob: Phone
    registrant: Citizen  # a submitted registration of the HN-HK office, waiting for staff
    other_registrant: Citizen  # a draft of someone else
    staff: Staff  # HN-HK, the registration's and the feedback's office
    outsider: Staff  # another office
    feedback_id: str
    device_challenge: str  # alice's, after a login from a second device
    reset_id: str  # alice's password reset
    phone_challenge: str  # alice's phone change
    notes: dict[str, str] = field(default_factory=dict)  # what one step leaves for the next

    def registration(self, citizen: Citizen | None = None) -> Registration:
        return Registration.get((citizen or self.registrant).registration_id, consistent_read=True)

    def account(self, username: str = ALICE) -> Account:
        return Account.get(username, consistent_read=True)

    def feedback(self) -> Feedback:
        return Feedback.get(self.feedback_id, consistent_read=True)


def build_world(client: Any, settings_env: Any) -> World:
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    registrant = Citizen(client).submitted()
    other = Citizen(client).registered(social_insurance_number="0555666777", id_number="001190654321",
                                       phone="0912 345 678", full_name="Lê Thị Mai")
    make_account(ALICE, PASSWORD, initial=False, phone=ALICE_PHONE)
    make_account(BOB, PASSWORD, initial=False, phone=BOB_PHONE)
    alice, bob = Phone(client), Phone(client, device_id="device-bob")
    assert alice.login(ALICE, PASSWORD).status == 200 and bob.login(BOB, PASSWORD).status == 200
    staff, outsider = Staff.signed_in(client), Staff.signed_in(client, OTHER_OFFICE)

    feedback = call(client, "POST", "/v1/feedback", FEEDBACK)
    assert feedback.status == 201, feedback.body
    conflict = Phone(client, device_id="device-B").login(ALICE, PASSWORD)
    assert conflict.status == 409
    reset = call(client, "POST", "/v1/auth/password-reset",
                 {"username": ALICE, "captcha_id": alice.captcha(), "captcha_answer": CAPTCHA})
    assert reset.status == 202
    phone_change = call(client, "POST", "/v1/me/phone", {"current_password": PASSWORD, "new_phone": "0966 777 888"},
                        alice.auth)
    assert phone_change.status == 202, phone_change.body
    return World(client, alice, bob, registrant, other, staff, outsider, feedback.body["feedback_id"],
                 conflict.body["error"]["challenge_id"], reset.body["reset_id"], phone_change.body["challenge_id"])


def codes_sent_to(phone: str) -> list[str]:
    return [m.group(1) for m in (re.search(r"la (\d{6})", x["body"]) for x in messages_for(phone)) if m]
