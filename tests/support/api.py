"""A mobile client and a staff client over the real HTTP API (Chalice's test client)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

VALID_FORM: dict[str, Any] = {
    "full_name": "Nguyễn Thị Hường",
    "date_of_birth": "1990-05-17",
    "gender": "female",
    "social_insurance_number": "0123456789",
    "id_type": "CCCD",
    "id_number": "001190123456",
    "id_issued_on": "2021-04-01",
    "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "phone": "0901 234 567",
    "email": "huong.nguyen@example.vn",
    "address": "Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội",
    "office_code": "HN-HK",
}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    raw: bytes


def call(client: Any, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         raw_body: bytes | None = None) -> Reply:
    sent_headers = {"Content-Type": "application/json", **(headers or {})}
    payload = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else b"")
    response = getattr(client.http, method.lower())(path, headers=sent_headers, body=payload)
    raw = response.body or b""
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return Reply(response.status_code, dict(response.headers), parsed, raw)


def upload(presigned: dict[str, Any], data: bytes, content_type: str | None = None) -> int:
    fields = dict(presigned["fields"])
    if content_type:
        fields["Content-Type"] = content_type
    response = requests.post(presigned["url"], data=fields, files={"file": ("photo", data)}, timeout=10)
    return response.status_code
