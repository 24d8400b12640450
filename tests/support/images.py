"""Real JPEG and PNG files of a realistic size, made with Pillow."""

from __future__ import annotations

import functools
import io
import random


@functools.lru_cache(maxsize=64)
def photo(kind: str = "JPEG", side: int = 320, seed: int = 1) -> bytes:
    """Noise (so the file has a photo's size, not a flat colour's), the same for the same arguments."""
    from PIL import Image

    noise = random.Random(seed).randbytes(side * side * 3)
    image = Image.frombytes("RGB", (side, side), noise)
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **({"quality": 90} if kind == "JPEG" else {}))
    return buffer.getvalue()
