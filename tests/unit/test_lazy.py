"""Modules loaded on first use behave like imported ones."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_importing_the_app_loads_no_use_case_until_a_route_needs_it():
    out = _run("import sys, app; print(any(m.startswith('pynamodb') for m in sys.modules), "
               "type(sys.modules['chalicelib.services.submission']).__name__)")
    assert out == "False _LazyModule"  # bound, but its code (and pynamodb's) not run yet


def test_a_lazy_module_is_bound_on_its_package_and_loads_on_first_use():
    out = _run("import sys; from chalicelib.lazy import lazy_module; "
               "m = lazy_module('chalicelib.domain.bm25'); import chalicelib.domain as d; "
               "print(d.bm25 is m, 'math' in dir(m) or hasattr(m, '__file__'))")
    assert out == "True True"


def test_load_all_runs_every_lazy_module_so_a_threaded_server_never_sees_one_half_loaded():
    out = _run("import sys, app; from chalicelib.lazy import load_all; n = load_all(); "
               "print(n > 5, any(type(m).__name__ == '_LazyModule' for m in list(sys.modules.values())))")
    assert out == "True False"
