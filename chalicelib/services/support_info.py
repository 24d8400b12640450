"""The support contacts and feedback categories (chalicelib/data/support.json, shipped in the package).

The national hotline, e-mail and website, the hotline's hours as the data gives them (never "24/7" unless
the data says so), `demo_fields` (the fields that are illustrative, e.g. ["hours"]) and `help_lines`: the
named help lines of offices, each cited (`source`) or `demo`, e.g. BHXH cơ sở Hoàn Kiếm on 0243 9440116.
data/reference/support.json is the same file, for the loaders and tests.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).resolve().parent.parent / "data" / "support.json"


@lru_cache(maxsize=1)
def support() -> dict[str, Any]:
    """hotline, email, hours, website, source, demo_fields, help_lines [{office_code, name, phone, hours,
    demo, source}], feedback_categories [{code, name}]."""
    return json.loads(_FILE.read_text(encoding="utf-8"))


def public_contacts() -> dict[str, Any]:
    """What GET /v1/support answers: the contacts, what of them is illustrative, the offices' help lines."""
    info = support()
    lines = [{**{key: line.get(key) for key in ("office_code", "name", "phone", "hours")},
              "demo": bool(line.get("demo"))} for line in info.get("help_lines", [])]
    return {**{key: info[key] for key in ("hotline", "email", "hours", "website")},
            "demo_fields": list(info.get("demo_fields", [])), "help_lines": lines,
            "feedback_categories": info["feedback_categories"]}


def help_line(office_code: str) -> dict[str, Any] | None:
    """The named help line of an office, if the data has one."""
    return next((line for line in support().get("help_lines", []) if line.get("office_code") == office_code), None)


def category_codes() -> list[str]:
    return [category["code"] for category in support()["feedback_categories"]]
