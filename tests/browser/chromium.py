"""Real-browser tests of the counter console: headless Chromium (the Debian package) driven by Playwright.

Where Chromium or Playwright is missing, the browser module is skipped as a whole, with one line saying
why (`pytest -rs` shows it; `make test` says so too when it cannot install Chromium). Nothing else
depends on a browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("VSSID_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).is_file():
        return (f"browser tests skipped: no Chromium at {CHROMIUM} (`make test` installs the Debian package "
                "`chromium` with apt-get when it runs as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: Playwright for Python is not installed (`make install` installs it)"
    return None
