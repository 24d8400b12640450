"""Modules loaded on first use, so a Lambda cold start imports only what the invoked route needs.

The standard library's LazyLoader: the module object exists at once, its code runs when an attribute is
first read. The token authorizer and the SQS consumers then never load the PDF, the registration rules
or the records code, and `import app` costs little more than `import boto3` (bench/cold_start.py).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

_CREATED: list[ModuleType] = []


def lazy_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    _CREATED.append(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as a normal import binds it on its package
    return module


def load_all() -> int:
    """Run every lazy module's code now. Python 3.11's LazyLoader is not thread-safe (CPython gh-114763):
    two threads touching a module first at the same moment can see it half-loaded. A Lambda serves one
    request at a time, but the threaded local server does not, so `make run` loads everything up front."""
    for module in list(_CREATED):
        dir(module)  # any attribute access runs the module's code
    return len(_CREATED)
