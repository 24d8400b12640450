"""Create every AWS resource of infra/resources.json in a moto backend (in-process or server).

The same template and the same ASL file that production deploys are read here, so local runs and
tests cannot drift from what is deployed. Returns the environment the code needs to find them.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

from chalicelib.aws.clients import get_client

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "resources.json"
ACCOUNT_ID = "123456789012"


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def local_names(template: dict[str, Any] | None = None) -> dict[str, str]:
    """Logical id → the name local runs and tests give the resource."""
    template = template or load_template()
    return {lid: res["Metadata"]["vssid:local-name"] for lid, res in template["Resources"].items()
            if "vssid:local-name" in res.get("Metadata", {})}


def _create_table(name: str, props: dict[str, Any]) -> None:
    ddb = get_client("dynamodb")
    args: dict[str, Any] = {
        "TableName": name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if "GlobalSecondaryIndexes" in props:
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    ddb.create_table(**args)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


def _resolve(value: Any, physical: dict[str, str], parameters: dict[str, str]) -> Any:
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        return parameters.get(ref, physical.get(ref, ref))
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return physical[value["Fn::GetAtt"][0] + ".Arn"]
    return value


def render_definition(template: dict[str, Any], logical_id: str, physical: dict[str, str],
                      parameters: dict[str, str]) -> str:
    """The ASL file with its ${Placeholders} filled as DefinitionSubstitutions would fill them."""
    resource = template["Resources"][logical_id]
    text = (ROOT / resource["Metadata"]["vssid:definition"]).read_text(encoding="utf-8")
    subs = {k: _resolve(v, physical, parameters) for k, v in resource["Properties"]["DefinitionSubstitutions"].items()}

    def fill(match: re.Match[str]) -> str:
        return str(subs[match.group(1)])

    return re.sub(r"\$\{(\w+)\}", fill, text)


def _lifecycle(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule shape turned into the S3 API's."""
    rules = []
    for rule in config["Rules"]:
        api: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
        api["Filter"] = {"Tag": tags[0]} if len(tags) == 1 else {"Prefix": rule.get("Prefix", "")}
        expiration: dict[str, Any] = {}
        if "ExpirationInDays" in rule:
            expiration["Days"] = rule["ExpirationInDays"]
        if rule.get("ExpiredObjectDeleteMarker"):
            expiration["ExpiredObjectDeleteMarker"] = True
        if expiration:
            api["Expiration"] = expiration
        if "NoncurrentVersionExpiration" in rule:
            days = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
            api["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
        if "AbortIncompleteMultipartUpload" in rule:
            api["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
        rules.append(api)
    return {"Rules": rules}


def _notifications(resources: dict[str, Any], names: dict[str, str], physical: dict[str, str]) -> None:
    """Bucket notifications to queues (the feed bucket's new files), once every queue exists."""
    for lid, res in resources.items():
        config = res.get("Properties", {}).get("NotificationConfiguration")
        if res["Type"] != "AWS::S3::Bucket" or not config or lid not in names:
            continue
        queues = []
        for entry in config.get("QueueConfigurations", []):
            rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            queue_arn = physical[entry["Queue"]["Fn::GetAtt"][0] + ".Arn"]
            api: dict[str, Any] = {"QueueArn": queue_arn, "Events": [entry["Event"]]}
            if rules:
                api["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
            queues.append(api)
        get_client("s3").put_bucket_notification_configuration(
            Bucket=names[lid], NotificationConfiguration={"QueueConfigurations": queues})


def create_all(region: str, tables: bool = True) -> dict[str, str]:
    """Create everything; returns the environment variables (name → value) the code reads. `tables=False`
    leaves the DynamoDB tables out (the tests restore them from a copy: tests/support/backend.py)."""
    template = load_template()
    parameters = {k: v.get("Default", "") for k, v in template.get("Parameters", {}).items()}
    names = local_names(template)
    physical: dict[str, str] = {}
    env: dict[str, str] = {}
    resources = template["Resources"]
    order = sorted(resources, key=lambda lid: resources[lid]["Type"] == "AWS::StepFunctions::StateMachine")
    for lid in order:
        res = resources[lid]
        kind, props = res["Type"], res.get("Properties", {})
        if lid not in names:
            continue  # IAM roles and the like have no local counterpart
        name = names[lid]
        if kind == "AWS::DynamoDB::Table":
            if tables:
                _create_table(name, props)
            physical[lid] = name
        elif kind == "AWS::S3::Bucket":
            s3 = get_client("s3")
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
            rules = []
            for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]:
                default = dict(rule["ServerSideEncryptionByDefault"])
                if "KMSMasterKeyID" in default:
                    default["KMSMasterKeyID"] = _resolve(default["KMSMasterKeyID"], physical, parameters)
                rules.append({"ApplyServerSideEncryptionByDefault": default,
                              "BucketKeyEnabled": rule.get("BucketKeyEnabled", False)})
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
            if "VersioningConfiguration" in props:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
            s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration=_lifecycle(props["LifecycleConfiguration"])
            )
            physical[lid] = name
        elif kind == "AWS::KMS::Key":
            arn = get_client("kms").create_key(Description=props.get("Description", name))["KeyMetadata"]["Arn"]
            physical[lid] = physical[lid + ".Arn"] = arn
        elif kind == "AWS::SQS::Queue":
            sqs = get_client("sqs")
            attributes = {}
            if "VisibilityTimeout" in props:
                attributes["VisibilityTimeout"] = str(props["VisibilityTimeout"])
            if "RedrivePolicy" in props:
                redrive = dict(props["RedrivePolicy"])
                redrive["deadLetterTargetArn"] = _resolve(redrive["deadLetterTargetArn"], physical, parameters)
                attributes["RedrivePolicy"] = json.dumps(redrive)
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            physical[lid] = url
            physical[lid + ".Arn"] = f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{name}"
        elif kind == "AWS::SES::EmailIdentity":
            get_client("ses").verify_email_identity(EmailAddress=name)
            physical[lid] = name
        elif kind == "AWS::StepFunctions::StateMachine":
            definition = render_definition(template, lid, physical, parameters)
            arn = get_client("stepfunctions").create_state_machine(
                name=name, definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{name}",
                type=props.get("StateMachineType", "STANDARD"),
            )["stateMachineArn"]
            physical[lid] = arn
        else:
            raise ValueError(f"bootstrap does not know how to create {kind} ({lid})")
        env[res["Metadata"]["vssid:env"]] = physical[lid]
    _notifications(resources, names, physical)
    for secret in template.get("Metadata", {}).get("vssid:secrets", []):
        # CloudFormation cannot create SecureStrings, so deployers create them (docs/DEPLOY.md); locally we do.
        name = parameters[secret["parameter"]]
        get_client("ssm").put_parameter(Name=name, Type="SecureString", Overwrite=True,
                                        Value=secrets.token_hex(secret["bytes"]))
        env[secret["env"]] = name
    return env
