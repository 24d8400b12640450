"""The suite-wide log scan: every record the app logs during the pytest session is checked for secrets and PII.

Two nets, because neither alone is enough:
- patterns for what must never be logged whatever its value (12-digit ID numbers, 10-digit numbers — a
  phone or a social-insurance number —, E.164 phones, OTP codes next to their words, bearer tokens,
  256-bit token-shaped strings, password hashes, e-mail addresses);
- a registry of the exact secrets the tests handled (passwords, tokens, access keys, captcha answers, OTP
  codes, names), fed cheaply by the drivers in tests/support and by the SMS the app sent.

Only the app's loggers are scanned (the Powertools service logger `vssid`, Chalice's app logger and any
`chalicelib.*` standard logger); moto's and botocore's are not the app's. Records are kept until the
session ends because a secret is often registered after the line that leaked it was written (the initial
password is read from the SMS after approval logged). Under xdist each worker scans its own records and
hands its figures to the controller, which fails the session (see tests/conftest.py).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

APP_LOGGERS = ("vssid", "vssid-backend", "chalicelib")
MIN_SECRET_LENGTH = 5  # captcha answers are 5 characters; anything shorter would match by chance

# Boundaries exclude letters, digits, "_" and "-": uuid segments and hex ids must not look like numbers.
_NUMBER_EDGE_BEFORE = r"(?<![\w+\-])"
_NUMBER_EDGE_AFTER = r"(?![\w\-])"
PATTERNS: dict[str, re.Pattern[str]] = {
    "ID number (12 digits)": re.compile(_NUMBER_EDGE_BEFORE + r"\d{12}" + _NUMBER_EDGE_AFTER),
    "10-digit number (phone or social-insurance number)": re.compile(
        _NUMBER_EDGE_BEFORE + r"0\d{9}" + _NUMBER_EDGE_AFTER),
    "phone number (+84 / 84)": re.compile(r"(?<![\w\-])\+?84[35789]\d{8}" + _NUMBER_EDGE_AFTER),
    "OTP code": re.compile(r"(?i)(?:\botp|\bcode|\bm[aã]|\bl[aà]|#)\W{0,3}\d{6}(?![\w\-])"),
    "bearer token": re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{8,}"),
    "token-shaped string (256 bits, urlsafe)": re.compile(r"(?<![\w\-])[A-Za-z0-9_\-]{43}(?![\w\-])"),
    "password hash": re.compile(r"\$argon2(?:id|i|d)\$"),
    "e-mail address": re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),
}


def mask(value: str) -> str:
    """Enough to find the leak, never the secret itself."""
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


@dataclass
class Offence:
    logger: str
    what: str
    line: str  # the record with the offending value masked

    def __str__(self) -> str:
        return f"[{self.logger}] {self.what}: {self.line[:300]}"


@dataclass
class LogScan:
    """Collects the app's log lines and the secrets the tests used; `offences()` matches one against the other."""

    records: list[tuple[str, str]] = field(default_factory=list)  # (logger name, formatted line)
    secrets: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remember(self, *values: Any) -> None:
        with self._lock:
            for value in values:
                if isinstance(value, str) and len(value.strip()) >= MIN_SECRET_LENGTH:
                    self.secrets.add(value.strip())

    def add(self, logger_name: str, line: str) -> None:
        with self._lock:
            self.records.append((logger_name, line))

    def offences(self) -> list[Offence]:
        with self._lock:
            records, secrets = list(self.records), set(self.secrets)
        registry = _registry_pattern(secrets)
        found: list[Offence] = []
        for logger_name, line in records:
            kinds: set[str] = set()
            values: set[str] = set()
            for what, pattern in PATTERNS.items():
                for match in pattern.finditer(line):
                    kinds.add(what)
                    values.add(match.group(0))
            for match in registry.finditer(line) if registry is not None else ():
                kinds.add("a secret a test used")
                values.add(match.group(0))
            if kinds:
                found.append(Offence(logger_name, ", ".join(sorted(kinds)), _masked(line, values)))
        return found


def _registry_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of every secret, longest first, bounded so a code never matches inside an id."""
    ordered = sorted(set(secrets), key=len, reverse=True)
    if not ordered:
        return None
    parts = []
    for secret in ordered:
        before = r"(?<![A-Za-z0-9])" if secret[0].isalnum() else ""
        after = r"(?![A-Za-z0-9])" if secret[-1].isalnum() else ""
        parts.append(before + re.escape(secret) + after)
    return re.compile("|".join(parts))


def _masked(line: str, values: Iterable[str]) -> str:
    for value in sorted(values, key=len, reverse=True):
        line = line.replace(value, mask(value))
    return line


class _Collector(logging.Handler):
    """Formats each record as the service writes it (Powertools' JSON) and keeps the line."""

    def __init__(self, scan: LogScan) -> None:
        super().__init__(logging.NOTSET)
        self.scan = scan

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = _formatter_for(record.name).format(record)
        except Exception:  # noqa: BLE001 - a record the formatter refuses is still scanned
            line = ""
        # The raw message and extras too: JSON escapes (\n, \") could hide a secret from the formatted line.
        extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRIBUTES}
        self.scan.add(record.name, f"{line} {record.getMessage()} {extras!r}")


_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def _formatter_for(logger_name: str) -> logging.Formatter:
    from chalicelib.observability import logger as service_logger

    if logger_name == "vssid":
        return service_logger.registered_formatter  # type: ignore[no-any-return]
    return logging.Formatter("%(levelname)s %(name)s %(message)s")


SCAN = LogScan()
_installed: list[_Collector] = []


def install() -> LogScan:
    """Attach the collector to the app's loggers, and register captcha answers as they are made."""
    if _installed:
        return SCAN
    collector = _Collector(SCAN)
    for name in APP_LOGGERS:
        logging.getLogger(name).addHandler(collector)
    _installed.append(collector)
    _record_captcha_answers()
    return SCAN


def _record_captcha_answers() -> None:
    # Wrapped in both modules with the same object, so a test that swaps and restores one keeps the wrapper.
    from chalicelib.domain import captcha_text
    from chalicelib.services import captchas

    original = captcha_text.new_answer

    def recorded(length: int = 5) -> str:
        answer = original(length)
        SCAN.remember(answer)
        return answer

    captcha_text.new_answer = recorded
    captchas.new_answer = recorded


_SMS_SECRETS = (
    re.compile(r"Mat khau khoi tao: (\S+)"),
    re.compile(r"(?<![A-Za-z0-9])(\d{6})(?![A-Za-z0-9])"),  # every 6-digit number in an SMS: codes in any wording
)


def remember_messages(messages: Iterable[dict[str, Any]]) -> None:
    """Secrets and contacts the app sent by SMS and e-mail: they must not also be in its logs."""
    for message in messages:
        SCAN.remember(message.get("to"))
        if message.get("channel") == "sms":
            body = message.get("body") or ""
            for pattern in _SMS_SECRETS:
                SCAN.remember(*pattern.findall(body))


def remember(*values: Any) -> None:
    """For drivers in tests/support: a password, token, key, code or name a test handled."""
    SCAN.remember(*values)
