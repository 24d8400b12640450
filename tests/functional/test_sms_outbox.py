"""The SMS outbox: notices that fail on the first try are queued, retried by the consumer, parked in the
dead-letter queue after the last try — never dropped; the workflow's notices go the same way."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.aws.clients import get_client
from chalicelib.services.outbox_delivery import deliver
from local.outbox import messages_for
from tests.support.api import call
from tests.support.citizens import CAPTCHA, Phone, last_code, make_account
from tests.support.faults import failing
from tests.support.workflow import deliver_sms

PASSWORD = "Mật khẩu mới của Hường 2026"
PHONE = "+84901234567"


def _queued() -> list[dict[str, str]]:
    sqs = get_client("sqs")
    url = os.environ["SMS_OUTBOX_QUEUE_URL"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return [{}] * int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def _dead_letters() -> list[dict[str, str]]:
    sqs = get_client("sqs")
    batch = sqs.receive_message(QueueUrl=os.environ["SMS_OUTBOX_DLQ_URL"], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in batch.get("Messages", [])]


@pytest.fixture
def moved_device_challenge(client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    clock.set_clock(lambda: datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    make_account(password=PASSWORD, initial=False)
    assert Phone(client).login("0123456789", PASSWORD).status == 200
    conflict = Phone(client, device_id="device-B", device_name="Galaxy A54").login("0123456789", PASSWORD)
    challenge = conflict.body["error"]["challenge_id"]
    assert call(client, "POST", f"/v1/auth/device-challenges/{challenge}/otp", {}).status == 202
    return challenge


def test_a_new_device_notice_that_fails_is_queued_and_sent_by_the_consumer(client, moved_device_challenge):
    code = last_code()
    with failing("sns", "Publish"):
        verified = call(client, "POST", f"/v1/auth/device-challenges/{moved_device_challenge}/verify",
                        {"otp": code})
    assert verified.status == 200  # the move stands
    assert not any("Galaxy A54" in m["body"] for m in messages_for(PHONE))
    assert len(_queued()) == 1

    assert deliver_sms() == ["sent"]

    assert any("Galaxy A54" in m["body"] for m in messages_for(PHONE))
    assert _queued() == []


def test_a_notice_that_keeps_failing_ends_in_the_dead_letter_queue(client, moved_device_challenge):
    code = last_code()
    with failing("sns", "Publish"):
        verified = call(client, "POST", f"/v1/auth/device-challenges/{moved_device_challenge}/verify", {"otp": code})
        assert verified.status == 200 and len(_queued()) == 1
        sqs = get_client("sqs")
        url = os.environ["SMS_OUTBOX_QUEUE_URL"]
        max_receives = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])[
            "Attributes"]["RedrivePolicy"])["maxReceiveCount"]
        assert [deliver_sms() for _ in range(int(max_receives))] == [["failed"]] * int(max_receives)
        assert deliver_sms() == []  # SQS moved it to the dead-letter queue instead of a ninth delivery
    (parked,) = _dead_letters()
    assert parked["kind"] == "new_device" and parked["phone"] == PHONE


def test_a_notice_neither_sent_nor_queued_is_counted_not_hidden(client, moved_device_challenge, capsys):
    code = last_code()
    with failing("sns", "Publish"), failing("sqs", "SendMessage"):
        verified = call(client, "POST", f"/v1/auth/device-challenges/{moved_device_challenge}/verify", {"otp": code})
    assert verified.status == 200
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(line.get("SmsLost") == [1.0] for line in emitted)


def test_the_expiry_notice_counts_the_expired_registration(aws, capsys):
    from app import send_outbox_sms

    body = {"phone": PHONE, "message": "BHXH VN: Ho so da qua han", "kind": "expiry", "correlation_id": "c-1"}
    event = {"Records": [{"body": json.dumps(body), "messageId": "m-1", "receiptHandle": "r", "attributes": {},
                          "messageAttributes": {}, "eventSourceARN": "arn:aws:sqs:ap-southeast-1:1:q"}]}
    send_outbox_sms(event, None)
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(line.get("RegistrationExpired") == [1.0] and line.get("SmsSent") == [1.0] for line in emitted)
    assert [m["body"] for m in messages_for(PHONE)] == [body["message"]]


def test_a_failed_send_raises_so_sqs_delivers_again(aws):
    from chalicelib.aws.notifier import NotificationError

    body = json.dumps({"phone": PHONE, "message": "x", "kind": "reminder"})
    with failing("sns", "Publish"), pytest.raises(NotificationError):
        deliver(body)


@pytest.mark.parametrize("body", ["not json", "{}", json.dumps({"phone": "0901234567", "message": "x"}),
                                  json.dumps({"phone": PHONE, "message": ""})])
def test_a_malformed_message_is_rejected_not_retried_forever(aws, body):
    assert deliver(body) == "rejected"
