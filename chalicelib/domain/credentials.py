"""Passwords, tokens and keys: generated with `secrets`, stored only as hashes.

Passwords use Argon2id (memory-hard, argon2-cffi) at the OWASP baseline of 19 MiB, 2 passes, 1 lane,
which costs about 20–40 ms on a Lambda vCPU. Opaque tokens and access keys carry ≥ 256 random bits,
so a fast SHA-256 is enough to store them: nobody can guess one to test against the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

# No 0/O, 1/l/I: an initial password is read off an SMS and typed by hand.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHasher:
    from argon2 import PasswordHasher, Type  # imported here: argon2 is not needed on most requests

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, type=Type.ID)


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return password_hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


def new_initial_password(length: int = 10) -> str:
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        # At least one digit, one lower- and one upper-case letter: some phones' autofill expects it.
        if any(c.isdigit() for c in candidate) and any(c.islower() for c in candidate) and any(
            c.isupper() for c in candidate
        ):
            return candidate


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_digest(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(token_digest(token), stored_digest)
