"""A citizen's account for electronic transactions (tài khoản giao dịch điện tử)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class Account(Model):
    class Meta:
        table_name = table_name("ACCOUNTS_TABLE", "vssid-accounts")
        region = region()

    username = UnicodeAttribute(hash_key=True)  # the 10-digit social-insurance number
    status = UnicodeAttribute(default="ACTIVE")
    registration_id = UnicodeAttribute()
    office_code = UnicodeAttribute()
    full_name = UnicodeAttribute()
    date_of_birth = UnicodeAttribute()
    gender = UnicodeAttribute()
    id_type = UnicodeAttribute()
    id_number = UnicodeAttribute()
    phone = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    address = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    password_set_at = UnicodeAttribute()
    password_change_required = BooleanAttribute(default=True)
    initial_password_expires_at = UnicodeAttribute(null=True)
    initial_password_delivered = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()
