"""Applying one chunk's rows to the records table so that the result does not depend on order or repetition.

Every stored record carries `source_version` (the source's version of it: the file's as-of time, or the
row's own `as_of`) and every write is conditional on it, so an older file never overwrites newer data, in
whatever order files, chunks and redeliveries arrive. Of two writes of one record the winner is fixed by
`Precedence` (newer version; at the same version a delete; then the greater content hash), so two files
with the same rows in another order leave the same table.

Why PutItem with a condition and not BatchWriteItem: BatchWriteItem cannot carry a condition, and an
unconditional batch lets an older file that read the table before a newer one wrote it overwrite the newer
row. Each conditional PutItem costs the same write units as its item in a batch; the worker issues them
from a small thread pool (FEED_WRITE_THREADS) so the number of calls is not the limit. Throttling is retried
with exponential back-off and jitter: it slows the chunk, it never drops a row (after the last try the
chunk fails and SQS delivers it again).

A delete (`op` D, or `"deleted": true`) removes the record and leaves a tombstone `DELETED#<record key>`
holding the delete's version (never read by the app: no reader's key prefix matches it), so an older file
cannot bring the record back. The tombstone is written before the record is deleted, and an insert checks
for a tombstone after its write; together that closes the race between a newer delete and an older insert
running at the same moment.

Before writing, a consistent BatchGetItem of each record and its tombstone decides: unchanged (same content,
not older), stale (newer data there), or write. A record written by this very load (`loaded_by`) is counted
as loaded again when a chunk is retried after a crash, so the counts stay exact.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from chalicelib.aws.clients import get_client
from chalicelib.domain.feed_files import OP_DELETE, OP_UPSERT, Precedence, deleted_flag, normalise_version, op_of
from chalicelib.domain.record_rows import RowInvalid, ValidRow, validate_key, validate_row
from chalicelib.models.records import InsuranceRecord
from chalicelib.services.feed_loads import ChunkCounts
from chalicelib.services.record_loader import lookup_keys

TOMBSTONE = "DELETED#"
READ_BATCH = 50  # rows per BatchGetItem: each row reads its record and its tombstone (100 keys, the limit)
MAX_TRIES = 8
RETRYABLE = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                       "InternalServerError", "ServiceUnavailable", "TransactionConflictException", "Throttling"})


def _table() -> str:
    return InsuranceRecord.Meta.table_name


def _threads() -> int:
    return max(1, int(os.environ.get("FEED_WRITE_THREADS") or 8))


def _backoff(attempt: int) -> None:
    base = float(os.environ.get("FEED_BACKOFF_SECONDS") or 0.05)
    if base > 0:
        time.sleep(random.uniform(0, min(5.0, base * 2 ** attempt)))  # noqa: S311 - jitter, not a secret


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def with_retries(call: Callable[..., Any], **kwargs: Any) -> Any:
    """`call(**kwargs)`, retried with back-off on throttling and DynamoDB's transient errors."""
    from botocore.exceptions import ClientError

    for attempt in range(MAX_TRIES):
        try:
            return call(**kwargs)
        except ClientError as exc:
            if _error_code(exc) not in RETRYABLE or attempt == MAX_TRIES - 1:
                raise
            from chalicelib.observability import metrics

            metrics.add_metric(name="FeedWriteThrottled", unit="Count", value=1)
            _backoff(attempt)
    raise AssertionError("unreachable")


@dataclass
class Candidate:
    number: int
    op: str
    version: str
    username: str
    record_key: str
    row: ValidRow | None  # None for a delete
    content_hash: str

    @property
    def precedence(self) -> tuple[str, int, str]:
        return Precedence(self.version, self.op, self.content_hash).key()

    @property
    def key(self) -> tuple[str, str]:
        return self.username, self.record_key


@dataclass
class Rejected:
    row_number: int
    fields: dict[str, str]
    fields_vi: dict[str, str]


@dataclass
class ChunkResult:
    counts: ChunkCounts = field(default_factory=ChunkCounts)
    rejected: list[Rejected] = field(default_factory=list)
    touched: set[tuple[str, str]] = field(default_factory=set)  # (citizen, scheme) whose periods changed


