"""Every method the gateway routes but a path does not list answers 405 METHOD_NOT_ALLOWED in the contract's
error shape. Schemathesis probed all of these over HTTP; in process it is the same check in a fraction of the
time, so its coverage phase now probes only OPTIONS (which Chalice's in-process client cannot send:
tests/support/fuzz_config.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.api import call
from tests.support.fuzz_config import PROBED_OVER_HTTP, ROUTED_METHODS

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "chalicelib" / "openapi.json").read_text("utf-8"))


def _undeclared() -> list[tuple[str, str]]:
    pairs = []
    for path, operations in DOCUMENT["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        pairs += [(method.upper(), concrete) for method in ROUTED_METHODS
                  if method not in operations and method not in PROBED_OVER_HTTP]
    return pairs


def test_every_undeclared_method_is_405_in_the_error_shape(client):
    pairs = _undeclared()
    assert len(pairs) > 100  # the document was read

    wrong = []
    for method, path in pairs:
        reply = call(client, method, path, None if method in ("GET", "DELETE") else {})
        code = reply.body.get("error", {}).get("code") if isinstance(reply.body, dict) else None
        if (reply.status, code) != (405, "METHOD_NOT_ALLOWED"):
            wrong.append((method, path, reply.status, code))
    assert wrong == []
