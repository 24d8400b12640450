"""Record every AWS call the app makes, attributed to the Lambda function that made it, and turn each call
into the IAM requests (action, resource ARN) it needs.

`Recorder` hooks, for as long as it is entered:

- `botocore.client.BaseClient._make_api_call`: every API call of every botocore client, whoever created it
  (the app's `get_client`, pynamodb's connections, Powertools' idempotency store, clients made later);
- `BaseClient._emit_api_params` with a presign context and `S3PostPresigner.generate_presigned_post`:
  presigned URLs and POSTs, which are not calls but are signed with the function's role, so whoever uses
  them acts with that role's permissions;
- `Chalice.__call__` (the REST API function, Chalice's `APIHandler`) and `ChaliceAuthorizer.__call__` (each
  built-in authorizer is a Lambda function of its own): which function runs, on this thread.

A call is attributed to the function running on the calling thread. Calls made while another call is in
flight on the same thread (moto serving a request by calling other services) and calls on other threads
(moto's Step Functions engine, whose calls are the workflow role's) are not the app's and are left out;
calls on this thread outside any function (test set-up: seeding, loaders) are only counted in `outside`.

`Recorder.deliver_queue_messages` plays Lambda's SQS event source mappings: it polls each SQS handler's
queue with that handler's function (so with its role) and invokes the handler with a real Lambda event.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.support.iam_policy import PolicyError, Resolver

API_FUNCTION = "APIHandler"  # Chalice's CloudFormation name for the REST API function
NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
IAM_PREFIX = {"stepfunctions": "states"}  # botocore service name → IAM action prefix, where they differ


@dataclass(frozen=True)
class Call:
    function: str  # the Lambda function (its CloudFormation name) that made the call
    service: str  # botocore's service name: dynamodb, s3, sqs, sns, ses, stepfunctions...
    operation: str  # the API operation (TransactWriteItems); a presigned POST is "PostObject"
    params: Mapping[str, Any]
    error: str | None = None  # the error code the call ended with, if it failed
    presigned: bool = False
    route: str | None = None  # "POST /v1/registrations" for the API function
    via: str = "app"  # "app", or "event source mapping" for the SQS polling Lambda does with the role


@dataclass(frozen=True)
class IamRequest:
    action: str
    resource: str  # the concrete ARN IAM evaluates ("*" where the action has no resource, e.g. SMS)
    label: str  # the resource as the template names it: "RegistrationsTable/index/office-status-index"
    note: str = ""


def function_name(handler_name: str) -> str:
    """The CloudFormation name `chalice package` gives a handler's function (what infra/package.py uses)."""
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(handler_name)


def app_functions(app: Any) -> dict[str, str]:
    """Every Lambda function the Chalice app deploys: CloudFormation name → what it is."""
    functions = {API_FUNCTION: "REST API"} if app.routes else {}
    for auth in app.builtin_auth_handlers:
        functions[function_name(auth.name)] = "authorizer"
    for source in app.event_sources:
        functions[function_name(source.name)] = type(source).__name__
    for pure in app.pure_lambda_functions:
        functions[function_name(pure.name)] = "lambda function"
    return functions


