"""Least privilege, on paper and in practice.

On paper (no AWS): no IAM role a Lambda function can assume grants DynamoDB or S3 on everything (`*`,
`dynamodb:*`, `s3:*`, a wildcard-only ARN, NotResource, NotAction), and states:SendTaskSuccess names the
state machine. The checker is fed bad sample roles to prove it reports each defect.

In practice: one walk goes through every route of app.py's Chalice app (a route the walk misses fails
`test_the_walk_exercises_every_route`, so a new route cannot escape), the citizen token authorizer (run by
Chalice's test client before each protected route) and the SQS token consumer (invoked with a real
Lambda SQS event, polled with its own role, as the event source mapping does). Every AWS call made on the
way, presigned URLs included, is recorded with the function that made it (tests/support/aws_calls.py),
turned into the IAM actions and ARNs it needs, and evaluated (tests/support/iam_policy.py) against the
role infra/package.py gives that function in infra/resources.json, read fresh. A DynamoDB call on a table
encrypted with a customer-managed key also needs kms:Decrypt on that key for the caller (DynamoDB decrypts the
table key under the caller's identity), so the walk asks for it too. Permissions never used by the walk are
printed, not failed on: the walk does not take every error path.

Run with `-s` (or see a failure's captured output) for the table of every request and the unused grants.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.aws_calls import (
    API_FUNCTION,
    ArnCatalog,
    Call,
    IamRequest,
    Recorder,
    app_functions,
    describe,
    iam_requests,
    lambda_runtime_requests,
)
from tests.support.iam_policy import (
    PolicyError,
    Resolver,
    action_matches,
    lambda_roles,
    resource_matches,
    role_policy,
    role_statements,
    task_token_problems,
    wildcard_problems,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "infra" / "resources.json"
REGION = "ap-southeast-1"  # tests/conftest.py's moto region
DEPLOY_STAGE = "dev"  # only for the log group names the Lambda runtime writes to

# Routes the walk may leave out, each with its reason. Nothing else: a new route must be walked.
SKIPPED_ROUTES = {
    # local mode only (VSSID_LOCAL_MODE=1, never packaged): the moto server's outbox and demo credentials
    re.compile(r"^[A-Z]+ /_local(/.*)?$"): "local mode only, never deployed",
}


def template() -> dict[str, Any]:
    """infra/resources.json as it is now (others edit it while these tests run)."""
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def function_roles() -> dict[str, str]:
    from infra.package import FUNCTIONS

    return dict(FUNCTIONS)


# ============================================================================================ on paper


def test_every_function_runs_under_a_lambda_role_of_the_template():
    roles = lambda_roles(template())
    assert function_roles() and roles
    assert {f: r for f, r in function_roles().items() if r not in roles} == {}


def test_no_lambda_role_grants_dynamodb_or_s3_on_everything():
    current = template()
    resolver = Resolver(current, REGION)
    problems = [p for role in lambda_roles(current) for p in wildcard_problems(role_statements(current, role, resolver),
                                                                              resolver)]
    assert problems == []


def test_send_task_success_is_granted_only_on_the_state_machine():
    current = template()
    granting, problems = [], []
    for role in lambda_roles(current):
        raw = role_statements(current, role)
        problems += task_token_problems(current, role, raw)
        granting += [s.source for s in raw if s.effect == "Allow" and s.matches_action("states:SendTaskSuccess")]
    assert problems == []
    assert granting, "no Lambda role may send task tokens, yet the API and the token consumer do"


TABLE_READS = ("dynamodb:GetItem", "dynamodb:Query")
TABLE_WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


def table_keys(current: dict[str, Any], resolver: Resolver) -> dict[str, str]:
    """Table ARN → the ARN of the customer-managed key it is encrypted with (tables under AWS keys left out)."""
    keys = {}
    for lid, resource in current["Resources"].items():
        sse = resource.get("Properties", {}).get("SSESpecification", {}) if resource["Type"] == \
            "AWS::DynamoDB::Table" else {}
        if "KMSMasterKeyId" in sse:
            keys[resolver.get_att(lid, "Arn")] = resolver.resolve(sse["KMSMasterKeyId"])
    return keys


def _roles_running_our_code(current: dict[str, Any]) -> list[str]:
    """The Lambda functions' roles and the state machine's."""
    def services(role: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            service = statement.get("Principal", {}).get("Service", [])
            found.update(service if isinstance(service, list) else [service])
        return found

    return sorted(lid for lid, r in current["Resources"].items() if r["Type"] == "AWS::IAM::Role"
                  and services(r) & {"lambda.amazonaws.com", "states.amazonaws.com"})


def test_every_role_that_uses_an_encrypted_table_may_use_its_key_and_no_other():
    """Roles that read or write a table under the data key get kms:Decrypt (and Encrypt/GenerateDataKey to
    write) on that key; nobody gets KMS on a key the stack does not own."""
    current = template()
    resolver = Resolver(current, REGION)
    keys = table_keys(current, resolver)
    assert keys, "no table is encrypted with a customer-managed key"
    stack_keys = {resolver.get_att(lid, "Arn") for lid, r in current["Resources"].items()
                  if r["Type"] == "AWS::KMS::Key"}
    foreign_key = f"arn:aws:kms:{REGION}:{resolver.account}:key/someone-elses-key"
    problems, users = [], 0
    for role in _roles_running_our_code(current):
        policy = role_policy(current, role, resolver)
        for table, key in keys.items():
            reads = any(policy.evaluate(action, table).allowed for action in TABLE_READS)
            writes = any(policy.evaluate(action, table).allowed for action in TABLE_WRITES)
            needed = (["kms:Decrypt"] if reads or writes else []) + (
                ["kms:Encrypt", "kms:GenerateDataKey"] if writes else [])
            users += bool(needed)
            problems += [f"{role} uses {table} but may not {action} on {key}" for action in needed
                         if not policy.evaluate(action, key).allowed]
        for action in ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"):
            if policy.evaluate(action, foreign_key).allowed:
                problems.append(f"{role} may {action} on keys the stack does not own")
        for grant in policy.grants():
            if grant.action.lower().startswith("kms:") and grant.resource not in stack_keys:
                problems.append(f"{role} grants {grant.action} on {grant.resource}")
    assert problems == []
    assert users >= 4, "the API, the token consumer, the authorizer and the workflow all use encrypted tables"


def test_the_data_key_is_usable_only_through_dynamodb_and_the_stacks_log_groups():
    """Its key policy: the account administers it (no cryptography), uses it only via DynamoDB, CloudWatch Logs
    only for the API's access log and the WAF log."""
    current = template()
    resolver = Resolver(current, REGION)
    keys = set(table_keys(current, resolver).values())
    crypto = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:CreateGrant")
    for lid, resource in current["Resources"].items():
        if resource["Type"] != "AWS::KMS::Key" or resolver.get_att(lid, "Arn") not in keys:
            continue
        for statement in resource["Properties"]["KeyPolicy"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            principal = resolver.resolve(statement["Principal"])
            assert principal != "*" and principal.get("AWS") != "*", statement["Sid"]
            if not any(action_matches(pattern, action) for pattern in actions for action in crypto):
                continue
            condition = resolver.resolve(statement.get("Condition", {}))
            if "AWS" in principal:  # the account's principals: only through DynamoDB in this region
                assert condition["StringEquals"]["kms:ViaService"] == f"dynamodb.{REGION}.amazonaws.com", statement
            else:  # a service: CloudWatch Logs, for the two log groups of the stack only
                assert principal == {"Service": f"logs.{REGION}.amazonaws.com"}, statement
                groups = condition["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
                assert groups and all(":log-group:" in g and "*" not in g for g in groups), groups


def test_the_api_role_may_copy_an_upload_to_a_frozen_key_under_its_registration():
    """Submission copies each image to a per-attempt key under the same registration prefix (CopyObject with the
    tags, SSE-KMS with the documents key) and then reads the copy."""
    current = template()
    resolver = Resolver(current, REGION)
    policy = role_policy(current, function_roles()["APIHandler"], resolver)
    bucket = resolver.get_att("DocumentsBucket", "Arn")
    key = resolver.get_att("DocumentsKey", "Arn")
    source, target = f"{bucket}/registrations/r-1/portrait.jpg", f"{bucket}/registrations/r-1/attempts/2/portrait.jpg"
    needed = [("s3:GetObject", source), ("s3:GetObjectTagging", source), ("kms:Decrypt", key),
              ("s3:PutObject", target), ("s3:PutObjectTagging", target), ("kms:GenerateDataKey", key),
              ("s3:GetObject", target)]
    assert [(a, r) for a, r in needed if not policy.evaluate(a, r).allowed] == []
    assert not policy.evaluate("s3:PutObject", f"{bucket}/elsewhere/portrait.jpg").allowed


# --- the checker on samples ---------------------------------------------------------------------------

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
STATES_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["states.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}
TABLE_ARN = {"Fn::GetAtt": ["Table", "Arn"]}
CLEAN_STATEMENTS = [
    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": [TABLE_ARN]},
    {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "${Table.Arn}/index/*"}},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": {"Fn::Sub": "${Bucket.Arn}/uploads/*"}},
    {"Effect": "Allow", "Action": "sns:Publish", "NotResource": {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}},
    {"Effect": "Allow", "Action": "states:SendTaskSuccess", "Resource": {"Ref": "Machine"}},
    {"Effect": "Deny", "Action": "*", "Resource": "*"},  # a Deny never widens anything
    {"Effect": "Allow", "Action": "logs:*", "Resource": "*"},  # broad, but neither DynamoDB nor S3
]


def sample_template(statements: list[dict[str, Any]], trust: dict[str, Any] = LAMBDA_TRUST) -> dict[str, Any]:
    return {"Parameters": {"Prefix": {"Type": "String", "Default": "vssid"}}, "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Metadata": {"vssid:local-name": "sample-table"}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Metadata": {"vssid:local-name": "sample-bucket"}},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Metadata": {"vssid:local-name": "sample-flow"}},
        "SampleRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": "sample", "PolicyDocument": {"Version": "2012-10-17",
                                                                     "Statement": statements}}]}},
    }}


def sample_problems(statements: list[dict[str, Any]], trust: dict[str, Any] = LAMBDA_TRUST) -> list[str]:
    sample = sample_template(statements, trust)
    resolver = Resolver(sample, REGION)
    problems = []
    for role in lambda_roles(sample):
        problems += wildcard_problems(role_statements(sample, role, resolver), resolver)
        problems += task_token_problems(sample, role, role_statements(sample, role))
    return problems


def test_the_clean_sample_passes_so_each_failure_below_is_its_defect_alone():
    assert sample_problems(CLEAN_STATEMENTS) == []


SUB_ANY_TABLE = {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}


@pytest.mark.parametrize("bad, expected", [
    ({"Action": "dynamodb:GetItem", "Resource": "*"}, "'*', which matches"),
    ({"Action": ["dynamodb:GetItem"], "Resource": ["arn:aws:dynamodb:*:*:*"]}, "arn:aws:dynamodb:*:*:*"),
    ({"Action": "dynamodb:PutItem", "Resource": SUB_ANY_TABLE}, "table/*"),
    ({"Action": "dynamodb:Query", "Resource": [TABLE_ARN, "arn:aws:dynamodb:*:*:table/*/index/*"]}, "index/*"),
    ({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}, "arn:aws:s3:::*"),
    ({"Action": "s3:PutObject", "Resource": "arn:aws:s3:::*/*"}, "arn:aws:s3:::*/*"),
    ({"Action": "s3:Get*", "Resource": "*"}, "s3 actions on '*'"),
    ({"Action": "*", "Resource": TABLE_ARN}, "'*' grants every dynamodb action"),
    ({"Action": "dynamodb:*", "Resource": TABLE_ARN}, "'dynamodb:*' grants every dynamodb action"),
    ({"Action": "s3:*", "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}, "'s3:*' grants every s3 action"),
    ({"Action": "DynamoDB:*", "Resource": TABLE_ARN}, "grants every dynamodb action"),  # actions ignore case
    ({"Action": "*:*", "Resource": TABLE_ARN}, "grants every s3 action"),
    ({"Action": "s3:GetObject", "NotResource": "arn:aws:s3:::someone-else/*"}, "NotResource"),
    ({"NotAction": "iam:*", "Resource": TABLE_ARN}, "NotAction"),
    ({"Action": "states:SendTaskSuccess", "Resource": "*"}, "not a Ref to one of the template's state machines"),
    ({"Action": "states:*", "Resource": {"Fn::Sub": "arn:aws:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*"}},
     "states:SendTaskSuccess on"),
    ({"Action": "states:SendTaskSuccess", "Resource": {"Ref": "Table"}}, "not a Ref to one of"),
    ({"Action": "states:SendTaskSuccess", "NotResource": "arn:aws:states:*:*:activity:*"}, "NotResource"),
], ids=lambda value: json.dumps(value)[:60] if isinstance(value, dict) else None)
def test_the_checker_reports_each_bad_statement(bad, expected):
    problems = sample_problems([*CLEAN_STATEMENTS, {"Effect": "Allow", **bad}])
    assert problems, bad
    assert all(p.startswith("SampleRole/sample/") for p in problems)
    assert any(expected in p for p in problems), problems


def test_roles_lambda_cannot_assume_are_not_checked_as_lambda_roles():
    assert sample_problems([{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}], STATES_TRUST) == []


def test_a_managed_policy_the_template_does_not_hold_cannot_pass_unread():
    sample = sample_template(CLEAN_STATEMENTS)
    sample["Resources"]["SampleRole"]["Properties"]["ManagedPolicyArns"] = [
        "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"]
    with pytest.raises(PolicyError, match="AmazonDynamoDBFullAccess"):
        role_statements(sample, "SampleRole", Resolver(sample, REGION))


# --- the evaluator ------------------------------------------------------------------------------------


def sample_policy(statements: list[dict[str, Any]]) -> Any:
    sample = sample_template(statements)
    return role_policy(sample, "SampleRole", Resolver(sample, REGION))


TABLE = f"arn:aws:dynamodb:{REGION}:123456789012:table/sample-table"


def test_intrinsics_resolve_to_concrete_arns():
    sample = sample_template([])
    resolver = Resolver(sample, REGION, physical={"Bucket": "bucket-from-moto"})
    assert resolver.resolve(TABLE_ARN) == TABLE
    assert resolver.resolve({"Fn::GetAtt": "Table.Arn"}) == TABLE
    assert resolver.resolve({"Fn::Sub": "${Table.Arn}/index/*"}) == f"{TABLE}/index/*"
    assert resolver.resolve({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:x/${Prefix}"}) \
        == f"arn:aws:logs:{REGION}:123456789012:x/vssid"
    assert resolver.resolve({"Fn::Sub": ["${B}/*", {"B": {"Fn::GetAtt": ["Bucket", "Arn"]}}]}) \
        == "arn:aws:s3:::bucket-from-moto/*"
    assert resolver.resolve({"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}) \
        == "arn:aws:s3:::bucket-from-moto/*"
    assert resolver.resolve({"Ref": "Machine"}) == f"arn:aws:states:{REGION}:123456789012:stateMachine:sample-flow"
    with pytest.raises(PolicyError, match="Fn::If"):
        resolver.resolve({"Fn::If": ["IsProd", "a", "b"]})
    with pytest.raises(PolicyError, match="Nope"):
        resolver.resolve({"Ref": "Nope"})


def test_evaluation_follows_iam():
    policy = sample_policy([
        {"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": TABLE_ARN},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/uploads/*"}},
        {"Effect": "Allow", "Action": "sns:Publish", "NotResource": "arn:aws:sns:*:*:*"},
        {"Effect": "Allow", "Action": "dynamodb:DeleteItem", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE_ARN},
    ])
    assert policy.evaluate("dynamodb:GetItem", TABLE).allowed
    assert policy.evaluate("DYNAMODB:getitem", TABLE).allowed  # actions ignore case
    assert not policy.evaluate("dynamodb:GetItem", TABLE.replace("sample-table", "Sample-Table")).allowed
    assert not policy.evaluate("dynamodb:GetItem", f"{TABLE}/index/by-name").allowed  # an index is its own ARN
    assert not policy.evaluate("dynamodb:PutItem", TABLE).allowed
    assert policy.evaluate("s3:GetObject", "arn:aws:s3:::sample-bucket/uploads/a/b.jpg").allowed
    assert not policy.evaluate("s3:GetObject", "arn:aws:s3:::sample-bucket/other/b.jpg").allowed
    assert policy.evaluate("sns:Publish", "*").allowed  # an SMS: no topic
    assert not policy.evaluate("sns:Publish", f"arn:aws:sns:{REGION}:123456789012:alarms").allowed
    denied = policy.evaluate("dynamodb:DeleteItem", TABLE)
    assert not denied.allowed and denied.explicit_deny  # an explicit Deny beats the Allow on "*"
    assert policy.evaluate("dynamodb:DeleteItem", TABLE + "2").allowed
    assert resource_matches("arn:aws:sns:*:*:*", "arn:aws:sns:x:y:topic")
    assert not resource_matches("arn:aws:sns:*:*:topic", "arn:aws:sns:x:y:z:topic")  # a * stays in its segment
    assert action_matches("states:Send*", "states:SendTaskSuccess")


def test_a_condition_that_decides_is_refused_loudly():
    policy = sample_policy([
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE_ARN},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]},
         "Condition": {"StringLike": {"s3:prefix": ["uploads/*"]}}},
    ])
    assert policy.evaluate("dynamodb:GetItem", TABLE).allowed  # the conditional statement does not apply
    with pytest.raises(PolicyError, match="Condition"):
        policy.evaluate("s3:ListBucket", "arn:aws:s3:::sample-bucket")


def test_calls_become_the_iam_requests_they_need():
    sample = sample_template([])
    sample["Resources"]["Key"] = {"Type": "AWS::KMS::Key", "Metadata": {"vssid:local-name": "k"}}
    sample["Resources"]["Bucket"]["Properties"] = {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}
    ]}}
    catalog = ArnCatalog.build(Resolver(sample, REGION, physical={"Key": f"arn:aws:kms:{REGION}:123456789012:key/u1"}))

    def requests(service: str, operation: str, params: dict[str, Any], **extra: Any) -> list[tuple[str, str]]:
        return [(r.action, r.resource) for r in iam_requests(Call("F", service, operation, params, **extra), catalog)]

    put = {"TableName": "sample-table", "Item": {}}
    assert requests("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Put": put}, {"ConditionCheck": {"TableName": "sample-table"}}, {"Delete": {"TableName": "sample-table"}}]}) \
        == [("dynamodb:PutItem", TABLE), ("dynamodb:ConditionCheckItem", TABLE), ("dynamodb:DeleteItem", TABLE)]
    assert requests("dynamodb", "Query", {"TableName": "sample-table", "IndexName": "ix"}) \
        == [("dynamodb:Query", f"{TABLE}/index/ix")]
    key = f"arn:aws:kms:{REGION}:123456789012:key/u1"
    assert requests("s3", "PostObject", {"Bucket": "sample-bucket", "Key": "a/b", "Fields": {"tagging": "<T/>"}},
                    presigned=True) == [("s3:PutObject", "arn:aws:s3:::sample-bucket/a/b"),
                                        ("s3:PutObjectTagging", "arn:aws:s3:::sample-bucket/a/b"),
                                        ("kms:GenerateDataKey", key)]
    assert requests("s3", "HeadObject", {"Bucket": "sample-bucket", "Key": "a/b"}, error="404") \
        == [("s3:GetObject", "arn:aws:s3:::sample-bucket/a/b"), ("s3:ListBucket", "arn:aws:s3:::sample-bucket")]
    assert requests("s3", "GetObject", {"Bucket": "sample-bucket", "Key": "a/b"}, presigned=True) \
        == [("s3:GetObject", "arn:aws:s3:::sample-bucket/a/b"), ("kms:Decrypt", key)]
    assert requests("sns", "Publish", {"PhoneNumber": "+84901234567", "Message": "x"}) == [("sns:Publish", "*")]
    assert requests("stepfunctions", "SendTaskSuccess", {"taskToken": "t", "output": "{}"}) \
        == [("states:SendTaskSuccess", f"arn:aws:states:{REGION}:123456789012:stateMachine:sample-flow")]
    with pytest.raises(PolicyError, match="cloudwatch"):
        requests("cloudwatch", "PutMetricData", {})


# ========================================================================================== in practice

CAPTCHA = "TESTCAPTCHA"
TOKEN_CONSUMER, SMS_OUTBOX_CONSUMER = "RecordWorkflowToken", "SendOutboxSms"  # app.py's SQS handlers
FEED_SPLITTER, FEED_WORKER = "SplitFeedFile", "LoadFeedChunk"
SIN = "0101234567"  # the demo participant Nguyễn Văn An of data/demo/records, so /v1/me/* has records
PHONE, NEW_PHONE = "+84901234567", "+84912222333"
REGISTER_PHONE = "+84912000001"  # the register's phone for SIN (data/demo/records/participant.jsonl)
PASSWORD, RESET_PASSWORD = "Mật khẩu mới của An 2026", "Mật khẩu đặt lại của An 2027"
DATA = ROOT / "data" / "reference"


@dataclass
class Walk:
    recorder: Recorder
    env: dict[str, str]
    app: Any


def _ok(reply: Any, what: str) -> Any:
    assert reply.status < 400, f"{what}: {reply.status} {reply.body}"
    return reply


def _rows(name: str, count: int | None = None) -> list[dict[str, Any]]:
    path = DATA / name
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:count] if count else rows


def _seed_directory() -> None:
    """Some of every directory collection, as the loader CLI writes them (not a Lambda: not recorded)."""
    from chalicelib.services.directory_loader import FILES, load_directory, province_codes

    provinces = province_codes()
    for collection, name in FILES.items():
        report = load_directory(collection, _rows(name, 4), provinces)
        assert not report.rejected, report.rejected


def _seed_records() -> None:
    """The demo records of the walk's citizen only, through the bulk loader (not a Lambda: not recorded)."""
    from chalicelib.domain.record_rows import KINDS
    from chalicelib.services.record_loader import load_rows, read_file
    from local.demo_records import DEMO_RECORDS

    for kind in KINDS:
        rows = [r for r in read_file(DEMO_RECORDS / f"{kind}.jsonl") if r.get("social_insurance_number") == SIN]
        assert rows and not load_rows(kind, rows).rejected, kind


def _walk_public(client: Any) -> None:
    from tests.support.api import call

    _ok(call(client, "GET", "/v1/provinces"), "provinces")
    _ok(call(client, "GET", "/v1/offices?province_code=01"), "offices")
    _ok(call(client, "GET", "/v1/offices/nearby?lat=21.0285&lon=105.8542&radius_km=10"), "nearby")
    facility = _rows("facilities.jsonl", 1)[0]
    _ok(call(client, "GET", "/v1/facilities?province_code=01"), "facilities")
    _ok(call(client, "GET", "/v1/facilities?q=" + facility["name"].split()[-1]), "facility search")
    _ok(call(client, "GET", "/v1/employers?q=" + _rows("employers.jsonl", 1)[0]["tax_code"]), "employers")
    _ok(call(client, "GET", "/v1/collection-points?province_code=01"), "collection points")
    _ok(call(client, "GET", "/v1/support"), "support")
    _ok(call(client, "GET", "/v1/faq?q=mat%20khau"), "faq")
    _ok(call(client, "POST", "/v1/support/chat", {"message": "Tôi quên mật khẩu VssID thì phải làm sao?"}), "chat")
    news = _ok(call(client, "GET", "/v1/news?limit=2"), "news").body["items"]
    _ok(call(client, "GET", f"/v1/news/{news[0]['news_id']}"), "news item")
    _ok(call(client, "GET", "/v1/openapi.json"), "openapi")
    captcha = _ok(call(client, "GET", "/v1/auth/captcha"), "captcha").body["captcha_id"]
    _ok(call(client, "POST", "/v1/lookup/social-insurance-number", {
        "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12", "province_code": "01",
        "id_number": "001085012345", "captcha_id": captcha, "captcha_answer": CAPTCHA}), "number lookup")


def _walk_registration(client: Any, recorder: Recorder) -> tuple[Any, str]:
    """Form 01 from draft to approval through a rejection; returns the staff member and the initial password."""
    from tests.support.api import VALID_FORM, call, ready_to_create, solved_captcha
    from tests.support.citizens import last_code
    from tests.support.people import Citizen, Staff
    from tests.support.workflow import wait_for_execution

    # an Idempotency-Key retry of Form 01 gets the first answer (Powertools' DynamoDB store)
    other = ready_to_create({**VALID_FORM, "social_insurance_number": "0222333444", "phone": "0987 654 321",
                             "id_number": "001190654321"})
    once = {"Idempotency-Key": "walk-create-0001"}
    first = _ok(call(client, "POST", "/v1/registrations", other, once), "create with a key")
    assert call(client, "POST", "/v1/registrations", other, once).body == first.body

    # someone else's draft holds the number; a code to the register's phone frees it (the takeover)
    person = {"social_insurance_number": SIN, "full_name": "Nguyễn Văn An", "gender": "male",
              "date_of_birth": "1985-03-12", "id_number": "001085012345"}
    assert Citizen(client, form={**VALID_FORM, "phone": "0977 000 111"}).create(**person).status == 201
    started = _ok(call(client, "POST", "/v1/registrations/takeover",
                       {"social_insurance_number": SIN, **solved_captcha()}), "takeover")
    _ok(call(client, "POST", f"/v1/registrations/takeover/{started.body['challenge_id']}/verify",
             {"otp": last_code(REGISTER_PHONE)}), "takeover verify")

    citizen = Citizen(client)
    assert citizen.create(**person).status == 201
    missing = citizen.submit()  # no photos yet: S3 answers "no such key"
    assert 400 <= missing.status < 500, missing.body
    renewed = _ok(call(client, "POST", f"/v1/registrations/{citizen.registration_id}/uploads",
                       {"content_types": {"portrait": "image/jpeg"}}, citizen.key_header), "renew uploads")
    citizen.uploads.update(renewed.body["uploads"])
    citizen.upload_all()
    _ok(citizen.status(), "registration status")
    _ok(citizen.submit(), "submit")
    form01 = f"/v1/registrations/{citizen.registration_id}/form01"
    _ok(call(client, "GET", form01, headers={**citizen.key_header, "Accept": "application/pdf"}), "Form 01 PDF")
    _ok(call(client, "GET", form01, headers=citizen.key_header), "Form 01 link")

    staff = Staff.signed_in(client)
    _ok(staff.queue(), "staff queue")
    _ok(staff.open(citizen.registration_id), "staff opens the registration")
    # the decision before the token: the token consumer is the one to resume the workflow
    _ok(staff.reject(citizen.registration_id, "Ảnh mặt sau CCCD bị mờ"), "reject")
    assert recorder.deliver_queue_messages(expect=1, function=TOKEN_CONSUMER) == 1
    assert wait_for_execution(f"{citizen.registration_id}-1")["status"] == "SUCCEEDED"
    _ok(citizen.correct(address="Số 14 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội"), "correct")
    _ok(citizen.submit(), "resubmit")
    assert recorder.deliver_queue_messages(expect=1, function=TOKEN_CONSUMER) == 1
    key = {"Idempotency-Key": "walk-approve-0001"}
    approved = _ok(staff.approve(citizen.registration_id, key), "approve")
    assert staff.approve(citizen.registration_id, key).body == approved.body
    password_sms = next(s for s in reversed(citizen.sms()) if "Mat khau khoi tao: " in s)
    return staff, password_sms.split("Mat khau khoi tao: ")[1].split(" ")[0]


def _walk_citizen(client: Any, recorder: Recorder, initial_password: str) -> None:
    from tests.support.api import call
    from tests.support.citizens import Phone, last_code, move_clock
    from tests.support.faults import failing

    phone = Phone(client)
    _ok(phone.login(SIN, initial_password), "first login")
    assert call(client, "GET", "/v1/me", headers={"Authorization": "Bearer not-a-token"}).status == 401
    assert phone.change_password(initial_password, PASSWORD).status == 204
    for path in ("/v1/me", "/v1/me/health-card", "/v1/me/contributions", "/v1/me/benefits",
                 "/v1/me/medical-visits?year=2024", "/v1/me/access-log"):
        _ok(call(client, "GET", path, headers=phone.auth), path)

    other = Phone(client, device_id="device-B", device_name="Galaxy A54")
    conflict = other.login(SIN, PASSWORD)
    assert conflict.status == 409, conflict.body
    challenge = conflict.body["error"]["challenge_id"]
    _ok(call(client, "POST", f"/v1/auth/device-challenges/{challenge}/otp", {}), "device code")
    verified = _ok(call(client, "POST", f"/v1/auth/device-challenges/{challenge}/verify",
                        {"otp": last_code(PHONE)}), "device verify")
    other.token = verified.body["access_token"]

    started = _ok(call(client, "POST", "/v1/me/phone", {"current_password": PASSWORD, "new_phone": "0912 222 333"},
                       other.auth), "phone change")
    move_clock(seconds=61)
    change = started.body["challenge_id"]
    _ok(call(client, "POST", f"/v1/me/phone/{change}/otp", {}, other.auth), "phone code again")
    code = last_code(NEW_PHONE)
    with failing("sns", "Publish"):  # SNS refuses the notice to the old number: it waits in the SMS outbox
        _ok(call(client, "POST", f"/v1/me/phone/{change}/verify", {"otp": code}, other.auth), "phone verify")
    assert recorder.deliver_queue_messages(expect=1, function=SMS_OUTBOX_CONSUMER) == 1

    reset = _ok(call(client, "POST", "/v1/auth/password-reset",
                     {"username": SIN, "captcha_id": other.captcha(), "captcha_answer": CAPTCHA}), "reset").body
    move_clock(seconds=61)
    _ok(call(client, "POST", f"/v1/auth/password-reset/{reset['reset_id']}/otp", {}), "reset code again")
    assert call(client, "POST", f"/v1/auth/password-reset/{reset['reset_id']}/confirm",
                {"otp": last_code(NEW_PHONE), "new_password": RESET_PASSWORD}).status == 204
    _ok(other.login(SIN, RESET_PASSWORD), "login after the reset")
    assert other.logout().status == 204


def _walk_feedback(client: Any, staff: Any) -> None:
    from tests.support.api import call

    body = {"category": "HEALTH_INSURANCE", "office_code": "HN-HK",
            "message": "Thẻ BHYT trên ứng dụng VssID vẫn ghi nơi khám ban đầu cũ dù tôi đã đổi từ tháng 1.",
            "contact": {"name": "Nguyễn Văn An", "phone": "0912 222 333", "email": "an.nguyen@example.vn"}}
    sent = _ok(call(client, "POST", "/v1/feedback", body, {"Idempotency-Key": "walk-feedback-0001"}), "feedback")
    feedback_id = sent.body["feedback_id"]
    _ok(call(client, "GET", f"/v1/feedback/{feedback_id}"), "feedback status")
    _ok(call(client, "GET", "/v1/admin/feedback?status=OPEN", headers=staff.auth), "staff feedback queue")
    _ok(call(client, "POST", f"/v1/admin/feedback/{feedback_id}/answer",
             {"answer": "Cơ quan BHXH quận Hoàn Kiếm đã cập nhật nơi đăng ký khám chữa bệnh ban đầu mới của ông."},
             {**staff.auth, "Idempotency-Key": "walk-answer-0001"}), "answer")
    _ok(call(client, "POST", "/v1/admin/auth/logout", {}, staff.auth), "staff logout")  # last: the token ends


def _walk_counter_console(client: Any, staff: Any) -> None:
    """The console's page and files, who is signed in, a queue search, and the help desk on the walk's citizen
    (whose account the walk's approval made at the staff member's office)."""
    from tests.support.api import call

    _ok(call(client, "GET", "/console"), "console page")
    _ok(call(client, "GET", "/console/console.js"), "console script")
    _ok(call(client, "GET", "/v1/admin/me", headers=staff.auth), "staff me")
    _ok(call(client, "GET", "/v1/admin/registrations?status=APPROVED&q=nguyen%20van", headers=staff.auth), "search")
    _ok(call(client, "GET", f"/v1/admin/citizens/{SIN}", headers=staff.auth), "help desk")
    _ok(call(client, "GET", f"/v1/admin/citizens/{SIN}/contributions?scheme=BHXH", headers=staff.auth),
        "help desk contributions")


def _walk_feed(client: Any, recorder: Recorder) -> None:
    """The agency drops three files (not a Lambda: not recorded); the splitter and the workers load them (a new
    row, a correction, a delete, a bad row, a gzip file cut into chunk objects, contribution totals) or convert
    one for ImportTable (its DynamoDB JSON part); operations staff follow the loads."""
    import gzip

    from tests.support.api import call
    from tests.support.feed import upload
    from tests.support.people import Staff

    benefit = json.loads((ROOT / "data" / "demo" / "records" / "benefit.jsonl").read_text("utf-8").splitlines()[0])
    rows = [{**benefit, "record_id": "WALK-1"}, {**benefit, "amount": benefit["amount"] + 1},
            {"op": "D", **{k: benefit[k] for k in ("social_insurance_number", "paid_on")}, "record_id": "WALK-0"},
            {"record_id": "bad"}]
    upload("feeds/benefit/walk.jsonl", "".join(json.dumps(r) + "\n" for r in rows).encode(), as_of="2030-01-01")
    period = {"record_id": "WALK-C", "social_insurance_number": SIN, "scheme": "BHXH", "from_month": "2030-01",
              "to_month": "2030-02", "employer": "Công ty TNHH Kiểm thử", "contribution_base": "9000000"}
    csv_text = ",".join(period) + "\n" + ",".join(period.values()) + "\n"
    upload("feeds/contribution/walk.csv.gz", gzip.compress(csv_text.encode()), as_of="2030-01-01")
    from chalicelib.aws.clients import get_client  # a first load, converted for ImportTable (docs/FEED.md)

    get_client("s3").put_object(Bucket=os.environ["FEED_BUCKET"], Key="feeds/benefit/national.jsonl",
                                Body=(json.dumps(rows[0]) + "\n").encode(),
                                Metadata={"as-of": "2030-01-01", "load-mode": "import"})
    for function in (FEED_SPLITTER, FEED_WORKER):  # each queue until it is empty (S3 also sends a test event)
        while recorder.deliver_queue_messages(expect=1, function=function, wait_seconds=0):
            pass
    operations = Staff.signed_in(client, username="van.hanh", role="operations")
    loads = _ok(call(client, "GET", "/v1/admin/loads", headers=operations.auth), "loads").body["items"]
    assert [item["status"] for item in loads] == ["FINISHED"] * 3, loads
    _ok(call(client, "GET", f"/v1/admin/loads/{loads[0]['load_id']}", headers=operations.auth), "one load")


@pytest.fixture(scope="module")
def walk():
    """The `aws` and `client` fixtures of tests/conftest.py for the whole module (they are per test there),
    then the walk, recorded."""
    from chalice.test import Client

    from chalicelib import idempotency
    from chalicelib.config import get_settings
    from chalicelib.services import faq_chat
    from tests.support.backend import fresh_backend

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VSSID_LOCAL_CAPTCHA_ANSWER", CAPTCHA)
        patch.setenv("FEED_WRITE_THREADS", "1")  # the recorder follows the function's own thread
        faq_chat.reset_cache()
        try:
            with fresh_backend() as env:
                _seed_directory()
                _seed_records()
                from app import app

                with Client(app, stage_name="local") as client, Recorder(app) as recorder:
                    _walk_public(client)
                    staff, initial_password = _walk_registration(client, recorder)
                    _walk_citizen(client, recorder, initial_password)
                    _walk_counter_console(client, staff)
                    _walk_feedback(client, staff)
                    _walk_feed(client, recorder)
                yield Walk(recorder, env, app)
        finally:
            faq_chat.reset_cache()
            idempotency.reset()
            get_settings.cache_clear()


def test_the_walk_exercises_every_route(walk):
    routes = {f"{method} {path}" for path, methods in walk.app.routes.items() for method in methods}
    to_walk = {r for r in routes if not any(pattern.match(r) for pattern in SKIPPED_ROUTES)}
    statuses = walk.recorder.route_statuses
    assert sorted(r for r in to_walk if r not in statuses) == [], "routes the walk never called"
    assert sorted(r for r in to_walk if all(s >= 400 for s in statuses[r])) == [], "routes that never succeeded"


def test_every_lambda_function_has_a_role_and_was_invoked(walk):
    functions = app_functions(walk.app)
    assert sorted(set(functions) - set(function_roles())) == [], "functions with no role in infra/package.py"
    assert sorted(set(function_roles()) - set(functions)) == [], "roles given to functions app.py lacks"
    assert {f: walk.recorder.invocations[f] for f in functions if not walk.recorder.invocations[f]} == {}


class KnownGap(Exception):  # noqa: N818 - what the xfail below expects, and nothing else
    """The role lacks exactly the permissions KNOWN_GAPS lists for it, and nothing more."""


# Permissions the app really needs that infra/resources.json does not grant yet (infra/ is not this test's to
# edit). Each entry makes its role's test xfail(strict=True) with KnownGap; any other refusal fails it, and
# once the template grants the permission the test passes, so the strict xfail fails: remove the entry then.
KNOWN_GAPS: dict[str, dict[tuple[str, str], str]] = {}


def _function_params() -> list[Any]:
    params = []
    for function, role in sorted(function_roles().items()):
        gaps = KNOWN_GAPS.get(role)
        marks = [pytest.mark.xfail(strict=True, raises=KnownGap, reason="; ".join(
            f"{role} lacks {action} on {label}: {why}" for (action, label), why in gaps.items()))] if gaps else []
        params.append(pytest.param(function, role, marks=marks, id=f"{function}-{role}"))
    return params


@dataclass(frozen=True)
class Row:
    role: str
    action: str
    label: str
    allowed: bool
    note: str


def _deployed_name(app: Any, function: str) -> str:
    """Chalice's function names: `<app>-<stage>` for the API, `<app>-<stage>-<handler>` for the others."""
    if function == API_FUNCTION:
        return f"{app.app_name}-{DEPLOY_STAGE}"
    handlers = [a.name for a in app.builtin_auth_handlers] + [s.name for s in app.event_sources]
    from tests.support.aws_calls import function_name

    handler = next((h for h in handlers if function_name(h) == function), function)
    return f"{app.app_name}-{DEPLOY_STAGE}-{handler}"


def _print_report(role: str, rows: Counter[Row], unused: list[str]) -> None:
    width = max([len(r.label) for r in rows] + [8])
    print(f"\n=== {role}: {sum(rows.values())} requests, {len(rows)} distinct ===")
    print(f"{'action':<28} {'resource':<{width}} {'allowed':<8} {'count':>5}  note")
    for row, count in sorted(rows.items(), key=lambda item: (item[0].action, item[0].label)):
        print(f"{row.action:<28} {row.label:<{width}} {'yes' if row.allowed else 'NO':<8} {count:>5}  {row.note}")
    print(f"--- {role}: granted but never used by the walk ({len(unused)}) ---")
    for grant in unused:
        print(f"  {grant}")


@pytest.mark.parametrize("function, role", _function_params())
def test_every_call_is_allowed_by_the_role_of_the_function_that_made_it(walk, function, role):
    current = template()
    resources = current["Resources"]
    physical = {lid: walk.env[r["Metadata"]["vssid:env"]] for lid, r in resources.items()
                if r.get("Metadata", {}).get("vssid:env") in walk.env}
    resolver = Resolver(current, REGION, physical=physical)
    catalog = ArnCatalog.build(resolver)
    policy = role_policy(current, role, resolver)

    calls = [c for c in walk.recorder.calls if c.function == function]
    requests: list[tuple[IamRequest, Call | None]] = [(r, c) for c in calls for r in iam_requests(c, catalog)]
    keys = table_keys(current, resolver)
    requests += [(IamRequest("kms:Decrypt", keys[table], catalog.key_label(keys[table]),
                             f"table key of {request.label.split('/')[0]}, decrypted by DynamoDB as the caller"), call)
                 for request, call in list(requests) if request.action.startswith("dynamodb:")
                 and (table := request.resource.split("/index/")[0]) in keys]
    if walk.recorder.invocations[function]:
        requests += [(r, None) for r in lambda_runtime_requests(_deployed_name(walk.app, function), catalog)]
    rows: Counter[Row] = Counter()
    used: set[Any] = set()
    refused: list[tuple[str, str, str]] = []  # (action, label, why)
    unknown: list[str] = []
    for request, call in requests:
        decision = policy.evaluate(request.action, request.resource)
        used.update(decision.allowed_by)
        note = request.note or (call.via if call and call.via != "app" else "")
        rows[Row(role, request.action, request.label, decision.allowed, note)] += 1
        if request.label.startswith("UNKNOWN"):
            unknown.append(f"{request.label}: {request.action} ({call.route if call else ''})")
        if not decision.allowed:
            where = f" in {call.route}" if call and call.route else ""
            made = f" by {call.service}.{call.operation}{where} {describe(call.params)}" if call else ""
            refused.append((request.action, request.label, f"{request.action} on {request.resource}{made}"
                            f"{' — explicit Deny' if decision.explicit_deny else ''}"))
    unused = [f"{g.action} on {catalog.label(g.resource)}  [{g.source}]" for g in policy.grants() if g not in used]
    _print_report(role, rows, unused)

    assert calls, f"{function} made no AWS call on the walk"
    assert unknown == [], "calls to resources the template does not define"
    gaps = KNOWN_GAPS.get(role, {})
    unexplained = sorted({why for action, label, why in refused if (action, label) not in gaps})
    assert unexplained == [], f"{role} does not allow what {function} does:\n" + "\n".join(unexplained)
    if refused:
        raise KnownGap("\n".join(sorted({why for _, _, why in refused})))
