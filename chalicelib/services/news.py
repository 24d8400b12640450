"""News (tin tức): newest first, and one item with its body.

News tells what the agency or the law says, never this app's own rules (sign-in limits, password and photo
rules: those are "how this app works" help in the FAQ). Each item is cited or `demo: true`, and says so:
`demo` is true or false in every answer, never absent."""

from __future__ import annotations

from typing import Any

from chalicelib.models.directory import DirectoryItem
from chalicelib.pagination import Page
from chalicelib.services.directory_lists import fields_of, list_page
from chalicelib.support_errors import NewsNotFoundError

LIST_KEY = "NEWS"
MAX_ID_LENGTH = 100


def list_news(limit: int, next_token: str | None) -> Page:
    """A page of news, newest first (`sort_key` is the publication time), without their bodies."""
    items, token = list_page(LIST_KEY, limit, next_token, newest_first=True)
    return Page(items=[_with_demo({k: v for k, v in item.items() if k != "body"}) for item in items],
                next_token=token)


def _with_demo(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "demo": bool(fields.get("demo", False))}


def get_news(news_id: str) -> dict[str, Any]:
    if not news_id or len(news_id) > MAX_ID_LENGTH:
        raise NewsNotFoundError()
    try:
        item = DirectoryItem.get(f"NEWS#{news_id}")
    except DirectoryItem.DoesNotExist:
        raise NewsNotFoundError() from None
    if item.collection != "NEWS":
        raise NewsNotFoundError()
    return _with_demo(fields_of(item))
