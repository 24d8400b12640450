"""Captchas (mã kiểm tra) for login, password reset and the public number look-up.

The answer is kept only as a hash, for a few minutes, and a captcha is spent by the first attempt,
right or wrong: deleting the item is conditional, so two requests cannot both use it.
"""

from __future__ import annotations

import base64
import hmac
import uuid
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.domain.captcha_text import answer_digest, new_answer, same_answer
from chalicelib.errors import CaptchaInvalidError
from chalicelib.models.base import condition_failed
from chalicelib.models.sign_in import Captcha


def issue() -> dict[str, Any]:
    from chalicelib.services.captcha_image import render_png

    settings = get_settings()
    captcha_id = uuid.uuid4().hex
    answer = new_answer()
    expires = clock.now() + timedelta(seconds=settings.captcha_seconds)
    Captcha(captcha_id, answer_digest=answer_digest(captcha_id, answer),
            expires_at_epoch=int(expires.timestamp())).save()
    return {
        "captcha_id": captcha_id,
        "image_png_base64": base64.b64encode(render_png(answer)).decode("ascii"),
        "expires_at": clock.iso(expires),
    }


def spend(captcha_id: Any, answer: Any) -> None:
    """Check and use up a captcha; raise CAPTCHA_INVALID if it is wrong, used, expired or unknown."""
    if not isinstance(captcha_id, str) or not isinstance(answer, str) or not captcha_id or len(captcha_id) > 64:
        raise CaptchaInvalidError()
    try:
        stored = Captcha.get(captcha_id, consistent_read=True)
    except Captcha.DoesNotExist:
        raise CaptchaInvalidError() from None
    try:
        stored.delete(condition=Captcha.captcha_id.exists())
    except DeleteError as exc:
        if condition_failed(exc):
            raise CaptchaInvalidError() from None
        raise
    if stored.expires_at_epoch <= clock.now().timestamp():
        raise CaptchaInvalidError()
    local_answer = get_settings().local_captcha_answer
    if local_answer and get_settings().stage in ("local", "test") and hmac.compare_digest(
        answer.strip().upper(), local_answer.strip().upper()
    ):
        return  # the configured test answer, as hosted captchas have test keys (local mode only)
    if not same_answer(captcha_id, answer, stored.answer_digest):
        raise CaptchaInvalidError()
