"""FAQ search (GET /v1/faq) and the support chat (POST /v1/support/chat), both ranked with BM25.

The index is built from a Query of the FAQ list (`list-index`, list_key "FAQ"; never a Scan) and kept in
the Lambda's memory for `CACHE_SECONDS`, so a warm container answers from memory and an edited FAQ shows
within five minutes. A document is the question (counted twice: it is what a person's message most
resembles, and it lifts "Làm thế nào để đăng ký tài khoản VssID?" above entries that only mention
"tài khoản"), the answer and the tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain.bm25 import Bm25, tokens
from chalicelib.domain.form01 import clean_text
from chalicelib.errors import InvalidTokenError, ValidationFailedError
from chalicelib.observability import logger
from chalicelib.pagination import Page, decode_token, encode_token, scope_of
from chalicelib.services.directory_lists import all_items, list_page
from chalicelib.services.support_info import support

LIST_KEY = "FAQ"
CACHE_SECONDS = 5 * 60
QUESTION_WEIGHT = 2
MAX_QUERY_LENGTH = 200
MAX_MESSAGE_LENGTH = 500
MAX_SOURCES = 3

# When is the best entry a real answer? Three different failures, three conditions, all must hold:
# - MIN_SCORE, an absolute floor. A message of one vague word ("bhxh", "không có gì" → "co") reaches a
#   high share of its tiny maximum while telling us nothing. 3.0 is about one fairly distinctive syllable
#   (found in one entry in eight: idf ≈ 2.0) matched a couple of times.
# - MIN_SHARE of the query's maximum possible score (`Bm25.max_score`: every query token saturated). An
#   off-topic question ("giá vàng hôm nay bao nhiêu") still shares incidental syllables with the FAQ (giá
#   in "tham gia", bao_nhieu in "gồm bao nhiêu ký tự") and can score 8–12, but its own distinctive words
#   and phrases (vang, hom_nay, gia_vang) are in no entry, so their high idf stays in the maximum: on
#   the sample FAQ, off-topic questions above the floor reach 0.03–0.21 of it (one more, at 0.33, is
#   caught by the phrase rule below), while the real questions it answers, worded freely and with or
#   without diacritics, reach 0.28–0.79.
# - A phrase in common. Vietnamese meaning lives in two-syllable words, and without diacritics single
#   syllables collide ("tỷ giá đô la" shares "ty" with "công ty" and "gia" with "tham gia": 0.33). So
#   when the message has phrases (bigrams) and the best entry contains none of them, the match must be
#   clearly stronger: PHRASELESS_SHARE.
# Measured on the 40 sample entries with 30 real and 17 off-topic questions: no off-topic question
# passes; three real ones get the hotline instead ("otp sms", "chụp ảnh cccd", "công ty tôi nợ đóng
# bảo hiểm") — an honest "ask the hotline" costs less than a confident wrong answer.
MIN_SCORE = 3.0
MIN_SHARE = 0.25
PHRASELESS_SHARE = 0.4
# Other entries are offered as sources only when they score at least half as well as the best one.
RELATED_SHARE = 0.5


@dataclass(frozen=True)
class _Index:
    built_at: float
    entries: list[dict[str, Any]]
    documents: list[list[str]]
    ranker: Bm25


_cache: list[_Index] = []


def reset_cache() -> None:
    """Forget the in-memory index (tests: each has its own backend)."""
    _cache.clear()


def _document(entry: dict[str, Any]) -> list[str]:
    tags = " . ".join(str(tag) for tag in entry.get("tags") or [])  # no bigram across two tags
    return tokens(entry.get("question", "")) * QUESTION_WEIGHT + tokens(entry.get("answer", "")) + tokens(tags)


def _index() -> _Index:
    now = clock.now().timestamp()
    cached = _cache[0] if _cache else None
    if cached is None or not 0 <= now - cached.built_at < CACHE_SECONDS:
        entries = all_items(LIST_KEY)
        documents = [_document(entry) for entry in entries]
        cached = _Index(built_at=now, entries=entries, documents=documents, ranker=Bm25(documents))
        _cache[:] = [cached]
        logger.info("faq index built", extra={"entries": len(entries)})
    return cached


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    return {"faq_id": entry.get("faq_id"), "question": entry.get("question"), "answer": entry.get("answer"),
            "tags": list(entry.get("tags") or [])}


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
    ranked = index.ranker.top(tokens(query), len(index.entries))
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


def _shares_a_phrase(query: list[str], document: list[str]) -> bool:
    phrases = {token for token in query if "_" in token}
    return not phrases or not phrases.isdisjoint(document)


def chat(body: dict[str, Any]) -> dict[str, Any]:
    """The best FAQ answer to `message` with its sources, or — when no entry answers it well — an honest
    "not found" with the hotline and e-mail, never a guess."""
    query = tokens(_message(body))
    index = _index()
    ranked = index.ranker.top(query, MAX_SOURCES)
    best = ranked[0][1] if ranked else 0.0
    ceiling = index.ranker.max_score(query)
    matched = bool(ranked) and best >= MIN_SCORE and best >= MIN_SHARE * ceiling and (
        best >= PHRASELESS_SHARE * ceiling or _shares_a_phrase(query, index.documents[ranked[0][0]])
    )
    # The message may hold personal details: log only how well it matched.
    logger.info("support chat", extra={"matched": matched, "top_score": round(best, 3),
                                       "share": round(best / ceiling, 3) if ceiling else 0.0})
    if matched:
        sources = [
            {"faq_id": index.entries[i].get("faq_id"), "question": index.entries[i].get("question"),
             "score": round(score, 4)}
            for i, score in ranked if score >= RELATED_SHARE * best
        ]
        return {"answer": index.entries[ranked[0][0]].get("answer"), "sources": sources, "matched": True}
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
