"""Bulk loading of the public directory: offices (the searchable copy), clinics, employers, collection
points, news and FAQ entries — the same way as the insurance records (`record_loader`).

`load_directory` validates every row first (`domain.directory_rows`): a bad row is reported by its number,
in English and Vietnamese, and never written; a second row with the same code is a duplicate (the first
counts). The good rows are compared, 100 at a time, with what is stored (BatchGetItem, by `source_hash`):
unchanged rows write nothing, so loading a file twice writes nothing the second time.

For a new or changed searchable row, its `SearchTerm` items are written first and the terms the stored
version had but the new one has not (a renamed clinic, a corrected tax code) are deleted; the
`DirectoryItem` is written last. Its hash is what marks the row as done, so a run that stopped half-way is
finished by running it again. (Search re-checks each hit against the item itself, so a term left behind
for any reason never shows a wrong result.) Rows missing from a file are not deleted.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.domain.directory_rows import (
    COLLECTIONS,
    SEARCHABLE,
    DirectoryRow,
    item_terms,
    validate_directory_row,
)
from chalicelib.domain.record_rows import MALFORMED, RowInvalid
from chalicelib.models.directory import DirectoryItem, SearchTerm
from chalicelib.models.reference import Province
from chalicelib.services.record_loader import RejectedRow, read_file

READ_CHUNK = 100  # BatchGetItem reads at most 100 keys a call

FILES = {
    "OFFICE": "offices.json",
    "FACILITY": "facilities.jsonl",
    "EMPLOYER": "employers.jsonl",
    "COLLECTION_POINT": "collection_points.jsonl",
    "NEWS": "news.jsonl",
    "FAQ": "faq.jsonl",
}


@dataclass
class DirectoryLoadReport:
    collection: str
    read: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    terms_written: int = 0
    terms_deleted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def province_codes() -> set[str]:
    """The provinces rows may name: one Query of the Province table's single partition."""
    return {p.province_code for p in Province.query("VN")}


def load_directory(collection: str, rows: Iterable[dict[str, Any]],
                   provinces: Collection[str] | None = None) -> DirectoryLoadReport:
    """Validate every row, then write the new and changed ones with their search terms."""
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}; expected one of {', '.join(COLLECTIONS)}")
    report = DirectoryLoadReport(collection=collection)
    valid = _validate_all(collection, rows, province_codes() if provinces is None else provinces, report)
    report.valid = len(valid)
    for start in range(0, len(valid), READ_CHUNK):
        chunk = valid[start:start + READ_CHUNK]
        stored = {item.item_key: item for item in DirectoryItem.batch_get([row.item_key for row in chunk])}
        changed: list[tuple[DirectoryRow, DirectoryItem | None]] = []
        for row in chunk:
            previous = stored.get(row.item_key)
            if previous is not None and previous.source_hash == row.source_hash:
                report.unchanged += 1
                continue
            if previous is None:
                report.created += 1
            else:
                report.updated += 1
            changed.append((row, previous))
        if collection in SEARCHABLE:
            _write_terms(changed, report)
        _write_items([row for row, _ in changed])
    return report


def load_reference_directory(data_dir: Path) -> dict[str, DirectoryLoadReport]:
    """Load the six directory files of `data_dir` (data/reference): collection → report."""
    provinces = province_codes()
    reports = {}
    for collection, name in FILES.items():
        path = Path(data_dir) / name
        rows = _read_json_array(path) if path.suffix == ".json" else read_file(path)
        reports[collection] = load_directory(collection, rows, provinces)
    return reports


def _read_json_array(path: Path) -> list[dict[str, Any]]:
    value = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(value, list):
        raise ValueError(f"{path}: expected a JSON array of objects")
    return [row if isinstance(row, dict) else {MALFORMED: True} for row in value]


def _validate_all(collection: str, rows: Iterable[dict[str, Any]], provinces: Collection[str],
                  report: DirectoryLoadReport) -> list[DirectoryRow]:
    valid: list[DirectoryRow] = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        report.read += 1
        try:
            checked = validate_directory_row(collection, row, provinces)
        except RowInvalid as exc:
            report.rejected.append(RejectedRow(number, exc.fields, exc.fields_vi))
            continue
        if checked.item_key in first_row_of:
            first = first_row_of[checked.item_key]
            report.rejected.append(RejectedRow(number, {"_row": f"duplicate of row {first}"},
                                               {"_row": f"trùng với dòng {first}"}))
            continue
        first_row_of[checked.item_key] = number
        valid.append(checked)
    return valid


def _write_terms(changed: list[tuple[DirectoryRow, DirectoryItem | None]], report: DirectoryLoadReport) -> None:
    with SearchTerm.batch_write() as batch:  # sends every 25 items, retries unprocessed ones
        for row, previous in changed:
            if previous is not None:
                old_terms = item_terms(previous.collection, previous.fields.as_dict())
                for term in sorted(old_terms - row.terms):
                    batch.delete(SearchTerm(term, row.item_key))
                    report.terms_deleted += 1
            for term in sorted(row.terms):
                batch.save(SearchTerm(term, row.item_key, name_norm=row.match_text or "",
                                      province_code=row.province_code))
                report.terms_written += 1


def _write_items(rows: list[DirectoryRow]) -> None:
    with DirectoryItem.batch_write() as batch:
        for row in rows:
            batch.save(DirectoryItem(row.item_key, collection=row.collection, list_key=row.list_key,
                                     sort_key=row.sort_key, geo_cell=row.geo_cell, lat=row.lat, lon=row.lon,
                                     fields=row.fields, source_hash=row.source_hash))
