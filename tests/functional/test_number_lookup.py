"""Find my social-insurance number: one exact match or one neutral answer, captcha and a rate limit."""

from __future__ import annotations

import pytest

from chalicelib.services.record_loader import load_rows, read_file
from local.demo_records import DEMO_RECORDS
from tests.support.api import call
from tests.support.citizens import CAPTCHA

AN = {"full_name": "Nguyen Van An", "date_of_birth": "1985-03-12", "province_code": "01",
      "id_number": "001085012345"}


@pytest.fixture
def lookup(client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    assert load_rows("participant", read_file(DEMO_RECORDS / "participant.jsonl")).rejected == []

    def ask(**details):
        captcha = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
        return call(client, "POST", "/v1/lookup/social-insurance-number",
                    {**AN, **details, "captcha_id": captcha, "captcha_answer": CAPTCHA})

    return ask


def test_the_number_is_found_with_or_without_diacritics(lookup):
    for name in ("Nguyen Van An", "Nguyễn Văn An", "  NGUYỄN   văn an "):
        reply = lookup(full_name=name)
        assert reply.status == 200 and reply.body == {"social_insurance_number": "0101234567"}


@pytest.mark.parametrize("change", [
    {"date_of_birth": "1985-03-13"}, {"province_code": "79"}, {"id_number": "001085012346"},
    {"full_name": "Nguyen Van Anh"}, {"full_name": "Nguyen An"},
])
def test_anything_but_an_exact_match_gets_the_same_neutral_answer(lookup, change):
    miss = lookup(**change)
    assert miss.status == 404
    assert miss.body["error"]["code"] == "NOT_FOUND" and "1900 9068" in miss.body["error"]["message_vi"]
    assert miss.body == lookup(id_number="999999999999").body


def test_the_same_name_in_the_register_twice_is_told_apart_by_the_other_details(lookup):
    other = lookup(date_of_birth="1990-07-21", id_number="001090054321")
    assert other.body == {"social_insurance_number": "0102345678"}


def test_a_captcha_is_required(client):
    reply = call(client, "POST", "/v1/lookup/social-insurance-number", {**AN, "captcha_id": "x",
                                                                         "captcha_answer": "y"})
    assert reply.status == 400 and reply.body["error"]["code"] == "CAPTCHA_INVALID"


def test_each_client_has_ten_look_ups_an_hour(lookup):
    answers = [lookup(id_number=f"00108501234{i % 10}").status for i in range(11)]
    assert 429 not in answers[:10] and answers[5] == 200
    assert answers[10] == 429
