"""Bulk loading of the agency's record files into the citizens' partitions.

`load_rows` validates every row before anything is written: a bad row is reported by its number and
never stored, a second row with the same record key is rejected as a duplicate (the first one counts).
The good rows are then compared, 100 at a time, with what is stored (BatchGetItem on their keys, by
`source_hash`) and only new or changed ones are written, in BatchWriteItem batches; so loading the same
file twice writes nothing the second time. After contributions, the per-scheme totals
(`SUMMARY#<scheme>`) of the citizens and schemes with a changed period are recomputed from a Query of
the citizen's `CONTRIBUTION#` items and written when they differ (see `_Summaries` for how a failed run
is repaired by running it again).

`read_file` turns a `.csv` (UTF-8, with or without BOM) or `.jsonl` file into rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.domain.person_match import findable_without_id, person_key
from chalicelib.domain.record_rows import (
    KINDS,
    MALFORMED,
    SCHEMES,
    RowInvalid,
    ValidRow,
    json_line_row,
    month_index,
    source_hash,
    validate_row,
)
from chalicelib.models.records import InsuranceRecord

READ_CHUNK = 100  # BatchGetItem reads at most 100 keys a call
WRITE_BATCH_LIMIT = 25  # and BatchWriteItem writes at most 25 items
STALE = "STALE"  # the source_hash of totals being recomputed


@dataclass(frozen=True)
class RejectedRow:
    row_number: int  # 1-based, counting data rows (the CSV header and blank JSON lines are not rows)
    fields: dict[str, str]
    fields_vi: dict[str, str]


@dataclass
class LoadReport:
    kind: str
    read: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_file(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a `.csv` or `.jsonl` file; ValueError for any other kind of file.

    A JSON line that is not an object (or not JSON, or not UTF-8) becomes a row that validation rejects,
    so one broken line does not stop the rest of the file."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return _read_csv(Path(path))
    if suffix == ".jsonl":
        return _read_jsonl(Path(path))
    if suffix == ".json":
        return _read_json_array(Path(path))
    raise ValueError(f"{path}: expected a .csv, .jsonl or .json file")


def _read_json_array(path: Path) -> Iterator[dict[str, Any]]:
    """A JSON array of objects (how data/reference/offices.json is kept)."""
    value = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(value, list):
        raise ValueError(f"{path}: a .json file must hold an array of objects")
    for item in value:
        yield item if isinstance(item, dict) else {MALFORMED: True}


def _read_csv(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield {name.strip(): value for name, value in row.items() if isinstance(name, str)}


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle):
            if number == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw.strip():
                yield json_line_row(raw)


def load_rows(kind: str, rows: Iterable[dict[str, Any]], batch_size: int = WRITE_BATCH_LIMIT) -> LoadReport:
    """Validate every row, then write the new and changed ones; returns what happened to each row."""
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not 1 <= batch_size <= WRITE_BATCH_LIMIT:
        raise ValueError(f"batch_size must be 1 to {WRITE_BATCH_LIMIT}")
    report = LoadReport(kind=kind)
    valid = _validate_all(kind, rows, report)
    report.valid = len(valid)
    summaries = _Summaries({(row.username, row.fields["scheme"]) for row in valid}) if kind == "contribution" else None
    for start in range(0, len(valid), READ_CHUNK):
        chunk = valid[start:start + READ_CHUNK]
        stored = _stored_hashes([(row.username, row.record_key) for row in chunk])
        changed = []
        for row in chunk:
            previous = stored.get((row.username, row.record_key))
            if previous == row.source_hash:
                report.unchanged += 1
                continue
            if previous is None:
                report.created += 1
            else:
                report.updated += 1
            changed.append(row)
        if summaries is not None:
            summaries.mark_stale({(row.username, row.fields["scheme"]) for row in changed}, batch_size)
        _write(changed, batch_size)
    if summaries is not None:
        refresh_summaries(summaries.to_refresh(), batch_size)
    return report


class _Summaries:
    """The per-scheme totals of the citizens in a contribution file, kept recomputable across failures.

    Before a chunk's changed periods are written, the stored totals they affect are marked stale (same
    fields, `source_hash` STALE). The totals are recomputed at the end for every scheme with a changed
    period, and for every scheme of the file whose totals are missing or stale: so a run that failed
    between writing periods and writing totals is repaired by running it again, and a reload of an
    unchanged file makes no Query and no write."""

    def __init__(self, pairs: set[tuple[str, str]]) -> None:
        self.pairs = pairs
        keys = [(username, f"SUMMARY#{scheme}") for username, scheme in sorted(pairs)]
        self.stored: dict[tuple[str, str], InsuranceRecord] = {}
        for start in range(0, len(keys), READ_CHUNK):
            for item in InsuranceRecord.batch_get(keys[start:start + READ_CHUNK]):
                self.stored[(item.username, item.record_key)] = item
        self.changed: set[tuple[str, str]] = set()

    def mark_stale(self, pairs: set[tuple[str, str]], batch_size: int) -> None:
        self.changed |= pairs
        stale = []
        for username, scheme in sorted(pairs):
            item = self.stored.get((username, f"SUMMARY#{scheme}"))
            if item is not None and item.source_hash != STALE:
                item.source_hash = STALE
                stale.append(ValidRow(username, item.record_key, "SUMMARY", item.fields.as_dict(), STALE))
        _write(stale, batch_size)

    def to_refresh(self) -> set[tuple[str, str]]:
        def needs_refresh(username: str, scheme: str) -> bool:
            item = self.stored.get((username, f"SUMMARY#{scheme}"))
            return item is None or item.source_hash == STALE

        return self.changed | {pair for pair in self.pairs if needs_refresh(*pair)}


def _validate_all(kind: str, rows: Iterable[dict[str, Any]], report: LoadReport) -> list[ValidRow]:
    valid: list[ValidRow] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        report.read += 1
        try:
            checked = validate_row(kind, row)
        except RowInvalid as exc:
            report.rejected.append(RejectedRow(number, exc.fields, exc.fields_vi))
            continue
        key = (checked.username, checked.record_key)
        if key in first_row_of:
            first = first_row_of[key]
            report.rejected.append(RejectedRow(number, {"_row": f"duplicate of row {first}"},
                                               {"_row": f"trùng với dòng {first}"}))
            continue
        first_row_of[key] = number
        valid.append(checked)
    return valid


def _stored_hashes(keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    found = InsuranceRecord.batch_get(keys, attributes_to_get=["username", "record_key", "source_hash"])
    return {(item.username, item.record_key): item.source_hash for item in found}


def lookup_keys(row: ValidRow) -> dict[str, str]:
    """The keys of the number look-up's indexes a row is stored with (the direct loader and the feed both):
    a person's ID number, and name + birth date when the register can find them without one."""
    keys: dict[str, str] = {}
    if row.record_kind == "PERSON":
        keys["lookup_key"] = row.fields["id_number"]
        if findable_without_id(row.fields):
            keys["person_key"] = person_key(row.fields["full_name"], row.fields["date_of_birth"])
    return keys


