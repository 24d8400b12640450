"""What citizen sign-in keeps: captchas, sessions, one-time-code challenges, SMS counters and the
guessing budgets of passwords and codes.

Every item here expires by itself through DynamoDB TTL; reads also check the expiry, because TTL
deletion can lag by hours.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class Captcha(Model):
    """A captcha (mã kiểm tra): only the hash of its answer, usable once, for a few minutes."""

    class Meta:
        table_name = table_name("CAPTCHAS_TABLE", "vssid-captchas")
        region = region()

    captcha_id = UnicodeAttribute(hash_key=True)
    answer_digest = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()


class SessionsByUser(GlobalSecondaryIndex["CitizenSession"]):
    """All sessions of one account: to replace them on a device move and end them on a reset."""

    class Meta:
        index_name = "username-index"
        projection = KeysOnlyProjection()

    username = UnicodeAttribute(hash_key=True)


class CitizenSession(Model):
    """A signed-in device. The token is an opaque reference, stored only as its SHA-256."""

    class Meta:
        table_name = table_name("CITIZEN_SESSIONS_TABLE", "vssid-citizen-sessions")
        region = region()

    token_digest = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    device_id = UnicodeAttribute()
    state = UnicodeAttribute(default="ACTIVE")  # ACTIVE | REPLACED (another device took over)
    created_epoch = NumberAttribute()
    last_seen_epoch = NumberAttribute()
    expires_at_epoch = NumberAttribute()  # the absolute lifetime; TTL removes the item after it

    by_user = SessionsByUser()


class OtpChallenge(Model):
    """A one-time code sent by SMS: to move the account to a new device, or to reset the password."""

    class Meta:
        table_name = table_name("OTP_CHALLENGES_TABLE", "vssid-otp-challenges")
        region = region()

    challenge_id = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()  # DEVICE | RESET | PHONE
    username = UnicodeAttribute()
    device_id = UnicodeAttribute(null=True)
    device_name = UnicodeAttribute(null=True)
    new_phone = UnicodeAttribute(null=True)  # PHONE: the number being confirmed, where the code goes
    otp_digest = UnicodeAttribute(null=True)
    otp_expires_epoch = NumberAttribute(default=0)
    # Tries taken at the code, each counted (atomically, with a condition) before the comparison; a right
    # code ends the challenge or has its try given back, so in practice this counts the wrong ones.
    wrong_tries = NumberAttribute(default=0)
    sends = NumberAttribute(default=0)
    last_sent_epoch = NumberAttribute(default=0)
    used = BooleanAttribute(default=False)
    expires_at_epoch = NumberAttribute()


class SmsCounter(Model):
    """How many SMS one account or one phone number was sent in a window (the SMS budget guard)."""

    class Meta:
        table_name = table_name("SMS_COUNTERS_TABLE", "vssid-sms-counters")
        region = region()

    counter_key = UnicodeAttribute(hash_key=True)  # e.g. "phone:+8490…:2026-11-25" (hashed phone)
    count = NumberAttribute(default=0)
    expires_at_epoch = NumberAttribute()


class AttemptCounter(Model):
    """The guessing budget of one secret (an account's password, a staff member's password and code):
    attempts counted in a window, before each is judged (see services/attempts.py).

    It lives in the counters table beside SmsCounter (its keys start "login:" or "staff:"), which already
    has the TTL attribute, so no table or IAM grant was added for it.
    """

    class Meta:
        table_name = table_name("SMS_COUNTERS_TABLE", "vssid-sms-counters")
        region = region()

    counter_key = UnicodeAttribute(hash_key=True)  # e.g. "login:0123456789", "staff:canbo.hn-hk"
    count = NumberAttribute(default=0)  # attempts taken in the window, never above the budget's limit
    window_end_epoch = NumberAttribute(default=0)  # when the count starts again (a lock's end, once spent)
    # Staff: wrong authenticator codes sent with the right password (a stolen password), and the last one
    second_factor_failures = NumberAttribute(default=0)
    second_factor_failed_epoch = NumberAttribute(default=0)
    expires_at_epoch = NumberAttribute()  # TTL, always after the window and any lock
