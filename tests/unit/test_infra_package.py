"""The packaging step deploys the same ASL the tests execute, and tells each function where things are."""

from __future__ import annotations

import json
from pathlib import Path

from infra.package import FUNCTIONS, merge_template

ROOT = Path(__file__).resolve().parents[2]


def test_state_machine_definition_is_the_asl_file_the_tests_run():
    template = merge_template("dev")
    definition = template["Resources"]["RegistrationWorkflow"]["Properties"]["DefinitionString"]
    assert definition == (ROOT / "infra" / "registration-workflow.asl.json").read_text(encoding="utf-8")
    assert json.loads(definition)["StartAt"] == "FirstReminderDue"


def test_every_function_gets_every_resource_name_and_its_own_role():
    template = merge_template("prod")
    wanted = {res["Metadata"]["vssid:env"] for res in template["Resources"].values() if "vssid:env" in res.get(
        "Metadata", {})}
    for function, role in FUNCTIONS.items():
        properties = template["Resources"][function]["Properties"]
        variables = properties["Environment"]["Variables"]
        assert wanted <= set(variables)
        assert variables["VSSID_STAGE"] == "prod"
        assert "VSSID_DEADLINE_SECONDS" not in variables and "VSSID_LOCAL_CAPTCHA_ANSWER" not in variables
        assert properties["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        assert template["Resources"][role]["Type"] == "AWS::IAM::Role"
    queue = template["Resources"]["RegistrationTokenQueue"]["Properties"]
    assert queue["QueueName"] == "vssid-prod-registration-tokens"