class Recorder:
    """While entered: every call the app makes, by function; every route served, with its statuses."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[Call] = []
        self.invocations: Counter[str] = Counter()
        self.route_statuses: dict[str, list[int]] = defaultdict(list)
        self.outside: Counter[str] = Counter()
        self._local = threading.local()
        self._thread = threading.get_ident()
        self._patches: list[tuple[Any, str, Any]] = []

    # ---------------------------------------------------------------------------------------- context

    def _stack(self) -> list[tuple[str, str | None, str]]:
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        return self._local.stack

    @contextmanager
    def running(self, function: str, route: str | None = None, via: str = "app") -> Iterator[None]:
        """Calls made inside are `function`'s."""
        stack = self._stack()
        stack.append((function, route, via))
        try:
            yield
        finally:
            stack.pop()

    def _record(self, service: str, operation: str, params: Mapping[str, Any], *, error: str | None = None,
                presigned: bool = False) -> None:
        stack = self._stack()
        if not stack:
            if threading.get_ident() == self._thread:
                self.outside[f"{service}.{operation}"] += 1
            return
        function, route, via = stack[-1]
        self.calls.append(Call(function, service, operation, _plain(params), error, presigned, route, via))

    # ---------------------------------------------------------------------------------------- patches

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        self._patches.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, replacement)

    def __enter__(self) -> Recorder:
        from botocore.client import BaseClient
        from botocore.exceptions import ClientError
        from botocore.signers import S3PostPresigner
        from chalice.app import Chalice, ChaliceAuthorizer

        recorder = self
        make_api_call = BaseClient._make_api_call  # noqa: SLF001
        emit_api_params = BaseClient._emit_api_params  # noqa: SLF001
        presign_post = S3PostPresigner.generate_presigned_post
        serve = Chalice.__call__
        authorize = ChaliceAuthorizer.__call__

        def recorded_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            local = recorder._local  # noqa: SLF001
            depth = getattr(local, "depth", 0)
            if depth:
                return make_api_call(client, operation_name, api_params)  # moto's own call inside a call
            service = client.meta.service_model.service_name
            local.depth = depth + 1
            error = None
            try:
                return make_api_call(client, operation_name, api_params)
            except ClientError as exc:
                error = str(exc.response.get("Error", {}).get("Code", "ClientError"))
                raise
            finally:
                local.depth = depth
                recorder._record(service, operation_name, api_params, error=error)  # noqa: SLF001

        def recorded_presign(client: Any, api_params: dict[str, Any], operation_model: Any, context: Any) -> Any:
            params = emit_api_params(client, api_params, operation_model, context)
            # generate_presigned_post builds its URL from a CreateBucket model; that POST is recorded below
            if (context or {}).get("is_presign_request") and operation_model.name != "CreateBucket":
                recorder._record(client.meta.service_model.service_name, operation_model.name, params,  # noqa: SLF001
                                 presigned=True)
            return params

        def recorded_post(presigner: Any, request_dict: Any, fields: Any = None, conditions: Any = None,
                          expires_in: int = 3600, region_name: str | None = None) -> Any:
            bucket = next((c["bucket"] for c in conditions or [] if isinstance(c, dict) and "bucket" in c), None)
            recorder._record("s3", "PostObject", {"Bucket": bucket, "Key": (fields or {}).get("key"),  # noqa: SLF001
                                                  "Fields": dict(fields or {})}, presigned=True)
            return presign_post(presigner, request_dict, fields, conditions, expires_in, region_name)

        def serving(app: Any, event: Any, context: Any) -> Any:
            if app is not recorder.app:
                return serve(app, event, context)
            request = event.get("requestContext", {})
            route = f"{request.get('httpMethod')} {request.get('resourcePath')}"
            recorder.invocations[API_FUNCTION] += 1
            with recorder.running(API_FUNCTION, route):
                response = serve(app, event, context)
            recorder.route_statuses[route].append(int(response.get("statusCode", 0)))
            return response

        def authorizing(authorizer: Any, event: Any, context: Any) -> Any:
            name = function_name(authorizer.name)
            recorder.invocations[name] += 1
            with recorder.running(name, via="app"):
                return authorize(authorizer, event, context)

        self._patch(BaseClient, "_make_api_call", recorded_call)
        self._patch(BaseClient, "_emit_api_params", recorded_presign)
        self._patch(S3PostPresigner, "generate_presigned_post", recorded_post)
        self._patch(Chalice, "__call__", serving)
        self._patch(ChaliceAuthorizer, "__call__", authorizing)
        return self

    def __exit__(self, *exc_info: object) -> None:
        while self._patches:
            owner, name, original = self._patches.pop()
            setattr(owner, name, original)

    # ------------------------------------------------------------------------- SQS event source mappings

    def deliver_queue_messages(self, expect: int = 1, function: str | None = None, wait_seconds: float = 10.0) -> int:
        """What Lambda's SQS event source mapping does for each SQS handler of the app (or only `function`'s):
        poll the queue with the function's role, invoke the handler with the batch as a Lambda SQS event,
        delete what it took. Polls at least once, and until `expect` messages were handled or the time is
        up; returns how many were."""
        from chalice.app import SQSEventConfig

        from chalicelib.aws.clients import get_client

        sqs = get_client("sqs")
        sources = [s for s in self.app.event_sources if isinstance(s, SQSEventConfig)
                   and function in (None, function_name(s.name))]
        if not sources:
            raise AssertionError(f"the app has no SQS handler {function or ''}")
        queues = {s.name: sqs.get_queue_url(QueueName=s.queue or s.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
                  for s in sources}
        handled = 0
        deadline = time.monotonic() + wait_seconds
        while True:
            for source in sources:
                handled += self._poll(source, queues[source.name])
            if handled >= expect or time.monotonic() >= deadline:
                return handled
            time.sleep(0.05)

    def _poll(self, source: Any, url: str) -> int:
        from chalicelib.aws.clients import get_client

        sqs = get_client("sqs")
        name = function_name(source.name)
        with self.running(name, via="event source mapping"):
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(source.batch_size, 10),
                                        WaitTimeSeconds=0, AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return 0
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": arn,
            "awsRegion": arn.split(":")[3],
        } for m in batch]}
        module, attribute = source.handler_string.rsplit(".", 1)
        handler = getattr(importlib.import_module(module), attribute)
        self.invocations[name] += 1
        with self.running(name):
            handler(event, _LambdaContext(name))
        with self.running(name, via="event source mapping"):
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(batch)


