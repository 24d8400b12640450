"""A small IAM policy evaluator for the roles of infra/resources.json.

It resolves the CloudFormation intrinsics a policy uses (Ref, Fn::GetAtt, Fn::Sub, Fn::Join and the
pseudo parameters) to concrete ARNs in a fake account, then answers "may this role do `action` on
`resource`?" the way IAM does for identity policies: an explicit Deny wins, then any Allow, else an
implicit deny. Action patterns match case-insensitively, resource patterns case-sensitively, both with
`*` and `?`; NotAction and NotResource are honoured. Anything it does not evaluate (a Condition on a
statement that would decide the answer, Fn::If, policy variables, an AWS-managed policy it does not
know) raises PolicyError instead of guessing.

`wildcard_problems` and `task_token_problems` are the static least-privilege checks on paper.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

ACCOUNT_ID = "123456789012"  # moto's default account, the one local/bootstrap.py creates everything in
PARTITION = "aws"
LAMBDA_SERVICE = "lambda.amazonaws.com"
GUARDED_SERVICES = ("dynamodb", "s3")  # no Lambda role may grant these on everything
_SENTINEL_ACTION = "ZzNoSuchAction"  # a pattern that matches this matches every action of the service

# The AWS-managed policies a Lambda role commonly carries, so a role that attaches them can still be
# evaluated. Any other managed policy ARN is refused (PolicyError): its content is not in the template.
KNOWN_MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "service-role/AWSLambdaBasicExecutionRole": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"},
    ],
    "service-role/AWSLambdaSQSQueueExecutionRole": [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                       "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"},
    ],
}


class PolicyError(ValueError):
    """The template holds something this evaluator does not evaluate: fail loudly rather than guess."""


# ------------------------------------------------------------------------------------------- matching


@lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: `service:Operation`, case-insensitive, `*` and `?` wildcards."""
    return _glob(pattern, False).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    """IAM resource matching: ARN segment by segment (a wildcard in the region stays in the region),
    the last segment and non-ARN strings as a whole; case-sensitive."""
    if pattern == "*":
        return True
    pattern_parts, resource_parts = pattern.split(":", 5), resource.split(":", 5)
    if pattern_parts[0] == "arn" and len(pattern_parts) == 6:
        if len(resource_parts) != 6:
            return False
        return all(_glob(p, True).fullmatch(r) is not None for p, r in zip(pattern_parts, resource_parts, strict=True))
    return _glob(pattern, True).fullmatch(resource) is not None


