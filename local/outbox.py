"""Every SMS and e-mail sent in a moto backend, in the order sent, with when it was first seen.

Local mode and tests read moto's own records (SNS `sms_messages`, SES `sent_messages`), so messages
the workflow sends from inside Step Functions are seen exactly like those the API sends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

ACCOUNT_ID = "123456789012"
_lock = threading.Lock()
_seen: list[dict[str, Any]] = []
_seen_ids: set[str] = set()


def _backend_messages(region: str) -> list[tuple[str, dict[str, Any]]]:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    found: list[tuple[str, dict[str, Any]]] = []
    for message_id, (phone, text) in list(sns_backends[ACCOUNT_ID][region].sms_messages.items()):
        found.append((f"sms:{message_id}", {"channel": "sms", "to": phone, "body": text}))
    for message in list(ses_backends[ACCOUNT_ID][region].sent_messages):
        for to in getattr(message, "destinations", {}).get("ToAddresses", []):
            found.append((f"email:{message.id}:{to}", {
                "channel": "email", "to": to, "subject": getattr(message, "subject", ""),
                "body": getattr(message, "body", ""),
            }))
    return found


def collect(region: str, on_new: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Record messages not seen before; `on_new` is called for each (the console printer)."""
    now = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    for key, message in _backend_messages(region):
        with _lock:
            if key in _seen_ids:
                continue
            _seen_ids.add(key)
            entry = {**message, "sent_at": now}
            _seen.append(entry)
        if on_new:
            on_new(entry)


def messages_for(to: str | None) -> list[dict[str, Any]]:
    from chalicelib.config import get_settings

    collect(get_settings().region)
    with _lock:
        items = list(_seen)
    if to:
        wanted = {to}
        from chalicelib.domain.contact import normalise_vn_mobile

        phone = normalise_vn_mobile(to)
        if phone:
            wanted.add(phone)
        items = [m for m in items if m["to"] in wanted]
    return items


def reset() -> None:
    with _lock:
        _seen.clear()
        _seen_ids.clear()


def watch(region: str, on_new: Callable[[dict[str, Any]], None], stop: threading.Event, every: float = 0.3) -> None:
    while not stop.wait(every):
        try:
            collect(region, on_new)
        except Exception as exc:  # noqa: BLE001 - a local convenience must never kill the server
            print(f"[outbox] could not read messages: {type(exc).__name__}")
