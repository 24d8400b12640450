"""Staff sign in with a password and an authenticator-app code; everything else needs the token.

Usernames are predictable and there is no captcha, so failures lock out wrong attempts only: the holder of
the authenticator still signs in, unless the right password keeps coming with wrong codes (stolen).
"""

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


def _wrong_code(staff: Staff, at=None) -> str:
    code = pyotp.TOTP(staff.totp_secret).at(at or clock.now())
    return "000000" if code != "000000" else "111111"


def _move_clock(**delta: float) -> None:
    later = clock.now() + timedelta(**delta)
    clock.set_clock(lambda: later)


def test_five_failures_lock_out_wrong_attempts_but_not_the_holder_of_the_code(client):
    # (It used to lock the right password + code out too: five requests locked any staff member out.)
    staff = Staff.create(client)
    for _ in range(5):
        assert _login(client, staff.username, "sai", "123456").status == 401
    locked = _login(client, staff.username, "sai", "123456")
    assert locked.status == 423 and locked.body["error"]["code"] == "ACCOUNT_LOCKED"
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    # the right password alone gets the same answer as any wrong attempt
    assert _login(client, staff.username, STAFF_PASSWORD, _wrong_code(staff)).body == locked.body
    assert staff.login().status == 200  # the right password with a fresh code signs in all the same
    assert _login(client, staff.username, "sai", "123456").status == 401  # the success cleared the budget


def test_the_lock_of_wrong_attempts_ends_after_fifteen_minutes(client):
    staff = Staff.create(client)
    for _ in range(6):
        _login(client, staff.username, "sai", "123456")
    assert _login(client, staff.username, "sai", "123456").status == 423
    _move_clock(minutes=16)
    assert _login(client, staff.username, "sai", "123456").status == 401


def test_the_right_password_with_wrong_codes_is_a_stolen_password_and_hard_locks(client):
    staff = Staff.create(client)
    answers = [_login(client, staff.username, STAFF_PASSWORD, _wrong_code(staff)) for _ in range(6)]
    wrong_password = Staff.create(client, username="canbo.other")
    decoys = [_login(client, wrong_password.username, "sai", _wrong_code(wrong_password)) for _ in range(6)]
    # Who lacks the code cannot tell the right password from a wrong one: the same answers throughout
    assert [(a.status, a.body) for a in answers] == [(d.status, d.body) for d in decoys]
    assert [a.status for a in answers] == [401] * 5 + [423]
    refused = staff.login()  # even the right code is refused now
    assert refused.status == 423 and refused.body["error"]["code"] == "ACCOUNT_LOCKED"
    assert 800 < int(refused.headers["Retry-After"]) <= 900
    _move_clock(minutes=16)
    assert staff.login().status == 200


def test_unknown_usernames_get_the_same_answers_as_real_ones(client):
    _move_clock()  # frozen, so the two Retry-After headers are counted from the same second
    staff = Staff.create(client)
    real = [_login(client, staff.username, "sai", "123456") for _ in range(7)]
    unknown = [_login(client, "canbo.nobody", "sai", "123456") for _ in range(7)]
    assert [(r.status, r.body, r.headers.get("Retry-After")) for r in real] == [
        (u.status, u.body, u.headers.get("Retry-After")) for u in unknown]
    assert [r.status for r in real] == [401] * 5 + [423] * 2


def test_one_address_may_try_a_limited_number_of_times_an_hour(client, monkeypatch):
    from chalicelib.services import staff_auth

    monkeypatch.setattr(staff_auth, "ATTEMPTS_PER_ADDRESS_PER_HOUR", 3)
    staff = Staff.create(client)
    for _ in range(3):
        assert _login(client, "canbo.nobody", "sai", "123456").status == 401
    limited = staff.login()
    assert limited.status == 429 and limited.body["error"]["code"] == "TOO_MANY_REQUESTS"
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    _move_clock(hours=1)
    assert staff.login().status == 200


def test_logout_ends_the_staff_token_at_once(client):
    staff = Staff.signed_in(client)
    other = Staff.signed_in(client, username="canbo.hn-hk.2")
    assert call(client, "POST", "/v1/admin/auth/logout", {}, staff.auth).status == 204
    after = staff.queue()
    assert after.status == 401 and after.body["error"]["code"] == "UNAUTHORIZED"
    assert other.queue().status == 200  # another staff member's session is untouched
    again = call(client, "POST", "/v1/admin/auth/logout", {}, staff.auth)
    assert again.status == 401 and again.body["error"]["code"] == "UNAUTHORIZED"
    assert call(client, "POST", "/v1/admin/auth/logout", {}).status == 401


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