def record_item(row: ValidRow) -> InsuranceRecord:
    """The item a validated row is stored as."""
    return InsuranceRecord(row.username, row.record_key, kind=row.record_kind, fields=row.fields,
                           source_hash=row.source_hash, **lookup_keys(row))


def _write(rows: list[ValidRow], batch_size: int) -> None:
    for start in range(0, len(rows), batch_size):
        with InsuranceRecord.batch_write() as batch:  # commits on exit and retries unprocessed items
            for row in rows[start:start + batch_size]:
                batch.save(record_item(row))


def contribution_summary(scheme: str, periods: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """Totals of one scheme from its periods. A month covered by two periods at once (two jobs) counts
    once, as participation time does; None when there is no period."""
    months: set[int] = set()
    arrears: set[int] = set()
    count = 0
    first = last = None
    for period in periods:
        count += 1
        span = range(month_index(period["from_month"]), month_index(period["to_month"]) + 1)
        months.update(span)
        if period.get("in_arrears"):
            arrears.update(span)
        first = period["from_month"] if first is None else min(first, period["from_month"])
        last = period["to_month"] if last is None else max(last, period["to_month"])
    if not count:
        return None
    return {"scheme": scheme, "total_months": len(months), "periods": count, "months_in_arrears": len(arrears),
            "first_month": first, "last_month": last}


def refresh_summaries(pairs: set[tuple[str, str]], batch_size: int = WRITE_BATCH_LIMIT) -> int:
    """Recompute `SUMMARY#<scheme>` for each (citizen, scheme) from a Query of the citizen's contribution
    periods (one Query a citizen, all schemes at once); write those that changed. Returns how many were
    written."""
    schemes_of: dict[str, set[str]] = {}
    for username, scheme in pairs:
        schemes_of.setdefault(username, set()).add(scheme)
    citizens = sorted(schemes_of)
    written = 0
    for start in range(0, len(citizens), READ_CHUNK // len(SCHEMES)):
        chunk = citizens[start:start + READ_CHUNK // len(SCHEMES)]
        stored = _stored_hashes([(username, f"SUMMARY#{scheme}") for username in chunk
                                 for scheme in sorted(schemes_of[username])])
        changed = []
        for username in chunk:
            periods: dict[str, list[dict[str, Any]]] = {}
            for item in InsuranceRecord.query(username, InsuranceRecord.record_key.startswith("CONTRIBUTION#"),
                                              attributes_to_get=["fields"]):
                period = item.fields.as_dict()
                periods.setdefault(period["scheme"], []).append(period)
            for scheme in sorted(schemes_of[username]):
                summary = contribution_summary(scheme, periods.get(scheme, []))
                record_key = f"SUMMARY#{scheme}"
                if summary is None:
                    continue
                digest = source_hash(username, record_key, summary)
                if stored.get((username, record_key)) != digest:
                    changed.append(ValidRow(username, record_key, "SUMMARY", summary, digest))
        _write(changed, batch_size)
        written += len(changed)
    return written
