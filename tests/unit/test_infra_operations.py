"""What operators need from the template: every dead-letter queue, failure and cost signal has an alarm,
the SMS settings are set by the stack, and the custom resource that sets them really does (moto)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from infra.package import merge_template

ROOT = Path(__file__).resolve().parents[2]


def _template() -> dict[str, Any]:
    return json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in _template()["Resources"].items() if r["Type"] == kind}


def _alarmed_queues() -> set[str]:
    watched = set()
    for alarm in _of_type("AWS::CloudWatch::Alarm").values():
        for dimension in alarm["Properties"].get("Dimensions", []):
            value = dimension["Value"]
            if dimension["Name"] == "QueueName" and isinstance(value, dict):
                watched.add(value["Fn::GetAtt"][0])
    return watched


def test_every_work_queue_redrives_to_a_dead_letter_queue_that_has_an_alarm():
    queues = _of_type("AWS::SQS::Queue")
    dead_letter = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                   for q in queues.values() if "RedrivePolicy" in q["Properties"]}
    work = set(queues) - dead_letter
    assert work and all("RedrivePolicy" in queues[q]["Properties"] for q in work)
    assert dead_letter <= _alarmed_queues()


def test_alarms_cover_errors_sms_failures_spend_and_the_workflow():
    alarms = _of_type("AWS::CloudWatch::Alarm").values()
    metrics = {a["Properties"].get("MetricName") for a in alarms}
    assert {"SmsFailed", "SmsLost", "SMSMonthToDateSpentUSD", "ExecutionsFailed"} <= metrics
    expressions = [m for a in alarms for m in a["Properties"].get("Metrics", [])]
    assert {"5XXError", "Count"} <= {m["MetricStat"]["Metric"]["MetricName"] for m in expressions if "MetricStat" in m}
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_app_metrics_the_alarms_watch_are_the_ones_the_code_emits():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "chalicelib").rglob("*.py"))
    for alarm in _of_type("AWS::CloudWatch::Alarm").values():
        if alarm["Properties"].get("Namespace") == "VssID":
            assert f'"{alarm["Properties"]["MetricName"]}"' in code


def test_sms_settings_are_a_stack_resource_with_the_spend_limit_parameter():
    (settings,) = _of_type("Custom::SnsSmsSettings").values()
    props = settings["Properties"]
    assert props["MonthlySpendLimit"] == {"Ref": "SmsMonthlySpendLimit"}
    assert props["DefaultSenderID"] == {"Ref": "SmsSenderId"}
    function = merge_template("dev")["Resources"][props["ServiceToken"]["Fn::GetAtt"][0]]
    assert function["Properties"]["Code"]["ZipFile"] == (ROOT / "infra" / "sms_settings.py").read_text(
        encoding="utf-8")


@pytest.fixture
def sms_settings_module(monkeypatch):
    """infra/sms_settings.py as Lambda runs it: with the runtime's cfnresponse module."""
    replies: list[tuple[str, dict[str, Any]]] = []
    fake = types.ModuleType("cfnresponse")
    fake.SUCCESS, fake.FAILED = "SUCCESS", "FAILED"
    fake.send = lambda event, context, status, data, physical_id: replies.append((status, data))
    monkeypatch.setitem(sys.modules, "cfnresponse", fake)
    monkeypatch.delitem(sys.modules, "infra.sms_settings", raising=False)
    import infra.sms_settings as module

    return module, replies


def _event(kind: str) -> dict[str, Any]:
    return {"RequestType": kind, "ResourceProperties": {
        "DefaultSenderID": "BHXHVN", "MonthlySpendLimit": "250",
        "DeliveryStatusIAMRole": "arn:aws:iam::123456789012:role/sms-status",
        "DeliveryStatusSuccessSamplingRate": "100"}}


def test_the_custom_resource_sets_the_account_sms_attributes(sms_settings_module, monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    module, replies = sms_settings_module
    with mock_aws():
        import boto3

        module.handler(_event("Create"), None)
        attributes = boto3.client("sns").get_sms_attributes()["attributes"]
    assert attributes["MonthlySpendLimit"] == "250" and attributes["DefaultSMSType"] == "Transactional"
    assert attributes["DefaultSenderID"] == "BHXHVN"
    assert replies == [("SUCCESS", {})]


def test_the_custom_resource_reports_failure_instead_of_hanging_the_stack(sms_settings_module):
    module, replies = sms_settings_module
    module.handler({"RequestType": "Create", "ResourceProperties": {}}, None)
    assert replies == [("FAILED", {"Error": "KeyError"})]
    module.handler({"RequestType": "Delete", "ResourceProperties": {}}, None)  # leaves the settings as they are
    assert replies[-1] == ("SUCCESS", {})
