"""Search an office's queue (GET /v1/admin/registrations?q=): by name, social-insurance number or reference.

At the counter a person says their name, reads out their number or shows the reference printed on Form 01
(the first 8 characters of the registration id). One office's list in one status is one partition of the
`office-status-index`, so a search is that partition's Query, read in order and matched here — never a
Scan of the table, and never another office's list. Names match as the public directory's search does
(diacritics and case aside, each query word the beginning of a word of the name: "nguyen an" finds
"Nguyễn Văn An"); a run of digits matches the beginning of the number; hexadecimal text of 4 or more
characters matches the beginning of the registration id (the reference, or the whole id a QR code holds).

A request reads at most MAX_EXAMINED rows. When it stops early (enough matches, or that many rows read),
`next_token` continues after the last row read, so a long list is searched over several requests and a
page may hold fewer than `limit` matches while `next_token` is not null.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.text_search import normalise, words
from chalicelib.errors import ValidationFailedError
from chalicelib.models.registration import Registration
from chalicelib.pagination import Page, decode_token, encode_token, scope_of
from chalicelib.services.staff_auth import StaffIdentity
from chalicelib.services.staff_queue import queue_item, validated_status

MAX_QUERY_LENGTH = 100
MAX_EXAMINED = 500
_READ_PAGE = 100
_HEX = re.compile(r"^[0-9a-f]{4,32}$")
_DIGITS = re.compile(r"^[0-9]{3,10}$")


def _bad_query() -> ValidationFailedError:
    return ValidationFailedError(
        fields={"q": f"must be 1 to {MAX_QUERY_LENGTH} characters: a name, a social-insurance number or a reference"},
        extra={"fields_vi": {"q": f"phải dài từ 1 đến {MAX_QUERY_LENGTH} ký tự: họ tên, mã số BHXH "
                                  "hoặc số tham chiếu"}},
    )


def matcher(query: str) -> Any:
    """A predicate on registrations: does `query` name this one?"""
    query_words = words(query)
    compact = "".join(query_words)
    by_id = compact if _HEX.fullmatch(compact) else None
    by_number = compact if _DIGITS.fullmatch(compact) else None

    def matches(r: Registration) -> bool:
        if by_id and r.registration_id.startswith(by_id):
            return True
        if by_number and (r.social_insurance_number or "").startswith(by_number):
            return True
        name_words = normalise(r.full_name or "").split()
        return bool(query_words) and all(any(w.startswith(q) for w in name_words) for q in query_words)

    return matches


def _index_key(r: Registration) -> dict[str, Any]:
    """The start key that continues a Query of the index right after `r` (the table's key and the index's)."""
    return {"registration_id": {"S": r.registration_id}, "office_status": {"S": r.office_status},
            "status_changed_at": {"S": r.status_changed_at}}


def search(staff: StaffIdentity, status: str | None, query: str, limit: int, next_token: str | None) -> Page:
    status = validated_status(status)
    if not 1 <= len(query.strip()) <= MAX_QUERY_LENGTH or not words(query):
        raise _bad_query()
    partition = f"{staff.office_code}#{status}"
    scope = scope_of("registration-search", partition, normalise(query))  # a token continues this search only
    matches = matcher(query)
    rows = Registration.office_status_index.query(
        partition, last_evaluated_key=decode_token(next_token, scope), scan_index_forward=True, page_size=_READ_PAGE,
    )
    items: list[dict[str, Any]] = []
    examined = 0
    last: Registration | None = None
    for r in rows:
        examined += 1
        last = r
        if matches(r):
            items.append(queue_item(r))
        if len(items) >= limit or examined >= MAX_EXAMINED:
            break
    else:
        last = None  # the whole list was read
    return Page(items=items, next_token=encode_token(_index_key(last), scope) if last else None)
