"""One cached boto3 client per service, created on first use.

boto3 honours `AWS_ENDPOINT_URL`, so the same code talks to AWS on Lambda, to a moto server in local
mode and to in-process moto in tests. Tests replace a client with `set_client` (a botocore Stubber or a
client with an event hook for fault injection).

All clients come from one boto3 session: a session loads botocore's endpoint and service models (JSON files
of megabytes) once and keeps them, so each new client costs milliseconds, not the hundreds a fresh session
pays (a cold start creates several clients; the tests create them again for every fresh backend). Sessions
are not thread-safe, clients are: clients are created under a lock.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from chalicelib.config import get_settings

_clients: dict[str, Any] = {}
_session: Any = None
_lock = threading.Lock()


def get_client(service: str) -> Any:
    client = _clients.get(service)
    if client is not None:
        return client
    with _lock:
        client = _clients.get(service)
        if client is None:
            client = _new_client(service)
            _clients[service] = client
    return client


def _new_client(service: str) -> Any:
    global _session
    import boto3
    from botocore.config import Config

    if _session is None:
        _session = boto3.session.Session()
    s3_style = {"addressing_style": "path"} if os.environ.get("AWS_ENDPOINT_URL") else {}
    return _session.client(
        service,
        region_name=get_settings().region,
        config=Config(
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=3,
            read_timeout=10,
            signature_version="s3v4" if service == "s3" else None,
            s3=s3_style or None,
        ),
    )


def set_client(service: str, client: Any | None) -> None:
    if client is None:
        _clients.pop(service, None)
    else:
        _clients[service] = client


def reset_clients() -> None:
    _clients.clear()
