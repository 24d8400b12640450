"""Make moto's DynamoDB writes atomic, as DynamoDB's are.

DynamoDB evaluates a condition and applies the write as one step, and TransactWriteItems is
serialisable. moto's backend checks and writes in plain Python with no lock, so two threads can both
pass the same condition. The concurrency tests and the local server (which is threaded) would then
show races that cannot happen on AWS. One re-entrant lock around every write restores the guarantee.

A read is one step too: DynamoDB answers with the item as it was at one instant. moto hands its answer
writer the live item, so a GetItem written out while another thread's UpdateItem adds an attribute fails
with "dictionary changed size during iteration" (a 500 a client would never get from AWS). The same lock
is held around each whole request, from reading its parameters to writing its answer.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_lock = threading.RLock()
_patched = False


def make_dynamodb_writes_atomic() -> None:
    global _patched
    if _patched:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "get_item"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, functools.wraps(original)(locked))
    answer = DynamoHandler.call_action

    def answered_in_one_step(self: Any) -> Any:
        with _lock:
            return answer(self)

    DynamoHandler.call_action = functools.wraps(answer)(answered_in_one_step)
    _patched = True
