"""Nothing is lost and nothing happens twice: SMS failures, retries, the SQS trigger, the logs."""

from __future__ import annotations

import json
import logging
import re

from chalicelib.domain.credentials import verify_password
from tests.support.faults import failing
from tests.support.people import Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, executions


def test_submit_whose_sms_fails_is_finished_by_the_retry(client):
    citizen = Citizen(client).registered()
    key = {"Idempotency-Key": "submit-sms-fails-1"}
    with failing("sns", "Publish") as calls:
        first = citizen.submit(key)
    assert first.status == 503 and first.headers["Retry-After"]
    assert first.body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert calls and citizen.sms() == []

    retry = citizen.submit(key)

    assert retry.status == 200
    assert len(citizen.sms()) == 1
    assert len(executions()) == 1
    assert deliver_tokens() == ["recorded"]


def test_approval_whose_sms_fails_sends_a_fresh_password_on_retry(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    with failing("sns", "Publish"):
        first = staff.approve(citizen.registration_id, {"Idempotency-Key": "approve-sms-fails"})
    assert first.status == 503
    assert account_of(citizen.form["social_insurance_number"]) is not None  # the decision itself stands

    retry = staff.approve(citizen.registration_id, {"Idempotency-Key": "approve-sms-fails"})

    assert retry.status == 200
    password_sms = [s for s in citizen.sms() if "Mat khau khoi tao" in s]
    assert len(password_sms) == 1
    password = password_sms[0].split("Mat khau khoi tao: ")[1].split(" ")[0]
    account = account_of(citizen.form["social_insurance_number"])
    assert account.initial_password_delivered
    assert verify_password(account.password_hash, password)


def test_a_throttled_database_gives_a_retryable_503(client):
    citizen = Citizen(client)
    with failing("dynamodb", "TransactWriteItems", "ProvisionedThroughputExceededException"):
        reply = citizen.create()
    assert reply.status == 503 and "Retry-After" in reply.headers
    assert citizen.create().status == 201


def test_the_sqs_trigger_records_the_token(client):
    from chalicelib.aws.clients import get_client
    from chalicelib.models.registration import Registration

    citizen = Citizen(client).registered()
    citizen.submit()
    sqs = get_client("sqs")
    import os
    import time

    url = os.environ["REGISTRATION_TOKEN_QUEUE_URL"]
    messages = []
    end = time.monotonic() + 10
    while not messages and time.monotonic() < end:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    event = client.events.generate_sqs_event(message_bodies=[m["Body"] for m in messages],
                                             queue_name="vssid-registration-tokens")
    client.lambda_.invoke("record_workflow_token", event)
    assert messages, executions()
    token = json.loads(messages[0]["Body"])["taskToken"]
    assert Registration.get(citizen.registration_id).task_token == token


def test_no_personal_data_or_secret_reaches_the_logs(client, caplog, capsys):
    # What production emits: INFO from every library, and everything our own logger says.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="vssid")
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    staff.approve(citizen.registration_id)
    password = re.search(r"Mat khau khoi tao: (\S+)", citizen.sms()[-1]).group(1)
    logs = caplog.text + capsys.readouterr().out
    assert "registration approved" in logs  # the logs were captured at all
    form = citizen.form
    for secret in (password, citizen.access_key, staff.token, form["id_number"], "901234567",
                   form["social_insurance_number"], form["full_name"], form["email"], "Hàng Bài"):
        assert secret not in logs, secret
