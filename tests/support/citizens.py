"""Citizen accounts for sign-in tests, as approval leaves them, and a mobile client that signs in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain.credentials import hash_password
from chalicelib.models.account import Account
from chalicelib.services.timestamps import stored
from local.outbox import messages_for
from tests.support.api import Reply, call
from tests.support.log_scan import remember

CAPTCHA = "TESTCAPTCHA"  # VSSID_LOCAL_CAPTCHA_ANSWER in these tests
remember(CAPTCHA)


def make_account(username: str = "0123456789", password: str = "Kh0iTao7x", *, initial: bool = True,
                 phone: str = "+84901234567", password_age_days: int = 0) -> Account:
    now = clock.now()
    account = Account(
        username, registration_id="r-" + username, office_code="HN-HK", full_name="Nguyễn Thị Hường",
        date_of_birth="1990-05-17", gender="female", id_type="CCCD", id_number="001190123456", phone=phone,
        email=None, address="Số 12 phố Hàng Bài, Hà Nội", password_hash=hash_password(password),
        password_set_at=stored(now - timedelta(days=password_age_days)), password_change_required=initial,
        initial_password_expires_at=stored(now + timedelta(days=7)) if initial else None,
        initial_password_delivered=True, created_at=stored(now), created_by="canbo.hn-hk",
    )
    account.save()
    remember(password, account.full_name, account.id_number, phone)
    return account


@dataclass
class Phone:
    """One mobile device with the app."""

    client: Any
    device_id: str = "device-A"
    device_name: str = "iPhone của Hường"
    token: str = ""
    seen: list[str] = field(default_factory=list)  # every secret this device handled, for the log scan

    def captcha(self) -> str:
        reply = call(self.client, "GET", "/v1/auth/captcha")
        assert reply.status == 200
        return reply.body["captcha_id"]

    def login(self, username: str, password: str, captcha_answer: str = CAPTCHA) -> Reply:
        self.seen.append(password)
        reply = call(self.client, "POST", "/v1/auth/login", {
            "username": username, "password": password, "captcha_id": self.captcha(),
            "captcha_answer": captcha_answer, "device_id": self.device_id, "device_name": self.device_name})
        if reply.status == 200:
            self.token = reply.body["access_token"]
            self.seen.append(self.token)
        remember(*self.seen)
        return reply

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def me(self) -> Reply:
        return call(self.client, "GET", "/v1/me", headers=self.auth)

    def change_password(self, current: str, new: str) -> Reply:
        self.seen += [current, new]
        remember(current, new)
        return call(self.client, "POST", "/v1/auth/password", {"current_password": current, "new_password": new},
                    self.auth)

    def logout(self) -> Reply:
        return call(self.client, "POST", "/v1/auth/logout", {}, self.auth)


def last_code(phone: str = "+84901234567") -> str:
    texts = [m["body"] for m in messages_for(phone) if m["channel"] == "sms" and "Ma xac thuc" in m["body"]]
    code = re.search(r"la (\d{6})", texts[-1]).group(1)
    remember(code)
    return code


def move_clock(**delta: float) -> None:
    moved = clock.now() + timedelta(**delta)
    clock.set_clock(lambda: moved)
