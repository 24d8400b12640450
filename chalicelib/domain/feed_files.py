"""The agency's feed files (tệp dữ liệu từ hệ thống nghiệp vụ): what a file is, where its rows start and end.

A feed file lives at `feeds/<kind>/<any name>.csv|.jsonl[.gz]` in the feed bucket. It is cut into chunks
of whole records by byte offset; a record ends at a newline, except inside a quoted CSV field (a field may
hold a newline). A row is a record that is not an empty line (CSV: nothing but the line ending; JSON Lines:
nothing but white space), numbered from 1 across the whole file, the CSV header not counted — the same
numbers `record_loader.read_file` gives, so a rejects report and the direct loader agree.

Every function here is pure: bytes in, values out. The S3 and SQS work is in services/feed_splitter.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.domain.record_rows import KINDS, MALFORMED, json_line_row

PREFIX = "feeds/"
BOM = b"\xef\xbb\xbf"
FORMATS = ("csv", "jsonl")
OP_UPSERT, OP_DELETE = "U", "D"
MODE_LOAD, MODE_IMPORT = "load", "import"  # object metadata `load-mode`: write the table, or convert for ImportTable
_BAD_TEXT = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


class FeedFileError(ValueError):
    """The file cannot be loaded at all (wrong place, wrong kind, wrong format): the load fails."""


@dataclass(frozen=True)
class FeedFile:
    kind: str
    format: str  # csv | jsonl
    gzip: bool


def parse_key(key: str) -> FeedFile:
    """`feeds/contribution/2026-11/part-001.csv.gz` → contribution, csv, gzip."""
    if not key.startswith(PREFIX):
        raise FeedFileError(f"feed files live under {PREFIX}<kind>/")
    parts = key[len(PREFIX):].split("/")
    if len(parts) < 2 or not parts[-1]:
        raise FeedFileError(f"expected {PREFIX}<kind>/<file>")
    kind = parts[0]
    if kind not in KINDS:
        raise FeedFileError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
    name = parts[-1].lower()
    gzip = name.endswith(".gz")
    if gzip:
        name = name[:-3]
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in FORMATS:
        raise FeedFileError("expected a .csv or .jsonl file, optionally .gz")
    return FeedFile(kind, suffix, gzip)


def load_id_of(bucket: str, key: str, etag: str, mode: str = MODE_LOAD) -> str:
    """One load per file content at one place: the same upload seen twice is the same load. A conversion
    for ImportTable (`mode` import) of the same bytes is another load, so it never finds a table load's record."""
    name = key if mode == MODE_LOAD else f"{key}\n{mode}"
    digest = hashlib.sha256(f"{bucket}\n{name}\n{etag.strip(chr(34))}".encode()).hexdigest()
    return digest[:24]


def load_mode(metadata: dict[str, str]) -> str:
    """The file's `load-mode` metadata: `load` (default) writes the table, `import` converts the rows to
    DynamoDB JSON for ImportTable (the first national load of a new table)."""
    mode = (metadata.get("load-mode") or MODE_LOAD).strip().lower()
    if mode not in (MODE_LOAD, MODE_IMPORT):
        raise FeedFileError("the load-mode metadata must be load or import")
    return mode


_BATCH = re.compile(r"[A-Za-z0-9._-]{1,64}")


def import_batch(metadata: dict[str, str], load_id: str) -> str:
    """The `import-batch` metadata: the files converted into one new table (several files of one national
    extract convert in parallel, and one ImportTable reads them all); a file alone is a batch of its own."""
    batch = (metadata.get("import-batch") or load_id).strip()
    if not _BATCH.fullmatch(batch):
        raise FeedFileError("the import-batch metadata must be 1 to 64 letters, digits, '.', '_' or '-'")
    return batch


def import_prefix(batch: str) -> str:
    """Where the conversions of a batch write their DynamoDB JSON parts: ImportTable reads every object under it."""
    return f"imports/{batch}/"


