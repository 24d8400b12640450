"""Loads of the agency's feed files (lượt nạp dữ liệu): one record per load, one marker per finished chunk.

`item_key` is `LOAD` for the load itself and `CHUNK#<n>` for a chunk whose rows are counted: the marker
and the load's counters are written in one transaction, so a chunk delivered twice is counted once.
Nothing here is personal: file names, counts, times (rejected rows are described in the S3 report).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import region, table_name

LOAD = "LOAD"


class LoadsByStart(GlobalSecondaryIndex["FeedLoad"]):
    """Every load, newest first, for the operations list (one partition: loads are few)."""

    class Meta:
        index_name = "started-index"
        projection = AllProjection()

    list_key = UnicodeAttribute(hash_key=True)
    started_at = UnicodeAttribute(range_key=True)


class FeedLoad(Model):
    class Meta:
        table_name = table_name("FEED_LOADS_TABLE", "vssid-feed-loads")
        region = region()

    load_id = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)  # LOAD | CHUNK#<n>
    list_key = UnicodeAttribute(null=True)  # LOAD on the load item only (the index is sparse)
    started_at = UnicodeAttribute(null=True)
    bucket = UnicodeAttribute(null=True)
    key = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    format = UnicodeAttribute(null=True)
    gzip = NumberAttribute(null=True)
    etag = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    source_version = UnicodeAttribute(null=True)
    import_batch = UnicodeAttribute(null=True)  # import mode: the batch whose parts one ImportTable reads
    mode = UnicodeAttribute(null=True)  # load (or absent) | import: a conversion to DynamoDB JSON for ImportTable
    status = UnicodeAttribute(null=True)  # SPLITTING | LOADING | FINISHED | FAILED
    failure = UnicodeAttribute(null=True)
    chunks_total = NumberAttribute(null=True)  # known once the file is split
    chunks_done = NumberAttribute(default=0)
    rows_total = NumberAttribute(null=True)
    rows_loaded = NumberAttribute(default=0)  # written by this load: new or changed records
    rows_unchanged = NumberAttribute(default=0)
    rows_stale = NumberAttribute(default=0)  # newer data was already there: not written
    rows_deleted = NumberAttribute(default=0)
    rows_rejected = NumberAttribute(default=0)
    finished_at = UnicodeAttribute(null=True)

    by_start = LoadsByStart()
