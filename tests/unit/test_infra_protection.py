"""Data protection and abuse protection in infra/resources.json and infra/api_stage.py, on paper.

- every table says whether it holds personal data; those are encrypted with the stack's data key (a
  customer-managed key, rotated, retained), the others are public reference data;
- the documents bucket writes S3 server access logs to a private, encrypted log bucket that expires them;
- the API stage's access log, throttling and the optional WAF web ACL (rate limits per address).

The packaged template (what chalice makes of all this) is checked in test_packaged_template.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra import api_stage
from infra.package import merge_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "infra" / "resources.json"
# The tables the issue names as holding personal data, and the others that do. A table not listed in either
# set must still declare vssid:data (see the first test), so a new table cannot slip through undecided.
PERSONAL_TABLES = frozenset({
    "AccountsTable", "RegistrationsTable", "InsuranceRecordsTable", "AuditTable", "AccessLogTable", "FeedbackTable",
    "CitizenSessionsTable", "StaffSessionsTable", "RegistrationClaimsTable", "StaffTable", "OtpChallengesTable",
    "SmsCountersTable", "IdempotencyTable",
})
PUBLIC_TABLES = frozenset({"ProvincesTable", "OfficesTable", "DirectoryTable", "SearchTermsTable", "CaptchasTable"})


def template() -> dict[str, Any]:
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def of_type(kind: str, current: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    current = current or template()
    return {lid: res for lid, res in current["Resources"].items() if res.get("Type") == kind}


def by_env(env: str) -> tuple[str, dict[str, Any]]:
    (item,) = [(lid, r) for lid, r in template()["Resources"].items() if r.get("Metadata", {}).get("vssid:env") == env]
    return item


# ------------------------------------------------------------------------------------------ tables


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::DynamoDB::Table")))
def test_every_table_declares_whether_it_holds_personal_data(logical_id):
    declared = template()["Resources"][logical_id]["Metadata"].get("vssid:data")
    assert declared in ("personal", "public"), f"{logical_id}: set Metadata vssid:data to personal or public"
    expected = "personal" if logical_id in PERSONAL_TABLES else "public" if logical_id in PUBLIC_TABLES else declared
    assert declared == expected


def _data_key_id(current: dict[str, Any]) -> str:
    keys = {res["Properties"]["SSESpecification"]["KMSMasterKeyId"]["Fn::GetAtt"][0]
            for res in of_type("AWS::DynamoDB::Table", current).values()
            if "KMSMasterKeyId" in res["Properties"].get("SSESpecification", {})}
    assert len(keys) == 1, keys
    return keys.pop()


@pytest.mark.parametrize("logical_id", sorted(PERSONAL_TABLES))
def test_personal_data_tables_are_encrypted_with_the_stacks_data_key(logical_id):
    current = template()
    table = current["Resources"][logical_id]
    assert table["Metadata"]["vssid:data"] == "personal"
    sse = table["Properties"]["SSESpecification"]
    key_id = _data_key_id(current)
    assert sse == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}}


def test_every_table_declared_personal_uses_the_data_key():
    current = template()
    key_id = _data_key_id(current)
    for lid, table in of_type("AWS::DynamoDB::Table", current).items():
        sse = table["Properties"]["SSESpecification"]
        if table["Metadata"]["vssid:data"] == "personal":
            assert sse.get("KMSMasterKeyId") == {"Fn::GetAtt": [key_id, "Arn"]}, lid
        else:  # public reference data: the AWS managed key, readable even if the data key is disabled
            assert sse == {"SSEEnabled": True}, lid


def test_the_data_key_is_a_rotated_retained_key_of_its_own():
    current = template()
    key_id = _data_key_id(current)
    key = current["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"  # losing it loses every table
    documents_key = by_env("DOCUMENTS_BUCKET")[1]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
    assert key_id != documents_key  # one key per kind of data: see docs/DEPLOY.md, "Keys and what checkov says"
    aliases = [a for a in of_type("AWS::KMS::Alias", current).values() if a["Properties"]["TargetKeyId"] == {
        "Ref": key_id}]
    assert aliases


def test_the_data_key_policy_lets_dynamodb_use_it_for_the_account_and_nothing_use_it_directly():
    current = template()
    statements = current["Resources"][_data_key_id(current)]["Properties"]["KeyPolicy"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    via = by_sid["AccountUsesTheKeyOnlyThroughDynamoDb"]
    assert via["Condition"]["StringEquals"]["kms:ViaService"] == {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}
    assert via["Condition"]["StringEquals"]["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}
    assert {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"} <= set(
        via["Action"])
    admin = by_sid["AccountAdministersTheKeyThroughIam"]
    crypto = {"kms:*", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKey*", "kms:ReEncrypt*",
              "kms:CreateGrant", "kms:Create*"}
    assert crypto.isdisjoint(admin["Action"]) and "kms:PutKeyPolicy" in admin["Action"]  # no lock-out, no use


# ------------------------------------------------------------------------------------ S3 access logs


def test_the_documents_bucket_writes_server_access_logs_to_the_log_bucket():
    resources = template()["Resources"]
    documents_id, documents = by_env("DOCUMENTS_BUCKET")
    logging = documents["Properties"]["LoggingConfiguration"]
    log_bucket_id = logging["DestinationBucketName"]["Ref"]
    assert log_bucket_id != documents_id and resources[log_bucket_id]["Type"] == "AWS::S3::Bucket"
    prefix = logging["LogFilePrefix"]
    assert prefix.endswith("/")
    # S3 delivers the logs as the logging service; the log bucket's policy lets it write there, for this bucket only
    (policy,) = [p for p in of_type("AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": log_bucket_id}]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (delivery,) = [s for s in statements if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"} and delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"] == {"Fn::Sub": "${" + log_bucket_id + ".Arn}/" + prefix + "*"}
    assert delivery["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Fn::GetAtt": [documents_id, "Arn"]}
    assert any(s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)


def test_the_log_bucket_is_private_encrypted_and_expires_its_logs():
    documents = by_env("DOCUMENTS_BUCKET")[1]
    log_bucket = template()["Resources"][documents["Properties"]["LoggingConfiguration"]["DestinationBucketName"][
        "Ref"]]
    props = log_bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # policy, not ACLs
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    # Server access log delivery supports SSE-S3 only as the target's default encryption.
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    rules = props["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and 30 <= r.get("ExpirationInDays", 0) <= 400 and "Prefix" not in r
               and "TagFilters" not in r for r in rules)
    assert log_bucket["DeletionPolicy"] == "Retain"


# ----------------------------------------------------------------------------------------- the API


def test_the_access_log_group_is_encrypted_with_the_data_key_and_kept_a_year():
    current = template()
    group = current["Resources"][api_stage.ACCESS_LOG_GROUP]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [_data_key_id(current), "Arn"]}
    assert group["Properties"]["RetentionInDays"] == 365
    # the key policy lets CloudWatch Logs use the key for exactly this group
    statements = current["Resources"][_data_key_id(current)]["Properties"]["KeyPolicy"]["Statement"]
    (logs,) = [s for s in statements if s["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}]
    arns = [a["Fn::Sub"] for a in logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]]
    assert any(a.endswith(":log-group:" + group["Properties"]["LogGroupName"]["Fn::Sub"]) for a in arns)


def test_the_access_log_format_is_one_json_object_without_personal_fields():
    fields = json.loads(api_stage.access_log_setting()["Format"])
    assert {"requestId", "ip", "httpMethod", "resourcePath", "status"} <= set(fields)
    text = json.dumps(fields)
    for personal in ("principalId", "$context.path", "requestOverride", "$input"):
        assert personal not in text


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_stage_is_throttled_as_a_whole_and_tighter_on_sms_and_registration_methods(stage):
    settings = api_stage.method_settings(stage)
    (default,) = [s for s in settings if s["ResourcePath"] == "/*" and s["HttpMethod"] == "*"]
    assert default["ThrottlingRateLimit"] > 0 and default["ThrottlingBurstLimit"] >= default["ThrottlingRateLimit"]
    assert default["DataTraceEnabled"] is False  # never log request and response bodies
    specific = {(s["HttpMethod"], s["ResourcePath"].replace("~1", "/")): s for s in settings if s is not default}
    for route in [("POST", "/v1/registrations"), ("POST", "/v1/lookup/social-insurance-number"),
                  ("POST", "/v1/auth/password-reset"), ("POST", "/v1/auth/device-challenges/{challenge_id}/otp")]:
        assert specific[route]["ThrottlingRateLimit"] < default["ThrottlingRateLimit"], route
    assert api_stage.method_settings("dev")[0]["ThrottlingRateLimit"] < api_stage.method_settings("prod")[0][
        "ThrottlingRateLimit"]


def test_the_merge_template_gives_chalices_api_its_stage_settings_after_the_account_logging_role():
    merged = merge_template("prod")
    api = merged["Resources"][api_stage.API]
    assert set(api) == {"DependsOn", "Properties"}  # no Type: chalice's RestAPI gets these merged in
    assert api["Properties"]["AccessLogSetting"]["DestinationArn"] == {
        "Fn::GetAtt": [api_stage.ACCESS_LOG_GROUP, "Arn"]}
    assert api["Properties"]["MethodSettings"] == api_stage.method_settings("prod")
    (account,) = api["DependsOn"]
    assert merged["Resources"][account]["Type"] == "AWS::ApiGateway::Account"
    role = merged["Resources"][merged["Resources"][account]["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]]
    assert role["DeletionPolicy"] == "Retain"  # the account setting outlives the stack


# --------------------------------------------------------------------------------------------- WAF


def test_the_web_acl_is_optional_and_off_by_default():
    current = template()
    (acl_id, acl), = of_type("AWS::WAFv2::WebACL", current).items()
    condition = acl["Condition"]
    equals = current["Conditions"][condition]["Fn::Equals"]
    parameter = current["Parameters"][equals[0]["Ref"]]
    assert parameter["AllowedValues"] == ["true", "false"] and parameter["Default"] == "false" and equals[1] == "true"
    # everything that exists for the web ACL exists only with it
    for kind in ("AWS::WAFv2::LoggingConfiguration",):
        for lid, res in of_type(kind, current).items():
            assert res.get("Condition") == condition, lid
    merged = merge_template("dev")
    (association,) = of_type("AWS::WAFv2::WebACLAssociation", merged).values()
    assert association["Condition"] == condition
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert "/restapis/${RestAPI}/stages/${RestAPI.Stage}" in association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert acl["Properties"]["Scope"] == "REGIONAL"


def _rate_rules() -> dict[str, dict[str, Any]]:
    (acl,) = of_type("AWS::WAFv2::WebACL").values()
    return {r["Name"]: r for r in acl["Properties"]["Rules"] if "RateBasedStatement" in r["Statement"]}


def test_the_web_acl_limits_each_address_overall_and_tighter_on_sign_in_registration_and_lookup():
    current = template()
    rules = _rate_rules()
    overall = [r for r in rules.values() if "ScopeDownStatement" not in r["Statement"]["RateBasedStatement"]]
    scoped = [r for r in rules.values() if "ScopeDownStatement" in r["Statement"]["RateBasedStatement"]]
    assert overall and scoped
    for rule in rules.values():
        statement = rule["Statement"]["RateBasedStatement"]
        assert statement["AggregateKeyType"] == "IP"
    default = {r["Name"]: current["Parameters"][r["Statement"]["RateBasedStatement"]["Limit"]["Ref"]]["Default"]
               for r in rules.values()}
    assert max(default[r["Name"]] for r in scoped) < min(default[r["Name"]] for r in overall)
    # the tighter rule comes first, so it is the one that answers
    assert max(r["Priority"] for r in scoped) < min(r["Priority"] for r in overall)


def path_matches(statement: dict[str, Any], path: str) -> bool:
    """How WAF evaluates the scope-down's byte matches on the URI path (after URL decoding)."""
    if "OrStatement" in statement:
        return any(path_matches(s, path) for s in statement["OrStatement"]["Statements"])
    match = statement["ByteMatchStatement"]
    assert "UriPath" in match["FieldToMatch"]
    text, kind = match["SearchString"], match["PositionalConstraint"]
    return {"CONTAINS": text in path, "ENDS_WITH": path.endswith(text), "STARTS_WITH": path.startswith(text),
            "EXACTLY": path == text}[kind]


