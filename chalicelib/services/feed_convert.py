"""The conversion mode of the feed (chuyển đổi cho lần nạp đầu): a chunk's rows as DynamoDB JSON for ImportTable.

For the first national load of a new table, a file uploaded with the object metadata `load-mode: import`
is split as any feed file, and each chunk worker validates its rows exactly as the loading worker does
(feed_writes.choose: today's row rules, the file's or the row's version, one winner per record in the chunk)
but, instead of writing the table, writes the items it would have written — `feed_writes.stored_item`, the
direct loader's item plus `source_version` and `loaded_by` — as one gzip object of DynamoDB JSON Lines,
`imports/<batch>/<load id>-<chunk>.json.gz` (`{"Item": {...typed attributes...}}` a line), the format
ImportTable calls DYNAMODB_JSON. A chunk done twice writes the same object again (same bytes: gzip
without a time stamp), so redelivery changes nothing. Rejects go to the load's rejects report, as usual.

What a conversion cannot do, because there is no table to read: apply precedence between two chunks that
hold the same record (ImportTable keeps one of them, whichever it reads last), and compute the contribution
totals (`SUMMARY#<scheme>`), which need all of a citizen's periods. docs/FEED.md says what follows.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from typing import Any

from chalicelib.aws import feed_storage
from chalicelib.domain.feed_files import import_prefix
from chalicelib.services.feed_writes import ChunkResult, choose, stored_item


def part_key(batch: str, load_id: str, chunk: int) -> str:
    return f"{import_prefix(batch)}{load_id}-{chunk:07d}.json.gz"


def dynamodb_json_lines(items: Iterable[dict[str, Any]]) -> bytes:
    """ImportTable's DYNAMODB_JSON input: one `{"Item": {...}}` object a line, UTF-8."""
    return "".join(json.dumps({"Item": item}, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for item in items).encode("utf-8")


def convert_rows(bucket: str, batch: str, load_id: str, chunk: int, kind: str,
                 rows: Iterable[tuple[int, dict[str, Any]]], default_version: str) -> ChunkResult:
    """Validate the chunk's rows and write the chosen ones as one DynamoDB JSON part (none if none is left)."""
    result = ChunkResult()
    chosen = choose(kind, rows, default_version, result)
    for c in chosen:
        if c.row is None:
            result.counts.rows_deleted += 1  # a tombstone, so that an older nightly file cannot bring it back
        else:
            result.counts.rows_loaded += 1
    if chosen:
        body = gzip.compress(dynamodb_json_lines(stored_item(load_id, c) for c in chosen), mtime=0)
        feed_storage.put(bucket, part_key(batch, load_id, chunk), body, "application/gzip")
    return result
