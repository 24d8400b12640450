"""`python -m cli.load_records --via-s3 FILE`: put a file in the feed bucket and follow its load.

The file goes to `s3://$FEED_BUCKET/feeds/<kind>/<file name>` with its as-of time in the object metadata;
S3 then notifies the splitter and the workers load it (docs/FEED.md). The load id is known from the upload
alone (bucket, key, ETag), so progress is read from the load record until it is FINISHED or FAILED.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BAR_WIDTH = 30


def bar(done: int, total: int | None) -> str:
    """`[#########---------]` for done/total; a spinner-less empty bar while the total is not known yet."""
    if not total:
        return "[" + "." * BAR_WIDTH + "]"
    filled = min(BAR_WIDTH, BAR_WIDTH * done // total)
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def progress_line(load: dict[str, Any]) -> str:
    chunks = f"{load['chunks_done']}/{load['chunks_total'] if load['chunks_total'] is not None else '?'} chunks"
    return (f"{bar(load['chunks_done'], load['chunks_total'])} {chunks}  loaded {load['rows_loaded']}, "
            f"unchanged {load['rows_unchanged']}, stale {load['rows_stale']}, deleted {load['rows_deleted']}, "
            f"rejected {load['rows_rejected']}  {load['status']}")


def upload(path: Path, kind: str, as_of: str | None, mode: str = "load",
           batch: str | None = None) -> tuple[str, str, str]:
    """Put the file under feeds/<kind>/ (`mode` import: for a conversion); returns (bucket, key, load id)."""
    from chalicelib.aws import feed_storage
    from chalicelib.aws.clients import get_client
    from chalicelib.domain.feed_files import load_id_of

    bucket = feed_storage.feed_bucket()
    key = f"feeds/{kind}/{path.name}"
    stamp = as_of or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata = {"as-of": stamp, "load-mode": mode, **({"import-batch": batch} if batch else {})}
    with path.open("rb") as body:  # boto3 streams the file (multipart above 8 MB), never all in memory
        get_client("s3").upload_fileobj(body, bucket, key, ExtraArgs={"Metadata": metadata})
    etag = get_client("s3").head_object(Bucket=bucket, Key=key)["ETag"]
    return bucket, key, load_id_of(bucket, key, etag, mode)


def follow(load_id: str, wait_seconds: float, every: float = 0.5, out: Any = None) -> dict[str, Any] | None:
    """Print progress until the load ends or `wait_seconds` pass; returns the load as the API shows it."""
    out = out or sys.stdout  # looked up at each call, not at import (a test's captured stdout ends with it)
    from chalicelib.services import feed_loads

    end = time.monotonic() + wait_seconds
    shown = None
    while True:
        record = feed_loads.get(load_id)
        load = feed_loads.as_api(record) if record else None
        if load is not None:
            line = progress_line(load)
            if line != shown:
                print("\r" + line, end="", file=out, flush=True)
                shown = line
            if load["status"] in (feed_loads.FINISHED, feed_loads.FAILED):
                print(file=out)
                return load
        if time.monotonic() >= end:
            print(file=out)
            return load
        time.sleep(every)


def via_s3(files: list[tuple[Path, str]], as_of: str | None, wait_seconds: float, mode: str = "load",
           batch: str | None = None) -> int:
    """Exit status: 0 loaded, 1 rows rejected, 2 a load FAILED, 4 still loading when the wait ran out."""
    worst = 0
    for path, kind in files:
        bucket, key, load_id = upload(path, kind, as_of, mode, batch)
        print(f"{path} → s3://{bucket}/{key}  load {load_id}")
        load = follow(load_id, wait_seconds)
        if load is None or load["status"] not in ("FINISHED", "FAILED"):
            print(f"  still loading; follow it with GET /v1/admin/loads/{load_id}")
            worst = max(worst, 4)
        elif load["status"] == "FAILED":
            print(f"  FAILED: {load['failure']}", file=sys.stderr)
            worst = max(worst, 2)
        elif load["rows_rejected"]:
            print(f"  {load['rows_rejected']} rows rejected; the report is at {load['rejects_report']}")
            worst = max(worst, 1)
        if mode == "import" and load is not None and load["status"] == "FINISHED":
            print(f"  converted; when every file of the batch is, import it with: "
                  f"python -m cli.import_table --load-id {load_id} --table-name NAME --kms-key KEY")
    return worst
