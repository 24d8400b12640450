"""Secrets, read at run time from SSM Parameter Store (SecureString) and cached for a few minutes.

The deployed functions get only a parameter's *name* in their environment, never the secret itself.
Local runs and tests read the same way from moto (local/bootstrap.py creates the parameter); code with
no AWS at all (unit tests) uses a key made for this process.
"""

from __future__ import annotations

import os
import secrets as random_source

from chalicelib.config import ConfigError, get_settings

PAGINATION_KEY_PARAM = "VSSID_PAGINATION_KEY_PARAM"
CACHE_SECONDS = 600  # a rotated key is picked up within ten minutes; tokens signed before then stop working
_PROCESS_KEY = random_source.token_bytes(32)


def pagination_key() -> bytes:
    """The HMAC key that signs `next_token`s, so a client cannot forge a DynamoDB start key."""
    name = os.environ.get(PAGINATION_KEY_PARAM, "")
    if not name:
        settings = get_settings()
        if settings.local_mode or settings.stage in ("local", "test"):
            return _PROCESS_KEY
        raise ConfigError(f"{PAGINATION_KEY_PARAM} is not set on a deployed stage")
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_parameter(name, decrypt=True, max_age=CACHE_SECONDS)
    except parameters.exceptions.GetParameterError as exc:
        # Parameter Store throttled or unreachable: the request can be retried, it is not our bug.
        from chalicelib.errors import ServiceUnavailableError
        from chalicelib.observability import logger

        logger.warning("key store unavailable", extra={"aws_error": type(exc.__cause__).__name__})
        raise ServiceUnavailableError() from None
    return str(value).encode()
