"""Uploads are encrypted with the documents key and tagged as drafts; a submitted registration's files
are taken out of the draft lifecycle so the 30-day rule only deletes abandoned drafts."""

from __future__ import annotations

from chalicelib.aws.clients import get_client
from chalicelib.aws.documents import DRAFT_TAGGING, KEPT, RETENTION_TAG
from chalicelib.config import get_settings
from chalicelib.domain.documents import DOCUMENT_KINDS, document_key
from tests.support.people import Citizen


def _tags(key: str) -> dict[str, str]:
    tags = get_client("s3").get_object_tagging(Bucket=get_settings().documents_bucket, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in tags}


def test_upload_form_asks_for_the_documents_key_and_the_draft_tag(client, aws):
    citizen = Citizen(client)
    assert citizen.create().status == 201
    key_arn = aws["DOCUMENTS_KMS_KEY_ARN"]
    assert key_arn.startswith("arn:aws:kms:")
    assert set(citizen.uploads) == set(DOCUMENT_KINDS)
    for upload in citizen.uploads.values():
        fields = upload["fields"]
        assert fields["x-amz-server-side-encryption"] == "aws:kms"
        assert fields["x-amz-server-side-encryption-aws-kms-key-id"] == key_arn
        assert fields["tagging"] == DRAFT_TAGGING


def test_submission_keeps_the_images_and_the_form(client):
    citizen = Citizen(client).submitted()
    keys = [document_key(citizen.registration_id, kind) for kind in DOCUMENT_KINDS]
    for key in keys:
        assert _tags(key) == {RETENTION_TAG: KEPT}
    listing = get_client("s3").list_objects_v2(Bucket=get_settings().documents_bucket,
                                              Prefix=f"registrations/{citizen.registration_id}/")
    forms = [o["Key"] for o in listing["Contents"] if o["Key"].endswith(".pdf")]
    assert forms and all(_tags(k) == {RETENTION_TAG: KEPT} for k in forms)
    head = get_client("s3").head_object(Bucket=get_settings().documents_bucket, Key=forms[0])
    assert head["ServerSideEncryption"] == "aws:kms"
