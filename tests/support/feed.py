"""Driving the data feed in tests as Lambda's SQS triggers would: the splitter on the files queue, the
workers on the chunk queue. A handler that raises leaves its message; it is made visible again at the end of
the sweep, as if its visibility timeout had passed, so the next sweep is SQS's next delivery of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.aws.clients import get_client


@dataclass
class FeedRun:
    split: list[str] = field(default_factory=list)  # load ids
    chunks: list[str] = field(default_factory=list)  # each worker outcome
    failures: list[str] = field(default_factory=list)  # exception type names, in order


def upload(key: str, body: bytes, as_of: str | None = None) -> None:
    """What the agency's transfer does: put a file in the feed bucket (S3 then notifies the files queue)."""
    extra: dict[str, Any] = {"Metadata": {"as-of": as_of}} if as_of else {}
    get_client("s3").put_object(Bucket=os.environ["FEED_BUCKET"], Key=key, Body=body, **extra)


def _sweep(url: str, handle: Callable[[str], Any], run: FeedRun, out: list[Any],
           before: Callable[[dict[str, Any]], None] | None = None) -> int:
    sqs = get_client("sqs")
    handled = 0
    failed: list[str] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
        if not batch:
            break
        for message in batch:
            handled += 1
            try:
                if before:
                    before(message)
                outcome = handle(message["Body"])
            except Exception as exc:  # noqa: BLE001 - what the SQS trigger does: the message stays
                run.failures.append(type(exc).__name__)
                failed.append(message["ReceiptHandle"])
                continue
            out.append(outcome)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    for receipt in failed:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=0)
    return handled


def run_feed(max_sweeps: int = 20, before_chunk: Callable[[dict[str, Any]], None] | None = None) -> FeedRun:
    """Sweep both queues until neither has a message (or `max_sweeps` passes)."""
    from chalicelib.services.feed_splitter import handle_notification
    from chalicelib.services.feed_worker import load_chunk

    run = FeedRun()
    for _ in range(max_sweeps):
        files: list[Any] = []
        handled = _sweep(os.environ["FEED_FILES_QUEUE_URL"], handle_notification, run, files)
        run.split += [load_id for ids in files for load_id in ids]
        handled += _sweep(os.environ["FEED_CHUNKS_QUEUE_URL"], load_chunk, run, run.chunks, before_chunk)
        if not handled:
            break
    return run


def queue_depth(env_name: str) -> int:
    attributes = get_client("sqs").get_queue_attributes(
        QueueUrl=os.environ[env_name], AttributeNames=["ApproximateNumberOfMessages",
                                                       "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def empty_feed() -> None:
    """What a test of the feed starts from: no records, no loads, no files, empty queues."""
    from chalicelib.models.feed import FeedLoad
    from chalicelib.models.records import InsuranceRecord

    for model in (InsuranceRecord, FeedLoad):
        with model.batch_write() as batch:
            for item in model.scan():
                batch.delete(item)
    s3 = get_client("s3")
    bucket = os.environ["FEED_BUCKET"]
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    sqs = get_client("sqs")
    for name in ("FEED_FILES_QUEUE_URL", "FEED_CHUNKS_QUEUE_URL", "FEED_FILES_DLQ_URL", "FEED_CHUNKS_DLQ_URL"):
        url = os.environ[name]  # drained, not purged: SQS allows one purge a minute
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                              WaitTimeSeconds=0).get("Messages", []):
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