# ---------------------------------------------------------------------------------------- intrinsics


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass
class Resolver:
    """Concrete values for a template's logical ids, in a fake account and the given region.

    `physical` maps a logical id to the value its `vssid:env` variable has where the resources were
    really created (moto): the table name, the queue URL, the state machine ARN, the KMS key ARN. Where
    it is absent, the resource's `vssid:local-name` (or its logical id) stands in.
    """

    template: Mapping[str, Any]
    region: str
    account: str = ACCOUNT_ID
    partition: str = PARTITION
    stack_name: str = "vssid-test"
    physical: Mapping[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.template["Resources"]

    def pseudo(self, name: str) -> str | None:
        return {
            "AWS::Partition": self.partition, "AWS::Region": self.region, "AWS::AccountId": self.account,
            "AWS::StackName": self.stack_name, "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/"
                            f"{self.stack_name}/00000000-0000-0000-0000-000000000000",
        }.get(name)

    def _name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        return resource.get("Metadata", {}).get("vssid:local-name") or logical_id

    def attributes(self, logical_id: str) -> dict[str, str]:
        """Ref and the attributes a policy may read (Arn, Name...) of one resource."""
        if logical_id not in self.resources:
            raise PolicyError(f"{logical_id} is not a resource of the template (a Chalice-generated function?)")
        kind = self.resources[logical_id]["Type"]
        value = self.physical.get(logical_id)
        name = self._name(logical_id)
        arn = f"arn:{self.partition}"
        where = f"{self.region}:{self.account}"
        if kind == "AWS::DynamoDB::Table":
            name = value or name
            return {"Ref": name, "Arn": f"{arn}:dynamodb:{where}:table/{name}",
                    "StreamArn": f"{arn}:dynamodb:{where}:table/{name}/stream/*"}
        if kind == "AWS::S3::Bucket":
            name = value or name
            return {"Ref": name, "Arn": f"{arn}:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}
        if kind == "AWS::SQS::Queue":
            name = value.rstrip("/").rsplit("/", 1)[-1] if value else name
            url = value or f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
            return {"Ref": url, "QueueUrl": url, "QueueName": name, "Arn": f"{arn}:sqs:{where}:{name}"}
        if kind == "AWS::StepFunctions::StateMachine":
            state_machine = value or f"{arn}:states:{where}:stateMachine:{name}"
            return {"Ref": state_machine, "Arn": state_machine, "Name": state_machine.rsplit(":", 1)[-1]}
        if kind == "AWS::KMS::Key":
            key_arn = value if value and value.startswith("arn:") else f"{arn}:kms:{where}:key/{value or name}"
            return {"Ref": key_arn.rsplit("/", 1)[-1], "Arn": key_arn, "KeyId": key_arn.rsplit("/", 1)[-1]}
        if kind == "AWS::KMS::Alias":
            alias = self.resolve(self.resources[logical_id]["Properties"]["AliasName"])
            return {"Ref": alias, "Arn": f"{arn}:kms:{where}:{alias}"}
        if kind == "AWS::SNS::Topic":
            topic = value or f"{arn}:sns:{where}:{name}"
            return {"Ref": topic, "TopicArn": topic, "TopicName": topic.rsplit(":", 1)[-1]}
        if kind == "AWS::SES::EmailIdentity":
            identity = value or self.resolve(self.resources[logical_id]["Properties"]["EmailIdentity"])
            return {"Ref": identity}
        if kind == "AWS::IAM::Role":
            return {"Ref": logical_id, "Arn": f"{arn}:iam::{self.account}:role/{logical_id}", "RoleId": logical_id}
        if kind == "AWS::IAM::ManagedPolicy":
            return {"Ref": f"{arn}:iam::{self.account}:policy/{logical_id}"}
        if kind == "AWS::Lambda::Function":
            return {"Ref": logical_id, "Arn": f"{arn}:lambda:{where}:function:{logical_id}"}
        if kind == "AWS::Logs::LogGroup":
            return {"Ref": name, "Arn": f"{arn}:logs:{where}:log-group:{name}:*"}
        return {"Ref": value or name}

    def ref(self, name: str) -> str:
        pseudo = self.pseudo(name)
        if pseudo is not None:
            return pseudo
        parameters = self.template.get("Parameters", {})
        if name in parameters:
            if "Default" not in parameters[name]:
                raise PolicyError(f"parameter {name} has no Default to resolve it with")
            return str(parameters[name]["Default"])
        return self.attributes(name)["Ref"]

    def get_att(self, logical_id: str, attribute: str) -> str:
        attributes = self.attributes(logical_id)
        if attribute not in attributes:
            kind = self.resources[logical_id]["Type"]
            raise PolicyError(f"Fn::GetAtt {logical_id}.{attribute} ({kind}) is unknown to tests/support/iam_policy.py")
        return attributes[attribute]

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def fill(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return str(self.resolve(variables[inner]))
            if "." in inner and not inner.startswith("AWS::"):
                logical_id, attribute = inner.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(inner)

        return re.sub(r"\$\{([^}]+)\}", fill, text)

    def resolve(self, value: Any) -> Any:
        """A template value with every intrinsic replaced by its concrete value."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
                return self.get_att(logical_id, attribute)
            if key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                return self._sub(text, variables)
            if key == "Fn::Join":
                delimiter, items = argument
                return delimiter.join(str(item) for item in _listed(self.resolve(items)))
            if key == "Fn::Select":
                index, items = argument
                return _listed(self.resolve(items))[int(self.resolve(index))]
            if key.startswith("Fn::") or key == "Condition":
                raise PolicyError(f"the intrinsic {key} is not evaluated by tests/support/iam_policy.py")
        return {key: self.resolve(item) for key, item in value.items()}


# ---------------------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Grant:
    """One (action pattern, resource pattern) pair an Allow statement grants."""

    source: str
    action: str
    resource: str  # a pattern, or "NotResource:<patterns>" for a statement that grants all but those

    def covers(self, action: str, resource: str, statement: Statement) -> bool:
        if not action_matches(self.action, action):
            return False
        if statement.not_resources is not None:
            return not any(resource_matches(p, resource) for p in statement.not_resources)
        return resource_matches(self.resource, resource)


@dataclass(frozen=True)
class Statement:
    source: str  # where it comes from: "ApiFunctionRole/vssid-api/Tables"
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    condition: Mapping[str, Any] | None
    raw: Mapping[str, Any]

    @classmethod
    def parse(cls, raw: Mapping[str, Any], source: str, resolver: Resolver | None) -> Statement:
        if raw.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError(f"{source}: Effect must be Allow or Deny, not {raw.get('Effect')!r}")
        if ("Action" in raw) == ("NotAction" in raw):
            raise PolicyError(f"{source}: exactly one of Action and NotAction is needed")
        if ("Resource" in raw) == ("NotResource" in raw):
            raise PolicyError(f"{source}: exactly one of Resource and NotResource is needed")
        if "Principal" in raw or "NotPrincipal" in raw:
            raise PolicyError(f"{source}: an identity policy statement names a Principal")

        def strings(key: str) -> tuple[str, ...] | None:
            if key not in raw:
                return None
            if resolver is None:  # raw: intrinsics kept as their JSON text
                return tuple(v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in _listed(raw[key]))
            values = _listed(resolver.resolve(raw[key]))
            for value in values:
                if not isinstance(value, str):
                    raise PolicyError(f"{source}: {key} entry {value!r} did not resolve to a string")
                if key.endswith("Resource") and re.search(r"\$\{(aws|s3|sts|ec2|iam):", value, re.IGNORECASE):
                    raise PolicyError(f"{source}: policy variables in {value!r} are not evaluated")
            return tuple(values)

        return cls(source=source, effect=raw["Effect"], actions=strings("Action"), not_actions=strings("NotAction"),
                   resources=strings("Resource"), not_resources=strings("NotResource"),
                   condition=raw.get("Condition"), raw=raw)

    def matches_action(self, action: str) -> bool:
        if self.actions is not None:
            return any(action_matches(p, action) for p in self.actions)
        return not any(action_matches(p, action) for p in self.not_actions or ())

    def matches_resource(self, resource: str) -> bool:
        if self.resources is not None:
            return any(resource_matches(p, resource) for p in self.resources)
        return not any(resource_matches(p, resource) for p in self.not_resources or ())

    def applies(self, action: str, resource: str) -> bool:
        if not (self.matches_action(action) and self.matches_resource(resource)):
            return False
        if self.condition:
            raise PolicyError(f"{self.source} has a Condition ({', '.join(self.condition)}) that decides {action} "
                              f"on {resource}; tests/support/iam_policy.py does not evaluate conditions")
        return True

    def grants(self) -> list[Grant]:
        if self.effect != "Allow":
            return []
        actions = self.actions if self.actions is not None else tuple(f"NotAction:{p}" for p in self.not_actions or ())
        if self.not_resources is not None:
            return [Grant(self.source, a, "NotResource:" + ",".join(self.not_resources)) for a in actions]
        return [Grant(self.source, a, r) for a in actions for r in self.resources or ()]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    explicit_deny: bool
    allowed_by: tuple[Grant, ...]


@dataclass
class Policy:
    """Every statement that applies to one role."""

    name: str
    statements: list[Statement]

    def evaluate(self, action: str, resource: str) -> Decision:
        applying = [s for s in self.statements if s.applies(action, resource)]
        if any(s.effect == "Deny" for s in applying):
            return Decision(False, True, ())
        grants = tuple(g for s in applying if s.effect == "Allow" for g in s.grants()
                       if s.actions is None or g.covers(action, resource, s))
        return Decision(bool(grants), False, grants)

    def grants(self) -> list[Grant]:
        return [g for s in self.statements for g in s.grants()]


# --------------------------------------------------------------------------------------------- roles


def _services(principal: Any) -> list[str]:
    if not isinstance(principal, Mapping):
        return []
    return [s for s in _listed(principal.get("Service", [])) if isinstance(s, str)]


def lambda_roles(template: Mapping[str, Any]) -> list[str]:
    """Every AWS::IAM::Role whose trust policy lets Lambda assume it."""
    roles = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        trust = resource.get("Properties", {}).get("AssumeRolePolicyDocument", {})
        if any(s.get("Effect") == "Allow" and LAMBDA_SERVICE in _services(s.get("Principal"))
               for s in _listed(trust.get("Statement", []))):
            roles.append(logical_id)
    return roles


def _documents(template: Mapping[str, Any], role: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(name, policy document) of every policy attached to `role` in the template."""
    resources = template["Resources"]
    properties = resources[role].get("Properties", {})
    for policy in properties.get("Policies", []):
        yield f"{role}/{policy.get('PolicyName', '?')}", policy["PolicyDocument"]
    for logical_id, resource in resources.items():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
            props = resource.get("Properties", {})
            attached = _listed(props.get("Roles", [])) + ([props["RoleName"]] if "RoleName" in props else [])
            if {"Ref": role} in attached:
                yield f"{role}/{logical_id}", props["PolicyDocument"]
    for arn in properties.get("ManagedPolicyArns", []):
        if isinstance(arn, Mapping) and "Ref" in arn and arn["Ref"] in resources:
            continue  # a managed policy of the template: its Roles list names this role, read above
        text = arn if isinstance(arn, str) else str(arn.get("Fn::Sub", arn))
        known = [name for name in KNOWN_MANAGED_POLICIES if text.endswith(f":policy/{name}")]
        if not known:
            raise PolicyError(f"{role} attaches the managed policy {arn!r}, whose content the template does not hold")
        yield f"{role}/{known[0]}", {"Statement": KNOWN_MANAGED_POLICIES[known[0]]}


def role_statements(template: Mapping[str, Any], role: str, resolver: Resolver | None = None) -> list[Statement]:
    """Every statement of every policy of `role`, resolved when a resolver is given (raw otherwise)."""
    statements = []
    for name, document in _documents(template, role):
        for index, raw in enumerate(_listed(document.get("Statement", []))):
            source = f"{name}/{raw.get('Sid') or index}"
            statements.append(Statement.parse(raw, source, resolver))
    return statements


def role_policy(template: Mapping[str, Any], role: str, resolver: Resolver) -> Policy:
    return Policy(role, role_statements(template, role, resolver))


# ---------------------------------------------------------------------------------------- static checks


def _sentinels(service: str, resolver: Resolver) -> list[str]:
    """ARNs of resources that are not ours: a pattern matching one of them grants on everything."""
    where = f"{resolver.region}:{resolver.account}"
    if service == "dynamodb":
        table = f"arn:{resolver.partition}:dynamodb:{where}:table/zz-not-ours"
        return [table, f"{table}/index/zz-index", f"{table}/stream/2026-01-01T00:00:00.000"]
    return [f"arn:{resolver.partition}:s3:::zz-not-ours", f"arn:{resolver.partition}:s3:::zz-not-ours/zz/key"]


def _touches(pattern: str, service: str) -> bool:
    prefix = pattern.split(":", 1)[0] if ":" in pattern else pattern
    return _glob(prefix, False).fullmatch(service) is not None


def wildcard_problems(statements: Iterable[Statement], resolver: Resolver) -> list[str]:
    """What in these statements grants DynamoDB or S3 on everything: a service-wide action (`*`,
    `dynamodb:*`, `s3:*`, `*:*`...), an Allow with NotAction, or a DynamoDB/S3 action on a resource pattern
    that matches tables or buckets that are not ours (`*`, `arn:aws:dynamodb:*:*:*`, `arn:aws:s3:::*`...)
    or on NotResource. Statements must be resolved."""
    problems = []
    for statement in statements:
        if statement.effect != "Allow":
            continue
        where = statement.source
        if statement.not_actions is not None:
            problems.append(f"{where}: Allow with NotAction {list(statement.not_actions)} grants every other action")
            continue
        actions = statement.actions or ()
        for service in GUARDED_SERVICES:
            wide = [a for a in actions if action_matches(a, f"{service}:{_SENTINEL_ACTION}")]
            if wide:
                problems.append(f"{where}: action {wide[0]!r} grants every {service} action")
            if not any(_touches(a, service) for a in actions):
                continue
            if statement.not_resources is not None:
                problems.append(f"{where}: {service} actions on NotResource {list(statement.not_resources)} "
                                "(everything but those)")
                continue
            for pattern in statement.resources or ():
                hit = next((s for s in _sentinels(service, resolver) if resource_matches(pattern, s)), None)
                if hit is not None:
                    problems.append(f"{where}: {service} actions on {pattern!r}, which matches {hit}")
    return problems


def task_token_problems(template: Mapping[str, Any], role: str, statements: Iterable[Statement]) -> list[str]:
    """Every Allow granting states:SendTaskSuccess must name only state machines of the template, by Ref.
    Statements are the raw (unresolved) ones, so the Ref itself is checked."""
    machines = {lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::StepFunctions::StateMachine"}
    problems = []
    for statement in statements:
        if statement.effect != "Allow" or not statement.matches_action("states:SendTaskSuccess"):
            continue
        if statement.not_resources is not None:
            problems.append(f"{statement.source}: states:SendTaskSuccess on NotResource")
            continue
        for entry in _listed(statement.raw["Resource"]):
            if not (isinstance(entry, Mapping) and set(entry) == {"Ref"} and entry["Ref"] in machines):
                problems.append(f"{statement.source}: states:SendTaskSuccess on {entry!r}, not a Ref to one of the "
                                f"template's state machines ({', '.join(sorted(machines)) or 'none'})")
    return problems
