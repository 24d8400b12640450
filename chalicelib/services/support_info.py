"""The support contacts and feedback categories (chalicelib/data/support.json, shipped in the package)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).resolve().parent.parent / "data" / "support.json"


@lru_cache(maxsize=1)
def support() -> dict[str, Any]:
    """hotline, email, hours, website, feedback_categories [{code, name}]."""
    return json.loads(_FILE.read_text(encoding="utf-8"))


def category_codes() -> list[str]:
    return [category["code"] for category in support()["feedback_categories"]]
