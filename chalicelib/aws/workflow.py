"""The registration workflow in Step Functions: start it once per submission, resume it with a decision."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.aws.clients import get_client
from chalicelib.config import get_settings
from chalicelib.observability import logger


def start_execution(name: str, payload: dict[str, Any]) -> str:
    """Start the workflow under a deterministic name; a second start with that name is a no-op."""
    sfn = get_client("stepfunctions")
    arn = get_settings().state_machine_arn
    try:
        return sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"]
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("workflow already started", extra={"execution_name": name})
        return arn.replace(":stateMachine:", ":execution:") + f":{name}"


def resume_with_decision(task_token: str, decision: str) -> bool:
    """Hand the decision to the waiting workflow. False if the token is no longer waiting (it timed out
    or was already used): the database already holds the truth, so that is not an error."""
    sfn = get_client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=task_token, output=json.dumps({"decision": decision}))
    except (sfn.exceptions.InvalidToken, sfn.exceptions.TaskTimedOut, sfn.exceptions.TaskDoesNotExist):
        logger.info("workflow token no longer waiting", extra={"decision": decision})
        return False
    return True
