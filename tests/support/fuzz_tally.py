"""Counts of what Schemathesis generated and what failed, printed where CI shows it."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis


class Tally:
    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.phases: Counter[str] = Counter()
        self.failures: dict[str, set[str]] = {}

    @contextmanager
    def counting(self, case: schemathesis.Case) -> Iterator[None]:
        label = case.operation.label
        self.cases[label] += 1
        self.phases[case.meta.phase.name.value if case.meta else "explicit"] += 1
        try:
            yield
        except BaseException as exc:  # Schemathesis's FailureGroup is a BaseExceptionGroup
            # Hypothesis replays and shrinks a failing case, so count distinct failures, not calls.
            self.failures.setdefault(label, set()).add(_failure_key(exc))
            raise

    @property
    def failure_count(self) -> int:
        return sum(len(kinds) for kinds in self.failures.values())

    def lines(self) -> list[str]:
        width = max((len(label) for label in self.cases), default=0)
        rows = [f"  {label:<{width}}  {count:>5}  {len(self.failures.get(label, ())):>3} failed"
                for label, count in sorted(self.cases.items())]
        return [
            f"schemathesis: {len(self.cases)} operations, {sum(self.cases.values())} generated cases, "
            f"{self.failure_count} failures ("
            + ", ".join(f"{count} {phase}" for phase, count in sorted(self.phases.items())) + ")",
            *rows,
        ]

    def report(self, config: pytest.Config) -> None:
        # Under xdist a worker's stdout is lost but its stderr reaches the terminal; with capture suspended
        # the lines show with -q too.
        capture = config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            sys.stderr.write("\n" + "\n".join(self.lines()) + "\n")
            sys.stderr.flush()


def _failure_key(exc: BaseException) -> str:
    failures = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(sorted({type(failure).__name__ + ": " + str(failure).splitlines()[0][:120]
                             for failure in failures if str(failure)}))
