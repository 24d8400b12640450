"""The pytest side of the log scan: each process scans its own records when the session ends; under xdist
the workers hand their figures to the controller, which prints them and fails the session on a leak.

A check test would not do: with `--dist loadfile` a test runs on one worker and sees only that worker's logs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import log_scan

MAX_SHOWN = 40


def _own_report() -> dict[str, Any]:
    scan = log_scan.SCAN
    return {"records": len(scan.records), "secrets": len(scan.secrets),
            "offences": [str(offence) for offence in scan.offences()]}


class LogScanPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.reports: list[dict[str, Any]] = []
        log_scan.install()

    @property
    def _is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        report = getattr(node, "workeroutput", {}).get("log_scan")
        if report:
            self.reports.append(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._is_worker:
            self.config.workeroutput["log_scan"] = _own_report()  # type: ignore[attr-defined]
            return
        self.reports.append(_own_report())  # the controller's own (none under xdist; all without it)
        if any(report["offences"] for report in self.reports):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self._is_worker or not self.reports:
            return
        records = sum(r["records"] for r in self.reports)
        secrets = sum(r["secrets"] for r in self.reports)
        offences = [o for r in self.reports for o in r["offences"]]
        terminalreporter.write_sep("-", "log scan")
        terminalreporter.write_line(
            f"{records} app log records scanned (in {len(self.reports)} process(es)) against the patterns and "
            f"{secrets} secrets the tests used: {len(offences)} leaks")
        for offence in offences[:MAX_SHOWN]:
            terminalreporter.write_line(f"LEAK {offence}", red=True)
        if len(offences) > MAX_SHOWN:
            terminalreporter.write_line(f"... and {len(offences) - MAX_SHOWN} more", red=True)
