"""Settings read from the environment once, validated, and cached.

The same code runs on Lambda, against a moto server (local mode) and in-process moto (tests); only
these settings differ. Resource names default to the names `local/bootstrap.py` gives them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


class ConfigError(RuntimeError):
    """The environment is not fit to start the API."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    stage: str
    local_mode: bool
    region: str
    documents_bucket: str
    # The customer-managed KMS key the bucket policy requires on every put; empty where there is none.
    documents_kms_key_arn: str
    state_machine_arn: str
    # Local and tests only: replaces the 10-day window so an expiry can be watched in seconds.
    deadline_seconds: int | None
    # Seconds before the deadline at which reminder SMS go out (3 days and 1 day by default).
    reminder_offsets: tuple[int, int]
    # A draft not created or corrected for this long stops holding its number (the draft itself stays).
    draft_hold_seconds: int
    upload_min_bytes: int
    upload_max_bytes: int
    presign_seconds: int
    staff_session_seconds: int
    initial_password_days: int
    sms_sender_id: str
    email_sender: str
    local_captcha_answer: str | None
    # Citizen sign-in (issue 3)
    session_idle_seconds: int
    session_max_seconds: int
    login_max_failures: int
    lockout_seconds: int
    password_max_age_days: int
    captcha_seconds: int
    otp_seconds: int
    otp_resend_seconds: int
    otp_max_wrong: int
    otp_sends_per_hour: int
    sms_per_account_per_day: int
    sms_per_phone_per_day: int
    otp_autofill_domain: str

    @property
    def deadline_is_overridden(self) -> bool:
        return self.deadline_seconds is not None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    stage = os.environ.get("VSSID_STAGE", "local")
    local_mode = os.environ.get("VSSID_LOCAL_MODE", "") == "1"
    deadline_raw = os.environ.get("VSSID_DEADLINE_SECONDS")
    captcha_answer = os.environ.get("VSSID_LOCAL_CAPTCHA_ANSWER") or None
    if not local_mode and stage not in ("local", "test"):
        # A deployed stage must never run with test shortcuts switched on.
        if captcha_answer:
            raise ConfigError("VSSID_LOCAL_CAPTCHA_ANSWER is set on a deployed stage")
        if deadline_raw:
            raise ConfigError("VSSID_DEADLINE_SECONDS is set on a deployed stage")
    offsets = os.environ.get("VSSID_REMINDER_OFFSETS", "259200,86400").split(",")
    try:
        first, second = (int(x) for x in offsets)
    except ValueError as exc:
        raise ConfigError("VSSID_REMINDER_OFFSETS must be two whole numbers of seconds") from exc
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1"
    account = os.environ.get("VSSID_ACCOUNT_ID", "123456789012")
    return Settings(
        stage=stage,
        local_mode=local_mode,
        region=region,
        documents_bucket=os.environ.get("DOCUMENTS_BUCKET", "vssid-documents"),
        documents_kms_key_arn=os.environ.get("DOCUMENTS_KMS_KEY_ARN", ""),
        state_machine_arn=os.environ.get(
            "REGISTRATION_STATE_MACHINE_ARN",
            f"arn:aws:states:{region}:{account}:stateMachine:vssid-registration-workflow",
        ),
        deadline_seconds=_int("VSSID_DEADLINE_SECONDS", 0) or None if deadline_raw else None,
        reminder_offsets=(max(first, second), min(first, second)),
        draft_hold_seconds=_int("VSSID_DRAFT_HOLD_SECONDS", 4 * 3600),
        upload_min_bytes=_int("VSSID_UPLOAD_MIN_BYTES", 20 * 1024),
        upload_max_bytes=_int("VSSID_UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
        presign_seconds=_int("VSSID_PRESIGN_SECONDS", 900),
        staff_session_seconds=_int("VSSID_STAFF_SESSION_SECONDS", 8 * 3600),
        initial_password_days=_int("VSSID_INITIAL_PASSWORD_DAYS", 7),
        sms_sender_id=os.environ.get("VSSID_SMS_SENDER_ID", "BHXHVN"),
        email_sender=os.environ.get("VSSID_EMAIL_SENDER", "no-reply@vssid.example.vn"),
        local_captcha_answer=captcha_answer,
        session_idle_seconds=_int("VSSID_SESSION_IDLE_SECONDS", 30 * 60),
        session_max_seconds=_int("VSSID_SESSION_MAX_SECONDS", 12 * 3600),
        login_max_failures=_int("VSSID_LOGIN_MAX_FAILURES", 5),
        lockout_seconds=_int("VSSID_LOCKOUT_SECONDS", 15 * 60),
        password_max_age_days=_int("VSSID_PASSWORD_MAX_AGE_DAYS", 180),
        captcha_seconds=_int("VSSID_CAPTCHA_SECONDS", 300),
        otp_seconds=_int("VSSID_OTP_SECONDS", 300),
        otp_resend_seconds=_int("VSSID_OTP_RESEND_SECONDS", 60),
        otp_max_wrong=_int("VSSID_OTP_MAX_WRONG", 5),
        otp_sends_per_hour=_int("VSSID_OTP_SENDS_PER_HOUR", 5),
        sms_per_account_per_day=_int("VSSID_SMS_PER_ACCOUNT_PER_DAY", 10),
        sms_per_phone_per_day=_int("VSSID_SMS_PER_PHONE_PER_DAY", 10),
        otp_autofill_domain=os.environ.get("VSSID_OTP_DOMAIN", "vssid.baohiemxahoi.gov.vn"),
    )
