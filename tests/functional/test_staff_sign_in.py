"""Staff sign in with a password and an authenticator-app code; everything else needs the token."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from chalicelib import clock
from tests.support.api import call
from tests.support.people import STAFF_PASSWORD, Staff


def _login(client, username: str, password: str, code: str):
    return call(client, "POST", "/v1/admin/auth/login", {"username": username, "password": password, "totp": code})


def test_sign_in_with_password_and_totp(client):
    staff = Staff.create(client)
    reply = staff.login()
    assert reply.status == 200
    assert reply.body["office_code"] == "HN-HK" and reply.body["expires_at"].endswith("+07:00")
    assert staff.queue().status == 200


def test_wrong_password_wrong_code_and_unknown_user_look_the_same(client):
    staff = Staff.create(client)
    code = pyotp.TOTP(staff.totp_secret).now()
    wrong_password = _login(client, staff.username, "sai mật khẩu", code)
    wrong_code = _login(client, staff.username, STAFF_PASSWORD, "000000" if code != "000000" else "111111")
    unknown = _login(client, "nobody", STAFF_PASSWORD, code)
    assert wrong_password.status == wrong_code.status == unknown.status == 401
    assert wrong_password.body == wrong_code.body == unknown.body
    assert wrong_password.body["error"]["code"] == "INVALID_CREDENTIALS"


def test_a_totp_code_works_once(client):
    staff = Staff.create(client)
    code = pyotp.TOTP(staff.totp_secret).at(clock.now())
    assert _login(client, staff.username, STAFF_PASSWORD, code).status == 200
    assert _login(client, staff.username, STAFF_PASSWORD, code).status == 401


def test_five_failures_lock_the_account_for_fifteen_minutes(client):
    staff = Staff.create(client)
    for _ in range(5):
        assert _login(client, staff.username, "sai", "123456").status == 401
    locked = staff.login()
    assert locked.status == 423 and locked.body["error"]["code"] == "ACCOUNT_LOCKED"
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    later = clock.now() + timedelta(minutes=16)
    clock.set_clock(lambda: later)
    assert staff.login().status == 200


def test_admin_routes_need_a_valid_staff_token(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        reply = call(client, "GET", "/v1/admin/registrations", headers=headers)
        assert reply.status == 401 and reply.body["error"]["code"] == "UNAUTHORIZED"


def test_the_staff_session_ends(client):
    staff = Staff.create(client)
    staff.login()
    later = clock.now() + timedelta(hours=9)
    clock.set_clock(lambda: later)
    assert staff.queue().status == 401
