"""The registration's access key (khóa truy cập tờ khai), issued so that no store ever holds it in clear.

The key is shown once, in the create answer, and the registration keeps only its SHA-256. A create sent
with an Idempotency-Key must give the same answer again on a retry, yet the idempotency table must not
hold the key: so the key is then *derived* — an HMAC, under the service's key from Parameter Store, of the
client's Idempotency-Key and the new registration's id — and the replay derives it again. Reading the
idempotency table (which keeps only a hash of the Idempotency-Key) is not enough to learn it. Without an
Idempotency-Key there is no replay, and the key is random.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

from chalicelib.domain.credentials import new_token

_LABEL = b"vssid registration access key\n"


def issuer(idempotency_key: str | None) -> Callable[[str], str]:
    """registration id -> its access key; the same answer every time it is asked within one request."""
    issued: dict[str, str] = {}

    def issue(registration_id: str) -> str:
        if registration_id not in issued:
            issued[registration_id] = _derived(idempotency_key, registration_id) if idempotency_key else new_token()
        return issued[registration_id]

    return issue


def _derived(idempotency_key: str, registration_id: str) -> str:
    from chalicelib.secrets import pagination_key

    message = _LABEL + f"{idempotency_key}\n{registration_id}".encode()
    digest = hmac.new(pagination_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")  # the shape of secrets.token_urlsafe(32)
