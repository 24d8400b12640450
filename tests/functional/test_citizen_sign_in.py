"""Citizen sign-in with a frozen clock: first login, the 6-month rule, lockout, one device, recovery.

The whole module's log output is collected, and the last test checks that no password, code, token
or full ID number handled by the module appears in it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.models.sign_in import Captcha
from local.outbox import messages_for
from tests.support.api import call
from tests.support.citizens import CAPTCHA, Phone, last_code, make_account, move_clock

INITIAL = "Kh0iTao7x"
NEW = "Mật khẩu mới của Hường 2026"
SECRETS: list[str] = []


LOG_LINES: list[str] = []  # everything logged while this module's tests ran


@pytest.fixture
def phone(client, settings_env, caplog):
    # INFO from every library (what production emits) and everything our own logger says
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="vssid")
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    start = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    clock.set_clock(lambda: start)
    device = Phone(client)
    yield device
    SECRETS.extend(device.seen)
    # every record of the test's call phase, with its structured extra fields
    LOG_LINES.extend(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.get_records("call"))


def test_first_login_forces_a_password_change_before_any_me_call(phone):
    make_account()
    signed_in = phone.login("0123456789", INITIAL)
    assert signed_in.status == 200
    assert signed_in.body["password_change_required"] is True
    blocked = phone.me()
    assert blocked.status == 403 and blocked.body["error"]["code"] == "PASSWORD_CHANGE_REQUIRED"
    assert phone.change_password(INITIAL, NEW).status == 204
    me = phone.me()
    assert me.status == 200 and me.body["social_insurance_number"] == "0123456789"


def test_the_initial_password_works_once(phone):
    make_account()
    assert phone.login("0123456789", INITIAL).status == 200
    again = phone.login("0123456789", INITIAL)
    assert again.status == 401 and again.body["error"]["code"] == "INITIAL_PASSWORD_EXPIRED"


def test_the_initial_password_expires_after_seven_days(phone):
    make_account()
    move_clock(days=7, seconds=1)
    reply = phone.login("0123456789", INITIAL)
    assert reply.status == 401 and reply.body["error"]["code"] == "INITIAL_PASSWORD_EXPIRED"


def test_a_password_older_than_180_days_must_be_changed(phone):
    make_account(password=NEW, initial=False, password_age_days=179)
    assert phone.login("0123456789", NEW).body["password_change_required"] is False
    assert phone.me().status == 200
    move_clock(days=2)
    phone.login("0123456789", NEW)
    assert phone.me().body["error"]["code"] == "PASSWORD_CHANGE_REQUIRED"
    same = phone.change_password(NEW, NEW)
    assert same.status == 400 and "new_password" in same.body["error"]["fields"]
    assert phone.change_password(NEW, "Một mật khẩu khác hẳn 2027").status == 204
    assert phone.me().status == 200


@pytest.mark.parametrize("weak", ["short1", "password123", "0123456789abc", "matkhau123", INITIAL])
def test_weak_or_reused_new_passwords_are_refused(phone, weak):
    make_account()
    phone.login("0123456789", INITIAL)
    reply = phone.change_password(INITIAL, weak)
    assert reply.status == 400 and reply.body["error"]["fields"]["new_password"]
    assert reply.body["error"]["fields_vi"]["new_password"]


@pytest.mark.parametrize("guessable, why, why_vi", [
    ("aaaaaaaa", "repeats a character", "lặp lại một ký tự"),
    ("abcdefghij", "run of letters or digits in order", "dãy chữ hoặc số liên tiếp"),
    ("qwertyuiop[]", "walk along the keyboard", "phím liền nhau trên bàn phím"),
    ("NguyenThiHuong1", "built from your name", "được ghép từ họ tên của bạn"),
    ("Huong@17051990", "must not contain your date of birth", "không được chứa ngày sinh"),
    ("Hường 0901234567", "must not contain your phone number", "không được chứa số điện thoại"),
])
def test_guessable_new_passwords_are_refused_with_the_reason_in_both_languages(phone, guessable, why, why_vi):
    make_account()  # Nguyễn Thị Hường, born 1990-05-17, phone +84901234567
    phone.login("0123456789", INITIAL)
    reply = phone.change_password(INITIAL, guessable)
    assert reply.status == 400 and reply.body["error"]["code"] == "VALIDATION_FAILED"
    assert why in reply.body["error"]["fields"]["new_password"]
    assert why_vi in reply.body["error"]["fields_vi"]["new_password"]
    assert phone.me().body["error"]["code"] == "PASSWORD_CHANGE_REQUIRED"  # nothing changed
    assert phone.change_password(INITIAL, NEW).status == 204


def test_a_guessable_password_is_refused_at_reset_too_and_the_code_still_works(phone, client):
    make_account(password=NEW, initial=False)
    reset = call(client, "POST", "/v1/auth/password-reset",
                 {"username": "0123456789", "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA}).body["reset_id"]
    code = last_code()
    SECRETS.append(code)
    url = f"/v1/auth/password-reset/{reset}/confirm"
    weak = call(client, "POST", url, {"otp": code, "new_password": "aaaaaaaa"})
    assert weak.status == 400
    assert "Estimated strength 0 of 4; at least 2 is needed" in weak.body["error"]["fields"]["new_password"]
    assert "Độ mạnh ước tính 0/4" in weak.body["error"]["fields_vi"]["new_password"]
    chosen = "Hường đặt lại mật khẩu 2026"
    phone.seen.append(chosen)
    assert call(client, "POST", url, {"otp": code, "new_password": chosen}).status == 204
    assert phone.login("0123456789", chosen).status == 200


def test_five_failures_lock_the_account_for_fifteen_minutes(phone):
    make_account(password=NEW, initial=False)
    for _ in range(4):
        assert phone.login("0123456789", "sai mật khẩu").status == 401
    fifth = phone.login("0123456789", "sai mật khẩu")
    assert fifth.status == 423 and fifth.body["error"]["code"] == "ACCOUNT_LOCKED"
    assert fifth.headers["Retry-After"] == "900"
    assert fifth.body["error"]["locked_until"] == "2026-11-25T10:15:00+07:00"
    assert phone.login("0123456789", NEW).status == 423  # even the right password waits
    move_clock(minutes=15)
    assert phone.login("0123456789", NEW).status == 200


def test_a_success_resets_the_failure_count(phone):
    make_account(password=NEW, initial=False)
    for _ in range(4):
        phone.login("0123456789", "sai")
    assert phone.login("0123456789", NEW).status == 200
    for _ in range(4):
        assert phone.login("0123456789", "sai").status == 401


def test_unknown_number_looks_exactly_like_a_wrong_password(phone):
    make_account(password=NEW, initial=False)
    wrong = phone.login("0123456789", "sai mật khẩu")
    unknown = phone.login("0999999999", "sai mật khẩu")
    malformed = phone.login("abc", "sai mật khẩu")
    assert wrong.status == unknown.status == malformed.status == 401
    assert wrong.body == unknown.body == malformed.body


def test_captcha_is_single_use_and_expires(phone, client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER="")
    make_account(password=NEW, initial=False)
    issued = call(client, "GET", "/v1/auth/captcha").body
    assert issued["image_png_base64"] and issued["expires_at"] == "2026-11-25T10:05:00+07:00"
    stored = Captcha.get(issued["captcha_id"])
    assert "answer" not in stored.attribute_values
    body = {"username": "0123456789", "password": NEW, "captcha_id": issued["captcha_id"],
            "captcha_answer": "WRONG", "device_id": "device-A"}
    wrong = call(client, "POST", "/v1/auth/login", body)
    assert wrong.status == 400 and wrong.body["error"]["code"] == "CAPTCHA_INVALID"
    # spent by the wrong answer: the right one no longer works either
    from chalicelib.domain import captcha_text

    answer = "ABCDE"
    original = captcha_text.new_answer
    captcha_text.new_answer = lambda length=5: answer
    try:
        from chalicelib.services import captchas

        captchas.new_answer = captcha_text.new_answer
        fresh = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
    finally:
        captcha_text.new_answer = original
        captchas.new_answer = original
    ok = call(client, "POST", "/v1/auth/login", {**body, "captcha_id": fresh, "captcha_answer": "abcde"})
    assert ok.status == 200
    reused = call(client, "POST", "/v1/auth/login", {**body, "captcha_id": fresh, "captcha_answer": answer})
    assert reused.status == 400 and reused.body["error"]["code"] == "CAPTCHA_INVALID"
    late = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
    move_clock(minutes=5, seconds=1)
    expired = call(client, "POST", "/v1/auth/login", {**body, "captcha_id": late, "captcha_answer": "X"})
    assert expired.status == 400


def test_a_second_device_needs_an_sms_code_and_the_first_is_signed_out(phone, client):
    make_account(password=NEW, initial=False)
    assert phone.login("0123456789", NEW).status == 200
    other = Phone(client, device_id="device-B", device_name="Galaxy A54")
    conflict = other.login("0123456789", NEW)
    assert conflict.status == 409 and conflict.body["error"]["code"] == "DEVICE_CONFLICT"
    challenge = conflict.body["error"]["challenge_id"]
    assert phone.me().status == 200  # nothing changes until the code is confirmed

    sent = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/otp", {})
    assert sent.status == 202
    sms = [m["body"] for m in messages_for("+84901234567")][-1]
    code = last_code()
    assert sms.endswith(f"@vssid.baohiemxahoi.gov.vn #{code}")  # the format keyboards offer to autofill
    verified = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": code})
    assert verified.status == 200
    other.token = verified.body["access_token"]
    SECRETS.extend([code, other.token])

    assert other.me().status == 200
    replaced = phone.me()
    assert replaced.status == 401 and replaced.body["error"]["code"] == "SESSION_REPLACED"
    assert "Galaxy A54" in messages_for("+84901234567")[-1]["body"]
    again = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": code})
    assert again.status == 404 and again.body["error"]["code"] == "CHALLENGE_NOT_FOUND"


def _conflict(phone, client) -> str:
    make_account(password=NEW, initial=False)
    phone.login("0123456789", NEW)
    return Phone(client, device_id="device-B").login("0123456789", NEW).body["error"]["challenge_id"]


def test_an_otp_expires_after_five_minutes(phone, client):
    challenge = _conflict(phone, client)
    call(client, "POST", f"/v1/auth/device-challenges/{challenge}/otp", {})
    code = last_code()
    move_clock(minutes=5, seconds=1)
    late = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": code})
    assert late.status == 400 and late.body["error"]["code"] == "OTP_INVALID"


def test_five_wrong_codes_end_the_challenge(phone, client):
    challenge = _conflict(phone, client)
    call(client, "POST", f"/v1/auth/device-challenges/{challenge}/otp", {})
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        reply = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": wrong})
        assert reply.status == 400 and reply.body["error"]["tries_left"] == left
    fifth = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": wrong})
    assert fifth.status == 429 and fifth.body["error"]["code"] == "OTP_TRIES_EXCEEDED"
    right = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": code})
    assert right.status == 429
    move_clock(seconds=61)  # a new code does not give the challenge new tries
    call(client, "POST", f"/v1/auth/device-challenges/{challenge}/otp", {})
    fresh = call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify", {"otp": last_code()})
    assert fresh.status == 429


def test_codes_are_resent_no_sooner_than_a_minute_and_at_most_five_an_hour(phone, client):
    challenge = _conflict(phone, client)
    url = f"/v1/auth/device-challenges/{challenge}/otp"
    assert call(client, "POST", url, {}).status == 202
    too_soon = call(client, "POST", url, {})
    assert too_soon.status == 429 and too_soon.body["error"]["code"] == "OTP_RESEND_TOO_SOON"
    assert too_soon.headers["Retry-After"] == "60"
    for _ in range(4):
        move_clock(seconds=61)
        assert call(client, "POST", url, {}).status == 202
    move_clock(seconds=61)
    sixth = call(client, "POST", url, {})
    assert sixth.status == 429 and sixth.body["error"]["code"] == "SMS_LIMIT_REACHED"
    assert int(sixth.headers["Retry-After"]) > 0
    assert len([m for m in messages_for("+84901234567") if "Ma xac thuc" in m["body"]]) == 5


def test_forgotten_password_is_reset_by_sms_and_ends_every_session(phone, client):
    make_account(password=NEW, initial=False)
    phone.login("0123456789", NEW)
    started = call(client, "POST", "/v1/auth/password-reset",
                   {"username": "0123456789", "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA})
    assert started.status == 202
    reset = started.body["reset_id"]
    code = last_code()
    SECRETS.append(code)
    weak = call(client, "POST", f"/v1/auth/password-reset/{reset}/confirm", {"otp": code, "new_password": "12345678"})
    assert weak.status == 400
    newer = "Mật khẩu đặt lại 2026!"
    phone.seen.append(newer)
    done = call(client, "POST", f"/v1/auth/password-reset/{reset}/confirm", {"otp": code, "new_password": newer})
    assert done.status == 204
    assert phone.me().status == 401  # every session ended
    assert phone.login("0123456789", newer).status == 200
    assert phone.login("0123456789", NEW).status == 401


def test_an_expired_initial_password_is_replaced_through_the_same_phone_check(phone, client):
    make_account()
    move_clock(days=8)
    assert phone.login("0123456789", INITIAL).body["error"]["code"] == "INITIAL_PASSWORD_EXPIRED"
    reset = call(client, "POST", "/v1/auth/password-reset",
                 {"username": "0123456789", "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA}).body["reset_id"]
    chosen = "Hường chọn mật khẩu 2026"
    phone.seen.append(chosen)
    assert call(client, "POST", f"/v1/auth/password-reset/{reset}/confirm",
                {"otp": last_code(), "new_password": chosen}).status == 204
    assert phone.login("0123456789", chosen).body["password_change_required"] is False


def test_reset_for_an_unknown_number_answers_the_same_and_sends_nothing(phone, client):
    reply = call(client, "POST", "/v1/auth/password-reset",
                 {"username": "0999999999", "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA})
    assert reply.status == 202 and set(reply.body) == {"reset_id", "expires_in", "resend_after"}
    assert messages_for(None) == []


def test_logout_ends_the_token_at_once(phone):
    make_account(password=NEW, initial=False)
    phone.login("0123456789", NEW)
    assert phone.logout().status == 204
    after = phone.me()
    assert after.status == 401 and after.body["error"]["code"] == "UNAUTHORIZED"


def test_sessions_end_after_idle_time_and_lifetime(phone):
    make_account(password=NEW, initial=False)
    phone.login("0123456789", NEW)
    move_clock(minutes=29)
    assert phone.me().status == 200
    move_clock(minutes=31)
    assert phone.me().status == 401
    phone.login("0123456789", NEW)
    for _ in range(25):
        move_clock(minutes=29)
        phone.me()
    assert phone.me().status == 401  # 12 hours at most, however active


def test_me_without_or_with_a_bad_token(client):
    assert call(client, "GET", "/v1/me").status == 401
    bad = call(client, "GET", "/v1/me", headers={"Authorization": "Bearer nope"})
    assert bad.status == 401 and bad.body["error"]["code"] == "UNAUTHORIZED"


def test_a_hash_made_with_older_parameters_is_upgraded_at_login(phone):
    from argon2 import PasswordHasher

    from chalicelib.models.account import Account

    account = make_account(password=NEW, initial=False)
    account.update(actions=[Account.password_hash.set(PasswordHasher(time_cost=1, memory_cost=8192).hash(NEW))])
    assert phone.login("0123456789", NEW).status == 200
    upgraded = Account.get("0123456789").password_hash
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert phone.login("0123456789", NEW).status == 200


def test_daily_sms_limit_per_phone_number(phone, client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA, VSSID_SMS_PER_PHONE_PER_DAY="2")
    make_account(password=NEW, initial=False)
    make_account(username="0222333444", password=NEW, initial=False)  # same phone, another account
    codes = []
    for username in ("0123456789", "0222333444", "0123456789"):
        reply = call(client, "POST", "/v1/auth/password-reset",
                     {"username": username, "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA})
        codes.append(reply)
    assert [r.status for r in codes] == [202, 202, 429]
    assert codes[2].body["error"]["code"] == "SMS_LIMIT_REACHED"
    assert codes[2].headers["Retry-After"] == str(14 * 3600)  # until midnight in Viet Nam (10:00 → 24:00)


def test_zz_no_secret_in_any_log_line_of_this_module():
    text = "\n".join(LOG_LINES)
    assert "citizen signed in" in text  # the module's logs were really collected
    for secret in set(SECRETS) | {"001190123456", INITIAL}:
        assert secret not in text, secret

