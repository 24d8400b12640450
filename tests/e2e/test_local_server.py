"""`make run` as a developer uses it: the real local server over real HTTP, against the moto server.

Starts `python -m local.run` on free ports, then walks the procedure with `requests`: Form 01, uploads
through the presigned POSTs to the moto server, submit, the SMS at /_local/messages, staff sign-in with
the demo TOTP secret from /_local/demo, approval and the initial-password SMS.
"""

from __future__ import annotations

import time

import pyotp
import pytest
import requests

from tests.support.api import VALID_FORM
from tests.support.images import photo
from tests.support.local_server import running_local_server


@pytest.fixture(scope="module")
def local_server():
    with running_local_server() as server:
        yield server.base


def _sms(base: str, phone: str) -> list[str]:
    items = requests.get(f"{base}/_local/messages", params={"to": phone}, timeout=5).json()["items"]
    return [m["body"] for m in items if m["channel"] == "sms"]


def _captcha(base: str) -> dict[str, str]:
    captcha_id = requests.get(f"{base}/v1/auth/captcha", timeout=10).json()["captcha_id"]
    return {"captcha_id": captcha_id, "captcha_answer": "local-captcha"}  # what local.run configures


def _wait_for(predicate, seconds: float = 10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_the_procedure_on_the_local_server(local_server):
    base = local_server
    # Lê Thị Hồng Nhung: a demo participant of the register without an account; the local captcha answer
    form = {**VALID_FORM, "full_name": "Lê Thị Hồng Nhung", "date_of_birth": "1998-01-30",
            "social_insurance_number": "4801234569", "id_number": "048198000123", "phone": "0912345678"}
    stranger = {**VALID_FORM, "social_insurance_number": "4801234569", "phone": "0912345678"}
    refused = requests.post(f"{base}/v1/registrations", json={**stranger, **_captcha(base)}, timeout=10)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "REGISTER_MISMATCH", refused.text
    created = requests.post(f"{base}/v1/registrations", json={**form, **_captcha(base)}, timeout=10)
    assert created.status_code == 201, created.text
    body = created.json()
    key = {"X-Registration-Key": body["access_key"]}
    for index, (kind, presigned) in enumerate(body["uploads"].items()):
        assert presigned["url"].startswith("http://127.0.0.1:")
        upload = requests.post(presigned["url"], data=presigned["fields"],
                               files={"file": ("p.jpg", photo("JPEG", seed=index))}, timeout=10)
        assert upload.status_code in (200, 204), (kind, upload.text)
    registration = f"{base}/v1/registrations/{body['registration_id']}"
    submitted = requests.post(f"{registration}/submit", json={"commitment_accepted": True}, headers=key, timeout=20)
    assert submitted.status_code == 200, submitted.text
    assert "BHXH co so Hoan Kiem" in _wait_for(lambda: _sms(base, "0912345678"))[0]
    pdf = requests.get(f"{registration}/form01", headers={**key, "Accept": "application/pdf"}, timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    demo = requests.get(f"{base}/_local/demo", timeout=5).json()
    staff = next(s for s in demo["staff"] if s["office_code"] == "HN-HK")
    login = requests.post(f"{base}/v1/admin/auth/login", timeout=10, json={
        "username": staff["username"], "password": staff["password"],
        "totp": pyotp.TOTP(staff["totp_secret"]).now()})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['staff_token']}"}
    queue = requests.get(f"{base}/v1/admin/registrations", headers=auth, timeout=10).json()
    assert body["registration_id"] in [item["registration_id"] for item in queue["items"]]
    approved = requests.post(f"{registration.replace('/v1/', '/v1/admin/')}/approve", headers=auth,
                             json={"id_document_checked": True}, timeout=20)
    assert approved.status_code == 200, approved.text
    assert any("Mat khau khoi tao" in s for s in _wait_for(lambda: _sms(base, "+84912345678")[1:]))
    assert requests.get(registration, headers=key, timeout=10).json()["status"] == "APPROVED"
    assert len(demo["citizens"]) >= 1


def test_a_demo_citizen_signs_in_with_the_local_captcha_answer(local_server):
    base = local_server
    demo = requests.get(f"{base}/_local/demo", timeout=5).json()["citizens"][0]
    captcha = requests.get(f"{base}/v1/auth/captcha", timeout=10).json()
    assert captcha["image_png_base64"]
    login = requests.post(f"{base}/v1/auth/login", timeout=10, json={
        "username": demo["username"], "password": demo["password"], "captcha_id": captcha["captcha_id"],
        "captcha_answer": "local-captcha", "device_id": "e2e-phone", "device_name": "e2e"})
    assert login.status_code == 200, login.text
    me = requests.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                      timeout=10)
    assert me.status_code == 200 and me.json()["social_insurance_number"] == demo["username"]
    refused = requests.get(f"{base}/v1/me", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "UNAUTHORIZED"
    unknown = requests.get(f"{base}/v1/nothing-here", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NOT_FOUND"


def test_the_demo_citizen_sees_their_records(local_server):
    base = local_server
    demo = requests.get(f"{base}/_local/demo", timeout=5).json()["citizens"][1]
    captcha = requests.get(f"{base}/v1/auth/captcha", timeout=10).json()
    login = requests.post(f"{base}/v1/auth/login", timeout=10, json={
        "username": demo["username"], "password": demo["password"], "captcha_id": captcha["captcha_id"],
        "captcha_answer": "local-captcha", "device_id": "e2e-phone-2"})
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    card = requests.get(f"{base}/v1/me/health-card", headers=auth, timeout=10).json()
    assert card["card_number"].endswith(demo["username"])
    contributions = requests.get(f"{base}/v1/me/contributions?scheme=BHXH", headers=auth, timeout=10).json()
    assert contributions["items"] and contributions["totals"][0]["total_months"] > 0


def test_public_look_ups_on_the_local_server(local_server):
    base = local_server
    near = requests.get(f"{base}/v1/offices/nearby", params={"lat": 21.0285, "lon": 105.8542, "radius_km": 5},
                        timeout=10).json()["items"]
    assert near and near[0]["distance_km"] <= 5
    assert any(o["code"] == "HN-HK" for o in near)
    found = requests.get(f"{base}/v1/offices", params={"q": "hoan kiem"}, timeout=10).json()["items"]
    assert any(o["code"] == "HN-HK" for o in found)
    chat = requests.post(f"{base}/v1/support/chat", json={"message": "Tôi quên mật khẩu VssID thì làm thế nào?"},
                         timeout=10).json()
    assert chat["matched"] is True and chat["sources"]
    news = requests.get(f"{base}/v1/news", timeout=10).json()["items"]
    assert news
