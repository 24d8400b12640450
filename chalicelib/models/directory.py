"""Public reference data (danh bạ): facilities, employers, collection points, news and FAQ entries,
and the search index over their names. Offices keep their own table (the Form 01 office choice).

`DirectoryItem` is one table for every public collection, with two sparse indexes:
- `list-index`: `list_key` (e.g. `FACILITY#01` — a collection within a province, or `NEWS`) sorted by
  `sort_key` (the normalised name, or the publication time), to page through a province or the news;
- `geo-index`: `geo_cell` (`<COLLECTION>#<geohash of 4 characters>`, cells of about 39 × 20 km) to find
  what is near a point by reading only the cells around it.

`SearchTerm` maps every word prefix of an item's normalised name (and codes such as a tax code) to the
item, so a name search is a Query on one term, never a Scan.
"""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class ListIndex(GlobalSecondaryIndex["DirectoryItem"]):
    class Meta:
        index_name = "list-index"
        projection = AllProjection()

    list_key = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class GeoIndex(GlobalSecondaryIndex["DirectoryItem"]):
    class Meta:
        index_name = "geo-index"
        projection = AllProjection()

    geo_cell = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)


class DirectoryItem(Model):
    class Meta:
        table_name = table_name("DIRECTORY_TABLE", "vssid-directory")
        region = region()

    item_key = UnicodeAttribute(hash_key=True)  # "<COLLECTION>#<code>", e.g. "FACILITY#01-001"
    collection = UnicodeAttribute()  # OFFICE | FACILITY | EMPLOYER | COLLECTION_POINT | NEWS | FAQ
    list_key = UnicodeAttribute(null=True)
    sort_key = UnicodeAttribute(null=True)
    geo_cell = UnicodeAttribute(null=True)
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    fields = MapAttribute()  # what the API returns
    source_hash = UnicodeAttribute()

    list_index = ListIndex()
    geo_index = GeoIndex()


class SearchTerm(Model):
    class Meta:
        table_name = table_name("SEARCH_TERMS_TABLE", "vssid-search-terms")
        region = region()

    term = UnicodeAttribute(hash_key=True)  # "<COLLECTION>#<normalised word prefix>"
    item_key = UnicodeAttribute(range_key=True)
    # The whole normalised name (and an office's aliases, one a line), to check the other words of the query.
    name_norm = UnicodeAttribute()
    province_code = UnicodeAttribute(null=True)


class FeedbackByOffice(GlobalSecondaryIndex["Feedback"]):
    """Each office's feedback by status, oldest first: the staff's answer queue."""

    class Meta:
        index_name = "office-status-index"
        projection = AllProjection()

    office_status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Feedback(Model):
    """A complaint or suggestion (phản ánh kiến nghị) and its answer."""

    class Meta:
        table_name = table_name("FEEDBACK_TABLE", "vssid-feedback")
        region = region()

    feedback_id = UnicodeAttribute(hash_key=True)  # also the tracking key: unguessable
    office_code = UnicodeAttribute()
    office_status = UnicodeAttribute()  # "<office>#<OPEN|ANSWERED>"
    created_at = UnicodeAttribute()
    category = UnicodeAttribute()
    message = UnicodeAttribute()
    contact_name = UnicodeAttribute()
    contact_phone = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="OPEN")
    answer = UnicodeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
    answered_at = UnicodeAttribute(null=True)

    by_office = FeedbackByOffice()
