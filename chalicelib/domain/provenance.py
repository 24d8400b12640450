"""Where a public reference row comes from (nguồn): a cited `source`, or `demo: true`.

A row that names a real place may say only what a source says; everything else is plainly demo data
(fictional name marked "(minh hoạ)", `demo: true`). So every row of the public reference files (offices,
clinics, employers, collection points, news) carries one of:

- `source`: the id of a source listed in data/reference/SOURCES.md (lower-case letters, digits, '-', '.');
- `demo: true`: illustrative data, shown by the API as `"demo": true` so a client can label it.

A row may carry both (a cited phone on an otherwise illustrative office): it is still `demo: true`, since
not every fact of it is cited. A row with neither is refused by the loaders, by its row number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.row_reader import RowReader

SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9.\-]{1,63}")
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


@dataclass(frozen=True)
class Provenance:
    source: str | None
    demo: bool


def read_provenance(r: RowReader) -> Provenance:
    """The row's `source` and `demo`; problems (a bad id, a non-boolean demo, neither given) go to `r`."""
    source = r.text("source", required=False, max_len=64)
    if source is not None and not SOURCE_ID.fullmatch(source):
        r.fail("source", "must be a source id of data/reference/SOURCES.md (e.g. vssid-guide)",
               "phải là mã nguồn trong data/reference/SOURCES.md (ví dụ vssid-guide)")
        source = None
    demo = _flag(r, "demo")
    if source is None and not demo and "source" not in r.fields and "demo" not in r.fields:
        r.fail("source", "is required unless the row is marked demo: true — name where its facts come from "
               "(a source listed in data/reference/SOURCES.md)",
               "bắt buộc nhập nếu dòng không được đánh dấu demo: true — ghi nguồn của thông tin "
               "(một nguồn liệt kê trong data/reference/SOURCES.md)")
    return Provenance(source=source, demo=demo)


def _flag(r: RowReader, name: str) -> bool:
    raw = r.row.get(name)
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    r.fail(name, "must be true or false", "phải là true hoặc false")
    return False
