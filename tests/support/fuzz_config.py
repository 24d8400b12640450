"""How Schemathesis fuzzes the local server: every operation, the default checks, a fixed seed.

Exceptions are narrow and each says why.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.support.fuzz_session import FuzzSession, sign_in_citizen

SEED = 20261125
# Generated cases per operation in the fuzzing phase. The coverage phase (boundaries, every missing or
# wrong-typed field, undeclared methods, missing headers) is deterministic and makes ~94% of the ~1,900
# cases; the examples phase replays the document's examples.
MAX_EXAMPLES = 2

# TRACE and QUERY never reach the app: API Gateway accepts only DELETE, GET, HEAD, OPTIONS, PATCH, POST and
# PUT, and Chalice's local server (Python's http.server) answers anything else with its own HTML 501.
# Every method the gateway does route is still probed for 405: OPTIONS here, over HTTP; the others in process
# (tests/functional/test_method_not_allowed.py, the same check at a fraction of the time).
ROUTED_METHODS = ["get", "put", "post", "delete", "options", "patch"]
PROBED_OVER_HTTP = ["options"]

CHECKS: dict[str, Any] = {
    # "Schema-valid data must be accepted" cannot hold for this API: it validates what JSON Schema cannot
    # say — a CCCD number against the date of birth and gender, province and office codes against the
    # reference data, captchas, one-time codes, page tokens it issued, images uploaded to S3 beforehand —
    # and answers those with 400/422 by design. Every other default check runs.
    "positive_data_acceptance": {"enabled": False},
    # A locked account is refused (423 ACCOUNT_LOCKED) before the fields of a password or phone change are
    # read; that is a 4xx refusal like the others, so it counts as rejecting the bad input.
    "negative_data_rejection": {"expected-statuses": [
        "400", "401", "403", "404", "405", "406", "409", "415", "422", "423", "428", "429", "5xx"]},
}

OPERATION_OVERRIDES: list[dict[str, Any]] = [
    {
        # A wrong X-Registration-Key is answered 404, exactly like an unknown registration id, on purpose:
        # the answer never tells whether a registration exists. (A missing key is still checked: 401, by
        # missing_required_header.)
        "include-path-regex": r"^/v1/registrations/\{registration_id\}",
        "checks": {"ignored_auth": {"enabled": False}},
    },
]


def build_config(session: FuzzSession) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "base-url": session.base,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {"coverage": {"unexpected-methods": PROBED_OVER_HTTP}, "stateful": {"enabled": False}},
        "checks": CHECKS,
        "auth": {"auto-signup": False},
        # The one draft registration the key opens; a drawn id would only ever meet 404.
        "parameters": {"path.registration_id": session.registration_id},
        "operations": OPERATION_OVERRIDES,
    })


class ContractAuth:
    """The credential each operation's security scheme asks for (Schemathesis leaves it off the cases
    that test a missing one)."""

    def __init__(self, session: FuzzSession) -> None:
        self.session = session

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> tuple[str, str] | None:
        schemes = {name for requirement in case.operation.definition.raw.get("security") or []
                   for name in requirement}
        if "registrationKey" in schemes:
            return "X-Registration-Key", self.session.registration_key
        if "staffBearer" in schemes:
            if case.operation.path == "/v1/admin/auth/logout":  # it ends the session it is sent with
                return "Authorization", f"Bearer {self.session.spare_staff_token}"
            return "Authorization", f"Bearer {self.session.staff_token}"
        if "citizenBearer" in schemes:
            if case.operation.path == "/v1/auth/logout":
                # Logout ends the session it is sent with: give it a fresh one of the other demo citizen,
                # so the /v1/me operations keep theirs.
                return "Authorization", f"Bearer {sign_in_citizen(self.session.base, self.session.spare_citizen)}"
            return "Authorization", f"Bearer {self.session.citizen_token}"
        return None

    def set(self, case: schemathesis.Case, data: tuple[str, str], context: schemathesis.AuthContext) -> None:
        name, value = data
        case.headers = {**(case.headers or {}), name: value}
