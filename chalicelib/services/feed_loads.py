"""The load record: what the operations staff see of a feed load, kept exact under redelivery.

- `start` creates it once per load id (a notification seen twice finds it and goes on from where it is);
- `split_done` records how many chunks and rows the file has;
- `count_chunk` adds a chunk's counts and its done-marker in one transaction (ADD on the counters, the marker
  conditional on not existing): a chunk delivered twice is counted once;
- `finish_if_complete` marks the load FINISHED with a conditional write once every chunk is counted — called by
  the splitter and by each worker, so whichever comes last finishes it, and only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.domain.feed_files import MODE_IMPORT, MODE_LOAD, import_prefix
from chalicelib.errors import NotFoundError
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.feed import LOAD, FeedLoad
from chalicelib.observability import logger, metrics
from chalicelib.pagination import Page, decode_token, encode_token, scope_of

SPLITTING, LOADING, FINISHED, FAILED = "SPLITTING", "LOADING", "FINISHED", "FAILED"
COUNTERS = ("rows_loaded", "rows_unchanged", "rows_stale", "rows_deleted", "rows_rejected")


@dataclass
class ChunkCounts:
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_stale: int = 0
    rows_deleted: int = 0
    rows_rejected: int = 0


def get(load_id: str) -> FeedLoad | None:
    try:
        return FeedLoad.get(load_id, LOAD, consistent_read=True)
    except FeedLoad.DoesNotExist:
        return None


def start(load_id: str, **fields: Any) -> FeedLoad:
    """The load, created in SPLITTING if it did not exist yet."""
    now = clock.iso(clock.now())
    load = FeedLoad(load_id, LOAD, list_key=LOAD, started_at=now, status=SPLITTING, **fields)
    try:
        load.save(condition=FeedLoad.load_id.does_not_exist())
        logger.info("feed load started", extra={"load_id": load_id, "kind": fields.get("kind")})
        return load
    except PutError as exc:
        if not condition_failed(exc):
            raise
    existing = get(load_id)
    assert existing is not None  # it was there a moment ago; loads are never deleted
    return existing


def fail(load_id: str, reason: str) -> None:
    """A file that cannot be loaded at all: the load ends FAILED with the reason (no row data in it)."""
    load = FeedLoad(load_id, LOAD)
    try:
        load.update(actions=[FeedLoad.status.set(FAILED), FeedLoad.failure.set(reason[:300]),
                             FeedLoad.finished_at.set(clock.iso(clock.now()))],
                    condition=FeedLoad.status.is_in(SPLITTING, LOADING))
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return
    metrics.add_metric(name="FeedLoadFailed", unit="Count", value=1)
    logger.warning("feed load failed", extra={"load_id": load_id, "reason": reason[:300]})


def split_done(load_id: str, chunks: int, rows: int) -> None:
    """The file is cut: `chunks` messages are on the queue. A second split of the same file finds the same."""
    load = FeedLoad(load_id, LOAD)
    try:
        load.update(actions=[FeedLoad.chunks_total.set(chunks), FeedLoad.rows_total.set(rows),
                             FeedLoad.status.set(LOADING)],
                    condition=FeedLoad.status == SPLITTING)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def count_chunk(load_id: str, chunk: int, counts: ChunkCounts) -> bool:
    """Add one chunk's counts to the load, once. False when the chunk was counted before."""
    load = FeedLoad(load_id, LOAD)
    marker = FeedLoad(load_id, f"CHUNK#{chunk:07d}", finished_at=clock.iso(clock.now()))
    actions = [FeedLoad.chunks_done.add(1)] + [
        getattr(FeedLoad, name).add(getattr(counts, name)) for name in COUNTERS if getattr(counts, name)]
    try:
        with transaction() as write:
            write.save(marker, condition=FeedLoad.load_id.does_not_exist())
            write.update(load, actions=actions, condition=FeedLoad.load_id.exists())
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    if counts.rows_rejected:
        metrics.add_metric(name="FeedRowsRejected", unit="Count", value=counts.rows_rejected)
    return True


def finish_if_complete(load_id: str) -> bool:
    """FINISHED once every chunk is counted (a conditional write: only one caller finishes it)."""
    load = get(load_id)
    if load is None or load.status != LOADING or load.chunks_total is None or load.chunks_done < load.chunks_total:
        return False
    try:
        load.update(actions=[FeedLoad.status.set(FINISHED), FeedLoad.finished_at.set(clock.iso(clock.now()))],
                    condition=(FeedLoad.status == LOADING) & (FeedLoad.chunks_done == load.chunks_total))
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    logger.info("feed load finished", extra={"load_id": load_id, "chunks": load.chunks_total,
                                             "rejected": load.rows_rejected})
    return True


# ------------------------------------------------------------------------------------------ the API


def as_api(load: FeedLoad) -> dict[str, Any]:
    return {
        "load_id": load.load_id, "status": load.status, "kind": load.kind, "file": f"s3://{load.bucket}/{load.key}",
        "format": load.format, "gzip": bool(load.gzip), "size_bytes": load.size, "source_version": load.source_version,
        "chunks_total": load.chunks_total, "chunks_done": load.chunks_done, "rows_total": load.rows_total,
        "rows_loaded": load.rows_loaded, "rows_unchanged": load.rows_unchanged, "rows_stale": load.rows_stale,
        "rows_deleted": load.rows_deleted, "rows_rejected": load.rows_rejected,
        "rejects_report": f"s3://{load.bucket}/{rejects_prefix(load.load_id)}" if load.rows_rejected else None,
        "failure": load.failure, "started_at": load.started_at, "finished_at": load.finished_at,
        "mode": load.mode or MODE_LOAD,
        "import_prefix": (f"s3://{load.bucket}/{import_prefix(load.import_batch or load.load_id)}"
                          if load.mode == MODE_IMPORT else None),
    }


def rejects_prefix(load_id: str) -> str:
    return f"reports/{load_id}/rejects/"


def describe(load_id: str) -> dict[str, Any]:
    load = get(load_id) if 1 <= len(load_id) <= 64 else None
    if load is None:
        raise NotFoundError("No such load.", "Không có lượt nạp dữ liệu này.")
    return as_api(load)


def recent(limit: int, next_token: str | None) -> Page:
    scope = scope_of("feed-loads")
    result = FeedLoad.by_start.query(LOAD, limit=limit, scan_index_forward=False,
                                     last_evaluated_key=decode_token(next_token, scope))
    items = [as_api(load) for load in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key, scope))
