"""The suite-wide log scanner (tests/support/log_scan.py) finds what it must, masks it, and lets ids through."""

from __future__ import annotations

import json
import logging

import pytest

from tests.support.log_scan import LogScan, _Collector, mask


def line(**fields: object) -> str:
    return json.dumps({"level": "INFO", "service": "vssid", **fields}, ensure_ascii=False)


@pytest.mark.parametrize(("leaked", "what"), [
    ("001190123456", "ID number"),
    ("0901234567", "10-digit number"),
    ("0123456789", "10-digit number"),  # a social-insurance number
    ("+84901234567", "phone number"),
    ("84901234567", "phone number"),
    ("Ma xac thuc VssID cua ban la 482913", "OTP code"),
    ("otp=482913", "OTP code"),
    ("Bearer q3Zk1pW8mYvT0aB7cD9eF2gH4iJ6kL8mN0oP1qR3sT5", "bearer token"),
    ("q3Zk1pW8mYvT0aB7cD9eF2gH4iJ6kL8mN0oP1qR3sT5", "token-shaped"),
    ("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "password hash"),
    ("huong.nguyen@example.vn", "e-mail address"),
])
def test_a_pattern_finds_each_kind_of_leak_and_masks_it(leaked, what):
    scan = LogScan()
    scan.add("vssid", line(message="citizen signed in", detail=leaked))
    offences = scan.offences()
    assert [o for o in offences if what in o.what], offences
    assert all(leaked not in o.line for o in offences)


def test_a_registered_secret_is_found_even_without_a_pattern():
    scan = LogScan()
    scan.remember("Mật khẩu mới của Hường 2026", "Nguyễn Thị Hường", "K7PQR")
    scan.add("vssid", line(message="password changed", note="Mật khẩu mới của Hường 2026"))
    scan.add("vssid", line(message="captcha", answer="K7PQR"))
    scan.add("chalicelib.services", "INFO chalicelib.services hello Nguyễn Thị Hường")
    assert len(scan.offences()) == 3
    assert all("Hường 2026" not in o.line and "K7PQR" not in o.line for o in scan.offences())


def test_ids_timestamps_and_masked_numbers_are_not_leaks():
    scan = LogScan()
    scan.remember("482913")  # an OTP code: must not match inside a hex id
    scan.add("vssid", line(message="sms sent", sns_message_id="6f1c2a3b-4d5e-4f60-8a7b-482913000000", length=112,
                           correlation_id="9b1f0e2d7c6a48291300ab12cd34ef56", timestamp="2026-11-25 10:00:00,123+0700",
                           registration_id="a3f4c2d1e0b94c8f9a7b6c5d4e3f2a1b", notice="+84*****2333",
                           execution_name="a3f4c2d1e0b94c8f9a7b6c5d4e3f2a1b-2", top_score=0.482, staff="canbo.hn-hk"))
    assert scan.offences() == []


def test_the_collector_keeps_what_the_service_logger_writes_extras_included():
    scan = LogScan()
    logger = logging.getLogger("vssid.log-scan-unit-test")
    logger.propagate = False
    collector = _Collector(scan)
    logger.addHandler(collector)
    try:
        logger.warning("backing service busy", extra={"phone": "+84901234567"})
    finally:
        logger.removeHandler(collector)
    assert len(scan.records) == 1
    assert [o.what for o in scan.offences()] == ["phone number (+84 / 84)"]


def test_mask_keeps_only_the_ends():
    assert mask("001190123456") == "00********56"
    assert mask("abc") == "***"
