"""Local mode only (never deployed): see every SMS and e-mail sent, and the demo credentials."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import api_route, json_response

bp = Blueprint(__name__)


@api_route(bp, "/_local/messages", methods=["GET"])
def local_messages() -> Response:
    from local.outbox import messages_for

    to = (bp.current_request.query_params or {}).get("to")
    return json_response({"items": messages_for(to)})


@api_route(bp, "/_local/demo", methods=["GET"])
def local_demo() -> Response:
    from local.seed import demo_credentials

    return json_response(demo_credentials())
