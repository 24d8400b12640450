"""Test actors: a citizen with a Form 01 in hand, and staff members with authenticator apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyotp

from chalicelib.models.account import Account
from local.outbox import messages_for
from tests.support.api import SUBMIT_BODY, VALID_FORM, Reply, call, in_register, solved_captcha, upload
from tests.support.images import photo
from tests.support.log_scan import remember

STAFF_PASSWORD = "Mật-khẩu cán bộ 2026"


@dataclass
class Citizen:
    client: Any
    form: dict[str, Any] = field(default_factory=lambda: dict(VALID_FORM))
    registration_id: str = ""
    access_key: str = ""
    uploads: dict[str, Any] = field(default_factory=dict)
    # Whether the register (participant rows) is made to know this person before each create/correction;
    # tests of the register match set it False and arrange the register themselves.
    in_register: bool = True

    def create(self, **overrides: Any) -> Reply:
        """POST the form, with a solved captcha (and, unless `in_register` is False, the register knowing the
        person under the form's number)."""
        self.form.update(overrides)
        if self.in_register:
            in_register(self.form)
        reply = call(self.client, "POST", "/v1/registrations", {**self.form, **solved_captcha()})
        if reply.status == 201:
            self.registration_id = reply.body["registration_id"]
            self.access_key = reply.body["access_key"]
            self.uploads = reply.body["uploads"]
        form = self.form
        remember(self.access_key, form.get("full_name"), form.get("id_number"), form.get("phone"), form.get("email"))
        return reply

    @property
    def key_header(self) -> dict[str, str]:
        return {"X-Registration-Key": self.access_key}

    def upload_all(self) -> None:
        for index, kind in enumerate(("id_front", "id_back", "portrait")):
            assert upload(self.uploads[kind], photo("JPEG", seed=index)) in (200, 201, 204)

    def submit(self, headers: dict[str, str] | None = None) -> Reply:
        return call(self.client, "POST", f"/v1/registrations/{self.registration_id}/submit", SUBMIT_BODY,
                    {**self.key_header, **(headers or {})})

    def status(self) -> Reply:
        return call(self.client, "GET", f"/v1/registrations/{self.registration_id}", headers=self.key_header)

    def correct(self, **changes: Any) -> Reply:
        self.form.update(changes)
        if self.in_register:
            in_register(self.form)
        reply = call(self.client, "PUT", f"/v1/registrations/{self.registration_id}", self.form, self.key_header)
        if reply.status == 200:
            self.uploads = reply.body["uploads"]
        return reply

    def sms(self) -> list[str]:
        return [m["body"] for m in messages_for(self.form["phone"]) if m["channel"] == "sms"]

    def registered(self, **form: Any) -> Citizen:
        """Form 01 created and the three images uploaded."""
        assert self.create(**form).status == 201
        self.upload_all()
        return self

    def submitted(self, **form: Any) -> Citizen:
        """Registered, submitted, and its workflow's first token recorded: waiting for staff."""
        from tests.support.workflow import deliver_tokens

        self.registered(**form)
        assert self.submit().status == 200
        assert deliver_tokens() == ["recorded"]
        return self


@dataclass
class Staff:
    client: Any
    username: str
    office_code: str
    totp_secret: str
    token: str = ""

    @classmethod
    def create(cls, client: Any, office_code: str = "HN-HK", username: str | None = None,
               role: str = "office") -> Staff:
        from chalicelib.services.staff_auth import create_staff

        secret = pyotp.random_base32()
        username = username or f"canbo.{office_code.lower()}"
        create_staff(username, "Cán bộ kiểm thử", office_code, STAFF_PASSWORD, secret, role=role)
        remember(STAFF_PASSWORD, secret)
        return cls(client, username, office_code, secret)

    @classmethod
    def signed_in(cls, client: Any, office_code: str = "HN-HK", username: str | None = None,
                  role: str = "office") -> Staff:
        staff = cls.create(client, office_code, username, role)
        assert staff.login().status == 200
        return staff

    def login(self) -> Reply:
        from chalicelib import clock

        code = pyotp.TOTP(self.totp_secret).at(clock.now())
        reply = call(self.client, "POST", "/v1/admin/auth/login",
                     {"username": self.username, "password": STAFF_PASSWORD, "totp": code})
        if reply.status == 200:
            self.token = reply.body["staff_token"]
        remember(code, self.token)
        return reply

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def queue(self, status: str = "AWAITING_VERIFICATION") -> Reply:
        return call(self.client, "GET", f"/v1/admin/registrations?status={status}", headers=self.auth)

    def open(self, registration_id: str) -> Reply:
        return call(self.client, "GET", f"/v1/admin/registrations/{registration_id}", headers=self.auth)

    def approve(self, registration_id: str, headers: dict[str, str] | None = None) -> Reply:
        return call(self.client, "POST", f"/v1/admin/registrations/{registration_id}/approve",
                    {"id_document_checked": True}, {**self.auth, **(headers or {})})

    def reject(self, registration_id: str, reason: str = "Ảnh CCCD bị mờ, không đọc được số") -> Reply:
        return call(self.client, "POST", f"/v1/admin/registrations/{registration_id}/reject",
                    {"reason": reason}, self.auth)


def account_of(username: str) -> Account | None:
    try:
        return Account.get(username, consistent_read=True)
    except Account.DoesNotExist:
        return None
