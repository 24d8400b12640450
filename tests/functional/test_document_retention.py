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


def test_staff_see_the_images_as_checked_at_submit_even_if_an_upload_link_replaces_one(client):
    import requests

    from tests.support.api import upload
    from tests.support.images import photo
    from tests.support.people import Staff

    # Given a submitted registration whose upload links are still valid (15 minutes)
    citizen = Citizen(client).submitted()
    checked = {kind: photo("JPEG", seed=index) for index, kind in enumerate(DOCUMENT_KINDS)}

    # When the key holder uses a link after submit to put a page where the ID front was
    page = b"<html><script>alert(document.cookie)</script></html>" + b" " * 30_000
    assert upload(citizen.uploads["id_front"], page) in (200, 201, 204)

    # Then staff are still served the very bytes that were checked, as an image, as an attachment
    staff = Staff.signed_in(client)
    images = staff.open(citizen.registration_id).body["images"]
    for kind, url in images.items():
        served = requests.get(url, timeout=10)
        assert served.status_code == 200
        assert served.content == checked[kind], kind
        assert served.headers["Content-Type"] == "image/jpeg"
        assert served.headers["Content-Disposition"] == f'attachment; filename="{kind}.jpg"'
        assert "/submitted/" in url and document_key(citizen.registration_id, kind) + "?" not in url


def test_frozen_copies_are_kept_and_a_refused_submit_leaves_only_drafts(client):
    citizen = Citizen(client)
    assert citizen.create().status == 201
    from tests.support.api import upload
    from tests.support.images import photo

    assert upload(citizen.uploads["id_front"], photo("JPEG", seed=0)) in (200, 201, 204)
    assert citizen.submit().status == 422  # two images missing
    citizen.upload_all()
    assert citizen.submit().status == 200

    listing = get_client("s3").list_objects_v2(Bucket=get_settings().documents_bucket,
                                              Prefix=f"registrations/{citizen.registration_id}/submitted/")
    tags = {o["Key"]: _tags(o["Key"])[RETENTION_TAG] for o in listing["Contents"]}
    assert sorted(tags.values()) == ["draft", "kept", "kept", "kept"]  # the refused submit's one copy: a draft
