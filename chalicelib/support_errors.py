"""Errors of the public support part (news, FAQ, feedback), in the shape of chalicelib.errors."""

from __future__ import annotations

from chalicelib.errors import ConflictError, NotFoundError


class NewsNotFoundError(NotFoundError):
    code = "NEWS_NOT_FOUND"
    message = "No news item with this id."
    message_vi = "Không tìm thấy tin tức với mã này."


class FeedbackNotFoundError(NotFoundError):
    code = "FEEDBACK_NOT_FOUND"
    message = "No feedback with this tracking key."
    message_vi = "Không tìm thấy phản ánh, kiến nghị với mã theo dõi này."


class AlreadyAnsweredError(ConflictError):
    code = "ALREADY_ANSWERED"
    message = "This feedback has already been answered."
    message_vi = "Phản ánh, kiến nghị này đã được trả lời."