@dataclass
class _LambdaContext:
    function_name: str
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:ap-southeast-1:123456789012:function:test"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """The call's parameters without request bodies (which can be megabytes of image or PDF)."""
    return {k: ("<body>" if k == "Body" else v) for k, v in params.items()}


# ------------------------------------------------------------------------------------ calls → IAM requests


@dataclass
class ArnCatalog:
    """The template's resources by the physical names calls carry: table → ARN, queue URL → ARN..."""

    resolver: Resolver
    tables: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (logical id, ARN)
    buckets: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)  # + default KMS key ARN
    queues: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)  # URL and name → + KMS key
    state_machines: dict[str, str] = field(default_factory=dict)  # ARN → logical id
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # key ARN / key id → (logical id, ARN)
    identities: dict[str, str] = field(default_factory=dict)  # SES identity → logical id

    @classmethod
    def build(cls, resolver: Resolver) -> ArnCatalog:
        catalog = cls(resolver)
        for lid, resource in resolver.resources.items():
            kind, props = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::DynamoDB::Table":
                catalog.tables[resolver.ref(lid)] = (lid, resolver.get_att(lid, "Arn"))
            elif kind == "AWS::S3::Bucket":
                key = None
                for rule in props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", []):
                    default = rule.get("ServerSideEncryptionByDefault", {})
                    if default.get("SSEAlgorithm", "").startswith("aws:kms"):
                        key = catalog._key_arn(resolver.resolve(default.get("KMSMasterKeyID", "alias/aws/s3")))
                catalog.buckets[resolver.ref(lid)] = (lid, resolver.get_att(lid, "Arn"), key)
            elif kind == "AWS::SQS::Queue":
                key = catalog._key_arn(resolver.resolve(props["KmsMasterKeyId"])) if "KmsMasterKeyId" in props else None
                entry = (lid, resolver.get_att(lid, "Arn"), key)
                catalog.queues[resolver.ref(lid)] = catalog.queues[resolver.get_att(lid, "QueueName")] = entry
            elif kind == "AWS::StepFunctions::StateMachine":
                catalog.state_machines[resolver.ref(lid)] = lid
            elif kind == "AWS::KMS::Key":
                entry = (lid, resolver.get_att(lid, "Arn"))
                catalog.keys[entry[1]] = catalog.keys[resolver.ref(lid)] = entry
            elif kind == "AWS::SES::EmailIdentity":
                catalog.identities[resolver.ref(lid)] = lid
        return catalog

    def _key_arn(self, key: str) -> str:
        if key.startswith("arn:"):
            return key
        where = f"{self.resolver.region}:{self.resolver.account}"
        return f"arn:{self.resolver.partition}:kms:{where}:{key if key.startswith('alias/') else 'key/' + key}"

    def label(self, pattern: str) -> str:
        """A resource pattern with the template's ARNs replaced by their logical ids, for reading."""
        arns = {arn: lid for lid, arn in self.tables.values()}
        arns.update({arn: lid for lid, arn, _ in self.buckets.values()})
        arns.update({arn: lid for lid, arn, _ in self.queues.values()})
        arns.update({arn: lid for arn, lid in self.state_machines.items()})
        arns.update({arn: lid for lid, arn in self.keys.values()})
        for arn in sorted(arns, key=len, reverse=True):
            if pattern == arn or pattern.startswith(arn + "/"):
                return arns[arn] + pattern[len(arn):]
        return pattern

    def key_label(self, key_arn: str) -> str:
        entry = self.keys.get(key_arn) or self.keys.get(key_arn.rsplit("/", 1)[-1])
        return entry[0] if entry else f"UNKNOWN key {key_arn}"

    def where(self) -> str:
        return f"{self.resolver.region}:{self.resolver.account}"


