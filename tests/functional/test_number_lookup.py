"""Find my social-insurance number, with or without an ID number: one exact match or one neutral answer,
captcha and rate limits."""

from __future__ import annotations

import pytest

from chalicelib.services.record_loader import load_rows, read_file
from local.demo_records import DEMO_RECORDS
from tests.support.api import call
from tests.support.citizens import CAPTCHA

AN = {"full_name": "Nguyen Van An", "date_of_birth": "1985-03-12", "province_code": "01",
      "id_number": "001085012345"}
# The same person without the ID number (data/demo/records/participant.jsonl): commune and parents instead.
AN_NO_ID = {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12", "province_code": "01",
            "commune": "Phường Hoàn Kiếm", "mother_name": "Trần Thị Lan"}


@pytest.fixture
def lookup(client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    assert load_rows("participant", read_file(DEMO_RECORDS / "participant.jsonl")).rejected == []

    def ask(**details):
        captcha = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
        base = AN_NO_ID if details.pop("without_id", False) else AN
        body = {name: value for name, value in {**base, **details}.items() if value is not None}
        return call(client, "POST", "/v1/lookup/social-insurance-number",
                    {**body, "captcha_id": captcha, "captcha_answer": CAPTCHA})

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


# --- without an ID number: commune of residence and a parent's name -----------------------------------------

def test_without_an_id_number_the_commune_and_a_parent_find_the_number(lookup):
    for asked in ({}, {"full_name": "NGUYEN VAN AN", "commune": "hoan kiem", "mother_name": "tran thi lan"},
                  {"mother_name": None, "father_name": "Nguyễn Văn Bình"}, {"father_name": "Nguyen Van Binh"}):
        reply = lookup(without_id=True, **asked)
        assert reply.status == 200 and reply.body == {"social_insurance_number": "0101234567"}, asked
        assert reply.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("change", [
    {"commune": "Phường Cửa Nam"}, {"mother_name": "Trần Thị Lâm"}, {"father_name": "Nguyễn Văn Minh"},
    {"province_code": "79"}, {"date_of_birth": "1990-07-21"}, {"full_name": "Nguyễn Văn Anh"},
])
def test_without_an_id_number_a_near_miss_gets_the_same_neutral_answer_as_the_id_way(lookup, change):
    miss = lookup(without_id=True, **change)
    assert miss.status == 404 and miss.body == lookup(id_number="999999999999").body


def test_two_people_matching_every_detail_are_refused_the_same_way_as_nobody(lookup):
    twin = {"social_insurance_number": "0109999999", "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12",
            "gender": "male", "province_code": "01", "id_number": "001085099999", "commune": "Hoàn Kiếm",
            "mother_name": "Trần Thị Lan"}
    nobody = lookup(without_id=True, full_name="Nguyễn Văn Ân Không Có")
    assert lookup(without_id=True).status == 200
    assert load_rows("participant", [twin]).rejected == []
    ambiguous = lookup(without_id=True)
    assert ambiguous.status == 404 and ambiguous.body == nobody.body
    # The father tells them apart: the register names him for one of the two only.
    assert lookup(without_id=True, father_name="Nguyễn Văn Bình").body == {"social_insurance_number": "0101234567"}


def test_only_a_parent_the_register_names_can_find_a_person(lookup):
    # Phạm Đức Thắng: the register names his father, not his mother.
    thang = {"full_name": "Phạm Đức Thắng", "date_of_birth": "1979-09-09", "province_code": "01",
             "commune": "Ba Đình"}
    assert lookup(without_id=True, **thang, mother_name="Nguyễn Thị Hoa").status == 404
    assert lookup(without_id=True, **thang, mother_name=None, father_name="Phạm Văn Đức").body == {
        "social_insurance_number": "0103456789"}


@pytest.mark.parametrize("body, field", [
    ({"commune": None, "mother_name": None}, "id_number"),
    ({"commune": None}, "commune"),
    ({"commune": "   "}, "commune"),
    ({"mother_name": None}, "mother_name"),
    ({"mother_name": "x" * 101}, "mother_name"),
])
def test_without_an_id_number_the_other_fields_are_required(lookup, body, field):
    reply = lookup(without_id=True, **body)
    assert reply.status == 400 and reply.body["error"]["code"] == "VALIDATION_FAILED"
    assert list(reply.body["error"]["fields"]) == [field] and list(reply.body["error"]["fields_vi"]) == [field]


def test_without_an_id_number_the_captcha_is_spent_and_checked(client, lookup):
    captcha = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
    body = {**AN_NO_ID, "captcha_id": captcha, "captcha_answer": CAPTCHA}
    assert call(client, "POST", "/v1/lookup/social-insurance-number", body).status == 200
    again = call(client, "POST", "/v1/lookup/social-insurance-number", body)
    assert again.status == 400 and again.body["error"]["code"] == "CAPTCHA_INVALID"
    wrong = call(client, "POST", "/v1/lookup/social-insurance-number",
                 {**AN_NO_ID, "captcha_id": call(client, "GET", "/v1/auth/captcha").body["captcha_id"],
                  "captcha_answer": "WRONG"})
    assert wrong.status == 400 and wrong.body["error"]["code"] == "CAPTCHA_INVALID"


def test_both_ways_share_the_clients_ten_look_ups_an_hour(lookup):
    answers = [lookup(without_id=i % 2 == 0, full_name=f"Người Thử {i}").status for i in range(10)]
    assert answers == [404] * 10
    last = lookup(without_id=True)
    assert last.status == 429 and last.body["error"]["code"] == "TOO_MANY_REQUESTS"
    assert int(last.headers["Retry-After"]) > 0


def test_one_name_and_birth_date_is_looked_up_without_id_5_times_an_hour_from_any_address(lookup, monkeypatch):
    from chalice.local import LambdaEventConverter

    for address in range(5):
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"203.0.113.{address}")
        assert lookup(without_id=True, mother_name=f"Đoán Tên Mẹ {address}").status == 404
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "203.0.113.99")
    sixth = lookup(without_id=True)  # the right mother now, from a fresh address: refused all the same
    assert sixth.status == 429 and "họ tên và ngày sinh" in sixth.body["error"]["message_vi"]
    assert 0 < int(sixth.headers["Retry-After"]) <= 3600
    # Counted whether or not the register knows such a person: an unknown name answers the same way.
    for _ in range(5):
        lookup(without_id=True, full_name="Người Không Có Thật")
    assert lookup(without_id=True, full_name="Người Không Có Thật").status == 429
    assert lookup().status == 200  # the ID way is not counted against the person
