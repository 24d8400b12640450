"""A fresh in-process moto backend with every resource of infra/ (Step Functions executing the real ASL):
what the tests' `aws` fixture, the least-privilege walk and the benches all start from."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fresh_backend(reference_data: bool = True) -> Iterator[dict[str, str]]:
    """Yields the environment the resources live at; ends every execution and empties the outbox after."""
    from moto import mock_aws

    from chalicelib import clock, idempotency
    from chalicelib.aws.clients import reset_clients
    from chalicelib.config import get_settings
    from local import outbox
    from local.bootstrap import create_all
    from local.seed import load_reference_data
    from tests.support.workflow import end_all_executions

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        reset_clients()
        idempotency.reset()
        outbox.reset()
        env = create_all(os.environ["AWS_DEFAULT_REGION"])
        os.environ.update(env)
        get_settings.cache_clear()  # each backend has its own KMS key ARN
        try:
            if reference_data:
                load_reference_data()
            yield env
        finally:
            end_all_executions()
            clock.set_clock(None)
            outbox.reset()