def _iam(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def _dynamodb(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    def on(table: str, action: str, index: str | None = None) -> IamRequest:
        lid, arn = catalog.tables.get(table, (f"UNKNOWN table {table}", _unknown_table(catalog, table)))
        if index:
            return IamRequest(f"dynamodb:{action}", f"{arn}/index/{index}", f"{lid}/index/{index}")
        return IamRequest(f"dynamodb:{action}", arn, lid)

    params, operation = call.params, call.operation
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [on(table, operation) for table in params["RequestItems"]]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        per_item = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
        requests = []
        for item in params["TransactItems"]:
            (kind, body), = item.items()
            requests.append(on(body["TableName"], per_item[kind]))
        return requests
    if "TableName" in params:
        return [on(params["TableName"], operation, params.get("IndexName"))]
    raise PolicyError(f"no IAM mapping for dynamodb {operation}; add one to tests/support/aws_calls.py")


def _unknown_table(catalog: ArnCatalog, table: str) -> str:
    return f"arn:{catalog.resolver.partition}:dynamodb:{catalog.where()}:table/{table}"


S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "PutObject": "s3:PutObject",
    "PutObjectTagging": "s3:PutObjectTagging", "GetObjectTagging": "s3:GetObjectTagging",
    "DeleteObject": "s3:DeleteObject", "PostObject": "s3:PutObject", "UploadPart": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
}
S3_BUCKET_ACTIONS = {"ListObjectsV2": "s3:ListBucket", "ListObjects": "s3:ListBucket", "HeadBucket": "s3:ListBucket"}


def _s3(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    params, operation = call.params, call.operation
    if operation == "CopyObject":
        # A copy reads its source (s3:GetObject, and kms:Decrypt where SSE-KMS) and writes its target.
        source = params["CopySource"]
        if isinstance(source, str):  # botocore has already turned {"Bucket", "Key"} into "bucket/key"
            source_bucket, _, source_key = unquote(source.split("?", 1)[0]).lstrip("/").partition("/")
        else:
            source_bucket, source_key = source["Bucket"], source["Key"]
        read = Call(call.function, "s3", "GetObject", {"Bucket": source_bucket, "Key": source_key},
                    None, route=call.route, via=call.via)
        write = Call(call.function, "s3", "PutObject", {k: v for k, v in params.items() if k != "CopySource"},
                     call.error, route=call.route, via=call.via)
        return _s3(read, catalog) + _s3(write, catalog)
    bucket = params["Bucket"]
    lid, bucket_arn, default_key = catalog.buckets.get(
        bucket, (f"UNKNOWN bucket {bucket}", f"arn:{catalog.resolver.partition}:s3:::{bucket}", None))
    if operation in S3_BUCKET_ACTIONS:
        return [IamRequest(S3_BUCKET_ACTIONS[operation], bucket_arn, lid)]
    if operation not in S3_OBJECT_ACTIONS:
        raise PolicyError(f"no IAM mapping for s3 {operation}; add one to tests/support/aws_calls.py")
    key = params["Key"]
    prefix = key.split("/", 1)[0] + "/…" if "/" in key else key
    label = f"{lid}/{prefix}"
    presigned = "presigned " if call.presigned else ""
    action = S3_OBJECT_ACTIONS[operation]
    if params.get("VersionId") and action in ("s3:GetObject", "s3:PutObjectTagging", "s3:GetObjectTagging",
                                              "s3:DeleteObject"):
        action = action.replace("Object", "ObjectVersion", 1)
    requests = [IamRequest(action, f"{bucket_arn}/{key}", label, f"{presigned}{operation}".strip())]
    fields = {k.lower(): v for k, v in (params.get("Fields") or {}).items()}
    if action == "s3:PutObject" and (params.get("Tagging") or "tagging" in fields):
        requests.append(IamRequest("s3:PutObjectTagging", f"{bucket_arn}/{key}", label,
                                   f"{presigned}{operation} with tags"))
    if action == "s3:PutObject" and (params.get("ACL") or "acl" in fields):
        requests.append(IamRequest("s3:PutObjectAcl", f"{bucket_arn}/{key}", label, f"{presigned}{operation} with ACL"))
    if operation in ("GetObject", "HeadObject") and call.error in NOT_FOUND:
        requests.append(IamRequest("s3:ListBucket", bucket_arn, lid,
                                   f"{operation} of a missing key: without s3:ListBucket S3 answers 403, not 404"))
    explicit_key = params.get("SSEKMSKeyId") or fields.get("x-amz-server-side-encryption-aws-kms-key-id")
    writes = action == "s3:PutObject"
    key_arn = catalog._key_arn(explicit_key) if writes and explicit_key else default_key  # noqa: SLF001
    if key_arn and (writes or (operation == "GetObject" and call.error is None)):
        kms_action = "kms:GenerateDataKey" if writes else "kms:Decrypt"
        requests.append(IamRequest(kms_action, key_arn, catalog.key_label(key_arn),
                                   f"SSE-KMS for {presigned}{operation} on {label}"))
    return requests


SQS_ACTIONS = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
               "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def _sqs(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    queue = call.params.get("QueueUrl") or call.params.get("QueueName")
    if not queue:
        raise PolicyError(f"no IAM mapping for sqs {call.operation}; add one to tests/support/aws_calls.py")
    name = queue.rstrip("/").rsplit("/", 1)[-1]
    lid, arn, key = catalog.queues.get(queue) or catalog.queues.get(
        name, (f"UNKNOWN queue {name}", f"arn:{catalog.resolver.partition}:sqs:{catalog.where()}:{name}", None))
    action = SQS_ACTIONS.get(call.operation, call.operation)
    requests = [IamRequest(f"sqs:{action}", arn, lid, call.via if call.via != "app" else "")]
    if key and action in ("SendMessage", "ReceiveMessage"):
        kms_action = "kms:GenerateDataKey" if action == "SendMessage" else "kms:Decrypt"
        requests.append(IamRequest(kms_action, key, catalog.key_label(key), f"SSE-KMS for sqs:{action} on {lid}"))
    return requests


def _sns(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    if call.operation != "Publish":
        raise PolicyError(f"no IAM mapping for sns {call.operation}; add one to tests/support/aws_calls.py")
    if call.params.get("PhoneNumber"):
        # IAM sees no resource for an SMS to a phone number: the request's resource is "*"
        return [IamRequest("sns:Publish", "*", "SMS to a phone number", f"to {call.params['PhoneNumber']}")]
    topic = call.params.get("TopicArn") or call.params["TargetArn"]
    return [IamRequest("sns:Publish", topic, topic.rsplit(":", 1)[-1])]


def _ses(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    if call.operation not in ("SendEmail", "SendRawEmail", "SendTemplatedEmail"):
        raise PolicyError(f"no IAM mapping for ses {call.operation}; add one to tests/support/aws_calls.py")
    source = str(call.params.get("Source") or call.params.get("FromArn") or "")
    address = source.rsplit("<", 1)[-1].rstrip(">").strip()
    lid = catalog.identities.get(address, f"UNKNOWN identity {address}")
    arn = f"arn:{catalog.resolver.partition}:ses:{catalog.where()}:identity/{address}"
    return [IamRequest(f"ses:{call.operation}", arn, lid)]


def _states(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    operation, params = call.operation, call.params
    if "stateMachineArn" in params:
        arn = params["stateMachineArn"]
        return [IamRequest(_iam("stepfunctions", operation), arn,
                           catalog.state_machines.get(arn, f"UNKNOWN state machine {arn}"))]
    if "executionArn" in params:
        arn = params["executionArn"]
        machine = arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
        return [IamRequest(_iam("stepfunctions", operation), arn,
                           f"{catalog.state_machines.get(machine, 'UNKNOWN state machine')} execution")]
    if "taskToken" in params:
        # A token does not say which machine issued it; the template has the machines to choose from.
        if len(catalog.state_machines) != 1:
            raise PolicyError("task tokens with several state machines in the template: tell them apart here")
        (arn, lid), = catalog.state_machines.items()
        return [IamRequest(_iam("stepfunctions", operation), arn, lid, "task token of its execution")]
    raise PolicyError(f"no IAM mapping for stepfunctions {operation}; add one to tests/support/aws_calls.py")


def _kms(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    key = catalog._key_arn(str(call.params["KeyId"]))  # noqa: SLF001
    return [IamRequest(f"kms:{call.operation}", key, catalog.key_label(key))]


def _ssm(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    if call.operation != "GetParameter":
        raise PolicyError(f"no IAM mapping for ssm {call.operation}; add one to tests/support/aws_calls.py")
    name = str(call.params["Name"])
    # SecureStrings under the AWS managed aws/ssm key: its key policy lets SSM decrypt for the account.
    arn = f"arn:{catalog.resolver.partition}:ssm:{catalog.where()}:parameter{name}"
    return [IamRequest("ssm:GetParameter", arn, f"SSM parameter {name}")]


MAPPERS = {"dynamodb": _dynamodb, "s3": _s3, "sqs": _sqs, "sns": _sns, "ses": _ses, "stepfunctions": _states,
           "kms": _kms, "ssm": _ssm}


def iam_requests(call: Call, catalog: ArnCatalog) -> list[IamRequest]:
    """The IAM requests one call needs: a TransactWriteItems is one per item and table, a presigned POST
    with tags is s3:PutObject and s3:PutObjectTagging, SSE-KMS adds the key, a 404 on a read adds
    s3:ListBucket on the bucket."""
    mapper = MAPPERS.get(call.service)
    if mapper is None:
        raise PolicyError(f"no IAM mapping for {call.service} {call.operation}; add one to tests/support/aws_calls.py")
    return mapper(call, catalog)


def lambda_runtime_requests(deployed_name: str, catalog: ArnCatalog) -> list[IamRequest]:
    """What the Lambda runtime does with the function's role on every cold start: its CloudWatch logs."""
    group = f"arn:{catalog.resolver.partition}:logs:{catalog.where()}:log-group:/aws/lambda/{deployed_name}"
    stream = f"{group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef"
    label = f"/aws/lambda/{deployed_name}"
    return [IamRequest("logs:CreateLogGroup", group, label, "Lambda runtime"),
            IamRequest("logs:CreateLogStream", stream, label, "Lambda runtime"),
            IamRequest("logs:PutLogEvents", stream, label, "Lambda runtime")]


# The parameters that say what a call touched; the rest (items, message texts, e-mails) may hold personal
# data or secrets (an initial password) and stays out of failure messages.
IDENTIFYING = ("TableName", "IndexName", "Bucket", "Key", "QueueUrl", "QueueName", "stateMachineArn", "name",
               "executionArn", "TopicArn", "TargetArn", "Source", "KeyId", "SSEKMSKeyId")


def describe(params: Mapping[str, Any]) -> str:
    """What a call touched, for a failure message: its identifying parameters only."""
    shown = {k: params[k] for k in IDENTIFYING if k in params}
    if "TransactItems" in params:
        shown["TransactItems"] = [{kind: body.get("TableName")} for item in params["TransactItems"]
                                  for kind, body in item.items()]
    if "RequestItems" in params:
        shown["RequestItems"] = sorted(params["RequestItems"])
    return unquote(json.dumps(shown, default=str, ensure_ascii=False))
