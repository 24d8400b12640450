"""The citizen's own records: loaded through the bulk loader, read back exactly, only by their owner."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.pagination import encode_token, scope_of
from chalicelib.services.record_loader import load_rows
from local.outbox import messages_for
from tests.support.api import call
from tests.support.citizens import CAPTCHA, Phone, last_code, make_account

PASSWORD = "Mật khẩu của Hường 2026"
OTHER = "0222333444"

CARD = {"social_insurance_number": "0123456789", "card_number": "DN4010123456789", "valid_from": "2026-01-01",
        "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện Đa khoa Xanh Pôn", "five_year_continuous_from":
        "2019-01-01"}
CONTRIBUTIONS = [
    {"record_id": f"c{i}", "social_insurance_number": "0123456789", "scheme": scheme, "from_month": start,
     "to_month": end, "employer": employer, "employer_code": "0101234567", "occupation": "Kỹ sư phần mềm",
     "position": "Nhân viên", "contribution_base": base, "in_arrears": arrears}
    for i, (scheme, start, end, employer, base, arrears) in enumerate([
        ("BHXH", "2015-01", "2019-12", "Công ty TNHH Phần mềm Sông Hồng (minh hoạ)", 6_000_000, False),
        ("BHXH", "2020-01", "2026-10", "Công ty Cổ phần Công nghệ Hồ Gươm", 15_000_000, False),
        ("BHXH", "2026-11", "2026-11", "Công ty Cổ phần Công nghệ Hồ Gươm", 15_000_000, True),
        ("BHTN", "2015-01", "2026-10", "Công ty Cổ phần Công nghệ Hồ Gươm", 15_000_000, False),
    ])
]
BENEFITS = [
    {"record_id": "b1", "social_insurance_number": "0123456789", "kind": "SICKNESS", "period_from": "2024-03-04",
     "period_to": "2024-03-08", "amount": 2_250_000, "paid_on": "2024-04-15"},
    {"record_id": "b2", "social_insurance_number": "0123456789", "kind": "MATERNITY", "period_from": "2021-06-01",
     "period_to": "2021-11-30", "amount": 90_000_000, "paid_on": "2021-07-10"},
]
VISITS = [
    {"record_id": f"v{i}", "social_insurance_number": "0123456789", "date": day, "facility": "Bệnh viện Bạch Mai",
     "diagnosis": "J06 - Viêm đường hô hấp trên cấp", "cost_total": 500_000, "cost_covered": 400_000}
    for i, day in enumerate(["2025-02-01", "2025-09-12", "2026-01-05", "2026-03-10", "2026-08-20"])
]


@pytest.fixture
def citizen(client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    make_account(password=PASSWORD, initial=False)
    make_account(username=OTHER, password=PASSWORD, initial=False, phone="+84987654321")
    for kind, rows in (("health_card", [CARD, {**CARD, "social_insurance_number": OTHER,
                                              "card_number": "HC4010222333444"}]),
                       ("contribution", CONTRIBUTIONS + [{**CONTRIBUTIONS[0], "record_id": "x",
                                                          "social_insurance_number": OTHER}]),
                       ("benefit", BENEFITS), ("medical_visit", VISITS)):
        assert load_rows(kind, rows).rejected == []
    phone = Phone(client)
    assert phone.login("0123456789", PASSWORD).status == 200
    return phone


def get(phone, path):
    return call(phone.client, "GET", path, headers=phone.auth)


def test_health_card_with_a_scannable_qr(citizen):
    card = get(citizen, "/v1/me/health-card")
    assert card.status == 200
    body = card.body
    assert body["card_number"] == "DN4010123456789" and len(body["card_number"]) == 15
    assert body["benefit_level"] == 4 and body["initial_clinic"] == "Bệnh viện Đa khoa Xanh Pôn"
    assert body["valid_from"] == "2026-01-01" and body["five_year_continuous_from"] == "2019-01-01"
    png = base64.b64decode(body["qr_png_base64"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert body["qr_payload"].startswith("DN4010123456789|Nguyễn Thị Hường|1990-05-17")


def test_contributions_per_scheme_with_totals_and_unpaid_periods(citizen):
    reply = get(citizen, "/v1/me/contributions?scheme=BHXH")
    assert reply.status == 200
    items = reply.body["items"]
    assert [i["from_month"] for i in items] == ["2015-01", "2020-01", "2026-11"]
    first = items[0]
    assert first["employer"] == "Công ty TNHH Phần mềm Sông Hồng (minh hoạ)" and first["contribution_base"] == 6_000_000
    assert first["months"] == 60 and first["scheme"] == "BHXH"
    assert [i["in_arrears"] for i in items] == [False, False, True]
    [totals] = reply.body["totals"]
    assert totals["scheme"] == "BHXH" and totals["total_months"] == 60 + 82 + 1
    assert totals["months_in_arrears"] == 1
    every = get(citizen, "/v1/me/contributions").body
    assert len(every["items"]) == 4 and {t["scheme"] for t in every["totals"]} == {"BHXH", "BHTN"}
    bad = get(citizen, "/v1/me/contributions?scheme=NOPE")
    assert bad.status == 400 and "scheme" in bad.body["error"]["fields"]


def test_benefits_and_visits_newest_first_and_by_year(citizen):
    benefits = get(citizen, "/v1/me/benefits").body["items"]
    assert [b["kind"] for b in benefits] == ["SICKNESS", "MATERNITY"]
    assert benefits[0]["period"] == {"from": "2024-03-04", "to": "2024-03-08"}
    assert benefits[0]["amount"] == 2_250_000 and benefits[0]["paid_on"] == "2024-04-15"
    visits = get(citizen, "/v1/me/medical-visits?year=2026").body["items"]
    assert [v["date"] for v in visits] == ["2026-08-20", "2026-03-10", "2026-01-05"]
    assert visits[0] == {**{k: VISITS[4][k] for k in ("date", "facility", "diagnosis", "cost_total",
                                                       "cost_covered", "record_id")}, **visits[0]}
    assert get(citizen, "/v1/me/medical-visits?year=2025").body["items"][0]["date"] == "2025-09-12"
    assert get(citizen, "/v1/me/medical-visits").status == 400


def test_occupational_accident_and_disease_benefits_are_shown_with_cause_and_capacity_lost(citizen, tmp_path):
    """Thông tin hưởng lists TNLĐ-BNN payments, one-off and monthly, as the agency's CSV file gives them."""
    from chalicelib.services.record_loader import read_file

    csv_file = tmp_path / "benefit.csv"
    csv_file.write_text(
        "record_id,social_insurance_number,kind,cause,work_capacity_loss_percent,period_from,period_to,amount,paid_on\n"
        "t1,0123456789,OCCUPATIONAL_INJURY_ONE_TIME,ACCIDENT,18,2023-08-01,2023-08-01,85100000,2023-09-08\n"
        "t2,0123456789,OCCUPATIONAL_INJURY_MONTHLY,DISEASE,41,2025-11-01,2025-11-30,2300000,2025-11-10\n"
        "t3,0123456789,SICKNESS,,,2025-06-02,2025-06-03,900000,2025-07-01\n", encoding="utf-8")
    report = load_rows("benefit", read_file(csv_file))
    assert (report.created, report.rejected) == (3, [])

    benefits = get(citizen, "/v1/me/benefits").body["items"]
    assert [b["kind"] for b in benefits] == ["OCCUPATIONAL_INJURY_MONTHLY", "SICKNESS", "SICKNESS",
                                             "OCCUPATIONAL_INJURY_ONE_TIME", "MATERNITY"]
    assert benefits[0] == {"record_id": "t2", "kind": "OCCUPATIONAL_INJURY_MONTHLY", "cause": "DISEASE",
                           "work_capacity_loss_percent": 41, "period": {"from": "2025-11-01", "to": "2025-11-30"},
                           "amount": 2_300_000, "paid_on": "2025-11-10"}
    one_off = benefits[3]
    assert (one_off["cause"], one_off["work_capacity_loss_percent"], one_off["amount"]) == ("ACCIDENT", 18, 85_100_000)
    assert "cause" not in benefits[1] and "work_capacity_loss_percent" not in benefits[1]


