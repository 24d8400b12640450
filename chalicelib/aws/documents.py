"""The private documents bucket: presigned uploads, checks of what arrived, presigned downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.aws.clients import get_client
from chalicelib.config import get_settings
from chalicelib.domain.documents import ALLOWED_CONTENT_TYPES

# Uploads start tagged as drafts; the bucket's lifecycle rule deletes draft objects after 30 days, so
# images of registrations never submitted do not stay. Submission re-tags them as kept.
RETENTION_TAG = "vssid-retention"
DRAFT, KEPT = "draft", "kept"
DRAFT_TAGGING = f"<Tagging><TagSet><Tag><Key>{RETENTION_TAG}</Key><Value>{DRAFT}</Value></Tag></TagSet></Tagging>"


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    head: bytes


def presigned_upload(key: str, content_type: str = "image/jpeg") -> dict[str, Any]:
    """A presigned POST pinned to this key, exactly this content type (JPEG or PNG) and the size range."""
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise ValueError("content type must be image/jpeg or image/png")
    settings = get_settings()
    fields = {"Content-Type": content_type, "tagging": DRAFT_TAGGING, **_encryption_fields()}
    return get_client("s3").generate_presigned_post(
        Bucket=settings.documents_bucket,
        Key=key,
        Fields=fields,
        Conditions=[
            {"key": key},
            *({name: value} for name, value in fields.items()),
            ["content-length-range", settings.upload_min_bytes, settings.upload_max_bytes],
        ],
        ExpiresIn=settings.presign_seconds,
    )


def _encryption_fields() -> dict[str, str]:
    """The bucket policy refuses a put that does not ask for SSE-KMS with the documents key."""
    key_id = get_settings().documents_kms_key_arn
    if not key_id:
        return {}
    return {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": key_id}


def _encryption_args() -> dict[str, str]:
    fields = _encryption_fields()
    if not fields:
        return {}
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": fields["x-amz-server-side-encryption-aws-kms-key-id"]}


def keep(key: str) -> None:
    """Take an uploaded object out of the draft lifecycle (it belongs to a submitted registration)."""
    get_client("s3").put_object_tagging(
        Bucket=get_settings().documents_bucket, Key=key,
        Tagging={"TagSet": [{"Key": RETENTION_TAG, "Value": KEPT}]},
    )


def copy_object(source_key: str, target_key: str) -> bool:
    """Copy an object within the bucket, tagged as a draft until `keep`; False if the source is missing."""
    from botocore.exceptions import ClientError

    bucket = get_settings().documents_bucket
    try:
        get_client("s3").copy_object(
            Bucket=bucket, Key=target_key, CopySource={"Bucket": bucket, "Key": source_key},
            MetadataDirective="COPY", TaggingDirective="REPLACE", Tagging=f"{RETENTION_TAG}={DRAFT}",
            **_encryption_args(),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def inspect_object(key: str, head_bytes: int = 32) -> StoredObject | None:
    """Size, declared type and first bytes of an object; None if it is not there."""
    from botocore.exceptions import ClientError

    s3 = get_client("s3")
    bucket = get_settings().documents_bucket
    try:
        meta = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    size = int(meta["ContentLength"])
    head = b""
    if size:
        part = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{head_bytes - 1}")
        head = part["Body"].read()
    return StoredObject(size=size, content_type=meta.get("ContentType", ""), head=head)


def exists(key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        get_client("s3").head_object(Bucket=get_settings().documents_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def put_bytes(key: str, data: bytes, content_type: str) -> None:
    get_client("s3").put_object(
        Bucket=get_settings().documents_bucket, Key=key, Body=data, ContentType=content_type,
        Tagging=f"{RETENTION_TAG}={KEPT}", **_encryption_args(),
    )


def get_bytes(key: str) -> bytes | None:
    from botocore.exceptions import ClientError

    try:
        obj = get_client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return obj["Body"].read()


def presigned_download(key: str, seconds: int, filename: str | None = None, content_type: str | None = None,
                       disposition: str = "inline") -> str:
    """A short GET link; `content_type` overrides what the object says (S3 answers with the one signed here)."""
    params: dict[str, Any] = {"Bucket": get_settings().documents_bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'{disposition}; filename="{filename}"'
    if content_type:
        params["ResponseContentType"] = content_type
    return get_client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
