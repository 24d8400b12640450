"""`?limit=` and `?next_token=`: opaque tokens over DynamoDB's LastEvaluatedKey."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import ValidationFailedError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_TOKEN_LENGTH = 1024


@dataclass
class Page:
    items: list[dict[str, Any]] = field(default_factory=list)
    next_token: str | None = None

    def as_api(self) -> dict[str, Any]:
        return {"items": self.items, "next_token": self.next_token}


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationFailedError(
            fields={"limit": f"must be a whole number from 1 to {MAX_LIMIT}"},
            extra={"fields_vi": {"limit": f"phải là số nguyên từ 1 đến {MAX_LIMIT}"}},
        )
    return int(raw)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    text = text.rstrip("=")
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def _signature(payload: str) -> str:
    from chalicelib.secrets import pagination_key

    return _b64(hmac.new(pagination_key(), payload.encode(), hashlib.sha256).digest()[:16])


def encode_token(last_key: dict[str, Any] | None) -> str | None:
    """DynamoDB's start key, signed: a client can hand it back but cannot make one up."""
    if not last_key:
        return None
    payload = _b64(json.dumps(last_key, separators=(",", ":")).encode())
    return f"{payload}.{_signature(payload)}"


def decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    payload, _, signature = token.partition(".")
    value: Any = None
    if len(token) <= MAX_TOKEN_LENGTH and signature and hmac.compare_digest(
        signature.rstrip("=").encode(), _signature(payload).encode()
    ):
        try:
            value = json.loads(_unb64(payload).decode())
        except (ValueError, UnicodeDecodeError, RecursionError):
            value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ("S", "N")
        and isinstance(next(iter(v.values())), str)
        for k, v in value.items()
    ):
        raise ValidationFailedError(
            fields={"next_token": "is not a token this API gave out"},
            extra={"fields_vi": {"next_token": "không phải mã trang do hệ thống cấp"}},
        )
    return value
