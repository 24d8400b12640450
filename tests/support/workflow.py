"""Driving the real state machine in tests: deliver tokens as the SQS trigger would, wait, clean up."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from chalicelib.aws.clients import get_client


def deliver_tokens(wait_seconds: float = 10.0, expect: int = 1) -> list[str]:
    """Receive token messages and hand them to the consumer, as the Lambda SQS trigger does."""
    from chalicelib.services.workflow_tokens import record_task_token

    sqs = get_client("sqs")
    url = os.environ["REGISTRATION_TOKEN_QUEUE_URL"]
    outcomes: list[str] = []
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and len(outcomes) < expect:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        for message in batch.get("Messages", []):
            outcomes.append(record_task_token(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(outcomes) < expect:
            time.sleep(0.05)
    return outcomes


def deliver_sms(wait_seconds: float = 0.0) -> list[str]:
    """Hand every message waiting in the SMS outbox to its consumer, as the Lambda SQS trigger does.
    A message whose SMS fails is made visible again at the end of the sweep, as if its visibility
    timeout had passed, so the next sweep is SQS's next delivery of it."""
    from chalicelib.aws.notifier import NotificationError
    from chalicelib.services.outbox_delivery import deliver

    sqs = get_client("sqs")
    url = os.environ["SMS_OUTBOX_QUEUE_URL"]
    outcomes: list[str] = []
    failed: list[str] = []
    deadline = time.monotonic() + wait_seconds
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        for message in batch.get("Messages", []):
            try:
                outcomes.append(deliver(message["Body"]))
            except NotificationError:
                outcomes.append("failed")
                failed.append(message["ReceiptHandle"])
                continue
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if not batch.get("Messages"):
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
    for receipt in failed:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=0)
    return outcomes


def executions(status: str | None = None) -> list[dict[str, Any]]:
    sfn = get_client("stepfunctions")
    kwargs: dict[str, Any] = {"stateMachineArn": os.environ["REGISTRATION_STATE_MACHINE_ARN"]}
    if status:
        kwargs["statusFilter"] = status
    return sfn.list_executions(**kwargs)["executions"]


def wait_for_execution(name_prefix: str, timeout: float = 20.0) -> dict[str, Any]:
    """Block until the execution whose name starts with `name_prefix` has finished; return it."""
    sfn = get_client("stepfunctions")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for execution in executions():
            if execution["name"].startswith(name_prefix) and execution["status"] != "RUNNING":
                deliver_sms()  # the workflow's notices wait in the SMS outbox until its consumer runs
                return sfn.describe_execution(executionArn=execution["executionArn"])
        time.sleep(0.05)
    raise AssertionError(f"execution {name_prefix} still running after {timeout}s")


def history_states(execution_arn: str) -> list[str]:
    events = get_client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def end_all_executions(timeout: float = 5.0) -> None:
    """Fail every waiting task so no execution outlives its test's moto backend."""
    sfn = get_client("stepfunctions")
    sqs = get_client("sqs")
    url = os.environ.get("REGISTRATION_TOKEN_QUEUE_URL")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        running = executions("RUNNING")
        if not running:
            return
        if url:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            for message in batch.get("Messages", []):
                token = json.loads(message["Body"]).get("taskToken")
                try:
                    sfn.send_task_failure(taskToken=token, error="TestCleanup")
                except Exception:  # noqa: BLE001 - already finished
                    pass
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        from chalicelib.models.registration import Registration

        for execution in running:
            registration_id = execution["name"].rsplit("-", 1)[0]
            try:
                token = Registration.get(registration_id).task_token
            except Exception:  # noqa: BLE001
                token = None
            if token:
                try:
                    sfn.send_task_failure(taskToken=token, error="TestCleanup")
                except Exception:  # noqa: BLE001
                    pass
        time.sleep(0.1)
    left = ", ".join(e["name"] for e in executions("RUNNING"))
    raise AssertionError(f"executions still running after cleanup: {left}")
