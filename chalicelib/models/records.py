"""The citizen's insurance records, owned by the agency's core systems and loaded in bulk.

One table, keyed by the social-insurance number, so every read of "my records" is a Query on one
partition: the BHYT card (`CARD`), contribution periods (`CONTRIBUTION#<scheme>#<from>#<record id>`),
per-scheme totals (`SUMMARY#<scheme>`), benefits (`BENEFIT#<paid on>#<record id>`) and medical visits
(`VISIT#<date>#<record id>`), and the person themselves (`PERSON`: name, birth date, province, ID
number, and where known commune and parents' names — what the public number look-up matches, by ID number
through `lookup-index` or without one through `person-index`). Sort keys sort by time within each kind.
"""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class PersonByIdNumber(GlobalSecondaryIndex["InsuranceRecord"]):
    """Sparse: only PERSON items carry `lookup_key` (the ID number), for the public number look-up."""

    class Meta:
        index_name = "lookup-index"
        projection = IncludeProjection(["fields"])

    lookup_key = UnicodeAttribute(hash_key=True)


class PersonByNameAndBirth(GlobalSecondaryIndex["InsuranceRecord"]):
    """Sparse: only PERSON items the look-up without an ID number can match (the register has their commune
    and a parent's name) carry `person_key` (domain.person_match.person_key: normalised name and birth date)."""

    class Meta:
        index_name = "person-index"
        projection = IncludeProjection(["fields"])

    person_key = UnicodeAttribute(hash_key=True)


class InsuranceRecord(Model):
    class Meta:
        table_name = table_name("INSURANCE_RECORDS_TABLE", "vssid-insurance-records")
        region = region()

    username = UnicodeAttribute(hash_key=True)  # the 10-digit social-insurance number
    record_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # CARD | CONTRIBUTION | SUMMARY | BENEFIT | VISIT
    fields = MapAttribute()  # the validated row, as the API returns it
    source_hash = UnicodeAttribute()  # SHA-256 of the validated row: a reload of the same row changes nothing
    lookup_key = UnicodeAttribute(null=True)
    person_key = UnicodeAttribute(null=True)

    by_id_number = PersonByIdNumber()
    by_person = PersonByNameAndBirth()


class AccessLogEntry(Model):
    """Who looked at a citizen's data (nhật ký truy cập): every staff read, shown to the citizen."""

    class Meta:
        table_name = table_name("ACCESS_LOG_TABLE", "vssid-access-log")
        region = region()

    username = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "<UTC ISO>#<random>"
    actor = UnicodeAttribute()
    office_code = UnicodeAttribute(null=True)
    what = UnicodeAttribute()
    at = UnicodeAttribute()
