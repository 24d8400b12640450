"""FAQ search (GET /v1/faq) and the support chat (POST /v1/support/chat), both ranked by `faq_match`.

The index is built from a Query of the FAQ list (`list-index`, list_key "FAQ"; never a Scan) and kept in
the Lambda's memory; the list is read again every `CACHE_SECONDS`, so an edited FAQ shows within five
minutes, and the index is rebuilt only when it changed (a build takes about 0.3 s with the examples).
How a message is read (diacritics, abbreviations, teen spelling) and when the best entry is a real answer
rather than a guess: `domain.vi_typing` and `domain.faq_match`; how well it does
on questions as people type them: docs/CHAT.md and bench/chat_accuracy.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain.faq_entries import CATEGORIES
from chalicelib.domain.faq_match import FaqIndex
from chalicelib.domain.form01 import clean_text
from chalicelib.errors import InvalidTokenError, ValidationFailedError
from chalicelib.observability import logger
from chalicelib.pagination import Page, decode_token, encode_token, scope_of
from chalicelib.services.directory_lists import all_items, list_page
from chalicelib.services.support_info import support

LIST_KEY = "FAQ"
CACHE_SECONDS = 5 * 60
MAX_QUERY_LENGTH = 200
MAX_MESSAGE_LENGTH = 500
MAX_SOURCES = 3
# Other entries are offered as sources only when they score at least half as well as the best one.
RELATED_SHARE = 0.5


@dataclass(frozen=True)
class _Cached:
    read_at: float
    index: FaqIndex


_cache: list[_Cached] = []


def reset_cache() -> None:
    """Read the FAQ again on the next call (tests: each has its own backend); the index is kept only to be
    reused if the entries read are the same."""
    if _cache:
        _cache[:] = [_Cached(read_at=float("-inf"), index=_cache[0].index)]


def _index() -> FaqIndex:
    now = clock.now().timestamp()
    cached = _cache[0] if _cache else None
    if cached is None or not 0 <= now - cached.read_at < CACHE_SECONDS:
        entries = all_items(LIST_KEY)
        if cached is not None and entries == cached.index.entries:
            cached = _Cached(read_at=now, index=cached.index)  # unchanged: building takes ~0.3 s, comparing ~1 ms
        else:
            cached = _Cached(read_at=now, index=FaqIndex(entries))
            logger.info("faq index built", extra={"entries": len(entries)})
        _cache[:] = [cached]
    return cached.index


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    """What the API shows of an entry: not its phrasings (matching material, often misspelt on purpose)."""
    category = entry.get("category")
    return {"faq_id": entry.get("faq_id"), "category": category, "category_name": CATEGORIES.get(str(category)),
            "question": entry.get("question"), "answer": entry.get("answer"), "tags": list(entry.get("tags") or []),
            "source": entry.get("source"), "demo": bool(entry.get("demo"))}


def _offset(next_token: str | None, scope: str) -> int:
    start = decode_token(next_token, scope)
    if start is None:
        return 0
    raw = start.get("offset", {}).get("N", "")
    if set(start) != {"offset"} or not raw.isdigit() or len(raw) > 6:
        raise InvalidTokenError()
    return int(raw)


def search_faq(q: str | None, limit: int, next_token: str | None) -> Page:
    """Without `q`: every entry by faq_id, paginated. With `q`: entries sharing a token with it, best
    first, each with its BM25 `score` (the next_token is then a position in that ranking)."""
    query = clean_text(q or "")
    if not query:
        items, token = list_page(LIST_KEY, limit, next_token)
        return Page(items=[_public(item) for item in items], next_token=token)
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailedError(
            fields={"q": f"must be at most {MAX_QUERY_LENGTH} characters"},
            extra={"fields_vi": {"q": f"không được dài quá {MAX_QUERY_LENGTH} ký tự"}},
        )
    scope = scope_of("faq-search", query)
    offset = _offset(next_token, scope)
    index = _index()
    ranked = index.rank(index.message_tokens(query), len(index.entries))
    page = ranked[offset:offset + limit]
    end = offset + limit
    return Page(
        items=[{**_public(index.entries[i]), "score": round(score, 4)} for i, score in page],
        next_token=encode_token({"offset": {"N": str(end)}}, scope) if end < len(ranked) else None,
    )


def _message(body: dict[str, Any]) -> str:
    raw = body.get("message")
    message = clean_text(raw) if isinstance(raw, str) else ""
    if not 1 <= len(message) <= MAX_MESSAGE_LENGTH:
        raise ValidationFailedError(
            fields={"message": f"must be 1 to {MAX_MESSAGE_LENGTH} characters"},
            extra={"fields_vi": {"message": f"phải dài từ 1 đến {MAX_MESSAGE_LENGTH} ký tự"}},
        )
    return message


def chat(body: dict[str, Any]) -> dict[str, Any]:
    """The best FAQ answer to `message` with its sources, or — when no entry answers it well — an honest
    "not found" with the hotline and e-mail, never a guess."""
    message = _message(body)
    index = _index()
    match = index.match(message, MAX_SOURCES)
    # The message may hold personal details: log only how well it matched.
    logger.info("support chat", extra={"matched": match.answered, "reason": match.reason,
                                       "coverage": round(match.coverage, 3)})
    if match.answered:
        best = index.entries[match.ranked[0][0]]
        top = match.ranked[0][1]
        sources = [
            {"faq_id": index.entries[i].get("faq_id"), "question": index.entries[i].get("question"),
             "score": round(score, 4)}
            for i, score in match.ranked if score >= RELATED_SHARE * top
        ]
        return {"answer": best.get("answer"), "sources": sources, "matched": True,
                "category": best.get("category"), "demo": bool(best.get("demo"))}
    info = support()
    return {
        "answer": (
            "Xin lỗi, tôi chưa tìm thấy câu trả lời phù hợp cho câu hỏi của bạn trong các câu hỏi thường gặp. "
            f"Để được hỗ trợ, vui lòng gọi tổng đài {info['hotline']} ({info['hours']}) hoặc gửi email tới "
            f"{info['email']}. Bạn cũng có thể gửi phản ánh, kiến nghị ngay trên ứng dụng VssID."
        ),
        "sources": [],
        "matched": False,
        "hotline": info["hotline"],
        "email": info["email"],
    }