def normalise_version(value: Any) -> str | None:
    """A source version — an ISO date or date-time — as a UTC string that sorts as time does; None if it is
    not one. A date is its midnight UTC; a date-time without a zone is taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            else:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------------------------- records


def iter_records(pieces: Iterable[bytes], csv_quotes: bool) -> Iterator[tuple[int, bytes]]:
    """(offset, record bytes with their line ending) from a stream of byte pieces of any size.

    Memory holds one piece and one record. With `csv_quotes`, a newline inside a quoted field does not end
    the record: a record ends at a newline where the count of `"` since its start is even (RFC 4180 writes
    a quote inside a field as two quotes, which keeps the count's parity)."""
    offset = 0
    record = bytearray()
    quotes = 0
    for piece in pieces:
        start = 0
        while True:
            newline = piece.find(b"\n", start)
            if newline < 0:
                rest = piece[start:]
                record += rest
                if csv_quotes:
                    quotes += rest.count(b'"')
                break
            line = piece[start:newline + 1]
            record += line
            start = newline + 1
            if csv_quotes:
                quotes += line.count(b'"')
                if quotes % 2:
                    continue  # inside a quoted field: the newline is part of it
            yield offset, bytes(record)
            offset += len(record)
            record.clear()
            quotes = 0
    if record:
        yield offset, bytes(record)


def is_row(record: bytes, fmt: str) -> bool:
    """Whether a record counts as a row (an empty line does not)."""
    return bool(record.strip()) if fmt == "jsonl" else bool(record.rstrip(b"\r\n"))


def csv_header(record: bytes) -> list[str]:
    """The column names of a CSV header record (BOM already removed)."""
    text = record.decode("utf-8")
    names = next(csv.reader(io.StringIO(text, newline="")), [])
    return [name.strip() for name in names]


@dataclass(frozen=True)
class Chunk:
    number: int  # 1-based
    start: int  # byte offsets in the (decompressed) file, end excluded
    end: int
    first_row: int  # the file's row number of the chunk's first row
    rows: int


class ChunkPlanner:
    """Groups records into chunks of about `chunk_bytes` (never splitting a record). Feed it with `add`;
    it returns a finished chunk when the current one has reached its size; `close` returns the last one."""

    def __init__(self, chunk_bytes: int, fmt: str) -> None:
        self.chunk_bytes = max(1, chunk_bytes)
        self.fmt = fmt
        self.number = 0
        self.rows_before = 0
        self._start: int | None = None
        self._end = 0
        self._rows = 0

    def add(self, offset: int, record: bytes) -> Chunk | None:
        if self._start is None:
            self._start = offset
        self._end = offset + len(record)
        self._rows += is_row(record, self.fmt)
        if self._end - self._start >= self.chunk_bytes:
            return self._cut()
        return None

    def close(self) -> Chunk | None:
        return self._cut() if self._start is not None and self._rows else None

    def _cut(self) -> Chunk:
        assert self._start is not None
        self.number += 1
        chunk = Chunk(self.number, self._start, self._end, self.rows_before + 1, self._rows)
        self.rows_before += self._rows
        self._start, self._rows = None, 0
        return chunk


# ----------------------------------------------------------------------------------------------- rows


def chunk_rows(fmt: str, header: list[str] | None, data: bytes) -> Iterator[dict[str, Any]]:
    """The rows of one chunk's bytes, in order; a line that cannot be read becomes a row validation rejects."""
    if fmt == "jsonl":
        for line in data.split(b"\n"):
            if line.strip():
                yield json_line_row(line)
        return
    names = header or []
    text = data.decode("utf-8", "surrogateescape")
    for values in csv.reader(io.StringIO(text, newline="")):
        if not values:
            continue
        if any(_BAD_TEXT.search(value) for value in values):
            yield {MALFORMED: True}
            continue
        yield {name: value for name, value in zip(names, values, strict=False) if name}


def op_of(row: dict[str, Any]) -> str | None:
    """What the row asks for: U (insert or correct: the default) or D (delete); None if `op` is not one."""
    raw = row.get("op")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return OP_UPSERT
    value = str(raw).strip().upper()
    return value if value in (OP_UPSERT, OP_DELETE) else None


def deleted_flag(row: dict[str, Any]) -> bool:
    """JSON Lines may say `"deleted": true` instead of `"op": "D"`."""
    value = row.get("deleted")
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"))


@dataclass(frozen=True)
class Precedence:
    """Which of two writes of one record wins, whatever order they arrive in: the newer source version; at
    the same version a delete; then the greater content hash (arbitrary, but the same on every run)."""

    version: str
    op: str
    content_hash: str

    def key(self) -> tuple[str, int, str]:
        return self.version, 1 if self.op == OP_DELETE else 0, self.content_hash
