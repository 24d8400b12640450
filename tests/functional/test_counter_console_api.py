"""What the counter console needs from the API, over Chalice's test client on a fresh backend:
the page served with its security headers, the signed Form 01 recorded with the approval, the queue
searched by name, number and reference, and the citizen help desk — scoped to the office and written to
the citizen's access log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.handlers.console import CONSOLE_DIR, files_prefix
from chalicelib.models.account import Account
from chalicelib.services import my_records
from chalicelib.services.record_loader import load_rows
from tests.support.api import call
from tests.support.citizens import make_account
from tests.support.people import Citizen, Staff

HOANG = "0123456789"  # make_account's citizen, at HN-HK
CARD = {"social_insurance_number": HOANG, "card_number": "DN4010123456789", "valid_from": "2026-01-01",
        "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện Đa khoa Xanh Pôn",
        "five_year_continuous_from": "2019-01-01"}
PERIOD = {"record_id": "c1", "social_insurance_number": HOANG, "scheme": "BHXH", "from_month": "2020-01",
          "to_month": "2026-10", "employer": "Công ty Cổ phần Công nghệ Hồ Gươm (minh hoạ)",
          "employer_code": "0101234567",
          "occupation": "Kỹ sư phần mềm", "position": "Nhân viên", "contribution_base": 15_000_000,
          "in_arrears": False}


# --- the page ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_client():
    """The console's routes touch no AWS: Chalice's test client without a backend is enough."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local") as test_client:
        yield test_client


def test_the_console_page_is_served_with_a_strict_policy(page_client):
    client = page_client
    page = call(client, "GET", "/console")
    assert page.status == 200
    headers = {k.lower(): v for k, v in page.headers.items()}
    assert headers["content-type"] == "text/html; charset=utf-8"
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy and "default-src 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    html = page.raw.decode()
    assert '<script type="module" src="/console/console.js"></script>' in html
    assert "__CONSOLE__" not in html
    cached = call(client, "GET", "/console", headers={"If-None-Match": headers["etag"]})
    assert cached.status == 304 and cached.raw == b""


def test_the_console_files_are_served_by_type_and_nothing_else(page_client):
    client = page_client
    script = call(client, "GET", "/console/console.js")
    assert script.status == 200 and script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "Content-Security-Policy" in script.headers
    assert call(client, "GET", "/console/console.css").headers["Content-Type"] == "text/css; charset=utf-8"
    assert call(client, "GET", "/console/icon.svg").headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert call(client, "GET", "/console/index.html").status == 200
    for name in ("nothing.js", "console.JS", "..%2Fapp.py", "README.md", "api.py"):
        missing = call(client, "GET", f"/console/{name}")
        assert missing.status == 404 and missing.body["error"]["code"] == "NOT_FOUND", name


@pytest.mark.parametrize("path, prefix", [
    ("/console", "/console"), ("/console/", "/console"), ("/console/index.html", "/console"),
    ("/v1/console", "/v1/console"), ("/v1/console/", "/v1/console"), ("/a/b-c/console", "/a/b-c/console"),
    ('/x"><script>/console', "/console"), ("/console/../x", "/console"), (None, "/console"),
])
def test_the_page_links_its_files_under_the_prefix_it_was_asked_under(path, prefix):
    assert files_prefix(path) == prefix


def test_the_console_files_are_packaged_with_the_function():
    from infra.slim_package import is_dropped

    names = sorted(path.name for path in CONSOLE_DIR.iterdir())
    assert {"index.html", "console.js", "api.js", "i18n.js", "format.js", "console.css", "icon.svg"} <= set(names)
    assert [name for name in names if is_dropped(f"chalicelib/console/{name}")] == []


