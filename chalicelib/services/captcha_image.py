"""The captcha picture: the answer drawn distorted on noise as a PNG, by the `captcha` library (Pillow)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from captcha.image import ImageCaptcha

WIDTH, HEIGHT = 200, 70


@lru_cache(maxsize=1)
def _generator() -> ImageCaptcha:
    # Imported here: Pillow is needed only by GET /v1/auth/captcha, not on a cold start for other routes.
    # Cached so the bundled font is loaded once per container.
    from captcha.image import ImageCaptcha

    return ImageCaptcha(width=WIDTH, height=HEIGHT)


def render_png(answer: str) -> bytes:
    return _generator().generate(answer, format="png").getvalue()