def scope_down() -> dict[str, Any]:
    (scoped,) = [r for r in _rate_rules().values() if "ScopeDownStatement" in r["Statement"]["RateBasedStatement"]]
    return scoped["Statement"]["RateBasedStatement"]["ScopeDownStatement"]


@pytest.mark.parametrize(("path", "sensitive"), [
    ("/v1/auth/login", True), ("/v1/auth/password-reset/r1/otp", True), ("/v1/admin/auth/login", True),
    ("/v1/admin/auth/logout", True), ("/v1/registrations", True), ("/v1/registrations/takeover", True),
    ("/v1/registrations/takeover/c1/verify", True), ("/v1/lookup/social-insurance-number", True),
    ("/v1/registrations/r1/uploads", False), ("/v1/registrations/r1", False), ("/v1/me", False),
    ("/v1/admin/registrations", False), ("/v1/offices", False),
])
def test_the_tighter_rate_limit_covers_the_sign_in_registration_and_lookup_paths(path, sensitive):
    # WAF sees the stage in the path on the execute-api host, not behind a custom domain's base path mapping
    for seen in (path, "/v1" + path):
        assert path_matches(scope_down(), seen) is sensitive, seen


def test_the_web_acl_answers_429_in_the_contracts_error_shape_and_logs_without_secrets():
    from chalicelib.errors import TooManyRequestsError

    current = template()
    (acl,) = of_type("AWS::WAFv2::WebACL", current).values()
    for rule in _rate_rules().values():
        block = rule["Action"]["Fn::If"][1]["Block"]["CustomResponse"]
        assert block["ResponseCode"] == 429
        body = acl["Properties"]["CustomResponseBodies"][block["CustomResponseBodyKey"]]
        assert json.loads(body["Content"]) == TooManyRequestsError(retry_after=300).body()
        assert rule["Action"]["Fn::If"][2] == {"Count": {}}  # WafMode=count: watch before blocking
    (logging,) = of_type("AWS::WAFv2::LoggingConfiguration", current).values()
    redacted = {f["SingleHeader"]["Name"] for f in logging["Properties"]["RedactedFields"]}
    assert {"authorization", "x-registration-key"} <= redacted
    assert logging["Properties"]["LoggingFilter"]["DefaultBehavior"] == "DROP"  # only blocked or counted requests
