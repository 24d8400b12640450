"""Provinces and offices, for the Form 01 office choice (nơi nộp hồ sơ)."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import NotFoundError
from chalicelib.models.reference import Office, Province
from chalicelib.pagination import Page, decode_token, encode_token, scope_of


def list_provinces() -> list[dict[str, Any]]:
    return [
        {"province_code": p.province_code, "name": p.name, "provincial_office_code": p.provincial_office_code}
        for p in Province.query("VN")
    ]


def list_offices(province_code: str, limit: int, next_token: str | None) -> Page:
    if not province_code:
        return Page(items=[], next_token=None)
    scope = scope_of("offices", province_code)
    result = Office.province_index.query(
        province_code, limit=limit, last_evaluated_key=decode_token(next_token, scope)
    )
    items = [office.as_api() for office in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key, scope))


def find_office(office_code: str) -> Office | None:
    try:
        return Office.get(office_code)
    except Office.DoesNotExist:
        return None


def get_office(office_code: str) -> Office:
    office = find_office(office_code)
    if office is None:
        raise NotFoundError("No office with this code.", "Không tìm thấy cơ quan BHXH với mã này.")
    return office
