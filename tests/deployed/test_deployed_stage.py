"""A deployed stage, over real HTTP, as a mobile client and a staff tool see it.

Safe to point at any stage: without VSSID_E2E_PHONE nothing sends an SMS or an e-mail to a citizen. Creating a
Form 01 needs a solved captcha (VSSID_E2E_CAPTCHA_ANSWER, which only a local run has) and a person of the
stage's register whose number has no account (VSSID_E2E_PARTICIPANT; a local run defaults to the demo
participants without an account); without them the three tests that create one skip, with the reason.

One number has one live registration, and a draft holds it for 4 hours, so the run creates ONE draft (the
`a_draft` fixture) and every registration test uses it, in file order: the idempotent create and read, a
second create for the same number (409), then, with a phone and a staff account, its correction to the staff
member's office, the submission and an immediate rejection (the submitted notice and the rejection reason:
2 SMS to that phone), which frees the number again. Its form is the register person's name, birth date and
ID number, everything else marked as a test ("Kiểm thử tự động (end-to-end test)…" as the address).

What it leaves behind: spent captchas (gone after 5 minutes) and that registration. On a local run a draft not
submitted lets its number go at the end (the takeover flow, its code read from GET /_local/messages), and a
number still held by an earlier run is taken back the same way first, so runs can follow each other. On a
deployed stage the draft holds its synthetic number for 4 hours: a second run within them (without a phone)
finds it held and skips the registration tests, saying so.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.deployed.conftest import CAPTCHA_VARIABLE, PARTICIPANT_VARIABLE, Registrant

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


TEST_ADDRESS = "Kiểm thử tự động (end-to-end test), không xử lý"


def form_for(person: dict[str, Any], office_code: str, phone: str = "0900000000") -> dict[str, Any]:
    """Form 01 of a register person: the name, birth date and ID number the register has (what create checks),
    everything else marked as a test; an unassigned-looking phone unless one is given."""
    id_number = person["id_number"]
    # A CMND (9 digits) is refused since 01/01/2025: the register's person must have a 12-digit card or passport.
    id_type = person.get("id_type") or ("PASSPORT" if re.fullmatch(r"[A-Za-z][0-9]{7}", id_number) else "CCCD")
    return {
        "full_name": person["full_name"],
        "date_of_birth": person["date_of_birth"],
        "gender": (person.get("gender") or "female").lower(),
        "social_insurance_number": person["social_insurance_number"],
        "id_type": id_type,
        "id_number": id_number,
        "id_issued_on": person.get("id_issued_on", "2021-04-01"),
        "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "phone": phone,
        "address": TEST_ADDRESS,
        "office_code": office_code,
    }


@dataclass
class Draft:
    """The run's one registration: who it is for, the create request (body with its captcha, headers) and
    the 201 answer."""

    person: dict[str, Any]
    sent: dict[str, Any]
    headers: dict[str, str]
    created: dict[str, Any]

    @property
    def path(self) -> str:
        return f"/v1/registrations/{self.created['registration_id']}"

    @property
    def key(self) -> dict[str, str]:
        return {"X-Registration-Key": self.created["access_key"]}


def _error_code(response: requests.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def create_draft(api, registrant: Registrant, office_code: str) -> Draft | str:
    """A DRAFT for the first register person whose number is free; why none could be made otherwise."""
    passed_over = []
    for person in registrant.people:
        number = person["social_insurance_number"]
        for attempt in range(2):
            sent = {**form_for(person, office_code), **registrant.captcha()}
            headers = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
            response = api.post("/v1/registrations", json=sent, headers=headers)
            if response.status_code == 201:
                return Draft(person, sent, headers, response.json())
            code = _error_code(response)
            if code == "CAPTCHA_INVALID":
                pytest.fail(f"{CAPTCHA_VARIABLE} is not an answer this stage accepts: {response.text}")
            if code == "REGISTER_MISMATCH":
                pytest.fail(f"the stage's register has no participant {number} with this full name, birth date and "
                            f"ID number: load the row, or correct {PARTICIPANT_VARIABLE}")
            if code == "ACCOUNT_EXISTS":
                passed_over.append(f"{number} has an account")
                break
            if code == "REGISTRATION_EXISTS":
                if attempt == 0 and registrant.take_back(person):
                    continue  # local run: an earlier run's draft let it go; create again
                passed_over.append(f"{number} is held by a live registration (a draft holds its number for 4 hours, "
                                   "a submitted one until it is decided)")
                break
            assert_contract_error(response, 201)  # anything else fails here, with the answer
    return "no register person free to register: " + "; ".join(passed_over)


@pytest.fixture(scope="module")
def an_office(api) -> dict[str, Any]:
    provinces = assert_page(api.get("/v1/provinces"))
    assert provinces, "the stage has no provinces: load the reference data first"
    for province in provinces:
        offices = assert_page(api.get("/v1/offices", params={"province_code": province["province_code"]}))
        if offices:
            return offices[0]
    raise AssertionError("the stage has no offices: load the reference data first")


@pytest.fixture(scope="module")
def a_draft(api, registrant, an_office) -> Iterator[Draft]:
    draft = create_draft(api, registrant, an_office["code"])
    if isinstance(draft, str):
        pytest.skip(draft)
    yield draft
    # A local run leaves no demo number held: a draft it did not submit lets its number go.
    if registrant.local and api.get(draft.path, headers=draft.key).json().get("status") == "DRAFT":
        registrant.take_back(draft.person)


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


def test_a_draft_is_created_once_per_idempotency_key_and_read_with_its_access_key(api, a_draft):
    body = a_draft.created
    assert body["status"] == "DRAFT" and body["access_key"]
    assert set(body["uploads"]) == {"id_front", "id_back", "portrait"}
    assert all(u["url"].startswith(("https://", "http://")) and u["fields"] for u in body["uploads"].values())
    # The same request again (its captcha already spent): the first answer, not a second registration.
    again = api.post("/v1/registrations", json=a_draft.sent, headers=a_draft.headers)
    assert again.status_code == 201 and again.json()["registration_id"] == body["registration_id"], again.text

    status = api.get(a_draft.path, headers=a_draft.key)
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "DRAFT"
    assert status.json()["documents"] == {"id_front": False, "id_back": False, "portrait": False}
    # Without the key, and with a wrong one: the contract's errors, and nothing about the registration.
    assert_contract_error(api.get(a_draft.path), 401)
    wrong = api.get(a_draft.path, headers={"X-Registration-Key": secrets.token_urlsafe(24)})
    assert_contract_error(wrong, 404)
    assert a_draft.person["full_name"] not in wrong.text and "Kiểm thử" not in wrong.text


def test_the_same_number_cannot_hold_two_live_registrations(api, registrant, a_draft, an_office):
    second = {**form_for(a_draft.person, an_office["code"]), **registrant.captcha()}
    assert_contract_error(api.post("/v1/registrations", json=second), 409, "REGISTRATION_EXISTS")


# ------------------------------------------------------------------------------------------------- staff


def test_staff_read_their_office_queue(api, staff):
    items = assert_page(api.get("/v1/admin/registrations", headers=staff.headers,
                                params={"status": "AWAITING_VERIFICATION", "limit": 5}))
    assert all(item["status"] == "AWAITING_VERIFICATION" and item["deadline_at"] for item in items), items
    assert_contract_error(api.get(f"/v1/admin/registrations/{uuid.uuid4()}", headers=staff.headers), 404)


def test_staff_endpoints_refuse_a_made_up_token(api):
    headers = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
    assert_contract_error(api.get("/v1/admin/registrations", headers=headers), 401)


def test_a_submission_reaches_the_office_queue_and_a_rejection_closes_it(api, staff, phone, a_draft):
    """Real SMS: the submission notice and the rejection reason, both to VSSID_E2E_PHONE. The run's draft,
    corrected to the staff member's office and that phone; the rejection frees its number again."""
    from tests.support.images import photo

    corrected = api.request("PUT", a_draft.path, headers=a_draft.key,
                            json=form_for(a_draft.person, staff.office_code, phone))
    assert corrected.status_code == 200, corrected.text
    for seed, (kind, presigned) in enumerate(corrected.json()["uploads"].items()):
        upload = requests.post(presigned["url"], data=presigned["fields"], timeout=30,
                               files={"file": (f"{kind}.jpg", photo("JPEG", seed=seed), "image/jpeg")})
        assert upload.status_code in (200, 204), (kind, upload.status_code, upload.text)
    submitted = api.post(f"{a_draft.path}/submit", json={"commitment_accepted": True}, headers=a_draft.key)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "AWAITING_VERIFICATION" and submitted.json()["deadline_at"]
    pdf = api.get(f"{a_draft.path}/form01", headers={**a_draft.key, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.status_code

    admin = f"/v1/admin/registrations/{a_draft.created['registration_id']}"
    detail = api.get(admin, headers=staff.headers)
    assert detail.status_code == 200, detail.text
    assert detail.json()["status"] == "AWAITING_VERIFICATION"
    assert detail.json()["register"]["matches"] is True, detail.json()["register"]
    rejected = api.post(f"{admin}/reject", headers=staff.headers,
                        json={"reason": "Kiểm thử tự động (end-to-end test): không phải hồ sơ thật."})
    assert rejected.status_code == 200, rejected.text
    assert api.get(a_draft.path, headers=a_draft.key).json()["status"] == "REJECTED"
