"""A fresh in-process moto backend with every resource of infra/ (Step Functions executing the real ASL):
what the tests' `aws` fixture, the least-privilege walk and the benches all start from.

Some 470 tests each start from a fresh backend. Its DynamoDB half — 19 tables made through the API from
infra/resources.json, then the reference data — is most of the cost of making one (~0.25 s of ~0.35 s), and
it is the same every time: the first backend of a process is built in full, its DynamoDB backend is kept,
and every later one gets a deep copy of it (~10 ms) instead. Everything else (buckets, queues, topics, the
key, the state machine, the secrets) is still created through the API from the template each time.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# reference_data → moto's DynamoDB backend as the first fresh backend of this process left it.
_tables: dict[bool, Any] = {}


def _dynamodb_backends() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    from local.bootstrap import ACCOUNT_ID

    return dynamodb_backends[ACCOUNT_ID]


@contextmanager
def fresh_backend(reference_data: bool = True) -> Iterator[dict[str, str]]:
    """Yields the environment the resources live at; ends every execution and empties the outbox after."""
    from moto import mock_aws

    from chalicelib import clock, idempotency
    from chalicelib.config import get_settings
    from local import outbox
    from local.bootstrap import create_all
    from local.seed import load_reference_data
    from tests.support.workflow import end_all_executions

    region = os.environ["AWS_DEFAULT_REGION"]
    # The app's cached boto3 clients stay: moto intercepts every client made after it was imported, and
    # the resources they reach are found by name in whichever backend is current.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        idempotency.reset()
        outbox.reset()
        kept = _tables.get(reference_data)
        if kept is not None:
            _dynamodb_backends()[region] = copy.deepcopy(kept)
        env = create_all(region, tables=kept is None)
        os.environ.update(env)
        get_settings.cache_clear()  # each backend has its own KMS key ARN
        try:
            if kept is None:
                if reference_data:
                    load_reference_data()
                _tables[reference_data] = copy.deepcopy(_dynamodb_backends()[region])
            yield env
        finally:
            end_all_executions()
            clock.set_clock(None)
            outbox.reset()
