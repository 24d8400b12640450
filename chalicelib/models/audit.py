"""The audit trail (nhật ký): every decision on a registration, who made it, when, from which state."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class AuditEvent(Model):
    class Meta:
        table_name = table_name("AUDIT_TABLE", "vssid-audit")
        region = region()

    subject_id = UnicodeAttribute(hash_key=True)  # the registration id
    event_key = UnicodeAttribute(range_key=True)  # "<UTC ISO>#<random>": time-ordered, never colliding
    actor = UnicodeAttribute()
    actor_office = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
