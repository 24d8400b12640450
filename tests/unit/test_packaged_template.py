"""The template CloudFormation really gets: chalice's SAM output merged with infra/, as `chalice package` writes it.

test_infra_definitions lints resources.json and the merge template; this lints what they become once
chalice has added the functions, the API, the authorizer, the SQS event sources and the permissions.
infra/sam_template.py runs the real `chalice package` with only the zip build stubbed, so it is offline.
"""

from __future__ import annotations

import json
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from infra.package import FUNCTIONS
from infra.sam_template import packaged_template

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
REGION = "ap-southeast-1"
LOCAL_ONLY_VARIABLES = {"VSSID_LOCAL_MODE", "VSSID_DEADLINE_SECONDS", "VSSID_LOCAL_CAPTCHA_ANSWER"}


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    # A clean environment, as in CI: variables other tests left in this worker (table names, VSSID_STAGE=test)
    # must not reach the app chalice imports. Both stages at once: each is a child interpreter, mostly waiting.
    environ = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": REGION}
    with ThreadPoolExecutor(max_workers=len(STAGES)) as pool:
        return dict(zip(STAGES, pool.map(lambda stage: packaged_template(stage, environ), STAGES), strict=True))


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template["Resources"].items() if res["Type"] == kind}


def _references(node: Any) -> set[str]:
    """Logical ids a template fragment points at: Ref, Fn::GetAtt, ${Name} / ${Name.Attr} in Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {name.split(".")[0] for name in _sub_names(text)}
            found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return found


def _sub_names(text: str) -> list[str]:
    names, rest = [], text
    while "${" in rest:
        rest = rest.split("${", 1)[1]
        name, rest = rest.split("}", 1)
        if not name.startswith(("AWS::", "!")):
            names.append(name)
    return names


def _depends_on(template: dict[str, Any], start: str, target: str) -> bool:
    """Whether CloudFormation must create `target` before `start` (through Ref, GetAtt, Sub or DependsOn)."""
    resources, seen, todo = template["Resources"], set(), [start]
    while todo:
        lid = todo.pop()
        if lid == target and lid != start:
            return True
        if lid in seen or lid not in resources:
            continue
        seen.add(lid)
        resource = resources[lid]
        depends = resource.get("DependsOn", [])
        todo.extend([depends] if isinstance(depends, str) else depends)
        todo.extend(_references(resource.get("Properties", {})))
    return False


@pytest.mark.parametrize("stage", STAGES)
def test_cfn_lint_finds_no_errors_in_the_packaged_template(templates, stage):
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint(json.dumps(templates[stage]), config=api.ManualArgs(regions=[REGION]))
    errors = [str(m) for m in matches if m.rule.severity == "error"]
    for match in matches:
        if match.rule.severity != "error":
            print(f"cfn-lint {stage}: {match}")  # shown with -s or -rA; reported, not failed
            warnings.warn(f"cfn-lint {stage}: {match}", UserWarning, stacklevel=1)
    assert errors == []


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_runs_under_its_own_role_and_knows_every_resource(templates, stage):
    template = templates[stage]
    functions = _of_type(template, "AWS::Serverless::Function")
    # A function chalice generates without a role in FUNCTIONS would deploy under the placeholder ARN.
    assert set(functions) == set(FUNCTIONS)
    assert "replaced-by-merge-template" not in json.dumps(template)
    wanted = {res["Metadata"]["vssid:env"] for res in template["Resources"].values()
              if "vssid:env" in res.get("Metadata", {})}
    chalice_env = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    stage_env = chalice_env["stages"][stage].get("environment_variables", {})
    for name, function in functions.items():
        properties = function["Properties"]
        assert properties["Role"] == {"Fn::GetAtt": [FUNCTIONS[name], "Arn"]}, name
        assert template["Resources"][FUNCTIONS[name]]["Type"] == "AWS::IAM::Role"
        variables = properties["Environment"]["Variables"]
        assert wanted <= set(variables), (name, wanted - set(variables))
        assert {k: variables[k] for k in stage_env} == {**stage_env, "VSSID_STAGE": stage}, name
        assert variables["VSSID_STAGE"] == stage
        assert not LOCAL_ONLY_VARIABLES & set(variables), name
        for target in _references(variables):
            assert target in template["Resources"] or target in template["Parameters"], (name, target)


@pytest.mark.parametrize("stage", STAGES)
def test_every_sqs_event_source_reads_a_queue_of_the_stack_its_role_may_receive_from(templates, stage):
    template = templates[stage]
    queues = _of_type(template, "AWS::SQS::Queue")
    by_name = {res["Properties"].get("QueueName"): lid for lid, res in queues.items()}
    sources = [(name, event) for name, fn in _of_type(template, "AWS::Serverless::Function").items()
               for event in fn["Properties"].get("Events", {}).values() if event["Type"] == "SQS"]
    assert sources, "no SQS event source: the token consumer is gone from the packaged template"
    for function, event in sources:
        arn = event["Properties"]["Queue"]
        # Chalice names the queue in an ARN it builds from the name given to @app.on_sqs_message.
        assert isinstance(arn, dict) and "Fn::Sub" in arn, arn
        queue_name = arn["Fn::Sub"].rsplit(":", 1)[1]
        assert queue_name in by_name, f"{function} listens on {queue_name}, not a queue of this stack"
        queue = by_name[queue_name]
        # The event source mapping names the queue only by that string: something else must order the queue
        # first, or CloudFormation may create the mapping before the queue exists.
        assert _depends_on(template, function, queue), (function, queue)
        role = template["Resources"][FUNCTIONS[function]]
        statements = [s for p in role["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
        receive = [s for s in statements if s["Effect"] == "Allow" and "sqs:ReceiveMessage" in (
            s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
        assert any(queue in _references(s["Resource"]) for s in receive), (function, queue)


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_is_served_at_the_configured_stage_behind_the_citizen_authorizer(templates, stage):
    template = templates[stage]
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    api_stage = config["stages"][stage]["api_gateway_stage"]
    (api_id, api), = _of_type(template, "AWS::Serverless::Api").items()
    assert api["Properties"]["StageName"] == api_stage
    assert template["Outputs"]["EndpointURL"]["Value"]["Fn::Sub"].endswith(f"/{api_stage}/")
    for response in _of_type(template, "AWS::ApiGateway::GatewayResponse").values():
        assert response["Properties"]["RestApiId"] == {"Ref": api_id}
    authorizers = [d["x-amazon-apigateway-authorizer"] for d in
                   api["Properties"]["DefinitionBody"].get("securityDefinitions", {}).values()]
    assert authorizers
    for authorizer in authorizers:
        # No caching: logout and a device move must take effect on the next request.
        assert authorizer["authorizerResultTtlInSeconds"] == 0
        (function,) = _references(authorizer["authorizerUri"])
        assert function in FUNCTIONS
        permissions = [p["Properties"] for p in _of_type(template, "AWS::Lambda::Permission").values()]
        assert any(function in _references(p["FunctionName"]) and p["Principal"] == "apigateway.amazonaws.com"
                   for p in permissions)


@pytest.mark.parametrize("stage", STAGES)
def test_the_state_machine_runs_the_asl_file_the_tests_run(templates, stage):
    machines = _of_type(templates[stage], "AWS::StepFunctions::StateMachine")
    assert machines
    for machine in machines.values():
        asl = ROOT / machine["Metadata"]["vssid:definition"]
        assert machine["Properties"]["DefinitionString"] == asl.read_text(encoding="utf-8")


# Default account quota of concurrent executions per region, and what Lambda keeps unreserved out of it.
ACCOUNT_CONCURRENCY, UNRESERVED_MINIMUM = 1000, 100


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_has_the_reserved_concurrency_of_its_stage(templates, stage):
    from chalice.utils import to_cfn_resource_name

    template = templates[stage]
    functions = {**_of_type(template, "AWS::Serverless::Function"), **_of_type(template, "AWS::Lambda::Function")}
    reserved = {name: fn["Properties"].get("ReservedConcurrentExecutions") for name, fn in functions.items()}
    assert {name for name, value in reserved.items() if not value} == set(), "functions without reserved concurrency"
    # the values are the stage's own, from .chalice/config.json (the API handler is chalice's `api_handler`)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))["stages"][stage]
    for handler, settings in config["lambda_functions"].items():
        name = "APIHandler" if handler == "api_handler" else to_cfn_resource_name(handler)
        assert reserved[name] == settings["reserved_concurrency"], (stage, handler)
    # all of it together still leaves Lambda's unreserved minimum on an account with the default quota
    assert sum(reserved.values()) <= ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM, reserved


def _method_paths(api: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in api["Properties"]["DefinitionBody"]["paths"].items()
            for method in item if method != "x-amazon-apigateway-any-method"}


@pytest.mark.parametrize("stage", STAGES)
def test_the_stage_has_an_access_log_and_throttling_on_methods_that_exist(templates, stage):
    template = templates[stage]
    (api_id, api), = _of_type(template, "AWS::Serverless::Api").items()
    properties = api["Properties"]
    (group,) = _references(properties["AccessLogSetting"]["DestinationArn"])
    assert template["Resources"][group]["Type"] == "AWS::Logs::LogGroup"
    assert template["Resources"][group]["Properties"]["KmsKeyId"]
    assert json.loads(properties["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"
    settings = properties["MethodSettings"]
    (default,) = [s for s in settings if (s["ResourcePath"], s["HttpMethod"]) == ("/*", "*")]
    assert default["ThrottlingRateLimit"] > 0 and default["ThrottlingBurstLimit"] > 0
    # API Gateway refuses a deployment whose method settings name a method the API lacks
    methods = _method_paths(api)
    named = {(s["HttpMethod"], s["ResourcePath"].replace("~1", "/")) for s in settings if s is not default}
    assert named and sorted(named - methods) == []
    # access logging needs the account's CloudWatch role before the stage exists
    assert _depends_on(template, api_id, "ApiGatewayAccount")


@pytest.mark.parametrize("stage", STAGES)
def test_the_optional_web_acl_is_associated_with_the_stage_and_its_tight_limit_covers_the_sensitive_routes(
        templates, stage):
    from tests.unit.test_infra_protection import path_matches

    template = templates[stage]
    (acl_id, acl), = _of_type(template, "AWS::WAFv2::WebACL").items()
    (association,) = _of_type(template, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Condition"] == acl["Condition"]
    (api_id,) = _of_type(template, "AWS::Serverless::Api")
    assert {api_id, acl_id} <= _references(association["Properties"])
    (scoped,) = [r["Statement"]["RateBasedStatement"] for r in acl["Properties"]["Rules"]
                 if "ScopeDownStatement" in r["Statement"].get("RateBasedStatement", {})]
    stage_name = template["Resources"][api_id]["Properties"]["StageName"]
    sensitive_prefixes = ("/v1/auth/", "/v1/admin/auth/", "/v1/lookup/", "/v1/registrations/takeover")
    for method, path in sorted(_method_paths(template["Resources"][api_id])):
        concrete = path.replace("{", "").replace("}", "")
        sensitive = path.startswith(sensitive_prefixes) or path == "/v1/registrations"
        assert path_matches(scoped["ScopeDownStatement"], f"/{stage_name}{concrete}") is sensitive, (method, path)
