"""`?limit=` and `?next_token=`: client input that must turn into a page size and a start key, or a 400."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.errors import ValidationFailedError
from chalicelib.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_token, encode_token, parse_limit, scope_of

SCOPE = scope_of("offices", "01")


@pytest.fixture(autouse=True)
def _the_process_signing_key(monkeypatch):
    """The tokens below are signed when this module is imported, with the process key of a test run. A
    functional test run earlier in the same worker leaves its backend's key parameter named in the
    environment; these tests must keep signing and checking with the process key whatever ran before."""
    from chalicelib.secrets import PAGINATION_KEY_PARAM

    monkeypatch.delenv(PAGINATION_KEY_PARAM, raising=False)


LAST_KEY = {
    "pk": {"S": "HN-HK#AWAITING_VERIFICATION"},
    "submitted_at": {"S": "2026-11-25T10:00:00+07:00"},
    "registration_id": {"S": "3f2a9c1e-7b4d-4e8a-9f01-23456789abcd"},
}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- limit ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "limit"), [(None, 20), ("", 20), ("1", 1), ("20", 20), ("100", 100), ("007", 7)])
def test_a_limit_from_1_to_100_is_taken_and_none_means_20(raw: str | None, limit: int):
    assert parse_limit(raw) == limit


def test_the_contract_defaults():
    assert (DEFAULT_LIMIT, MAX_LIMIT) == (20, 100)


@pytest.mark.parametrize("raw", ["0", "101", "1000000", "abc", "-1", "+5", "1.5", "1e2", " 5", "5 ", "0x10", "twenty"])
def test_any_other_limit_is_a_validation_error(raw: str):
    with pytest.raises(ValidationFailedError) as caught:
        parse_limit(raw)

    error = caught.value
    assert (error.status, error.code) == (400, "VALIDATION_FAILED")
    assert error.fields == {"limit": "must be a whole number from 1 to 100"}
    assert error.extra["fields_vi"] == {"limit": "phải là số nguyên từ 1 đến 100"}


@pytest.mark.parametrize("raw", ["²", "①", "5²"])
def test_a_limit_of_unicode_digit_symbols_is_a_validation_error(raw: str):
    with pytest.raises(ValidationFailedError):
        parse_limit(raw)


# --- next_token -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "last_key",
    [
        LAST_KEY,
        {"province_code": {"S": "01"}, "code": {"S": "HN-HK"}},
        {"name": {"S": "BHXH quận Hoàn Kiếm"}},
        {"pk": {"S": "x"}, "n": {"N": "42"}},
    ],
    ids=["queue", "offices", "vietnamese", "number"],
)
def test_a_token_round_trips_to_the_same_start_key(last_key: dict):
    token = encode_token(last_key, SCOPE)

    assert token is not None
    assert decode_token(token, SCOPE) == last_key


def test_a_token_is_safe_in_a_query_string():
    token = encode_token({"name": {"S": "BHXH quận Hoàn Kiếm / ? & = +"}}, SCOPE)

    assert token is not None
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")  # unreserved


@pytest.mark.parametrize("last_key", [None, {}])
def test_the_last_page_has_no_token(last_key: dict | None):
    assert encode_token(last_key, SCOPE) is None
    page = Page(items=[{"a": 1}], next_token=encode_token(last_key, SCOPE))
    assert page.as_api() == {"items": [{"a": 1}], "next_token": None}


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_means_the_first_page(token: str | None):
    assert decode_token(token, SCOPE) is None


TOKEN = encode_token(LAST_KEY, SCOPE) or ""
BAD_TOKENS = {
    "punctuation": "!!!",
    "non-ascii": "é",
    "one-char": "A",
    "base64-of-zero-bytes": "AAAA",
    "not-json": b64(b"hello world"),
    "not-utf8": b64(b"\xff\xfe\xfd\xfc"),
    "json-null": b64(b"null"),
    "json-list": b64(b"[1, 2]"),
    "json-string": b64(b'"pk"'),
    "json-number": b64(b"42"),
    "plain-value": b64(b'{"pk": "HN-HK"}'),
    "number-as-number": b64(b'{"n": {"N": 5}}'),
    "binary-type": b64(b'{"pk": {"B": "eA=="}}'),
    "two-types": b64(b'{"pk": {"S": "x", "N": "1"}}'),
    "no-type": b64(b'{"pk": {}}'),
    "nested-map": b64(b'{"pk": {"M": {"a": {"S": "x"}}}}'),
    "truncated": TOKEN[:-4],
    "cut-in-half": TOKEN[: len(TOKEN) // 2],
    "junk-appended": TOKEN + "x",
    "leading-brace": "{" + TOKEN,
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_token_this_api_did_not_give_out_is_an_invalid_token(token: str):
    with pytest.raises(ValidationFailedError) as caught:
        decode_token(token, SCOPE)

    error = caught.value
    assert (error.status, error.code) == (400, "INVALID_TOKEN")
    assert error.fields == {"next_token": "is not a token this API gave out for this list"}
    assert error.extra["fields_vi"] == {"next_token": "không phải mã trang do hệ thống cấp cho danh sách này"}


def test_a_start_key_the_api_did_not_sign_is_refused():
    payload, _, signature = TOKEN.partition(".")
    forged = encode_token({"pk": {"S": "someone-else"}}, SCOPE) or ""
    with pytest.raises(ValidationFailedError):
        decode_token(f"{forged.partition('.')[0]}.{signature}", SCOPE)  # another key under this token's signature
    with pytest.raises(ValidationFailedError):
        decode_token(payload, SCOPE)  # the bare, unsigned start key
    with pytest.raises(ValidationFailedError):
        decode_token(f"{payload}.é", SCOPE)


def test_padding_is_optional_on_the_way_back():
    assert decode_token(TOKEN + "=" * (-len(TOKEN) % 4), SCOPE) == LAST_KEY


@pytest.mark.parametrize("depth", [1_100, 5_000])
def test_a_token_of_deeply_nested_json_is_a_validation_error(depth: int):
    token = b64(b"[" * depth)
    assert len(token) < 8_000  # fits in a URL that API Gateway accepts

    with pytest.raises(ValidationFailedError):
        decode_token(token, SCOPE)


def test_a_page_renders_as_the_contract_list_shape():
    token = encode_token(LAST_KEY, SCOPE)

    page = Page(items=[{"code": "HN-HK"}], next_token=token)
    assert page.as_api() == {"items": [{"code": "HN-HK"}], "next_token": token}
    assert json.loads(json.dumps(Page().as_api())) == {"items": [], "next_token": None}


def test_a_token_is_taken_back_only_by_the_list_that_gave_it_out():
    token = encode_token(LAST_KEY, scope_of("news", None))

    assert decode_token(token, scope_of("news", None)) == LAST_KEY
    for other in (scope_of("offices", "01"), scope_of("news", "x"), scope_of("registration-queue", "HN-HK#DRAFT")):
        with pytest.raises(ValidationFailedError) as caught:
            decode_token(token, other)
        assert caught.value.code == "INVALID_TOKEN"


def test_scopes_of_different_filters_never_coincide():
    assert scope_of("a|b", "c") != scope_of("a", "b|c")
    assert scope_of("offices", None) != scope_of("offices", "None")


def test_a_key_the_caller_already_knows_is_not_carried_in_the_token():
    sin = "0101234567"
    last_key = {"username": {"S": sin}, "record_key": {"S": "CONTRIBUTION#BHXH#2020-01#r1"}}
    scope = scope_of("benefits", sin)

    token = encode_token(last_key, scope, {"username": sin}) or ""

    assert sin not in token and sin.encode() not in b64decode_loose(token.partition(".")[0])
    assert decode_token(token, scope, {"username": sin}) == last_key
    with pytest.raises(ValidationFailedError):
        decode_token(encode_token(last_key, scope) or "", scope, {"username": sin})  # carried: not ours


def b64decode_loose(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