def test_lists_are_paginated(citizen):
    first = get(citizen, "/v1/me/medical-visits?year=2026&limit=2").body
    assert len(first["items"]) == 2 and first["next_token"]
    rest = get(citizen, f"/v1/me/medical-visits?year=2026&limit=2&next_token={first['next_token']}").body
    assert [v["date"] for v in first["items"] + rest["items"]] == ["2026-08-20", "2026-03-10", "2026-01-05"]


def test_no_id_a_client_can_change_reaches_another_citizens_data(citizen):
    for path, scope in (("/v1/me/contributions", "contributions:None"), ("/v1/me/benefits", "benefits"),
                        ("/v1/me/medical-visits?year=2026", "visits:2026"), ("/v1/me/access-log", "access-log")):
        # Another citizen's list, signed as the API signs it: still not a start key for this one.
        forged = encode_token({"username": {"S": OTHER}, "record_key": {"S": "CONTRIBUTION#"}}, scope_of(scope, OTHER),
                              {"username": OTHER})
        sep = "&" if "?" in path else "?"
        reply = get(citizen, f"{path}{sep}next_token={forged}")
        assert reply.status == 400 and reply.body["error"]["code"] == "INVALID_TOKEN", path
    for path in ("/v1/me/contributions?username=0222333444", "/v1/me/health-card?social_insurance_number=0222333444"):
        body = json.dumps(get(citizen, path).body, ensure_ascii=False)
        assert OTHER not in body and "HC4010222333444" not in body
    other = Phone(citizen.client, device_id="device-X")
    other.login(OTHER, PASSWORD)
    started = call(other.client, "POST", "/v1/me/phone", {"current_password": PASSWORD, "new_phone": "0911111111"},
                   other.auth).body
    stolen = call(citizen.client, "POST", f"/v1/me/phone/{started['challenge_id']}/verify", {"otp": "123456"},
                  citizen.auth)
    assert stolen.status == 404


