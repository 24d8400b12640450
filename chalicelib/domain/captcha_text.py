"""Captcha answers ("mã kiểm tra"): random, easy to read off a distorted image, stored only as a digest.

The answer is drawn with `secrets` from upper-case letters and digits without the look-alikes 0/O, 1/I/L,
so a wrong answer means a guess, not a misread. Users may type it in lower case or with stray spaces.
A plain SHA-256 is enough to store it: the record is single use and lives minutes, and the digest only
keeps answers out of table reads and logs. The captcha id is hashed in so a digest fits only its own captcha.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_answer(length: int = 5) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def answer_digest(captcha_id: str, answer: str) -> str:
    normalised = answer.strip().upper()
    return hashlib.sha256(f"{captcha_id}:{normalised}".encode()).hexdigest()


def same_answer(captcha_id: str, answer: str, digest: str) -> bool:
    """Whether `answer` solves the captcha whose stored digest is `digest` (constant-time compare)."""
    if not isinstance(answer, str) or not isinstance(digest, str):
        return False
    return hmac.compare_digest(answer_digest(captcha_id, answer), digest)
