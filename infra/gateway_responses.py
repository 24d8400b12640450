"""What API Gateway itself answers (before our code runs), in the contract's error shape.

Deployed, these become AWS::ApiGateway::GatewayResponse resources (infra/package.py). Locally and in
tests, `mirror_in_chalice_local()` makes Chalice's local gateway answer the same way, so a client sees
one error format everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.errors import NotFoundError, TooManyRequestsError, UnauthorizedError

# gateway response type → (status, error)
RESPONSES: dict[str, tuple[int, Any]] = {
    "UNAUTHORIZED": (401, UnauthorizedError()),  # no Authorization header
    "ACCESS_DENIED": (401, UnauthorizedError()),  # the token authorizer refused the token
    "MISSING_AUTHENTICATION_TOKEN": (404, NotFoundError()),  # API Gateway's answer to an unknown path
    "THROTTLED": (429, TooManyRequestsError(retry_after=1)),  # the stage's MethodSettings (infra/api_stage.py)
}


def body(response_type: str) -> str:
    return json.dumps(RESPONSES[response_type][1].body(), ensure_ascii=False)


def cloudformation_resources() -> dict[str, Any]:
    return {
        f"GatewayResponse{name.title().replace('_', '')}": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": {"Ref": "RestAPI"},
                "ResponseType": name,
                "StatusCode": str(status),
                "ResponseTemplates": {"application/json": body(name)},
            },
        }
        for name, (status, _) in RESPONSES.items()
    }


_mirrored = False


def mirror_in_chalice_local() -> None:
    global _mirrored
    if _mirrored:
        return
    from chalice import local

    for cls in (local.ForbiddenError, local.NotAuthorizedError):
        original = cls.__init__

        def init(self: Any, headers: Any, raw: bytes | None = None, __original: Any = original) -> None:
            __original(self, headers, raw)
            kind = "MISSING_AUTHENTICATION_TOKEN" if raw and b"Missing Authentication Token" in raw else (
                "UNAUTHORIZED" if isinstance(self, local.NotAuthorizedError) else "ACCESS_DENIED")
            self.CODE = RESPONSES[kind][0]
            self.body = body(kind).encode("utf-8")
            self.headers = {**(headers or {}), "Content-Type": "application/json"}

        cls.__init__ = init
    _mirrored = True
