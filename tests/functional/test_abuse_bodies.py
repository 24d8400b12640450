"""Hostile bodies on every route that takes one (from the routing table), sent with valid credentials so the
body is really parsed: oversized → 413, everything else that is not a plain JSON object → 400, never a 500."""

from __future__ import annotations

import pytest

from tests.support.abuse_world import World, build_world
from tests.support.api import call

HOSTILE_BODIES: dict[str, tuple[bytes, int]] = {
    "over 64 KB": (b'{"pad": "' + b"x" * 70_000 + b'"}', 413),
    "10,000 nested arrays": (b"[" * 10_000 + b"]" * 10_000, 400),
    "10,000 nested objects": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400),
    "not UTF-8": (b'{"full_name": "Nguy\xe1n \xff\xfe"}', 400),
    "a lone surrogate": (b'{"full_name": "\\ud800"}', 400),
    "duplicate keys": (b'{"otp": "111111", "otp": "222222"}', 400),
    "NaN": (b'{"otp": NaN}', 400),
    "Infinity": (b'{"otp": -Infinity}', 400),
    "a number beyond float": (b'{"otp": 1e999}', 400),
    "a 5,000-digit number": (b'{"otp": ' + b"9" * 5_000 + b"}", 400),
    "a JSON array": (b"[]", 400),
    "a JSON string": (b'"hello"', 400),
    "truncated JSON": (b'{"otp": "1', 400),
}


def target(w: World, method: str, route: str) -> tuple[str, dict[str, str]]:
    """The route with real ids and the credentials it needs, so the request gets as far as the body."""
    ids = {"{registration_id}": w.registrant.registration_id, "{feedback_id}": w.feedback_id,
           "{reset_id}": w.reset_id,
           "{challenge_id}": w.phone_challenge if route.startswith("/v1/me/") else w.device_challenge}
    path = route
    for placeholder, value in ids.items():
        path = path.replace(placeholder, value)
    if route.startswith("/v1/admin/") and not route.endswith("/login"):
        return path, w.staff.auth
    if route.startswith("/v1/registrations/"):
        return path, w.registrant.key_header
    if route.startswith(("/v1/me", "/v1/auth/password", "/v1/auth/logout")) and "reset" not in route:
        return path, w.bob.auth
    return path, {}


@pytest.fixture
def world(client, settings_env) -> World:
    return build_world(client, settings_env)


def test_hostile_bodies_get_a_clear_4xx_on_every_route_that_takes_a_body(world):
    from tests.functional.test_abuse_mass_assignment import body_routes

    problems = []
    routes = sorted(body_routes() - {("POST", "/v1/auth/logout")})  # logout never reads its body
    assert len(routes) > 15
    for method, route in routes:
        path, headers = target(world, method, route)
        for name, (raw, expected) in HOSTILE_BODIES.items():
            reply = call(world.client, method, path, headers=headers, raw_body=raw)
            code = (reply.body or {}).get("error", {}).get("code") if isinstance(reply.body, dict) else None
            wanted = "PAYLOAD_TOO_LARGE" if expected == 413 else "BAD_REQUEST"
            if (reply.status, code) != (expected, wanted):
                problems.append(f"{method} {route} with {name}: {reply.status} {reply.raw[:150]!r}")
    assert problems == []
    # and nothing was changed by any of them
    assert world.registration().status == "AWAITING_VERIFICATION"
    assert world.feedback().status == "OPEN"


def test_logout_ignores_a_hostile_body_without_failing(world):
    for raw, _ in HOSTILE_BODIES.values():
        reply = call(world.client, "POST", "/v1/auth/logout", headers=world.bob.auth, raw_body=raw)
        assert reply.status in (204, 401, 413), reply.raw[:200]
