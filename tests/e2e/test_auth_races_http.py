"""Forty requests at once, over real HTTP, against `make run`: the sign-in limits hold under a race.

The attack pass found that counters read, compared and then written let parallel requests through: 40
parallel wrong OTP verifies stored 24 wrong tries (limit 5) and a right code was accepted after 11 wrong
comparisons; 20 parallel wrong staff logins got 15 × 401 before the lock. Each try is now counted with one
conditional write BEFORE anything is compared, so here, at 40 threads: at most the limit of 401 /
OTP_INVALID answers and then only 423 / 429, the stored counters never above the limit, and a right
secret refused once the budget is spent (staff: see below).

One local server for the module (the real `python -m local.run`: Chalice's threaded server over the moto
server); the stored counters are read from that moto server. Nothing here asserts a timing.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import boto3
import pyotp
import pytest
import requests

from tests.support.local_server import running_local_server

THREADS = 40
TIMEOUT = 60
CAPTCHA = "local-captcha"  # VSSID_LOCAL_CAPTCHA_ANSWER of `make run`


@pytest.fixture(scope="module")
def server():
    with running_local_server() as running:
        port = re.search(r"moto backend\s+http://127\.0\.0\.1:(\d+)", running.output()).group(1)
        dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-southeast-1",
                                aws_access_key_id="local", aws_secret_access_key="local")
        demo = requests.get(f"{running.base}/_local/demo", timeout=10).json()
        _load_the_sign_in_modules(running.base)
        yield running.base, dynamodb, demo


def _load_the_sign_in_modules(base: str) -> None:
    """One request of each kind first: the handlers load their services on first use (chalicelib/lazy.py),
    and Python 3.11's LazyLoader is not thread-safe (CPython gh-114763), so forty FIRST requests at once
    can see a half-loaded module. Lambda runs one request per container at a time; the threaded local
    server does not. (Unknown names only: no real budget is touched.)"""
    assert _login(base, "0000000000", "sai mật khẩu", "warm-up").status_code == 401
    assert _staff_login(base, "canbo.nobody", "sai mật khẩu", "000000").status_code == 401


def _at_once(base: str, requests_: list[Callable[[requests.Session], requests.Response]]) -> list[requests.Response]:
    """Send every request from its own thread and connection, released together. Each connection is opened
    (and kept alive) before the start: forty connects at once would overflow the local server's listen queue."""
    start = threading.Barrier(len(requests_))

    def send(request: Callable[[requests.Session], requests.Response]) -> requests.Response:
        with requests.Session() as session:
            assert session.get(f"{base}/v1/support", timeout=TIMEOUT).status_code == 200
            start.wait()
            return request(session)

    with ThreadPoolExecutor(len(requests_)) as pool:
        return list(pool.map(send, requests_))


def _codes(replies: list[requests.Response]) -> Counter[tuple[int, str]]:
    return Counter((r.status_code, r.json()["error"]["code"]) for r in replies)


def _captcha(base: str) -> str:
    return requests.get(f"{base}/v1/auth/captcha", timeout=TIMEOUT).json()["captcha_id"]


def _login(base: str, username: str, password: str, device: str, captcha_id: str | None = None,
           http: requests.Session | None = None) -> requests.Response:
    return (http or requests).post(f"{base}/v1/auth/login", timeout=TIMEOUT, json={
        "username": username, "password": password, "captcha_id": captcha_id or _captcha(base),
        "captcha_answer": CAPTCHA, "device_id": device, "device_name": device})


def _stored(dynamodb, table: str, key: dict[str, dict[str, str]], attribute: str) -> int:
    item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    return int(item[attribute]["N"])


def _last_code(base: str, phone: str) -> str:
    items = requests.get(f"{base}/_local/messages", params={"to": phone}, timeout=10).json()["items"]
    texts = [m["body"] for m in items if m["channel"] == "sms" and "Ma xac thuc" in m["body"]]
    return re.search(r"la (\d{6})", texts[-1]).group(1)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_forty_parallel_wrong_passwords_get_at_most_five_comparisons(server):
    base, dynamodb, demo = server
    citizen = demo["citizens"][0]
    captchas = [_captcha(base) for _ in range(THREADS)]
    replies = _at_once(base, [lambda http, c=c: _login(base, citizen["username"], "sai mật khẩu", "race-phone", c, http)
                              for c in captchas])
    codes = _codes(replies)
    assert set(codes) <= {(401, "INVALID_CREDENTIALS"), (423, "ACCOUNT_LOCKED")}, codes
    assert codes[(401, "INVALID_CREDENTIALS")] <= 4, codes  # the fifth wrong password locks
    assert _stored(dynamodb, "vssid-sms-counters", {"counter_key": {"S": f"login:{citizen['username']}"}},
                   "count") == 5
    right = _login(base, citizen["username"], citizen["password"], "race-phone")
    assert right.status_code == 423 and right.json()["error"]["code"] == "ACCOUNT_LOCKED"


