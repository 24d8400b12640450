"""Staff of the social-insurance offices (cán bộ BHXH) and their sign-in sessions."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class StaffMember(Model):
    class Meta:
        table_name = table_name("STAFF_TABLE", "vssid-staff")
        region = region()

    username = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute()
    office_code = UnicodeAttribute()
    # office: works an office's counter (queue, decisions, help desk); operations: runs the data feeds
    # (GET /v1/admin/loads). An item without it is office staff.
    role = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    totp_secret = UnicodeAttribute()
    last_totp_step = NumberAttribute(default=0)  # a code is accepted once: replay is refused
    # Failures and locks are not kept here: the guessing budget is keyed by the username typed, known or
    # not (models.sign_in.AttemptCounter, "staff:<username>"). Older items' failed_logins and
    # locked_until_epoch are ignored.
    created_at = UnicodeAttribute()


class StaffSession(Model):
    class Meta:
        table_name = table_name("STAFF_SESSIONS_TABLE", "vssid-staff-sessions")
        region = region()

    token_digest = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    office_code = UnicodeAttribute()
    role = UnicodeAttribute(null=True)  # the member's role when they signed in (absent: office)
    expires_at = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()  # DynamoDB TTL removes it; reads check it too (TTL lags)
