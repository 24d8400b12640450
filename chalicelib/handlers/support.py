"""Public support without an account: contacts, FAQ and its chat, news, feedback (phản ánh kiến nghị)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, idempotent, json_body, json_response, query_param
from chalicelib.lazy import lazy_module
from chalicelib.pagination import parse_limit
from chalicelib.services.support_info import public_contacts

faq_chat = lazy_module("chalicelib.services.faq_chat")
feedback = lazy_module("chalicelib.services.feedback")
news = lazy_module("chalicelib.services.news")

bp = Blueprint(__name__)
JSON = ["application/json"]


def _query(name: str) -> str | None:
    return query_param(bp.current_request, name)


@api_route(bp, "/v1/support", methods=["GET"])
def support_contacts() -> Response:
    return json_response(public_contacts())


@api_route(bp, "/v1/faq", methods=["GET"])
def faq_search() -> Response:
    page = faq_chat.search_faq(_query("q"), parse_limit(_query("limit")), _query("next_token"))
    return json_response(page.as_api())


@api_route(bp, "/v1/support/chat", methods=["POST"], content_types=JSON)
def support_chat() -> Response:
    return json_response(faq_chat.chat(json_body(bp.current_request)))


@api_route(bp, "/v1/news", methods=["GET"])
def news_list() -> Response:
    return json_response(news.list_news(parse_limit(_query("limit")), _query("next_token")).as_api())


@api_route(bp, "/v1/news/{news_id}", methods=["GET"])
def news_item(news_id: str) -> Response:
    return json_response(news.get_news(news_id))


@api_route(bp, "/v1/feedback", methods=["POST"], content_types=JSON)
def feedback_submit() -> Response:
    request = bp.current_request
    body = json_body(request)
    return idempotent(request, "submit-feedback", lambda: feedback.submit(body))


@api_route(bp, "/v1/feedback/{feedback_id}", methods=["GET"])
def feedback_status(feedback_id: str) -> Response:
    return json_response(feedback.view(feedback_id))