def test_forty_parallel_wrong_codes_get_at_most_five_comparisons(server):
    base, dynamodb, demo = server
    citizen = demo["citizens"][1]
    assert _login(base, citizen["username"], citizen["password"], "race-phone-1").status_code == 200
    conflict = _login(base, citizen["username"], citizen["password"], "race-phone-2")
    assert conflict.status_code == 409, conflict.text
    challenge = conflict.json()["error"]["challenge_id"]
    url = f"{base}/v1/auth/device-challenges/{challenge}"
    assert requests.post(f"{url}/otp", json={}, timeout=TIMEOUT).status_code == 202
    code = _last_code(base, "+84912000002")
    replies = _at_once(base, [lambda http: http.post(f"{url}/verify", json={"otp": _wrong(code)}, timeout=TIMEOUT)
                              for _ in range(THREADS)])
    codes = _codes(replies)
    assert set(codes) <= {(400, "OTP_INVALID"), (429, "OTP_TRIES_EXCEEDED")}, codes
    assert codes[(400, "OTP_INVALID")] <= 4, codes  # the fifth wrong code ends the tries
    assert _stored(dynamodb, "vssid-otp-challenges", {"challenge_id": {"S": challenge}}, "wrong_tries") == 5
    right = requests.post(f"{url}/verify", json={"otp": code}, timeout=TIMEOUT)
    assert right.status_code == 429 and right.json()["error"]["code"] == "OTP_TRIES_EXCEEDED"


def test_forty_parallel_reset_confirms_neither_compare_the_password_nor_pass_the_tries(server):
    base, dynamodb, demo = server
    citizen = demo["citizens"][1]
    started = requests.post(f"{base}/v1/auth/password-reset", timeout=TIMEOUT, json={
        "username": citizen["username"], "captcha_id": _captcha(base), "captcha_answer": CAPTCHA})
    assert started.status_code == 202, started.text
    reset_id = started.json()["reset_id"]
    code = _last_code(base, "+84912000002")
    url = f"{base}/v1/auth/password-reset/{reset_id}/confirm"
    # the attacker's guess at the password rides along as the new password: it must never be compared
    guess = {"otp": _wrong(code), "new_password": citizen["password"]}
    replies = _at_once(base, [lambda http: http.post(url, json=guess, timeout=TIMEOUT) for _ in range(THREADS)])
    codes = _codes(replies)
    assert set(codes) <= {(400, "OTP_INVALID"), (429, "OTP_TRIES_EXCEEDED")}, codes
    assert codes[(400, "OTP_INVALID")] <= 4, codes
    assert _stored(dynamodb, "vssid-otp-challenges", {"challenge_id": {"S": reset_id}}, "wrong_tries") == 5
    right = requests.post(url, json={"otp": code, "new_password": "Một mật khẩu mới hẳn 2027"}, timeout=TIMEOUT)
    assert right.status_code == 429 and right.json()["error"]["code"] == "OTP_TRIES_EXCEEDED"


def _staff_login(base: str, username: str, password: str, code: str,
                 http: requests.Session | None = None) -> requests.Response:
    return (http or requests).post(f"{base}/v1/admin/auth/login", timeout=TIMEOUT,
                         json={"username": username, "password": password, "totp": code})


def test_forty_parallel_wrong_staff_logins_get_at_most_five_401s_and_the_code_holder_still_signs_in(server):
    # Staff sign-ins from one address are limited to 60 an hour: this module stays under it (1 + 40 + 1 + 10 + 1).
    base, dynamodb, demo = server
    staff, stolen = demo["staff"][0], demo["staff"][1]
    totp = pyotp.TOTP(staff["totp_secret"])
    replies = _at_once(base, [
        lambda http: _staff_login(base, staff["username"], "sai mật khẩu", _wrong(totp.now()), http)
        for _ in range(THREADS)])
    codes = _codes(replies)
    assert set(codes) <= {(401, "INVALID_CREDENTIALS"), (423, "ACCOUNT_LOCKED")}, codes
    assert codes[(401, "INVALID_CREDENTIALS")] <= 5, codes
    assert _stored(dynamodb, "vssid-sms-counters", {"counter_key": {"S": f"staff:{staff['username']}"}},
                   "count") == 5
    # Only wrong attempts are locked out: the right password with a fresh code signs in.
    assert _staff_login(base, staff["username"], staff["password"], totp.now()).status_code == 200

    # The right password with wrong codes is a stolen password: it hard-locks, even the right code waits.
    stolen_totp = pyotp.TOTP(stolen["totp_secret"])
    replies = _at_once(base, [
        lambda http: _staff_login(base, stolen["username"], stolen["password"], _wrong(stolen_totp.now()), http)
        for _ in range(10)])
    codes = _codes(replies)
    assert set(codes) <= {(401, "INVALID_CREDENTIALS"), (423, "ACCOUNT_LOCKED")}, codes
    assert codes[(401, "INVALID_CREDENTIALS")] <= 5, codes
    refused = _staff_login(base, stolen["username"], stolen["password"], stolen_totp.now())
    assert refused.status_code == 423 and refused.json()["error"]["code"] == "ACCOUNT_LOCKED"
