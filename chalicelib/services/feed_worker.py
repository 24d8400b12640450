"""The worker (bộ nạp): one chunk message in, its rows validated and applied, its counts added once.

Order of work, so that a worker killed at any line leaves something a redelivery completes exactly:
1. read the chunk (a ranged GET), validate with today's row rules (domain/record_rows.py);
2. apply the rows (services/feed_writes.py: conditional, idempotent) — or, for a conversion (`mode` import),
   write them as a DynamoDB JSON part for ImportTable (services/feed_convert.py);
3. contribution totals (`SUMMARY#<scheme>`) of the citizens whose periods changed, recomputed until stable;
4. the rejects of this chunk written to `reports/<load id>/rejects/<chunk>.jsonl` (row numbers and reasons,
   never the row's values);
5. the chunk's counts and its done-marker in one transaction (feed_loads.count_chunk), then the load is
   finished if this was its last chunk.
An exception anywhere leaves the message on the queue: SQS delivers it again, and after the queue's
maxReceiveCount it goes to the dead-letter queue (an alarm watches it).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.aws import feed_storage
from chalicelib.domain.feed_files import MODE_IMPORT, chunk_rows
from chalicelib.models.records import InsuranceRecord
from chalicelib.observability import logger
from chalicelib.services import feed_loads
from chalicelib.services.feed_convert import convert_rows
from chalicelib.services.feed_writes import ChunkResult, apply_rows
from chalicelib.services.record_loader import refresh_summaries

STABLE_TRIES = 4


def load_chunk(body: str) -> str:
    """Handle one chunk message; returns what happened (for the local consumer's log and the tests)."""
    message: dict[str, Any] = json.loads(body)
    load_id, chunk = message["load_id"], int(message["chunk"])
    load = feed_loads.get(load_id)
    if load is None:
        logger.warning("chunk of an unknown load dropped", extra={"load_id": load_id, "chunk": chunk})
        return "unknown load"
    if load.status in (feed_loads.FINISHED, feed_loads.FAILED):
        return f"load {load.status.lower()}"
    try:
        data = feed_storage.read_range(message["bucket"], message["key"], message.get("etag"),
                                       int(message["start"]), int(message["end"]))
    except feed_storage.FileReplacedError:
        feed_loads.fail(load_id, "the file was replaced or deleted while it was being loaded")
        return "file replaced"
    first_row = int(message["first_row"])
    rows = list(enumerate(chunk_rows(message["format"], message.get("header"), data), start=first_row))
    if len(rows) != int(message.get("rows", len(rows))):
        logger.warning("chunk row count differs from the split", extra={"load_id": load_id, "chunk": chunk})
    if message.get("mode") == MODE_IMPORT:  # a first load: DynamoDB JSON for ImportTable, the table untouched
        result = convert_rows(message["bucket"], message.get("batch") or load_id, load_id, chunk, message["kind"],
                              rows, message["version"])
    else:
        result = apply_rows(load_id, message["kind"], rows, message["version"])
        if message["kind"] == "contribution":
            refresh_until_stable({pair for pair in result.touched if pair[1]})
    if result.rejected:
        _write_rejects(message["bucket"], load_id, chunk, result)
    counted = feed_loads.count_chunk(load_id, chunk, result.counts)
    feed_loads.finish_if_complete(load_id)
    logger.info("feed chunk loaded", extra={"load_id": load_id, "chunk": chunk, "rows": len(rows),
                                            "rejected": result.counts.rows_rejected, "counted": counted})
    return "loaded" if counted else "already counted"


def _write_rejects(bucket: str, load_id: str, chunk: int, result: ChunkResult) -> None:
    lines = [json.dumps({"row": r.row_number, "fields": r.fields, "fields_vi": r.fields_vi}, ensure_ascii=False)
             for r in result.rejected]
    key = f"{feed_loads.rejects_prefix(load_id)}{chunk:07d}.jsonl"
    feed_storage.put(bucket, key, ("\n".join(lines) + "\n").encode("utf-8"), "application/x-ndjson")


def _periods(citizens: list[str]) -> dict[str, frozenset[str]]:
    """Each citizen's contribution periods as stored now (their hashes), read consistently."""
    found = {}
    for username in citizens:
        found[username] = frozenset(
            item.source_hash for item in InsuranceRecord.query(
                username, InsuranceRecord.record_key.startswith("CONTRIBUTION#"), consistent_read=True,
                attributes_to_get=["source_hash"]))
    return found


def refresh_until_stable(pairs: set[tuple[str, str]]) -> None:
    """Recompute the totals; if another worker changed one of these citizens' periods while we computed,
    compute again (a worker computing from an older view could otherwise write its totals last)."""
    if not pairs:
        return
    citizens = sorted({username for username, _ in pairs})
    for _ in range(STABLE_TRIES):
        before = _periods(citizens)
        refresh_summaries(pairs)
        if _periods(citizens) == before:
            return
    logger.warning("contribution totals still moving; the next load of these citizens recomputes them")
