"""Settings and clients for the deployed-stage suite.

Every test in this folder is skipped, with the reason, unless VSSID_E2E_BASE_URL is set; the tests are still
collected, so `pytest` never ends with "no tests ran" (exit code 5) because of them. Extra variables open
more: a captcha answer and a register person the tests that create a Form 01, staff credentials a staff
sign-in, and a phone number (with staff credentials) the one test that sends real SMS.

    VSSID_E2E_BASE_URL            the API's base URL: the stack's EndpointURL output or a custom domain
    VSSID_E2E_CAPTCHA_ANSWER      the answer the stage accepts for any captcha: only a local run has one
                                  (`make run`: local-captcha, its VSSID_LOCAL_CAPTCHA_ANSWER); a deployed stage
                                  refuses that setting, so there the tests that create a Form 01 skip
    VSSID_E2E_PARTICIPANT         a participant row of the stage's register whose number has no account, as
                                  JSON (an object, or a list of them to try in turn), e.g.
                                  {"social_insurance_number": "0012345678", "full_name": "Kiểm Thử Tự Động",
                                   "date_of_birth": "1990-05-17", "gender": "female", "id_number": "001190000017"}
                                  (load it as a synthetic row: a number starting 00, which no province issues);
                                  against a local run (loopback URL) it defaults to the demo participants of
                                  data/demo/records/participant.jsonl that have no demo account
    VSSID_E2E_STAFF_USERNAME      a staff account of the stage
    VSSID_E2E_STAFF_PASSWORD      its password
    VSSID_E2E_STAFF_TOTP_SECRET   its TOTP secret (base32), to make the sign-in code
    VSSID_E2E_PHONE               a phone you hold: allows a submission (its SMS — the submitted notice, the
                                  reminders and the expiry notice it pays for — from this phone's daily budget;
                                  2 are actually sent)
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
DEMO_PARTICIPANTS = HERE.parents[1] / "data" / "demo" / "records" / "participant.jsonl"
BASE_URL_VARIABLE = "VSSID_E2E_BASE_URL"
CAPTCHA_VARIABLE = "VSSID_E2E_CAPTCHA_ANSWER"
PARTICIPANT_VARIABLE = "VSSID_E2E_PARTICIPANT"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
STAFF_VARIABLES = ("VSSID_E2E_STAFF_USERNAME", "VSSID_E2E_STAFF_PASSWORD", "VSSID_E2E_STAFF_TOTP_SECRET")
PHONE_VARIABLE = "VSSID_E2E_PHONE"
TIMEOUT = 30  # seconds: the first request to a cold Lambda function imports the whole app


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A marker on every item here (rather than a module-level skip) keeps them collected and reported as skipped.
    if os.environ.get(BASE_URL_VARIABLE):
        return
    skip = pytest.mark.skip(reason=f"{BASE_URL_VARIABLE} is not set: these tests run against a deployed stage "
                                   "(docs/DEPLOY.md, 'End-to-end suite against a deployed stage')")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@dataclass
class Api:
    """The deployed API over real HTTP; paths are the contract's (/v1/...)."""

    base_url: str
    session: requests.Session

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture(scope="session")
def api() -> Iterator[Api]:
    base_url = os.environ.get(BASE_URL_VARIABLE, "").rstrip("/")
    if not base_url:
        pytest.skip(f"{BASE_URL_VARIABLE} is not set")
    with requests.Session() as session:
        session.headers["User-Agent"] = "vssid-backend e2e suite"
        yield Api(base_url, session)


def is_local(base_url: str) -> bool:
    """A local run (`make run`, python -m local.run) rather than a deployed stage: a loopback URL."""
    return (urlsplit(base_url).hostname or "") in LOOPBACK_HOSTS


