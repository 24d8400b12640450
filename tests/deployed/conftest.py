"""Settings and clients for the deployed-stage suite.

Every test in this folder is skipped, with the reason, unless VSSID_E2E_BASE_URL is set; the tests are still
collected, so `pytest` never ends with "no tests ran" (exit code 5) because of them. Extra variables open
more: staff credentials a staff sign-in, and a phone number (with staff credentials) the one test that sends
real SMS.

    VSSID_E2E_BASE_URL            the API's base URL: the stack's EndpointURL output or a custom domain
    VSSID_E2E_STAFF_USERNAME      a staff account of the stage
    VSSID_E2E_STAFF_PASSWORD      its password
    VSSID_E2E_STAFF_TOTP_SECRET   its TOTP secret (base32), to make the sign-in code
    VSSID_E2E_PHONE               a phone you hold: allows a submission (2 SMS to it)
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
BASE_URL_VARIABLE = "VSSID_E2E_BASE_URL"
STAFF_VARIABLES = ("VSSID_E2E_STAFF_USERNAME", "VSSID_E2E_STAFF_PASSWORD", "VSSID_E2E_STAFF_TOTP_SECRET")
PHONE_VARIABLE = "VSSID_E2E_PHONE"
TIMEOUT = 30  # seconds: the first request to a cold Lambda function imports the whole app


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A marker on every item here (rather than a module-level skip) keeps them collected and reported as skipped.
    if os.environ.get(BASE_URL_VARIABLE):
        return
    skip = pytest.mark.skip(reason=f"{BASE_URL_VARIABLE} is not set: these tests run against a deployed stage "
                                   "(README, 'Deploying to AWS')")
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
