"""Shared test set-up. Unit tests need nothing; functional tests get a fresh in-process moto backend
with every resource created from infra/ (Step Functions execution switched on), reference data
loaded, and every workflow execution ended before the backend goes away (see MOTO-NOTES)."""

from __future__ import annotations

import logging
import os

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="ap-southeast-1",
    AWS_REGION="ap-southeast-1",
    VSSID_STAGE="test",
    POWERTOOLS_METRICS_NAMESPACE="VssIDTest",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import moto  # noqa: E402,F401 - imported before any boto3 client exists, so moto sees them all
import pytest  # noqa: E402

logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
logging.getLogger("botocore").setLevel(logging.WARNING)


@pytest.fixture
def aws():
    """A fresh moto backend with the project's resources; yields the environment they live at."""
    from moto import mock_aws

    from chalicelib import clock, idempotency
    from chalicelib.aws.clients import reset_clients
    from local import outbox
    from local.bootstrap import create_all
    from local.seed import load_reference_data

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        reset_clients()
        idempotency.reset()
        outbox.reset()
        env = create_all(os.environ["AWS_DEFAULT_REGION"])
        os.environ.update(env)
        load_reference_data()
        try:
            yield env
        finally:
            from tests.support.workflow import end_all_executions

            end_all_executions()
            clock.set_clock(None)
            outbox.reset()