def candidate(kind: str, number: int, row: dict[str, Any], default_version: str) -> Candidate:
    """What one row asks for, validated; RowInvalid otherwise."""
    op = OP_DELETE if isinstance(row, dict) and deleted_flag(row) else (op_of(row) if isinstance(row, dict) else None)
    problems: dict[str, str] = {}
    problems_vi: dict[str, str] = {}
    if op is None and isinstance(row, dict):
        problems["op"] = "must be U (insert or correct) or D (delete)"
        problems_vi["op"] = "phải là U (thêm/sửa) hoặc D (xoá)"
    version = default_version
    raw_version = row.get("as_of") if isinstance(row, dict) else None
    if raw_version not in (None, ""):
        version = normalise_version(raw_version) or ""
        if not version:
            problems["as_of"], problems_vi["as_of"] = ("must be an ISO date or date-time",
                                                       "phải là ngày hoặc ngày giờ theo ISO 8601")
    try:
        if op == OP_DELETE:
            username, record_key = validate_key(kind, row)
            valid = None
        else:
            valid = validate_row(kind, row)
            username, record_key = valid.username, valid.record_key
    except RowInvalid as exc:
        raise RowInvalid({**exc.fields, **problems}, {**exc.fields_vi, **problems_vi}) from None
    if problems:
        raise RowInvalid(problems, problems_vi)
    return Candidate(number, op or OP_UPSERT, version, username, record_key, valid,
                     valid.source_hash if valid else "")


def apply_rows(load_id: str, kind: str, rows: Iterable[tuple[int, dict[str, Any]]],
               default_version: str) -> ChunkResult:
    result = ChunkResult()
    chosen = choose(kind, rows, default_version, result)
    for start in range(0, len(chosen), READ_BATCH):
        _apply_batch(load_id, chosen[start:start + READ_BATCH], result)
    return result


def choose(kind: str, rows: Iterable[tuple[int, dict[str, Any]]], default_version: str,
           result: ChunkResult) -> list[Candidate]:
    """The chunk's rows validated (rejects counted in `result`), one candidate per record: of the same record
    twice in the chunk, the one with precedence (the other counts as stale)."""
    best: dict[tuple[str, str], Candidate] = {}
    for number, row in rows:
        try:
            found = candidate(kind, number, row, default_version)
        except RowInvalid as exc:
            result.rejected.append(Rejected(number, exc.fields, exc.fields_vi))
            result.counts.rows_rejected += 1
            continue
        other = best.get(found.key)
        if other is not None:
            result.counts.rows_stale += 1  # the same record twice in the file: one of them wins, by precedence
            if other.precedence >= found.precedence:
                continue
        best[found.key] = found
    return list(best.values())


# ------------------------------------------------------------------------------------------- reading


