"""The suite's time per test directory, printed at the end of every run (the suite has a time budget:
this says where it goes), and its slowest files. Under xdist each test's report reaches the controller
with its duration, so the figures are summed there; they are worker seconds (two workers: about twice the wall time)."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import pytest

SLOWEST_FILES = 8


class TimingPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.seconds: dict[str, float] = defaultdict(float)
        self.tests: dict[str, int] = defaultdict(int)
        self.file_seconds: dict[str, float] = defaultdict(float)
        self.started = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        directory = report.nodeid.split("::", 1)[0].rsplit("/", 1)[0]
        self.seconds[directory] += report.duration  # set-up, call and tear-down each report their share
        self.file_seconds[report.nodeid.split("::", 1)[0]] += report.duration
        if report.when == "call" or (report.when == "setup" and report.skipped):
            self.tests[directory] += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or not self.seconds:
            return
        terminalreporter.write_sep("-", "time per directory (worker seconds)")
        for directory, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{seconds:8.1f} s  {self.tests[directory]:5d} tests  {directory}")
        terminalreporter.write_line(f"{time.monotonic() - self.started:8.1f} s  wall time of the session")
        slowest = sorted(self.file_seconds.items(), key=lambda item: -item[1])[:SLOWEST_FILES]
        files = ", ".join(f"{path} {seconds:.0f} s" for path, seconds in slowest)
        terminalreporter.write_line(f"slowest files: {files}")
