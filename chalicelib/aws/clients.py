"""One cached boto3 client per service, created on first use.

boto3 honours `AWS_ENDPOINT_URL`, so the same code talks to AWS on Lambda, to a moto server in local
mode and to in-process moto in tests. Tests replace a client with `set_client` (a botocore Stubber or a
client with an event hook for fault injection).
"""

from __future__ import annotations

import os
from typing import Any

from chalicelib.config import get_settings

_clients: dict[str, Any] = {}


def get_client(service: str) -> Any:
    client = _clients.get(service)
    if client is None:
        import boto3
        from botocore.config import Config

        s3_style = {"addressing_style": "path"} if os.environ.get("AWS_ENDPOINT_URL") else {}
        client = boto3.session.Session().client(
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
        _clients[service] = client
    return client


def set_client(service: str, client: Any | None) -> None:
    if client is None:
        _clients.pop(service, None)
    else:
        _clients[service] = client


def reset_clients() -> None:
    _clients.clear()