def _read(keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Consistent BatchGetItem: key → the stored version, hash, loaded_by (missing keys absent)."""
    client = get_client("dynamodb")
    table = _table()
    request = {table: {"Keys": [{"username": {"S": u}, "record_key": {"S": k}} for u, k in keys],
                       "ConsistentRead": True,
                       "ProjectionExpression": "username, record_key, source_hash, source_version, loaded_by"}}
    found: dict[tuple[str, str], dict[str, str]] = {}
    attempt = 0
    while request:
        answer = with_retries(client.batch_get_item, RequestItems=request)
        for item in answer.get("Responses", {}).get(table, []):
            found[(item["username"]["S"], item["record_key"]["S"])] = {
                name: item[name]["S"] for name in ("source_hash", "source_version", "loaded_by") if name in item}
        request = answer.get("UnprocessedKeys") or {}
        if request:
            _backoff(attempt)  # DynamoDB kept some keys back (throttling): ask again, slower
            attempt += 1
    return found


# ------------------------------------------------------------------------------------------- writing


def _serialise(value: Any) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer().serialize(value)


def stored_item(load_id: str, c: Candidate) -> dict[str, Any]:
    """The DynamoDB item (typed attributes) an insert or correction is stored as: the direct loader's item
    (record_loader.record_item) plus the feed's `source_version` and `loaded_by`. A tombstone for a delete."""
    if c.row is None:
        item = {"username": c.username, "record_key": TOMBSTONE + c.record_key, "kind": "DELETED", "fields": {},
                "source_hash": "DELETED", "source_version": c.version, "loaded_by": load_id}
    else:
        item = {"username": c.username, "record_key": c.record_key, "kind": c.row.record_kind,
                "fields": c.row.fields, "source_hash": c.content_hash, "source_version": c.version,
                "loaded_by": load_id}
        item.update(lookup_keys(c.row))  # the same look-up keys the direct loader stores
    return {name: _serialise(value) for name, value in item.items()}


def _conditional(operation: str, **request: Any) -> bool:
    """One conditional write of the records table (with the throttling retries); False when its condition
    did not hold — the only refusal a caller expects, every other error goes up."""
    try:
        with_retries(getattr(get_client("dynamodb"), operation), TableName=_table(), **request)
    except Exception as exc:
        if _error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _key(c: Candidate) -> dict[str, Any]:
    return {"username": {"S": c.username}, "record_key": {"S": c.record_key}}


def _put(load_id: str, c: Candidate) -> bool:
    """The conditional put of an insert or correction; False when newer data won meanwhile."""
    assert c.row is not None
    return _conditional(
        "put_item", Item=stored_item(load_id, c),
        ConditionExpression="attribute_not_exists(source_version) OR source_version < :v "
                            "OR (source_version = :v AND source_hash < :h)",
        ExpressionAttributeValues={":v": {"S": c.version}, ":h": {"S": c.content_hash}})


def _bump_version(c: Candidate) -> None:
    """Same content from a newer version: only the version moves (so a file between the two cannot win)."""
    _conditional(
        "update_item", Key=_key(c), UpdateExpression="SET source_version = :v",
        ConditionExpression="source_hash = :h AND (attribute_not_exists(source_version) OR source_version < :v)",
        ExpressionAttributeValues={":v": {"S": c.version}, ":h": {"S": c.content_hash}})


def _delete(load_id: str, c: Candidate) -> bool:
    """Tombstone first, then the record (unless a newer version of it is there); False when it was newer."""
    # A tombstone as new or newer may be there already: deleting the record is still right.
    _conditional("put_item", Item=stored_item(load_id, c),
                 ConditionExpression="attribute_not_exists(source_version) OR source_version < :v",
                 ExpressionAttributeValues={":v": {"S": c.version}})
    return _conditional("delete_item", Key=_key(c),
                        ConditionExpression="attribute_not_exists(source_version) OR source_version <= :v",
                        ExpressionAttributeValues={":v": {"S": c.version}})


def _undo_if_deleted_meanwhile(c: Candidate) -> bool:
    """After an insert: a delete as new or newer may have run in between; remove exactly what we wrote."""
    return _conditional("delete_item", Key=_key(c), ConditionExpression="source_version = :v AND source_hash = :h",
                        ExpressionAttributeValues={":v": {"S": c.version}, ":h": {"S": c.content_hash}})


def _scheme_of(c: Candidate) -> str | None:
    return c.record_key.split("#")[1] if c.record_key.startswith("CONTRIBUTION#") else None


def _apply_batch(load_id: str, batch: list[Candidate], result: ChunkResult) -> None:
    counts = result.counts
    stored = _read([k for c in batch for k in (c.key, (c.username, TOMBSTONE + c.record_key))])
    puts: list[Candidate] = []
    deletes: list[Candidate] = []
    bumps: list[Candidate] = []
    for c in batch:
        record = stored.get(c.key)
        tomb = stored.get((c.username, TOMBSTONE + c.record_key))
        if c.op == OP_UPSERT:
            if tomb and Precedence(tomb["source_version"], OP_DELETE, "").key() > c.precedence:
                counts.rows_stale += 1
            elif record and record.get("source_hash") == c.content_hash:
                if record.get("source_version", "") < c.version:
                    bumps.append(c)
                    counts.rows_unchanged += 1
                elif record.get("loaded_by") == load_id:
                    counts.rows_loaded += 1  # written by an earlier try of this very chunk
                    result.touched.add((c.username, _scheme_of(c) or ""))
                else:
                    counts.rows_unchanged += 1
            elif record and record.get("source_version") and \
                    Precedence(record["source_version"], OP_UPSERT, record.get("source_hash", "")).key() > c.precedence:
                counts.rows_stale += 1
            else:
                puts.append(c)
        else:
            if tomb and tomb["source_version"] >= c.version and not record:
                if tomb.get("loaded_by") == load_id:
                    counts.rows_deleted += 1
                    result.touched.add((c.username, _scheme_of(c) or ""))
                else:
                    counts.rows_unchanged += 1
            elif record and record.get("source_version", "") > c.version:
                counts.rows_stale += 1
            else:
                deletes.append(c)
    outcomes = _run([(lambda c=c: ("put", c, _put(load_id, c))) for c in puts]
                    + [(lambda c=c: ("delete", c, _delete(load_id, c))) for c in deletes]
                    + [(lambda c=c: ("bump", c, _bump_version(c))) for c in bumps])
    written = []
    for what, c, done in outcomes:
        if what == "bump":
            continue
        if not done:
            counts.rows_stale += 1
        elif what == "delete":
            counts.rows_deleted += 1
            result.touched.add((c.username, _scheme_of(c) or ""))
        else:
            written.append(c)
    if written:
        tombs = _read([(c.username, TOMBSTONE + c.record_key) for c in written])
        late = [c for c in written if (t := tombs.get((c.username, TOMBSTONE + c.record_key)))
                and Precedence(t["source_version"], OP_DELETE, "").key() > c.precedence]
        undone = {id(c) for c in late if _undo_if_deleted_meanwhile(c)}
        for c in written:
            if id(c) in undone:
                counts.rows_stale += 1
            else:
                counts.rows_loaded += 1
                result.touched.add((c.username, _scheme_of(c) or ""))


def _run(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run the writes, a few at a time; the first failure is raised (the chunk is then retried whole)."""
    threads = _threads()
    if threads == 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=min(threads, len(tasks))) as pool:
        return list(pool.map(lambda task: task(), tasks))