def test_the_console_has_no_inline_script_style_or_handler_and_never_uses_local_storage():
    html = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file
    assert re.findall(r"\sstyle=|<style|\son[a-z]+=", html) == []
    for path in Path(CONSOLE_DIR).glob("*.js"):
        code = re.sub(r"^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE)  # comments aside
        assert "localStorage" not in code and "document.cookie" not in code, path.name
        assert "innerHTML" not in code and "insertAdjacentHTML" not in code, path.name  # data goes in as text


# --- approval records the signed Form 01 ------------------------------------------------------------------


def test_approval_records_the_signed_form01_on_the_registration_and_in_the_audit_trail(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    reply = call(client, "POST", f"/v1/admin/registrations/{citizen.registration_id}/approve",
                 {"id_document_checked": True, "form01_received": True}, staff.auth)
    assert reply.status == 200, reply.body
    assert reply.body["form01_received"] is True
    record = staff.open(citizen.registration_id).body
    assert record["id_document_checked"] is True and record["form01_received"] is True
    assert record["reference"] == citizen.registration_id[:8].upper()
    approval = [e for e in record["audit"] if e["action"] == "APPROVE"]
    assert approval[0]["detail"] == "original ID checked; signed Form 01 received"


def test_approval_without_the_new_field_still_works_for_older_clients(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    assert staff.approve(citizen.registration_id).status == 200  # {"id_document_checked": true} only
    record = staff.open(citizen.registration_id).body
    assert record["form01_received"] is None
    assert [e["detail"] for e in record["audit"] if e["action"] == "APPROVE"] == ["original ID checked"]


def test_a_form01_flag_that_is_not_a_boolean_is_refused(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    reply = call(client, "POST", f"/v1/admin/registrations/{citizen.registration_id}/approve",
                 {"id_document_checked": True, "form01_received": "yes"}, staff.auth)
    assert reply.status == 400 and reply.body["error"]["code"] == "VALIDATION_FAILED"
    assert "form01_received" in reply.body["error"]["fields"]
    assert staff.open(citizen.registration_id).body["status"] == "AWAITING_VERIFICATION"


# --- the queue searched ------------------------------------------------------------------------------------


def _queue(client, staff, **query) -> list[str]:
    reply = call(client, "GET", "/v1/admin/registrations?" + "&".join(f"{k}={v}" for k, v in query.items()),
                 headers=staff.auth)
    assert reply.status == 200, reply.body
    return [item["registration_id"] for item in reply.body["items"]]


def test_the_queue_is_searched_by_name_number_and_reference(client):
    first = Citizen(client).submitted()
    second = Citizen(client).submitted(social_insurance_number="0222333444", full_name="Trần Văn Bảo",
                                       gender="male", id_number="001085654321", date_of_birth="1985-02-03",
                                       phone="0987 654 321")
    staff = Staff.signed_in(client)
    assert _queue(client, staff, q="nguyen%20huong") == [first.registration_id]  # no diacritics, any case
    assert _queue(client, staff, q="TRẦN%20B") == [second.registration_id]
    assert _queue(client, staff, q="0222") == [second.registration_id]
    assert _queue(client, staff, q=second.registration_id[:8].upper()) == [second.registration_id]
    assert _queue(client, staff, q=first.registration_id) == [first.registration_id]  # what the QR code holds
    assert _queue(client, staff, q="nobody") == []
    assert _queue(client, staff, q="huong", status="APPROVED") == []
    elsewhere = Staff.signed_in(client, office_code="HN-BD")
    assert _queue(client, elsewhere, q="huong") == []  # another office's list is never read
    empty = call(client, "GET", "/v1/admin/registrations?q=", headers=staff.auth)
    assert empty.status == 400 and "q" in empty.body["error"]["fields"]


def test_a_long_search_continues_with_its_token_and_only_its_own(client, monkeypatch):
    from chalicelib.services import queue_search

    monkeypatch.setattr(queue_search, "MAX_EXAMINED", 1)  # one row read per request
    first = Citizen(client).submitted()
    Citizen(client).submitted(social_insurance_number="0222333444", full_name="Trần Văn Bảo", gender="male",
                              id_number="001085654321", date_of_birth="1985-02-03", phone="0987 654 321")
    staff = Staff.signed_in(client)
    page = call(client, "GET", "/v1/admin/registrations?q=bao", headers=staff.auth).body
    assert page["items"] == [] and page["next_token"]  # read the first row, which is not a match
    more = call(client, "GET", f"/v1/admin/registrations?q=bao&next_token={page['next_token']}", headers=staff.auth)
    assert [item["full_name"] for item in more.body["items"]] == ["Trần Văn Bảo"]
    foreign = call(client, "GET", f"/v1/admin/registrations?q=huong&next_token={page['next_token']}",
                   headers=staff.auth)
    assert foreign.status == 400  # a token continues the search it came from, nothing else
    assert first.registration_id


# --- the citizen help desk -------------------------------------------------------------------------------


@pytest.fixture
def citizen_at_hoan_kiem(aws):
    make_account(initial=False)
    assert load_rows("health_card", [CARD]).rejected == []
    assert load_rows("contribution", [PERIOD]).rejected == []
    return HOANG


def _entries(username: str) -> list[dict]:
    return my_records.access_log(username, 20, None).items  # what GET /v1/me/access-log returns


def test_the_help_desk_shows_a_citizen_of_the_office_and_logs_every_read(client, citizen_at_hoan_kiem):
    staff = Staff.signed_in(client)
    person = call(client, "GET", f"/v1/admin/citizens/{HOANG}", headers=staff.auth)
    assert person.status == 200, person.body
    assert person.headers["Cache-Control"] == "no-store"
    body = person.body
    assert body["full_name"] == "Nguyễn Thị Hường" and body["office_code"] == "HN-HK"
    assert body["health_card"]["card_number"] == "DN4010123456789"
    assert body["account"]["password_change_required"] is False and body["account"]["locked_until"] is None
    assert not {"password_hash", "device_id", "initial_password_hash"} & (set(body) | set(body["account"]))
    periods = call(client, "GET", f"/v1/admin/citizens/{HOANG}/contributions?scheme=BHXH", headers=staff.auth)
    assert periods.status == 200
    assert [p["employer"] for p in periods.body["items"]] == ["Công ty Cổ phần Công nghệ Hồ Gươm (minh hoạ)"]
    assert periods.body["totals"][0]["total_months"] == 82

    log = _entries(HOANG)
    assert [(e["actor"], e["office_code"], e["what"]) for e in log] == [
        ("canbo.hn-hk", "HN-HK", "BHXH contributions (citizen help desk)"),
        ("canbo.hn-hk", "HN-HK", "profile and health-insurance card (citizen help desk)"),
    ]


def test_the_help_desk_sees_no_citizen_of_another_office_and_logs_nothing(client, citizen_at_hoan_kiem):
    Account.get(HOANG).update(actions=[Account.office_code.set("HCM-Q1")])
    staff = Staff.signed_in(client)
    for path in (f"/v1/admin/citizens/{HOANG}", f"/v1/admin/citizens/{HOANG}/contributions",
                 "/v1/admin/citizens/0999999999"):
        reply = call(client, "GET", path, headers=staff.auth)
        assert reply.status == 404 and reply.body["error"]["code"] == "NOT_FOUND", path
    assert _entries(HOANG) == []


def test_the_help_desk_refuses_bad_input_and_strangers(client, citizen_at_hoan_kiem):
    staff = Staff.signed_in(client)
    bad = call(client, "GET", "/v1/admin/citizens/01234", headers=staff.auth)
    assert bad.status == 400 and "social_insurance_number" in bad.body["error"]["fields"]
    scheme = call(client, "GET", f"/v1/admin/citizens/{HOANG}/contributions?scheme=XYZ", headers=staff.auth)
    assert scheme.status == 400 and "scheme" in scheme.body["error"]["fields"]
    assert call(client, "GET", f"/v1/admin/citizens/{HOANG}").status == 401
    assert _entries(HOANG) == []


def test_staff_me_names_the_office(client):
    staff = Staff.signed_in(client)
    me = call(client, "GET", "/v1/admin/me", headers=staff.auth)
    assert me.status == 200
    assert me.body == {"username": "canbo.hn-hk", "full_name": "Cán bộ kiểm thử", "office_code": "HN-HK",
                       "office_name": "BHXH cơ sở Hoàn Kiếm"}
    assert call(client, "GET", "/v1/admin/me").status == 401
