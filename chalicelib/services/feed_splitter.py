"""The splitter (bộ chia tệp): an S3 notification in, one SQS message per chunk of the file out.

A plain file is read once, as a stream, to find where its records end (a quoted CSV field may hold a
newline, so a byte offset alone cannot tell); each chunk message names a byte range of the original object,
which its worker reads with a ranged GET. A gzip file cannot be read from the middle, so the splitter
decompresses it once, as a stream, and writes each chunk as a plain object under `loads/<load id>/chunks/`
(expired by the bucket's lifecycle rule); its messages name those objects. Either way memory holds one read
piece and one chunk at most.

The same notification twice (SQS delivers at least once; an upload of the same bytes to the same key) is the
same load: a load that is past splitting is left alone; one whose split was interrupted is split again,
which sends the same chunks again — workers count a chunk once.

A file whose object metadata says `load-mode: import` is a conversion for ImportTable (docs/FEED.md, "First
national load with ImportTable"): split the same way, its chunk messages carry `mode` import.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.aws import feed_storage
from chalicelib.domain.feed_files import (
    BOM,
    MODE_IMPORT,
    MODE_LOAD,
    ChunkPlanner,
    FeedFile,
    FeedFileError,
    csv_header,
    import_batch,
    load_id_of,
    load_mode,
    normalise_version,
    parse_key,
)
from chalicelib.observability import logger
from chalicelib.services import feed_loads

DEFAULT_CHUNK_BYTES = 1024 * 1024
DEFAULT_IMPORT_CHUNK_BYTES = 64 * 1024 * 1024  # ImportTable reads at most 50,000 objects: one part a chunk


def chunk_bytes(mode: str = MODE_LOAD) -> int:
    if mode == MODE_IMPORT:
        return int(os.environ.get("FEED_IMPORT_CHUNK_BYTES") or DEFAULT_IMPORT_CHUNK_BYTES)
    return int(os.environ.get("FEED_CHUNK_BYTES") or DEFAULT_CHUNK_BYTES)


def handle_notification(body: str) -> list[str]:
    """An S3 event notification (as SQS delivers it): split each new file under feeds/. Returns load ids."""
    event = json.loads(body)
    loads = []
    for record in event.get("Records", []) if isinstance(event, dict) else []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith("feeds/"):
            load_id = split_file(bucket, key)
            if load_id:
                loads.append(load_id)
    return loads  # s3:TestEvent and anything else carry no Records: nothing to do


def split_file(bucket: str, key: str) -> str | None:
    found = feed_storage.head(bucket, key)
    if found is None:
        logger.info("feed file gone before it was split")
        return None
    try:
        mode = load_mode(found["metadata"])
    except FeedFileError:
        mode = "invalid"  # a load of its own, failed below with the reason
    load_id = load_id_of(bucket, key, found["etag"], mode)
    common = {"bucket": bucket, "key": key, "etag": found["etag"], "size": found["size"],
              "mode": mode if mode == MODE_IMPORT else None}
    try:
        load_mode(found["metadata"])
        batch = import_batch(found["metadata"], load_id) if mode == MODE_IMPORT else None
        feed = parse_key(key)
        given = found["metadata"].get("as-of")
        version = normalise_version(given) if given else normalise_version(found["last_modified"])
        if version is None:
            raise FeedFileError("the as-of metadata must be an ISO date or date-time")
    except FeedFileError as exc:
        feed_loads.start(load_id, **common)
        feed_loads.fail(load_id, str(exc))
        return load_id
    load = feed_loads.start(load_id, kind=feed.kind, format=feed.format, gzip=int(feed.gzip), source_version=version,
                            import_batch=batch, **common)
    if load.status != feed_loads.SPLITTING:
        logger.info("feed file already split", extra={"load_id": load_id, "status": load.status})
        return load_id
    try:
        chunks, rows = _split(load_id, bucket, key, found["etag"], feed, load.source_version or version, mode,
                              load.import_batch)
    except FeedFileError as exc:
        feed_loads.fail(load_id, str(exc))
        return load_id
    except feed_storage.FileReplacedError:
        feed_loads.fail(load_id, "the file was replaced or deleted while it was being split")
        return load_id
    feed_loads.split_done(load_id, chunks, rows)
    logger.info("feed file split", extra={"load_id": load_id, "chunks": chunks, "rows": rows})
    feed_loads.finish_if_complete(load_id)  # an empty file, or workers that were quicker than this line
    return load_id


def _gunzip(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress a gzip stream piece by piece (several members, as `cat a.gz b.gz` makes, are one file)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        for piece in pieces:
            while piece:
                out = inflater.decompress(piece, feed_storage.PIECE_BYTES)
                if out:
                    yield out
                piece = inflater.unconsumed_tail or inflater.unused_data
                if inflater.eof and piece:
                    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        yield inflater.flush()
    except zlib.error as exc:
        raise FeedFileError(f"not a readable gzip file ({exc})") from None


def _split(load_id: str, bucket: str, key: str, etag: str, feed: FeedFile, version: str,
           mode: str, batch: str | None) -> tuple[int, int]:
    from chalicelib.domain.feed_files import iter_records

    pieces: Iterable[bytes] = feed_storage.stream(bucket, key, etag)
    if feed.gzip:
        pieces = _gunzip(pieces)
    planner = ChunkPlanner(chunk_bytes(mode), feed.format)
    queue = feed_storage.ChunkQueue()
    header: list[str] | None = None
    held = bytearray()  # gzip only: the decompressed bytes of the chunk being cut
    base = {"load_id": load_id, "kind": feed.kind, "format": feed.format, "version": version, "mode": mode,
            "batch": batch}

    def emit(chunk: Any) -> None:
        if feed.gzip:
            chunk_key = f"loads/{load_id}/chunks/{chunk.number:07d}.{feed.format}"
            body = bytes(held)
            held.clear()
            feed_storage.put(bucket, chunk_key, body)
            where = {"bucket": bucket, "key": chunk_key, "etag": None, "start": 0, "end": len(body)}
        else:
            where = {"bucket": bucket, "key": key, "etag": etag, "start": chunk.start, "end": chunk.end}
        queue.send({**base, **where, "chunk": chunk.number, "first_row": chunk.first_row, "rows": chunk.rows,
                    "header": header})

    first = True
    for offset, record in iter_records(pieces, csv_quotes=feed.format == "csv"):
        if first:
            first = False
            if record.startswith(BOM):
                record, offset = record[len(BOM):], offset + len(BOM)
            if feed.format == "csv":
                try:
                    header = csv_header(record)
                except UnicodeDecodeError:
                    raise FeedFileError("the CSV header is not UTF-8 text") from None
                if not any(header):
                    raise FeedFileError("the CSV file has no header row")
                continue
        if feed.gzip:
            held.extend(record)
        chunk = planner.add(offset, record)
        if chunk is not None:
            emit(chunk)
    last = planner.close()
    if last is not None:
        emit(last)
    queue.flush()
    return planner.number, planner.rows_before
