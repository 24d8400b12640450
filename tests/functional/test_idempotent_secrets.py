"""A create retried under its Idempotency-Key gets the same access key again, yet the idempotency table,
which keeps the replayable answer for 24 hours, never holds the key."""

from __future__ import annotations

import json

from chalicelib.aws.clients import get_client
from chalicelib.models.base import table_name
from tests.support.api import VALID_FORM, call, in_register, solved_captcha
from tests.support.log_scan import remember


def create(client, key: str | None, **form: str):
    body = {**VALID_FORM, **form}
    in_register(body)
    body.update(solved_captcha())
    headers = {"Idempotency-Key": key} if key else {}
    return body, call(client, "POST", "/v1/registrations", body, headers)


def _stored_answers() -> str:
    items = get_client("dynamodb").scan(TableName=table_name("IDEMPOTENCY_TABLE", "vssid-idempotency"))["Items"]
    assert items, "the create was not recorded for replay"
    return json.dumps(items)


def test_a_replayed_create_gives_the_same_working_key_that_no_table_holds(client):
    body, created = create(client, "create-0001-abcdef")
    replayed = call(client, "POST", "/v1/registrations", body, {"Idempotency-Key": "create-0001-abcdef"})

    assert created.status == replayed.status == 201
    remember(created.body["access_key"])
    assert replayed.body["registration_id"] == created.body["registration_id"]
    assert replayed.body["access_key"] == created.body["access_key"]
    opened = call(client, "GET", f"/v1/registrations/{created.body['registration_id']}",
                  headers={"X-Registration-Key": replayed.body["access_key"]})
    assert opened.status == 200  # the replayed key opens the registration
    stored = _stored_answers()
    assert created.body["registration_id"] in stored  # the answer is there...
    assert created.body["access_key"] not in stored  # ...without its secret


def test_keys_differ_between_registrations_and_without_an_idempotency_key(client):
    replies = [create(client, "create-0002-aaaaaa")[1],
               create(client, "create-0003-bbbbbb", social_insurance_number="0109998887", phone="0901111222")[1],
               create(client, None, social_insurance_number="0109998886", phone="0901111333")[1]]

    assert [r.status for r in replies] == [201, 201, 201], [r.body for r in replies]
    keys = {r.body["access_key"] for r in replies}
    remember(*keys)
    assert len(keys) == 3 and all(len(k) == 43 for k in keys)
