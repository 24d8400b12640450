"""Schemathesis against the OpenAPI document (as served at /v1/openapi.json) and the running local server.

Every operation, with Schemathesis's default checks: no 5xx, status codes / content types / bodies as
documented, schema-invalid input refused with 4xx, undeclared methods 405, missing credentials 401.
The number of generated cases per operation and the failures are printed at the end, even with -q.
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis

from tests.support.fuzz_config import ContractAuth, build_config
from tests.support.fuzz_session import FuzzSession, open_session
from tests.support.fuzz_tally import Tally
from tests.support.local_server import running_local_server

TALLY = Tally()


@pytest.fixture(scope="module")
def fuzz_session(request):
    # VSSID_FUZZ_BASE_URL points the run at a server you already started (`make run`), to iterate quickly.
    existing = os.environ.get("VSSID_FUZZ_BASE_URL")
    if existing:
        yield open_session(existing)
    else:
        with running_local_server() as server:
            yield open_session(server.base)
    TALLY.report(request.config)


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_session: FuzzSession):
    loaded = schemathesis.openapi.from_url(f"{fuzz_session.base}/v1/openapi.json", config=build_config(fuzz_session))
    loaded.auth(refresh_interval=None)(_bound(ContractAuth, fuzz_session))
    return loaded


def _bound(provider: type, session: FuzzSession) -> type:
    # Schemathesis instantiates the provider class itself, without arguments.
    return type(provider.__name__, (provider,), {"__init__": lambda self: provider.__init__(self, session)})


@pytest.fixture(autouse=True)
def _nodeid_for_schemathesis(request):
    # Schemathesis 4.32's lazy loader reads and renames `node._nodeid`, which pytest 9.2 no longer has.
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
def test_every_operation_holds_to_the_contract(case: schemathesis.Case):
    with TALLY.counting(case):
        case.call_and_validate(session=requests.Session())
