"""S3 and SQS for the feed: stream a file, read a byte range, write chunk objects and reports, queue chunks.

Every read of the agency's file names its ETag (`IfMatch`): a file replaced while it is being loaded fails
the read (`FileReplacedError`) instead of mixing two files' rows. Names come from the environment that
infra/package.py and local/bootstrap.py give every function.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from chalicelib.aws.clients import get_client

PIECE_BYTES = 1024 * 1024  # what one read of the stream returns at most


class FileReplacedError(RuntimeError):
    """The object changed (another upload at the same key) since its load started."""


def feed_bucket() -> str:
    return os.environ.get("FEED_BUCKET", "vssid-feeds")


def _replaced(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        "PreconditionFailed", "412", "NoSuchKey", "404")


def head(bucket: str, key: str) -> dict[str, Any] | None:
    """ETag, size, last-modified time and user metadata; None when the object is gone."""
    try:
        found = get_client("s3").head_object(Bucket=bucket, Key=key)
    except Exception as exc:  # noqa: BLE001 - only "not there" is an answer; anything else is re-raised
        if _replaced(exc):
            return None
        raise
    return {"etag": found["ETag"].strip('"'), "size": found["ContentLength"], "last_modified": found["LastModified"],
            "metadata": {k.lower(): v for k, v in found.get("Metadata", {}).items()}}


def stream(bucket: str, key: str, etag: str) -> Iterator[bytes]:
    """The object's bytes in pieces, read once from start to end (never all in memory)."""
    try:
        body = get_client("s3").get_object(Bucket=bucket, Key=key, IfMatch=f'"{etag}"')["Body"]
    except Exception as exc:  # noqa: BLE001
        if _replaced(exc):
            raise FileReplacedError(key) from None
        raise
    try:
        yield from body.iter_chunks(PIECE_BYTES)
    finally:
        body.close()


def read_range(bucket: str, key: str, etag: str | None, start: int, end: int) -> bytes:
    """Bytes [start, end) of the object (a ranged GET)."""
    if end <= start:
        return b""
    args: dict[str, Any] = {"Bucket": bucket, "Key": key, "Range": f"bytes={start}-{end - 1}"}
    if etag:
        args["IfMatch"] = f'"{etag}"'
    try:
        return get_client("s3").get_object(**args)["Body"].read()
    except Exception as exc:  # noqa: BLE001
        if _replaced(exc):
            raise FileReplacedError(key) from None
        raise


def put(bucket: str, key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    get_client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def list_keys(bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    paginator = get_client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return sorted(keys)


def get(bucket: str, key: str) -> bytes:
    return get_client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


class ChunkQueue:
    """Sends chunk messages ten at a time (SendMessageBatch); `flush` sends what is left."""

    def __init__(self) -> None:
        self.url = os.environ["FEED_CHUNKS_QUEUE_URL"]
        self._pending: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self._pending.append(message)
        if len(self._pending) == 10:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        entries = [{"Id": str(i), "MessageBody": json.dumps(m, ensure_ascii=False, separators=(",", ":"))}
                   for i, m in enumerate(self._pending)]
        answer = get_client("sqs").send_message_batch(QueueUrl=self.url, Entries=entries)
        if answer.get("Failed"):
            # Raised, so the notification comes back and the split runs again (chunks are idempotent).
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} chunk messages")
        self._pending.clear()
