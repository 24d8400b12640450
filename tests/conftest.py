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

from local.moto_patches import apply_all  # noqa: E402

apply_all()

from infra.gateway_responses import mirror_in_chalice_local  # noqa: E402

mirror_in_chalice_local()
logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
logging.getLogger("botocore").setLevel(logging.WARNING)


def pytest_configure(config):
    """The suite-wide log scan (tests/support/log_scan.py): no secret or personal data in the app's logs; and
    the time per test directory."""
    from tests.support.log_scan_plugin import LogScanPlugin

    config.pluginmanager.register(LogScanPlugin(config), "vssid-log-scan")
    from tests.support.timing_plugin import TimingPlugin

    config.pluginmanager.register(TimingPlugin(config), "vssid-timing")


@pytest.fixture
def aws():
    """A fresh moto backend with the project's resources; yields the environment they live at."""
    from local import outbox
    from tests.support.backend import fresh_backend
    from tests.support.log_scan import remember_messages

    with fresh_backend() as env:
        try:
            yield env
        finally:
            remember_messages(outbox.messages_for(None))  # what the app sent must not be in its logs too


@pytest.fixture
def client(aws):
    """The HTTP API through Chalice's test client, on the fresh backend."""
    from chalice.test import Client

    from app import app

    # The "local" stage: Client applies a stage's environment, and only local/test may shorten windows.
    with Client(app, stage_name="local") as test_client:
        yield test_client


@pytest.fixture
def settings_env(monkeypatch):
    """Change settings from the environment for one test (the settings are cached once per process)."""
    from chalicelib.config import get_settings

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
