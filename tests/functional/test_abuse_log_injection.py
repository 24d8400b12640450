"""Log injection: newlines, carriage returns, ANSI escapes and fake JSON in what a client sends (names,
feedback, the correlation-id header) never break the service's log lines — one JSON object per line — and
the injected text never shows up as a record of its own. Names are personal data: not logged at all."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chalicelib.observability import logger as service_logger
from tests.support.api import call
from tests.support.people import Citizen, Staff

FAKE_RECORD = '"}\n{"level":"ERROR","message":"pwned","service":"vssid"}\n{"x":"'
INJECTIONS = [FAKE_RECORD, "line one\r\nline two", "\x1b[31mRED\x1b[0m\x1b[2K", '"}{"level":"ERROR"', "\u2028\u2029"]


@pytest.fixture
def service_log():
    """What the service writes: its Powertools formatter, into a buffer instead of stdout."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(service_logger.registered_formatter)
    target = logging.getLogger("vssid")
    target.addHandler(handler)
    try:
        yield buffer
    finally:
        target.removeHandler(handler)


def test_injected_text_never_breaks_a_log_line(client, service_log):
    names = [f"Nguyễn Văn {text} An" for text in INJECTIONS]
    for index, name in enumerate(names):
        call(client, "POST", "/v1/registrations", {"full_name": name}, {"X-Correlation-Id": INJECTIONS[index]})
        call(client, "POST", "/v1/feedback", {
            "category": "HEALTH_INSURANCE", "office_code": "HN-HK",
            "message": f"Phản ánh về thẻ BHYT của tôi, nội dung dài đủ để được nhận. {INJECTIONS[index]}",
            "contact": {"name": name, "phone": "0977 888 999"}}, {"X-Correlation-Id": INJECTIONS[index]})
    # a whole procedure under a hostile correlation id, so every kind of line is written with it
    citizen = Citizen(client).registered()
    citizen.submit({"X-Correlation-Id": FAKE_RECORD})
    Staff.signed_in(client).approve(citizen.registration_id, {"X-Correlation-Id": FAKE_RECORD})

    text = service_log.getvalue()
    lines = text.split("\n")[:-1]
    assert len(lines) >= 5, text  # the log was really captured
    records = [json.loads(line) for line in lines]  # every line is exactly one JSON object ...
    assert all(isinstance(record, dict) and record.get("service") == "vssid" for record in records)
    assert not [r for r in records if r.get("message") == "pwned"]  # ... and none of them is the injected one
    assert "\r" not in text and "\x1b" not in text
    # a hostile id is not kept at all: the request gets an id of its own
    assert all(r.get("correlation_id") and r["correlation_id"] != FAKE_RECORD for r in records)
    call(client, "POST", "/v1/feedback", {
        "category": "HEALTH_INSURANCE", "office_code": "HN-HK",
        "message": "Phản ánh về thẻ BHYT của tôi, nội dung dài đủ để được nhận.",
        "contact": {"name": "Trần Thị B", "phone": "0977 888 999"}}, {"X-Correlation-Id": "app-7f3e9c2a-retry-2"})
    assert '"correlation_id":"app-7f3e9c2a-retry-2"' in service_log.getvalue()  # a well-formed one is kept
    for name in [*names, citizen.form["full_name"], "Nguyễn Văn"]:
        assert name not in text
