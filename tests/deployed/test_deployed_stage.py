"""A deployed stage, over real HTTP, as a mobile client and a staff tool see it.

Safe to point at any stage: without VSSID_E2E_PHONE nothing sends an SMS or an e-mail. What it leaves
behind: spent captchas (gone after 5 minutes) and two DRAFT registrations with synthetic data per run.
Their social-insurance numbers start with 00, which no province issues, so no real person's number is
held; a draft untouched for 30 days stops holding its number and expires. With a phone and a staff account
one registration is submitted at the staff member's office and rejected straight away (2 SMS).
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from typing import Any

import pytest
import requests

CONTRACT_PATHS = (  # from the API contract; the published document must carry at least these
    "/v1/registrations", "/v1/registrations/{registration_id}", "/v1/registrations/{registration_id}/submit",
    "/v1/admin/auth/login", "/v1/admin/registrations", "/v1/auth/captcha", "/v1/auth/login", "/v1/me",
    "/v1/provinces", "/v1/offices", "/v1/faq", "/v1/news",
)
ERROR_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def assert_contract_error(response: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The contract's error shape: {"error": {"code", "message", "message_vi"[, "fields"]}}, as JSON."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    error = response.json()["error"]
    assert ERROR_CODE.match(error["code"]), error
    assert error["message"] and error["message_vi"], error
    if code is not None:
        assert error["code"] == code, error
    return error


def assert_page(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["items"], list) and "next_token" in body, body
    return body["items"]


def synthetic_form(office_code: str, phone: str = "0900000000") -> dict[str, Any]:
    """Form 01 of nobody: a number no province issues (00…), a CCCD of Hà Nội matching a woman born in 1990."""
    return {
        "full_name": "Kiểm Thử Tự Động",
        "date_of_birth": "1990-05-17",
        "gender": "female",
        "social_insurance_number": "00" + "".join(secrets.choice("0123456789") for _ in range(8)),
        "id_type": "CCCD",
        "id_number": "001190" + "".join(secrets.choice("0123456789") for _ in range(6)),
        "id_issued_on": "2021-04-01",
        "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "phone": phone,
        "address": "Kiểm thử tự động (end-to-end test), không xử lý",
        "office_code": office_code,
    }


@pytest.fixture(scope="module")
def an_office(api) -> dict[str, Any]:
    provinces = assert_page(api.get("/v1/provinces"))
    assert provinces, "the stage has no provinces: load the reference data first"
    for province in provinces:
        offices = assert_page(api.get("/v1/offices", params={"province_code": province["province_code"]}))
        if offices:
            return offices[0]
    raise AssertionError("the stage has no offices: load the reference data first")


# ------------------------------------------------------------------------------------- contract and look-ups


def test_the_published_contract_is_served(api):
    response = api.get("/v1/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(CONTRACT_PATHS) <= set(document["paths"]), set(CONTRACT_PATHS) - set(document["paths"])


def test_provinces_and_their_offices(api, an_office):
    assert {"code", "name", "address", "phone", "lat", "lon"} <= set(an_office), an_office


def test_public_look_ups_answer_pages(api, an_office):
    assert_page(api.get("/v1/offices/nearby", params={"lat": an_office["lat"], "lon": an_office["lon"],
                                                      "radius_km": 20}))
    for kind in ("SICK_LEAVE", "BHYT_CONTRACT"):
        assert_page(api.get("/v1/facilities", params={"type": kind, "province_code": an_office["province_code"]}))
    assert_page(api.get("/v1/faq", params={"q": "bảo hiểm y tế"}))
    news = assert_page(api.get("/v1/news"))
    if news:
        item = api.get(f"/v1/news/{news[0]['news_id']}")
        assert item.status_code == 200, item.text
    support = api.get("/v1/support")
    assert support.status_code == 200 and support.json()["hotline"], support.text


def test_a_captcha_is_a_png(api):
    response = api.get("/v1/auth/captcha")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["captcha_id"] and body["expires_at"]
    assert base64.b64decode(body["image_png_base64"]).startswith(b"\x89PNG\r\n\x1a\n")


# ------------------------------------------------------------------------------------------ error shapes


def test_an_unknown_path_is_a_contract_404(api):
    # API Gateway answers this itself (MISSING_AUTHENTICATION_TOKEN, a 403 by default): the gateway response.
    assert_contract_error(api.get(f"/v1/no-such-thing-{uuid.uuid4().hex[:8]}"), 404, "NOT_FOUND")


def test_my_data_without_a_token_is_a_contract_401(api):
    # The token authorizer never runs: API Gateway's own UNAUTHORIZED, through the gateway response.
    assert_contract_error(api.get("/v1/me"), 401, "UNAUTHORIZED")


def test_my_data_with_a_made_up_token_is_a_contract_401(api):
    # The authorizer denies it: API Gateway's ACCESS_DENIED (a 403 by default), answered as 401.
    headers = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
    assert_contract_error(api.get("/v1/me", headers=headers), 401, "UNAUTHORIZED")


def test_a_wrong_captcha_answer_is_refused_before_any_password_is_checked(api):
    captcha = api.get("/v1/auth/captcha").json()
    response = api.post("/v1/auth/login", json={
        "username": "00" + "".join(secrets.choice("0123456789") for _ in range(8)), "password": "not-a-password",
        "captcha_id": captcha["captcha_id"], "captcha_answer": "0000000", "device_id": "e2e-suite"})
    assert_contract_error(response, 400, "CAPTCHA_INVALID")


def test_an_empty_form_lists_every_missing_field_in_both_languages(api):
    error = assert_contract_error(api.post("/v1/registrations", json={}), 400, "VALIDATION_FAILED")
    assert {"full_name", "social_insurance_number", "office_code"} <= set(error["fields"]), error
    assert set(error["fields"]) == set(error["fields_vi"]), error


# -------------------------------------------------------------------------------------------- registration


def test_a_draft_is_created_once_per_idempotency_key_and_read_with_its_access_key(api, an_office):
    form = synthetic_form(an_office["code"])
    headers = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    created = api.post("/v1/registrations", json=form, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "DRAFT" and body["access_key"]
    assert set(body["uploads"]) == {"id_front", "id_back", "portrait"}
    assert all(u["url"].startswith(("https://", "http://")) and u["fields"] for u in body["uploads"].values())
    again = api.post("/v1/registrations", json=form, headers=headers)
    assert again.status_code == 201 and again.json()["registration_id"] == body["registration_id"], again.text

    path = f"/v1/registrations/{body['registration_id']}"
    status = api.get(path, headers={"X-Registration-Key": body["access_key"]})
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "DRAFT"
    assert status.json()["documents"] == {"id_front": False, "id_back": False, "portrait": False}
    # Without the key, and with a wrong one: the contract's errors, and nothing about the registration.
    assert_contract_error(api.get(path), 401)
    wrong = api.get(path, headers={"X-Registration-Key": secrets.token_urlsafe(24)})
    assert_contract_error(wrong, 404)
    assert "Kiểm" not in wrong.text


def test_the_same_number_cannot_hold_two_live_registrations(api, an_office):
    form = synthetic_form(an_office["code"])
    assert api.post("/v1/registrations", json=form).status_code == 201
    assert_contract_error(api.post("/v1/registrations", json=form), 409, "REGISTRATION_EXISTS")


# ------------------------------------------------------------------------------------------------- staff


def test_staff_read_their_office_queue(api, staff):
    items = assert_page(api.get("/v1/admin/registrations", headers=staff.headers,
                                params={"status": "AWAITING_VERIFICATION", "limit": 5}))
    assert all(item["status"] == "AWAITING_VERIFICATION" and item["deadline_at"] for item in items), items
    assert_contract_error(api.get(f"/v1/admin/registrations/{uuid.uuid4()}", headers=staff.headers), 404)


def test_staff_endpoints_refuse_a_made_up_token(api):
    headers = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
    assert_contract_error(api.get("/v1/admin/registrations", headers=headers), 401)


def test_a_submission_reaches_the_office_queue_and_a_rejection_closes_it(api, staff, phone):
    """Real SMS: the submission notice and the rejection reason, both to VSSID_E2E_PHONE."""
    from tests.support.images import photo

    created = api.post("/v1/registrations", json=synthetic_form(staff.office_code, phone))
    assert created.status_code == 201, created.text
    body = created.json()
    key = {"X-Registration-Key": body["access_key"]}
    for seed, (kind, presigned) in enumerate(body["uploads"].items()):
        upload = requests.post(presigned["url"], data=presigned["fields"], timeout=30,
                               files={"file": (f"{kind}.jpg", photo("JPEG", seed=seed), "image/jpeg")})
        assert upload.status_code in (200, 204), (kind, upload.status_code, upload.text)
    registration = f"/v1/registrations/{body['registration_id']}"
    submitted = api.post(f"{registration}/submit", json={}, headers=key)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "AWAITING_VERIFICATION" and submitted.json()["deadline_at"]
    pdf = api.get(f"{registration}/form01", headers={**key, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.status_code

    admin = f"/v1/admin/registrations/{body['registration_id']}"
    detail = api.get(admin, headers=staff.headers)
    assert detail.status_code == 200, detail.text
    assert detail.json()["status"] == "AWAITING_VERIFICATION"
    rejected = api.post(f"{admin}/reject", headers=staff.headers,
                        json={"reason": "Kiểm thử tự động (end-to-end test): không phải hồ sơ thật."})
    assert rejected.status_code == 200, rejected.text
    assert api.get(registration, headers=key).json()["status"] == "REJECTED"