def test_changing_the_phone_needs_the_password_and_a_code_to_the_new_number(citizen):
    wrong = call(citizen.client, "POST", "/v1/me/phone", {"current_password": "sai", "new_phone": "0912222333"},
                 citizen.auth)
    assert wrong.status == 401
    started = call(citizen.client, "POST", "/v1/me/phone",
                   {"current_password": PASSWORD, "new_phone": "0912 222 333"}, citizen.auth)
    assert started.status == 202
    code = last_code("+84912222333")  # the code goes to the NEW number
    assert not any("Ma xac thuc" in m["body"] for m in messages_for("+84901234567"))
    done = call(citizen.client, "POST", f"/v1/me/phone/{started.body['challenge_id']}/verify", {"otp": code},
                citizen.auth)
    assert done.status == 200 and done.body["phone"] == "+84912222333"
    assert get(citizen, "/v1/me").body["phone"] == "+84912222333"
    notice = messages_for("+84901234567")[-1]["body"]
    assert "+84*****2333" in notice  # the old number is told, without the full new one


def test_staff_reads_appear_in_the_citizens_access_log(client, settings_env):
    import re

    from tests.support.people import Citizen, Staff

    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    registrant = Citizen(client).submitted(social_insurance_number="0333444555", phone="0933444555")
    staff = Staff.signed_in(client)
    assert staff.open(registrant.registration_id).status == 200
    assert staff.approve(registrant.registration_id).status == 200
    initial = re.search(r"Mat khau khoi tao: (\S+)", registrant.sms()[-1]).group(1)
    phone = Phone(client)
    phone.login("0333444555", initial)
    assert phone.change_password(initial, "Mật khẩu mới hẳn 2026").status == 204
    log = get(phone, "/v1/me/access-log").body["items"]
    assert len(log) == 1
    assert log[0]["actor"] == staff.username and log[0]["office_code"] == "HN-HK"
    assert "registration" in log[0]["what"] and log[0]["at"].endswith("+07:00")


def test_guessing_the_password_through_the_phone_change_locks_the_account(citizen):
    for _ in range(4):
        reply = call(citizen.client, "POST", "/v1/me/phone", {"current_password": "sai", "new_phone": "0912222333"},
                     citizen.auth)
        assert reply.status == 401
    fifth = call(citizen.client, "POST", "/v1/me/phone", {"current_password": "sai", "new_phone": "0912222333"},
                 citizen.auth)
    assert fifth.status == 423 and fifth.body["error"]["code"] == "ACCOUNT_LOCKED"
    right = call(citizen.client, "POST", "/v1/me/phone", {"current_password": PASSWORD, "new_phone": "0912222333"},
                 citizen.auth)
    assert right.status == 423
