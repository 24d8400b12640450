"""The holes an independent attack pass found in sign-in (issue 14), each closed and kept closed.

- Password-reset confirm was a password oracle: it checked the new password ("must differ from the current
  one") before the code, and kept answering while the account was locked and after the tries were spent.
- Unknown numbers could be told from real ones: 423 only for real accounts, 429 on resets only for real
  accounts, VALIDATION_FAILED vs OTP_INVALID on reset confirm.
- Counters were read, compared and then written, so parallel requests outran them (proven over HTTP at
  40 threads in tests/e2e/test_auth_races_http.py); here, that the stored counters never pass the limit.
- A password change left the account's other sessions alive.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.models.sign_in import AttemptCounter, OtpChallenge
from tests.support.api import Reply, call
from tests.support.citizens import CAPTCHA, Phone, last_code, make_account, move_clock
from tests.support.log_scan import remember

NUMBER, UNKNOWN = "0123456789", "0999999999"
PASSWORD = "Mật khẩu của Hường 2026"
OTHER = "Một mật khẩu khác hẳn 2027"
remember(PASSWORD, OTHER)


@pytest.fixture
def phone(client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    start = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    clock.set_clock(lambda: start)
    yield Phone(client)
    clock.set_clock(None)


def _start_reset(phone: Phone, username: str = NUMBER) -> Reply:
    return call(phone.client, "POST", "/v1/auth/password-reset",
                {"username": username, "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA})


def _confirm(phone: Phone, reset_id: str, otp: str, new_password: str) -> Reply:
    return call(phone.client, "POST", f"/v1/auth/password-reset/{reset_id}/confirm",
                {"otp": otp, "new_password": new_password})


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _seen(reply: Reply) -> tuple[int, dict, str | None]:
    return reply.status, reply.body, reply.headers.get("Retry-After")


# --- 1. the reset confirm is no password oracle ----------------------------------------------------------

def test_a_wrong_code_gets_the_same_answer_whether_or_not_the_new_password_is_the_current_one(phone):
    make_account(password=PASSWORD, initial=False)
    reset_id = _start_reset(phone).body["reset_id"]
    guess_right = _confirm(phone, reset_id, "0", PASSWORD)
    guess_wrong = _confirm(phone, reset_id, "0", OTHER)
    assert guess_right.status == guess_wrong.status == 400
    assert guess_right.body["error"]["code"] == guess_wrong.body["error"]["code"] == "OTP_INVALID"
    assert "fields" not in guess_right.body["error"]
    assert (guess_right.body["error"]["tries_left"], guess_wrong.body["error"]["tries_left"]) == (4, 3)


def test_once_the_tries_are_spent_nothing_is_compared(phone):
    make_account(password=PASSWORD, initial=False)
    reset_id = _start_reset(phone).body["reset_id"]
    code = last_code()
    for _ in range(5):
        _confirm(phone, reset_id, _wrong(code), OTHER)
    answers = [_confirm(phone, reset_id, otp, pw) for otp, pw in
               ((_wrong(code), PASSWORD), (_wrong(code), OTHER), (code, OTHER))]
    assert {(a.status, a.body["error"]["code"]) for a in answers} == {(429, "OTP_TRIES_EXCEEDED")}
    assert OtpChallenge.get(reset_id).wrong_tries == 5  # never above the limit


def test_a_locked_account_gets_the_same_answers_to_wrong_codes(phone):
    make_account(password=PASSWORD, initial=False)
    for _ in range(5):
        phone.login(NUMBER, "sai mật khẩu")
    assert phone.login(NUMBER, PASSWORD).status == 423
    reset_id = _start_reset(phone).body["reset_id"]
    guess_right, guess_wrong = _confirm(phone, reset_id, "0", PASSWORD), _confirm(phone, reset_id, "0", OTHER)
    assert (guess_right.status, guess_wrong.status) == (400, 400)
    assert guess_right.body["error"]["code"] == guess_wrong.body["error"]["code"] == "OTP_INVALID"


def test_a_proven_code_survives_a_refused_password_and_costs_no_try(phone):
    make_account(password=PASSWORD, initial=False)
    reset_id = _start_reset(phone).body["reset_id"]
    code = last_code()
    assert _confirm(phone, reset_id, _wrong(code), OTHER).body["error"]["tries_left"] == 4
    same = _confirm(phone, reset_id, code, PASSWORD)  # the code proven, the policy may now compare
    assert same.status == 400 and same.body["error"]["code"] == "VALIDATION_FAILED"
    assert "new_password" in same.body["error"]["fields"]
    assert _confirm(phone, reset_id, _wrong(code), OTHER).body["error"]["tries_left"] == 3
    assert _confirm(phone, reset_id, code, OTHER).status == 204
    assert phone.login(NUMBER, OTHER).status == 200


def test_wrong_reset_codes_count_towards_the_sign_in_lockout_and_the_right_code_lifts_it(phone):
    make_account(password=PASSWORD, initial=False)
    reset_id = _start_reset(phone).body["reset_id"]
    code = last_code()
    for _ in range(5):
        _confirm(phone, reset_id, _wrong(code), OTHER)
    locked = phone.login(NUMBER, PASSWORD)  # reset and login share one guessing budget
    assert locked.status == 423 and locked.body["error"]["code"] == "ACCOUNT_LOCKED"
    # A citizen locked out of login recovers through the reset: the right code still works.
    move_clock(seconds=61)
    fresh = _start_reset(phone).body["reset_id"]
    assert _confirm(phone, fresh, last_code(), OTHER).status == 204
    assert phone.login(NUMBER, OTHER).status == 200


def test_the_current_password_is_never_compared_before_the_code(phone, monkeypatch):
    from chalicelib.services import sign_in

    make_account(password=PASSWORD, initial=False)
    compared: list[str] = []
    real = sign_in.password_problem
    monkeypatch.setattr(sign_in, "password_problem", lambda *a, **k: compared.append("policy") or real(*a, **k))
    reset_id = _start_reset(phone).body["reset_id"]
    for otp in ("0", "12345", "", "999999"):
        _confirm(phone, reset_id, otp, PASSWORD)
    assert compared == []


# --- 5. unknown numbers look like real ones -----------------------------------------------------------------

def test_a_reset_for_an_unknown_number_answers_exactly_like_one_for_a_real_number(phone):
    make_account(password=PASSWORD, initial=False)
    real = _start_reset(phone, NUMBER).body["reset_id"]
    unknown = _start_reset(phone, UNKNOWN).body["reset_id"]
    real_answers = [_seen(_confirm(phone, real, otp, pw)) for otp, pw in
                    (("0", PASSWORD), ("0", "12345678"), ("123456", OTHER), ("0", OTHER), ("0", OTHER),
                     ("0", OTHER))]
    unknown_answers = [_seen(_confirm(phone, unknown, otp, pw)) for otp, pw in
                       (("0", PASSWORD), ("0", "12345678"), ("123456", OTHER), ("0", OTHER), ("0", OTHER),
                        ("0", OTHER))]
    assert real_answers == unknown_answers
    assert [a[0] for a in real_answers] == [400, 400, 400, 400, 429, 429]
    # the five wrong codes locked both numbers' sign-in alike
    assert _seen(phone.login(NUMBER, "sai mật khẩu")) == _seen(phone.login(UNKNOWN, "sai mật khẩu"))


def test_wrong_passwords_lock_an_unknown_number_exactly_like_a_real_one(phone):
    make_account(password=PASSWORD, initial=False)
    real = [_seen(phone.login(NUMBER, "sai mật khẩu")) for _ in range(7)]
    unknown = [_seen(phone.login(UNKNOWN, "sai mật khẩu")) for _ in range(7)]
    assert real == unknown
    assert [status for status, _, _ in real] == [401] * 4 + [423] * 3
    assert real[4][2] == "900"
    move_clock(minutes=15)
    assert _seen(phone.login(NUMBER, "sai mật khẩu")) == _seen(phone.login(UNKNOWN, "sai mật khẩu"))


def test_reset_codes_for_an_unknown_number_hit_the_same_hourly_limit(phone):
    make_account(password=PASSWORD, initial=False)
    real = [_start_reset(phone, NUMBER) for _ in range(6)]
    unknown = [_start_reset(phone, UNKNOWN) for _ in range(6)]
    assert [r.status for r in real] == [r.status for r in unknown] == [202] * 5 + [429]
    assert _seen(real[-1]) == _seen(unknown[-1])
    assert real[-1].body["error"]["code"] == "SMS_LIMIT_REACHED"


# --- 4. the counters never pass their limits ------------------------------------------------------------------

def test_the_stored_sign_in_budget_never_passes_the_limit(phone):
    make_account(password=PASSWORD, initial=False)
    for _ in range(9):
        phone.login(NUMBER, "sai mật khẩu")
    assert AttemptCounter.get(f"login:{NUMBER}").count == 5
    assert phone.login(NUMBER, PASSWORD).status == 423  # the right password waits too
    move_clock(minutes=15)
    assert phone.login(NUMBER, PASSWORD).status == 200
    with pytest.raises(AttemptCounter.DoesNotExist):
        AttemptCounter.get(f"login:{NUMBER}")  # a success clears the budget


def test_wrong_current_passwords_of_a_password_change_count_towards_the_same_lockout(phone):
    make_account(password=PASSWORD, initial=False)
    assert phone.login(NUMBER, PASSWORD).status == 200
    answers = [phone.change_password("sai mật khẩu", OTHER).status for _ in range(5)]
    assert answers == [401] * 4 + [423]
    assert phone.change_password(PASSWORD, OTHER).status == 423


# --- 9. a password change ends the account's other sessions ---------------------------------------------------

def test_a_password_change_ends_every_other_session_and_keeps_this_one(phone, client):
    make_account(password=PASSWORD, initial=False)
    assert phone.login(NUMBER, PASSWORD).status == 200
    elsewhere = Phone(client)  # another session of the same device (e.g. a thief's copy of the app data)
    assert elsewhere.login(NUMBER, PASSWORD).status == 200
    assert phone.change_password(PASSWORD, OTHER).status == 204
    assert phone.me().status == 200
    ended = elsewhere.me()
    assert ended.status == 401 and ended.body["error"]["code"] == "UNAUTHORIZED"
