"""The whole Form 01 procedure as a mobile client and a staff member walk it, over HTTP."""

from __future__ import annotations

from chalicelib.domain.credentials import verify_password
from local.outbox import messages_for
from tests.support.people import Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, history_states, wait_for_execution


def test_citizen_registers_and_staff_approves(client):
    # Given a citizen who fills Form 01 and uploads three real photos through the presigned POSTs
    citizen = Citizen(client)
    created = citizen.create()
    assert created.status == 201
    assert created.body["status"] == "DRAFT"
    assert set(created.body["uploads"]) == {"id_front", "id_back", "portrait"}
    citizen.upload_all()
    assert citizen.status().body["documents"] == {"id_front": True, "id_back": True, "portrait": True}

    # When they submit ("Ghi nhận")
    submitted = citizen.submit()

    # Then the 10-day window is open, the SMS names the office and the deadline, Form 01 is printable
    assert submitted.status == 200, submitted.body
    assert submitted.body["status"] == "AWAITING_VERIFICATION"
    assert submitted.body["office"]["name"] == "BHXH cơ sở Hoàn Kiếm"
    assert submitted.body["form01_url"].startswith("https://")
    [sms] = citizen.sms()
    assert "BHXH co so Hoan Kiem" in sms
    deadline_day = submitted.body["deadline_at"][:10]
    assert f"{deadline_day[8:10]}/{deadline_day[5:7]}/{deadline_day[:4]}" in sms
    assert deliver_tokens() == ["recorded"]

    # And staff of that office sign in with their authenticator code and see it in their queue
    staff = Staff.create(client, "HN-HK")
    assert staff.login().status == 200
    queue = staff.queue()
    assert [item["registration_id"] for item in queue.body["items"]] == [citizen.registration_id]
    opened = staff.open(citizen.registration_id)
    assert opened.status == 200
    assert set(opened.body["images"]) == {"id_front", "id_back", "portrait"}

    # When staff approve after checking the original ID
    approved = staff.approve(citizen.registration_id)

    # Then the account exists, the initial password arrives by SMS, and the workflow ends as decided
    assert approved.status == 200, approved.body
    assert approved.body["username"] == "0123456789"
    password_sms = citizen.sms()[-1]
    assert "0123456789" in password_sms
    initial_password = password_sms.split("Mat khau khoi tao: ")[1].split(" ")[0]
    account = account_of("0123456789")
    assert account is not None and account.password_change_required
    assert verify_password(account.password_hash, initial_password)
    assert initial_password not in account.password_hash
    [email] = messages_for(citizen.form["email"])
    assert email["subject"] == "Tài khoản VssID của bạn đã được kích hoạt"
    assert f"Mật khẩu khởi tạo: {initial_password}" in email["body"]
    execution = wait_for_execution(citizen.registration_id)
    assert execution["status"] == "SUCCEEDED"
    assert history_states(execution["executionArn"])[-1] == "Decided"
    assert citizen.status().body["status"] == "APPROVED"
    assert staff.queue().body["items"] == []