@dataclass
class Registrant:
    """What creating a Form 01 needs on this stage: the captcha answer it accepts, and register people whose
    numbers have no account (tried in turn). On a local run, `take_back` frees a number a draft holds through
    the takeover flow, reading the code from the local message list."""

    api: Api
    captcha_answer: str
    people: list[dict[str, Any]]
    local: bool

    def captcha(self) -> dict[str, str]:
        """A fresh captcha, solved: every create (and takeover) spends one."""
        response = self.api.get("/v1/auth/captcha")
        assert response.status_code == 200, response.text
        return {"captcha_id": response.json()["captcha_id"], "captcha_answer": self.captcha_answer}

    def take_back(self, person: dict[str, Any], wait_seconds: float = 10) -> bool:
        """Local runs only: free `person`'s number from the draft holding it (POST /v1/registrations/takeover,
        the SMS code from GET /_local/messages, verify). False when it could not be done: not local, no phone
        in the register row, no code sent (nothing held, or the phone's daily SMS budget is spent)."""
        phone = person.get("phone")
        if not self.local or not phone:
            return False
        seen = len(self._takeover_codes(phone))
        started = self.api.post("/v1/registrations/takeover", json={
            "social_insurance_number": person["social_insurance_number"], **self.captcha()})
        if started.status_code != 202:
            return False
        deadline = time.monotonic() + wait_seconds
        while len(codes := self._takeover_codes(phone)) <= seen:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.3)
        verified = self.api.post(f"/v1/registrations/takeover/{started.json()['challenge_id']}/verify",
                                 json={"otp": codes[-1]})
        return verified.status_code == 200 and verified.json().get("released") is True

    def _takeover_codes(self, phone: str) -> list[str]:
        messages = self.api.get("/_local/messages", params={"to": phone})
        assert messages.status_code == 200, messages.text
        # Every code SMS to the phone (the takeover's wording is not relied on); only new ones are used.
        texts = [m["body"] for m in messages.json()["items"]
                 if m.get("channel") == "sms" and "Ma xac thuc" in m["body"]]
        return [match.group(1) for text in texts if (match := re.search(r" la (\d{6})", text))]


def _register_people(api: Api, local: bool) -> list[dict[str, Any]] | str:
    """The register people to create Form 01s for, or why there are none."""
    configured = os.environ.get(PARTICIPANT_VARIABLE, "")
    if configured:
        value = json.loads(configured)
        people = value if isinstance(value, list) else [value]
        assert people and all(isinstance(p, dict) and {"social_insurance_number", "full_name", "date_of_birth",
                                                        "id_number"} <= set(p) for p in people), (
            f"{PARTICIPANT_VARIABLE} must be a participant row (social_insurance_number, full_name, date_of_birth, "
            "id_number[, gender, phone]) as a JSON object, or a list of them")
        return people
    if not local:
        return (f"{PARTICIPANT_VARIABLE} is not set: Form 01 must match the stage's register, so name a participant "
                "row of it without an account (a synthetic one, number 00…) as JSON")
    demo = api.get("/_local/demo")
    assert demo.status_code == 200, f"{api.base_url} is a loopback URL but GET /_local/demo answers {demo.status_code}"
    with_account = {citizen["username"] for citizen in demo.json().get("citizens", [])}
    rows = [json.loads(line) for line in DEMO_PARTICIPANTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["social_insurance_number"] not in with_account]


@pytest.fixture(scope="session")
def registrant(api: Api) -> Registrant:
    """Skips, with one reason, where a Form 01 cannot be created automatically: no captcha answer (every
    deployed stage), or no register person to describe."""
    answer = os.environ.get(CAPTCHA_VARIABLE, "")
    if not answer:
        pytest.skip(f"{CAPTCHA_VARIABLE} is not set: creating a Form 01 needs a solved captcha, and only a local run "
                    "accepts a fixed answer (make run: local-captcha); a deployed stage has none, so the tests that "
                    "create registrations run against make run only")
    local = is_local(api.base_url)
    people = _register_people(api, local)
    if isinstance(people, str):
        pytest.skip(people)
    return Registrant(api, answer, people, local)


@dataclass
class Staff:
    username: str
    office_code: str
    headers: dict[str, str]


@pytest.fixture(scope="session")
def staff(api: Api) -> Staff:
    """One sign-in for the whole run: each TOTP code works once, so a second sign-in in the same 30 s fails."""
    values = [os.environ.get(name, "") for name in STAFF_VARIABLES]
    if not all(values):
        pytest.skip("set " + ", ".join(STAFF_VARIABLES) + " to sign in as staff")
    import pyotp

    username, password, secret = values
    totp = pyotp.TOTP(secret)
    response = None
    for _ in range(2):
        response = api.post("/v1/admin/auth/login", json={"username": username, "password": password,
                                                            "totp": totp.now()})
        if response.status_code != 401:
            break
        # Most likely this code was used by a run a moment ago: wait for the next one, once (failures lock).
        time.sleep(totp.interval - time.time() % totp.interval + 1)
    assert response is not None and response.status_code == 200, response.text if response is not None else None
    body = response.json()
    return Staff(body["username"], body["office_code"], {"Authorization": f"Bearer {body['staff_token']}"})


@pytest.fixture(scope="session")
def phone() -> str:
    number = os.environ.get(PHONE_VARIABLE, "")
    if not number:
        pytest.skip(f"{PHONE_VARIABLE} is not set: the submission test sends real SMS, only to a phone you name")
    return number
