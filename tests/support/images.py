"""Real JPEG and PNG files of a realistic size, made with Pillow."""

from __future__ import annotations

import io
import random


def photo(kind: str = "JPEG", side: int = 320, seed: int = 1) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **({"quality": 90} if kind == "JPEG" else {}))
    return buffer.getvalue()
