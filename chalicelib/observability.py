"""Logger and Metrics singletons (Powertools). Log lines carry ids and codes, never PII or secrets."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "vssid")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "VssID")

logger = Logger(service="vssid")
metrics = Metrics(namespace="VssID", service="vssid")


def correlation_id() -> str:
    """The id that ties this request's log lines and its workflow together."""
    return logger.get_correlation_id() or "none"


def flush_metrics() -> None:
    """Write the buffered metrics as one EMF log line; nothing when the request recorded none."""
    if metrics.metric_set:
        metrics.flush_metrics()
