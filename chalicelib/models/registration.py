"""A Form 01 registration (tờ khai đăng ký giao dịch điện tử) and what holds its number."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class OfficeStatusIndex(GlobalSecondaryIndex["Registration"]):
    """Each office's registrations by status, oldest change first: the staff queue without a Scan."""

    class Meta:
        index_name = "office-status-index"
        projection = AllProjection()

    office_status = UnicodeAttribute(hash_key=True)
    status_changed_at = UnicodeAttribute(range_key=True)


class Registration(Model):
    class Meta:
        table_name = table_name("REGISTRATIONS_TABLE", "vssid-registrations")
        region = region()

    registration_id = UnicodeAttribute(hash_key=True)
    access_key_digest = UnicodeAttribute()
    status = UnicodeAttribute()
    office_code = UnicodeAttribute()
    office_status = UnicodeAttribute()  # "<office_code>#<status>", the index's partition
    status_changed_at = UnicodeAttribute()  # UTC, millisecond ISO with Z, as Step Functions writes it
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    draft_expires_epoch = NumberAttribute()  # a draft untouched past this stops holding the number

    # Form 01 fields
    full_name = UnicodeAttribute()
    date_of_birth = UnicodeAttribute()
    gender = UnicodeAttribute()
    social_insurance_number = UnicodeAttribute()
    id_type = UnicodeAttribute()
    id_number = UnicodeAttribute()
    id_issued_on = UnicodeAttribute()
    id_issued_by = UnicodeAttribute()
    phone = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    address = UnicodeAttribute()
    # Added with the agency's form; None on registrations stored before (read as Việt Nam / the defaults)
    nationality = UnicodeAttribute(null=True)
    notice_channels = ListAttribute(of=UnicodeAttribute, null=True)  # SMS / EMAIL / VSSID
    commitment_accepted_at = UnicodeAttribute(null=True)  # the cam kết accepted at the current attempt's submit

    # The verification window of the current attempt
    attempt = NumberAttribute(default=0)
    submitted_at = UnicodeAttribute(null=True)
    deadline_at = UnicodeAttribute(null=True)
    deadline_epoch = NumberAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    reminders_sent = NumberAttribute(null=True)
    notice_reminder = UnicodeAttribute(null=True)  # SMS texts the workflow sends, written at submit
    notice_expired = UnicodeAttribute(null=True)
    submit_sms_attempt = NumberAttribute(default=0)  # the attempt whose "submitted" SMS went out
    expired_at = UnicodeAttribute(null=True)

    # The images checked at the current attempt's submit, frozen where no upload can reach them
    documents_batch = UnicodeAttribute(null=True)  # see domain.documents.submitted_key
    document_types = MapAttribute(null=True)  # kind -> the content type its bytes proved (image/jpeg|png)

    # The staff decision
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)
    id_document_checked = BooleanAttribute(null=True)
    form01_received = BooleanAttribute(null=True)  # the signed paper Form 01 was handed in at the counter
    decision_notice_sent = BooleanAttribute(null=True)  # the SMS about the decision went out

    version = VersionAttribute()

    office_status_index = OfficeStatusIndex()


class RegistrationClaim(Model):
    """Which registration holds a social-insurance number (at most one live registration per number)."""

    class Meta:
        table_name = table_name("REGISTRATION_CLAIMS_TABLE", "vssid-registration-claims")
        region = region()

    social_insurance_number = UnicodeAttribute(hash_key=True)
    registration_id = UnicodeAttribute()
    claimed_at = UnicodeAttribute()
