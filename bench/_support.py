"""Shared set-up for the in-process benches: the environment the tests use, and a fresh moto backend with
the project's resources (infra/), reference data, and every workflow execution ended at the end."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import AbstractContextManager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CAPTCHA = "BENCHCAPTCHA"


def prepare_environment() -> None:
    """Call before importing anything that creates a boto3 client (moto must be imported first)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="ap-southeast-1", AWS_REGION="ap-southeast-1", VSSID_STAGE="test",
        POWERTOOLS_METRICS_NAMESPACE="VssIDBench", VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA,
        POWERTOOLS_LOG_LEVEL="CRITICAL",  # the figures, not the app's log lines
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("AWS_PROFILE", None)
    import moto  # noqa: F401 - imported before any boto3 client exists, so moto sees them all

    from local.moto_patches import apply_all

    apply_all()
    from infra.gateway_responses import mirror_in_chalice_local

    mirror_in_chalice_local()
    for name in ("moto.stepfunctions.parser", "botocore", "aws_lambda_powertools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.getLogger("vssid").setLevel(logging.CRITICAL)


def backend(reference_data: bool = True) -> AbstractContextManager[dict[str, str]]:
    """A fresh in-process moto backend (Step Functions executing the real ASL), as the tests' `aws` fixture."""
    from tests.support.backend import fresh_backend

    return fresh_backend(reference_data)


def write_result(name: str, data: object) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
