"""The REST API stage's protection, added to the Chalice-generated `RestAPI` by infra/package.py.

- access log: one JSON line per request into `ApiAccessLogGroup` (infra/resources.json, KMS-encrypted with the
  data key, 365 days) — no bodies, no tokens, no username (the authorizer's principal is a social-insurance
  number);
- throttling (`MethodSettings`): a stage-wide default plus tighter limits on the methods that send an SMS, create
  registrations or can be used to enumerate people, sized from docs/SCALE.md ("API Gateway throttling") for prod
  and scaled down for dev;
- the optional WAF web ACL (`ApiWebAcl`, parameter `EnableWaf`) associated with the stage.

Execution logging and per-method metrics stay off: execution logs go to a log group API Gateway creates without
encryption or retention, and per-method metrics cost about USD 0.30 each per month for ~50 methods × 7 metrics.
"""

from __future__ import annotations

import json
from typing import Any

API = "RestAPI"  # the logical id Chalice gives the REST API
ACCESS_LOG_GROUP = "ApiAccessLogGroup"
WEB_ACL = "ApiWebAcl"
WAF_CONDITION = "WafEnabled"

# $context variables of a REST API access log. Left out on purpose: $context.path (it carries ids),
# $context.authorizer.principalId (the social-insurance number) and anything from the body.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integration.latency",
    "authorizerStatus": "$context.authorizer.status",
    "authorizerLatency": "$context.authorizer.latency",
    "errorType": "$context.error.responseType",
    "wafResponseCode": "$context.wafResponseCode",
}

# (rate per second, burst) for prod, from docs/SCALE.md; dev gets DEV_SHARE of them.
DEFAULT_THROTTLE = (1000, 2000)
METHOD_THROTTLES: dict[tuple[str, str], tuple[int, int]] = {
    ("POST", "/v1/auth/login"): (2000, 4000),  # 833/s at 8 a.m.
    ("GET", "/v1/auth/captcha"): (2000, 4000),
    **{("GET", path): (3000, 6000) for path in (
        "/v1/me", "/v1/me/health-card", "/v1/me/contributions", "/v1/me/benefits", "/v1/me/medical-visits",
        "/v1/me/access-log")},
    ("POST", "/v1/registrations"): (100, 200),  # 17/s at the peak hour
    ("PUT", "/v1/registrations/{registration_id}"): (100, 200),
    ("POST", "/v1/registrations/{registration_id}/submit"): (100, 200),
    # each of these sends an SMS
    ("POST", "/v1/auth/device-challenges/{challenge_id}/otp"): (200, 400),
    ("POST", "/v1/auth/password-reset"): (200, 400),
    ("POST", "/v1/auth/password-reset/{reset_id}/otp"): (200, 400),
    ("POST", "/v1/me/phone"): (200, 400),
    ("POST", "/v1/me/phone/{challenge_id}/otp"): (200, 400),
    ("POST", "/v1/lookup/social-insurance-number"): (50, 100),  # enumeration target
    ("POST", "/v1/admin/auth/login"): (200, 400),  # staff only
}
STAGE_SHARE = {"prod": 1.0, "dev": 0.1}


def _scaled(limits: tuple[int, int], stage: str) -> tuple[int, int]:
    share = STAGE_SHARE[stage]
    return max(1, round(limits[0] * share)), max(2, round(limits[1] * share))


def _resource_path(path: str) -> str:
    """How MethodSettings names a resource: every `/` of the path written `~1`."""
    return path.replace("/", "~1")


def method_settings(stage: str) -> list[dict[str, Any]]:
    rate, burst = _scaled(DEFAULT_THROTTLE, stage)
    settings = [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst,
                 "DataTraceEnabled": False, "MetricsEnabled": False, "LoggingLevel": "OFF"}]
    for (method, path), limits in METHOD_THROTTLES.items():
        rate, burst = _scaled(limits, stage)
        settings.append({"ResourcePath": _resource_path(path), "HttpMethod": method,
                         "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst})
    return settings


def access_log_setting() -> dict[str, Any]:
    return {"DestinationArn": {"Fn::GetAtt": [ACCESS_LOG_GROUP, "Arn"]},
            "Format": json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":"))}


def rest_api_resource(stage: str) -> dict[str, Any]:
    """What the merge template adds to Chalice's `RestAPI` (chalice deep-merges it into its own)."""
    return {
        # API Gateway refuses access logging until the account's CloudWatch role is set: the stage (created
        # after the RestApi) must wait for it.
        "DependsOn": ["ApiGatewayAccount"],
        "Properties": {"AccessLogSetting": access_log_setting(), "MethodSettings": method_settings(stage)},
    }


def cloudformation_resources() -> dict[str, Any]:
    """The web ACL's association with the stage; it exists only when the web ACL does."""
    return {
        "ApiWebAclAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Condition": WAF_CONDITION,
            "Properties": {
                # `RestAPI.Stage` is SAM's reference to the generated stage: it orders the association after it.
                "ResourceArn": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}"
                                           "/stages/${RestAPI.Stage}"},
                "WebACLArn": {"Fn::GetAtt": [WEB_ACL, "Arn"]},
            },
        },
    }
