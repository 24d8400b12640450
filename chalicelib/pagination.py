"""`?limit=` and `?next_token=`: opaque tokens over DynamoDB's LastEvaluatedKey, each bound to its list."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import InvalidTokenError, ValidationFailedError

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


def scope_of(*parts: object) -> str:
    """The list a token belongs to: the route's list and every filter that shapes it (unambiguous text)."""
    return json.dumps([str(part) if part is not None else None for part in parts], ensure_ascii=False,
                      separators=(",", ":"))


def _signature(scope: str, payload: str) -> str:
    from chalicelib.secrets import pagination_key

    message = f"{scope}\n{payload}".encode()
    return _b64(hmac.new(pagination_key(), message, hashlib.sha256).digest()[:16])


def encode_token(last_key: dict[str, Any] | None, scope: str, implied: Mapping[str, str] | None = None) -> str | None:
    """DynamoDB's start key, signed together with the list it came from (`scope`): a client can hand it back
    to that list only, and cannot make one up. Key attributes the caller already knows (`implied`, such as
    the citizen's own social-insurance number) are left out, so the token does not carry them."""
    if not last_key:
        return None
    implied = implied or {}
    carried = {name: value for name, value in last_key.items()
               if not (name in implied and value == {"S": implied[name]})}
    payload = _b64(json.dumps(carried, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_signature(scope, payload)}"


def decode_token(token: str | None, scope: str, implied: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The start key of a token this very list gave out; any other token is a 400 INVALID_TOKEN."""
    if not token:
        return None
    payload, _, signature = token.partition(".")
    value: Any = None
    if len(token) <= MAX_TOKEN_LENGTH and signature and hmac.compare_digest(
        signature.rstrip("=").encode(), _signature(scope, payload).encode()
    ):
        try:
            value = json.loads(_unb64(payload).decode())
        except (ValueError, UnicodeDecodeError, RecursionError):
            value = None
    implied = implied or {}
    if not isinstance(value, dict) or any(name in value for name in implied) or not all(
        isinstance(k, str) and isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ("S", "N")
        and isinstance(next(iter(v.values())), str)
        for k, v in value.items()
    ):
        raise InvalidTokenError()
    return {**value, **{name: {"S": known} for name, known in implied.items()}}
