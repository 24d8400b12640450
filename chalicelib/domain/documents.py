"""The three images of a registration and how their bytes are checked."""

from __future__ import annotations

DOCUMENT_KINDS = ("id_front", "id_back", "portrait")
ALLOWED_CONTENT_TYPES = ("image/jpeg", "image/png")

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sniff_image_type(head: bytes) -> str | None:
    """The content type that the first bytes of a file prove, or None if neither JPEG nor PNG."""
    if head.startswith(_JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(_PNG_MAGIC) and head[12:16] == b"IHDR":
        return "image/png"
    return None


def document_key(registration_id: str, kind: str) -> str:
    """Where a document lives in the private bucket; presigned POSTs pin exactly this key."""
    return f"registrations/{registration_id}/{kind}"


def submitted_key(registration_id: str, batch: str, kind: str) -> str:
    """Where the images checked at a submit are frozen: no presigned POST names this key, so what staff
    see is what was checked (`batch` is per submit request: a concurrent submit cannot overwrite it)."""
    return f"registrations/{registration_id}/submitted/{batch}/{kind}"


def image_filename(kind: str, content_type: str) -> str:
    return f"{kind}.{'png' if content_type == 'image/png' else 'jpg'}"


def form01_key(registration_id: str, attempt: int) -> str:
    return f"registrations/{registration_id}/form01-{attempt}.pdf"


def document_problem(size: int, head: bytes, min_bytes: int, max_bytes: int) -> tuple[str, str] | None:
    """Why a stored object is not an acceptable image, in English and Vietnamese; None if it is."""
    if sniff_image_type(head) is None:
        return "is not a JPEG or PNG image", "không phải ảnh JPEG hoặc PNG"
    if size < min_bytes:
        return f"is smaller than {min_bytes // 1024} KB", f"nhỏ hơn {min_bytes // 1024} KB"
    if size > max_bytes:
        return f"is larger than {max_bytes // (1024 * 1024)} MB", f"lớn hơn {max_bytes // (1024 * 1024)} MB"
    return None
