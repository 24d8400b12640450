"""A citizen's account for electronic transactions (tài khoản giao dịch điện tử)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
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
    # Sign-in state (issue 3)
    initial_password_used = BooleanAttribute(default=False)
    initial_password_hash = UnicodeAttribute(null=True)  # kept so a new password cannot repeat it
    failed_logins = NumberAttribute(default=0)
    locked_until_epoch = NumberAttribute(default=0)
    device_id = UnicodeAttribute(null=True)  # the one device that holds the account
    device_name = UnicodeAttribute(null=True)
    version = VersionAttribute()
