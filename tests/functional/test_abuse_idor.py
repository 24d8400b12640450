"""IDOR: every route with an id in its path, aimed at someone else's id by someone without the right to it.

The routes come from the app's routing table, so a new id-bearing route fails
`test_every_id_bearing_route_has_idor_probes` until it gets probes here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.domain.credentials import verify_password
from tests.support.abuse_world import ALICE, ALICE_PHONE, FEEDBACK, PASSWORD, World, build_world, codes_sent_to
from tests.support.api import call


@dataclass(frozen=True)
class Probe:
    who: str
    path: Callable[[World], str]
    headers: Callable[[World], dict[str, str]]
    allowed: frozenset[int]
    body: Callable[[World], Any] = lambda w: {}


def probe(who: str, path: Callable[[World], str], headers: Callable[[World], dict[str, str]], *allowed: int,
          body: Callable[[World], Any] = lambda w: {}) -> Probe:
    return Probe(who, path, headers, frozenset(allowed), body)


def nobody(w: World) -> dict[str, str]:
    return {}


def other_key(w: World) -> dict[str, str]:
    return {"X-Registration-Key": w.other_registrant.access_key}


def registration_probes(suffix: str, body: Callable[[World], Any] = lambda w: {}) -> list[Probe]:
    path = lambda w: f"/v1/registrations/{w.registrant.registration_id}{suffix}"  # noqa: E731
    return [probe("no access key", path, nobody, 401, body=body),
            probe("another registrant's access key", path, other_key, 404, body=body),
            probe("a staff token instead of the key", path, lambda w: w.staff.auth, 401, body=body)]


def staff_probes(path: Callable[[World], str], body: Callable[[World], Any] = lambda w: {}) -> list[Probe]:
    return [probe("no credentials", path, nobody, 401, body=body),
            probe("another office's staff", path, lambda w: w.outsider.auth, 404, body=body),
            probe("a citizen's token", path, lambda w: w.alice.auth, 401, body=body)]


def challenge_probes(template: str, own: str, body: Callable[[World], Any] = lambda w: {}) -> list[Probe]:
    """Unauthenticated challenge routes: the id is the capability, so only ids of another kind or none."""
    others = {"device": lambda w: w.device_challenge, "reset": lambda w: w.reset_id,
              "phone": lambda w: w.phone_challenge}
    probes = [probe(f"a {kind} challenge id in its place", lambda w, pick=pick: template.format(pick(w)), nobody,
                    404, body=body) for kind, pick in others.items() if kind != own]
    probes.append(probe("a made-up id", lambda w: template.format("0" * 32), nobody, 404, body=body))
    return probes


def phone_probes(suffix: str, body: Callable[[World], Any] = lambda w: {}) -> list[Probe]:
    path = lambda w: f"/v1/me/phone/{w.phone_challenge}{suffix}"  # noqa: E731
    return [probe("another citizen", path, lambda w: w.bob.auth, 404, body=body),
            probe("no credentials", path, nobody, 401, body=body),
            probe("a staff token", path, lambda w: w.staff.auth, 401, body=body),
            probe("the owner, with a device-challenge id", lambda w: f"/v1/me/phone/{w.device_challenge}{suffix}",
                  lambda w: w.alice.auth, 404, body=body)]


def admin_registration(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/v1/admin/registrations/{w.registrant.registration_id}{suffix}"


NEW_PASSWORD = {"otp": "123456", "new_password": "Một mật khẩu hoàn toàn mới 2027"}
IDOR_CASES: dict[tuple[str, str], list[Probe]] = {
    ("GET", "/v1/registrations/{registration_id}"): registration_probes(""),
    ("PUT", "/v1/registrations/{registration_id}"): registration_probes(
        "", body=lambda w: {**w.registrant.form, "full_name": "Kẻ Gian"}),
    ("GET", "/v1/registrations/{registration_id}/form01"): registration_probes("/form01"),
    ("POST", "/v1/registrations/{registration_id}/submit"): registration_probes("/submit"),
    ("POST", "/v1/registrations/{registration_id}/uploads"): registration_probes("/uploads"),
    ("GET", "/v1/admin/registrations/{registration_id}"): staff_probes(admin_registration("")),
    ("POST", "/v1/admin/registrations/{registration_id}/approve"): staff_probes(
        admin_registration("/approve"), body=lambda w: {"id_document_checked": True}),
    ("POST", "/v1/admin/registrations/{registration_id}/reject"): staff_probes(
        admin_registration("/reject"), body=lambda w: {"reason": "Ảnh CCCD bị mờ, không đọc được số"}),
    ("POST", "/v1/admin/feedback/{feedback_id}/answer"): staff_probes(
        lambda w: f"/v1/admin/feedback/{w.feedback_id}/answer",
        body=lambda w: {"answer": "Câu trả lời của một cơ quan khác, không phải của cơ quan được giao."}),
    # The tracking key is the capability: a guessed one finds nothing; the key's holder never sees the contact.
    ("GET", "/v1/feedback/{feedback_id}"): [
        probe("a guessed tracking key", lambda w: f"/v1/feedback/{w.feedback_id[:-1]}x", nobody, 404),
        probe("the holder of the key", lambda w: f"/v1/feedback/{w.feedback_id}", nobody, 200)],
    ("POST", "/v1/auth/device-challenges/{challenge_id}/otp"): challenge_probes(
        "/v1/auth/device-challenges/{}/otp", "device"),
    ("POST", "/v1/auth/device-challenges/{challenge_id}/verify"): challenge_probes(
        "/v1/auth/device-challenges/{}/verify", "device", body=lambda w: {"otp": "123456"}),
    ("POST", "/v1/auth/password-reset/{reset_id}/otp"): challenge_probes("/v1/auth/password-reset/{}/otp", "reset"),
    ("POST", "/v1/auth/password-reset/{reset_id}/confirm"): challenge_probes(
        "/v1/auth/password-reset/{}/confirm", "reset", body=lambda w: NEW_PASSWORD),
    # A takeover code frees a number from a draft: another kind of challenge id never stands in for it.
    ("POST", "/v1/registrations/takeover/{challenge_id}/verify"): challenge_probes(
        "/v1/registrations/takeover/{}/verify", "takeover", body=lambda w: {"otp": "123456"}),
    ("POST", "/v1/me/phone/{challenge_id}/otp"): phone_probes("/otp"),
    # Bob holds the very code sent to the new number (read over a shoulder): still not his challenge.
    ("POST", "/v1/me/phone/{challenge_id}/verify"): phone_probes(
        "/verify", body=lambda w: {"otp": codes_sent_to("+84966777888")[-1]}),
    ("GET", "/v1/news/{news_id}"): [probe("a made-up id (news are public)", lambda w: "/v1/news/n-0000-000", nobody,
                                          404)],
    # The citizen help desk: staff of the citizen's office only (Alice's account is at HN-HK, the outsider's not).
    ("GET", "/v1/admin/citizens/{social_insurance_number}"): staff_probes(lambda w: f"/v1/admin/citizens/{ALICE}"),
    ("GET", "/v1/admin/citizens/{social_insurance_number}/contributions"): staff_probes(
        lambda w: f"/v1/admin/citizens/{ALICE}/contributions"),
    # Feed loads belong to operations, not to any office: office staff are refused whichever id they try.
    ("GET", "/v1/admin/loads/{load_id}"): [
        probe("no credentials", lambda w: "/v1/admin/loads/0123456789abcdef", nobody, 401),
        probe("office staff", lambda w: "/v1/admin/loads/0123456789abcdef", lambda w: w.staff.auth, 403),
        probe("a citizen's token", lambda w: "/v1/admin/loads/0123456789abcdef", lambda w: w.alice.auth, 401)],
    # The console's files: a name, not an id; nothing outside its folder is served.
    ("GET", "/console/{asset}"): [probe("a file beside the console", lambda w: "/console/app.py", nobody, 404),
                                  probe("a path climbing out", lambda w: "/console/..%2Fapp.py", nobody, 404)],
}


def id_bearing_routes() -> set[tuple[str, str]]:
    from app import app

    return {(method, path) for path, methods in app.routes.items() if "{" in path and not path.startswith("/_local/")
            for method in methods}


def test_every_id_bearing_route_has_idor_probes():
    routes = id_bearing_routes()
    assert routes, "the routing table was not read"
    assert sorted(routes - set(IDOR_CASES)) == [], "id-bearing routes without IDOR probes"
    assert sorted(set(IDOR_CASES) - routes) == [], "IDOR probes for routes that no longer exist"


@pytest.fixture
def world(client, settings_env) -> World:
    return build_world(client, settings_env)


def victims_data(w: World) -> list[str]:
    form, contact = w.registrant.form, FEEDBACK["contact"]
    return [form["full_name"], form["id_number"], form["social_insurance_number"], "+84901234567", form["email"],
            "Hàng Bài", ALICE_PHONE, "966777888", contact["name"], "+84977888999", contact["email"]]


def _values(item: Any) -> dict[str, Any]:
    """An item's attributes as plain values (pynamodb's MapAttribute compares by identity, not by value)."""
    return {name: value.as_dict() if hasattr(value, "as_dict") else value
            for name, value in item.attribute_values.items()}


def test_no_one_reaches_anothers_record_through_an_id(world):
    before = {"registration": _values(world.registration()), "account": _values(world.account()),
              "feedback": _values(world.feedback())}
    problems = []
    for (method, _route), probes in IDOR_CASES.items():
        for p in probes:
            reply = call(world.client, method, p.path(world), p.body(world), p.headers(world))
            text = reply.raw.decode("utf-8", "replace") + json.dumps(reply.headers, ensure_ascii=False)
            if reply.status not in p.allowed:
                problems.append(f"{method} {p.path(world)} by {p.who}: {reply.status} {text[:200]}")
            leaked = [v for v in victims_data(world) if v in text]
            if leaked:
                problems.append(f"{method} {p.path(world)} by {p.who} shows {leaked}")
            if reply.status >= 400 and not (isinstance(reply.body, dict) and "code" in reply.body.get("error", {})):
                problems.append(f"{method} {p.path(world)} by {p.who}: not a contract error: {text[:200]}")
    assert problems == []

    # And nothing an attacker sent changed anything.
    after = {"registration": _values(world.registration()), "account": _values(world.account()),
             "feedback": _values(world.feedback())}
    assert after == before
    assert verify_password(world.account().password_hash, PASSWORD)
    assert world.alice.me().body["phone"] == ALICE_PHONE
