"""What the VssID app shows a signed-in citizen about themselves: every read is a Query on their own
partition, keyed by the username the authorizer proved — never by an id the client sends."""

from __future__ import annotations

import base64
import io
from typing import Any

from chalicelib.errors import NotFoundError, ValidationFailedError
from chalicelib.models.account import Account
from chalicelib.models.records import AccessLogEntry, InsuranceRecord
from chalicelib.pagination import Page, decode_token, encode_token, scope_of

SCHEMES = ("BHXH", "BHTN", "TNLD_BNN", "BHYT")


def _bad(name: str, en: str, vi: str) -> ValidationFailedError:
    return ValidationFailedError(fields={name: en}, extra={"fields_vi": {name: vi}})


def _page(username: str, condition: Any, limit: int, next_token: str | None, scope: str,
          newest_first: bool = True) -> Page:
    # The token is signed for this citizen's list and never carries their number: it is put back from the
    # session, so a token only ever continues inside the caller's own partition.
    scope = scope_of(scope, username)
    own = {"username": username}
    result = InsuranceRecord.query(username, condition, limit=limit, scan_index_forward=not newest_first,
                                   last_evaluated_key=decode_token(next_token, scope, own))
    items = [dict(record.fields.as_dict()) for record in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key, scope, own))


def health_card(username: str) -> dict[str, Any]:
    import segno

    try:
        card = InsuranceRecord.get(username, "CARD")
    except InsuranceRecord.DoesNotExist:
        raise NotFoundError("No health-insurance card is on record yet.",
                            "Chưa có thông tin thẻ BHYT.") from None
    fields = dict(card.fields.as_dict())
    account = Account.get(username)
    # What a clinic's reader needs to look the card up and check it against the person in front of it.
    payload = "|".join([fields["card_number"], account.full_name, account.date_of_birth, account.gender,
                        fields["initial_clinic"], fields["valid_from"], fields["valid_to"]])
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=4, border=2)
    return {**fields, "full_name": account.full_name, "qr_payload": payload,
            "qr_png_base64": base64.b64encode(buffer.getvalue()).decode("ascii")}


def contributions(username: str, scheme: str | None, limit: int, next_token: str | None) -> dict[str, Any]:
    if scheme is not None and scheme not in SCHEMES:
        raise _bad("scheme", "must be one of " + ", ".join(SCHEMES), "phải là một trong " + ", ".join(SCHEMES))
    prefix = f"CONTRIBUTION#{scheme}#" if scheme else "CONTRIBUTION#"
    page = _page(username, InsuranceRecord.record_key.startswith(prefix), limit, next_token, f"contributions:{scheme}",
                 newest_first=False)
    summaries = [dict(s.fields.as_dict()) for s in InsuranceRecord.query(
        username, InsuranceRecord.record_key.startswith(f"SUMMARY#{scheme}" if scheme else "SUMMARY#"))]
    return {**page.as_api(), "totals": summaries}


def benefits(username: str, limit: int, next_token: str | None) -> Page:
    """Thông tin hưởng: the payments as loaded (domain.record_rows), newest first; TNLĐ-BNN payments carry
    `cause` and `work_capacity_loss_percent` too."""
    return _page(username, InsuranceRecord.record_key.startswith("BENEFIT#"), limit, next_token, "benefits")


def medical_visits(username: str, year: str | None, limit: int, next_token: str | None) -> Page:
    if year is None or not year.isascii() or not year.isdigit() or not 1990 <= int(year) <= 2100:
        raise _bad("year", "must be a year such as 2026", "phải là năm, ví dụ 2026")
    condition = InsuranceRecord.record_key.between(f"VISIT#{year}-01-01", f"VISIT#{year}-12-31~")
    return _page(username, condition, limit, next_token, f"visits:{year}")


def access_log(username: str, limit: int, next_token: str | None) -> Page:
    scope, own = scope_of("access-log", username), {"username": username}
    result = AccessLogEntry.query(username, limit=limit, scan_index_forward=False,
                                  last_evaluated_key=decode_token(next_token, scope, own))
    items = [{"at": e.at, "actor": e.actor, "office_code": e.office_code, "what": e.what} for e in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key, scope, own))
