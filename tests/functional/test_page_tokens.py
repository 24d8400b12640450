"""A `next_token` goes back only to the list (route and filters) that gave it out: any other list answers
400 INVALID_TOKEN, never a 500 from DynamoDB refusing a start key that does not fit its Query."""

from __future__ import annotations

import pytest

from tests.functional.test_support_and_feedback import write_directory
from tests.support.api import call
from tests.support.people import Staff


@pytest.fixture
def api(client):
    write_directory()
    return client


def get(client, path: str, headers: dict | None = None):
    return call(client, "GET", path, headers=headers)


def _tokens(client) -> dict[str, str]:
    tokens = {
        "news": get(client, "/v1/news?limit=1").body["next_token"],
        "faq": get(client, "/v1/faq?limit=1").body["next_token"],
        "offices of 01": get(client, "/v1/offices?province_code=01&limit=1").body["next_token"],
    }
    assert all(tokens.values()), tokens
    return tokens


def test_a_foreign_token_is_refused_by_every_other_list(api):
    staff = Staff.signed_in(api)
    tokens = _tokens(api)
    lists = {
        "news": "/v1/news?limit=1",
        "faq": "/v1/faq?limit=1",
        "offices of 01": "/v1/offices?province_code=01&limit=1",
        "offices of 79": "/v1/offices?province_code=79&limit=1",
        "staff queue": "/v1/admin/registrations?limit=1",
        "staff queue, rejected": "/v1/admin/registrations?status=REJECTED&limit=1",
        "facilities": "/v1/facilities?province_code=01&limit=1",
        "employers": "/v1/employers?province_code=01&limit=1",
        "feedback inbox": "/v1/admin/feedback?limit=1",
    }
    for origin, token in tokens.items():
        for name, path in lists.items():
            if name == origin:
                continue
            reply = get(api, f"{path}&next_token={token}", staff.auth)
            assert reply.status == 400, (origin, name, reply.status, reply.body)
            assert reply.body["error"]["code"] == "INVALID_TOKEN", (origin, name)
            assert reply.body["error"]["message_vi"]


def test_a_token_still_continues_its_own_list(api):
    first = get(api, "/v1/offices?province_code=01&limit=1").body
    second = get(api, f"/v1/offices?province_code=01&limit=1&next_token={first['next_token']}")

    assert second.status == 200
    assert second.body["items"] and second.body["items"][0]["code"] != first["items"][0]["code"]


def test_a_queue_token_does_not_open_the_queue_of_another_status(api):
    from tests.support.people import Citizen

    staff = Staff.signed_in(api)
    for index in range(2):
        Citizen(api).submitted(social_insurance_number=f"010000000{index}", phone=f"090100000{index}")
    page = get(api, "/v1/admin/registrations?limit=1", staff.auth).body
    assert page["next_token"]

    other = get(api, f"/v1/admin/registrations?status=REJECTED&next_token={page['next_token']}", staff.auth)

    assert other.status == 400 and other.body["error"]["code"] == "INVALID_TOKEN"

