"""Form 01 as the agency's form has it, over HTTP: nationality, where notices go, the commitment accepted at
submit, the identity cards a 2026 registration accepts, and texts that name the last day and the office's
opening hours (giờ làm việc) instead of a midnight, and whom to call after a rejection."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pypdf
import pytest

from chalicelib.domain.deadline import WEEKDAYS_VI
from chalicelib.models.reference import Office
from chalicelib.models.registration import Registration
from local.outbox import messages_for
from tests.support.api import VALID_FORM, call, ready_to_create
from tests.support.people import Citizen, Staff
from tests.support.workflow import deliver_tokens, executions

HOURS_VI = "Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:00"
HOURS_SMS = "gio lam viec: Thu Hai - Thu Sau: 7:30-11:30, 13:30-17:00"


def _office_hours(code: str, vi: str | None, en: str | None = None) -> None:
    office = Office.get(code)
    office.opening_hours_vi, office.opening_hours_en = vi, en
    office.save()


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _pdf_text(citizen: Citizen) -> str:
    reply = call(citizen.client, "GET", f"/v1/registrations/{citizen.registration_id}/form01",
                 headers={**citizen.key_header, "Accept": "application/pdf"})
    assert reply.status == 200
    raw = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(reply.raw)).pages)
    return " ".join(unicodedata.normalize("NFC", raw).split())


# --- the new fields: optional, with defaults, shown back ------------------------------------------------------


def test_a_client_that_sends_neither_new_field_gets_viet_nam_and_the_default_channels(client):
    citizen = Citizen(client)
    assert "nationality" not in citizen.form and "notice_channels" not in citizen.form
    assert citizen.create().status == 201

    form = citizen.status().body["form"]

    assert form["nationality"] == "Việt Nam"
    assert form["notice_channels"] == ["SMS", "EMAIL", "VSSID"]  # the form gives an e-mail address


def test_nationality_and_channels_are_kept_shown_and_corrected(client):
    citizen = Citizen(client)
    assert citizen.create(nationality="viet nam", notice_channels=["VSSID", "SMS"]).status == 201
    assert citizen.status().body["form"]["notice_channels"] == ["SMS", "VSSID"]
    assert citizen.status().body["form"]["nationality"] == "Việt Nam"

    corrected = citizen.correct(notice_channels=["SMS", "EMAIL"])

    assert corrected.status == 200
    assert corrected.body["form"]["notice_channels"] == ["SMS", "EMAIL"]


def test_channels_without_sms_are_refused_in_both_languages(client):
    reply = call(client, "POST", "/v1/registrations", ready_to_create({**VALID_FORM, "notice_channels": ["EMAIL"]}))

    assert reply.status == 400
    assert reply.body["error"]["fields"] == {"notice_channels": "must include SMS: the initial password is sent "
                                                                "only by SMS"}
    assert reply.body["error"]["fields_vi"]["notice_channels"].startswith("phải có SMS")


def test_staff_see_nationality_channels_and_when_the_commitment_was_accepted(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)

    opened = staff.open(citizen.registration_id).body

    assert opened["nationality"] == "Việt Nam"
    assert opened["notice_channels"] == ["SMS", "EMAIL", "VSSID"]
    assert opened["commitment_accepted_at"] == citizen.status().body["commitment"]["accepted_at"]
    assert opened["commitment_accepted_at"] is not None


def test_without_email_as_a_channel_the_decision_goes_by_sms_only(client):
    citizen = Citizen(client).submitted(notice_channels=["SMS", "VSSID"])
    staff = Staff.signed_in(client)

    assert staff.reject(citizen.registration_id).status == 200

    assert any("chua duoc duyet" in text for text in citizen.sms())
    assert messages_for(citizen.form["email"]) == []


# --- the commitment (cam kết) ----------------------------------------------------------------------------------


def test_the_app_can_show_the_commitment_before_submitting(client):
    citizen = Citizen(client)
    citizen.create()

    commitment = citizen.status().body["commitment"]

    assert len(commitment["vi"]) == len(commitment["en"]) == 4
    assert commitment["vi"][0].startswith("Những thông tin kê khai trên là đúng sự thật")
    assert commitment["accepted_at"] is None


@pytest.mark.parametrize("body", [{"commitment_accepted": False}, {"commitment_accepted": "true"},
                                  {"commitment_accepted": 1}, {"commitment_accepted": None}],
                         ids=["false", "string", "one", "null"])
def test_submit_that_does_not_accept_the_commitment_is_refused_and_changes_nothing(client, body):
    citizen = Citizen(client).registered()

    reply = call(client, "POST", f"/v1/registrations/{citizen.registration_id}/submit", body, citizen.key_header)

    assert reply.status == 400
    error = reply.body["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert set(error["fields"]) == set(error["fields_vi"]) == {"commitment_accepted"}
    assert error["message_vi"].startswith("Vui lòng đọc và đồng ý với phần cam kết của Tờ khai 01")
    assert citizen.status().body["status"] == "DRAFT"
    assert citizen.sms() == [] and executions() == []


def test_the_accepted_commitment_is_recorded_with_the_submission(client):
    citizen = Citizen(client).registered()

    submitted = citizen.submit()

    assert submitted.status == 200
    assert citizen.status().body["commitment"]["accepted_at"] == submitted.body["submitted_at"]


def test_the_contracts_empty_submit_body_still_submits_and_records_the_commitment(client):
    citizen = Citizen(client).registered()

    submitted = call(client, "POST", f"/v1/registrations/{citizen.registration_id}/submit", {}, citizen.key_header)

    assert submitted.status == 200 and submitted.body["status"] == "AWAITING_VERIFICATION"
    assert citizen.status().body["commitment"]["accepted_at"] == submitted.body["submitted_at"]


def test_a_correction_after_a_rejection_asks_for_the_commitment_again(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    assert staff.reject(citizen.registration_id).status == 200
    audit = staff.open(citizen.registration_id).body["audit"]
    assert [e["detail"] for e in audit if e["action"] == "SUBMIT"] == ["attempt 1; commitment accepted"]

    assert citizen.correct(address="Số 14 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội").status == 200

    assert citizen.status().body["commitment"]["accepted_at"] is None  # given for the form as it was
    refused = call(client, "POST", f"/v1/registrations/{citizen.registration_id}/submit",
                   {"commitment_accepted": False}, citizen.key_header)
    assert refused.status == 400 and set(refused.body["error"]["fields"]) == {"commitment_accepted"}
    assert citizen.submit().status == 200
    assert citizen.status().body["commitment"]["accepted_at"] is not None


# --- identity cards in 2026 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("id_number", ["123456789", "001190123456"], ids=["9-digit", "12-digit"])
def test_a_cmnd_is_refused_with_the_reason_whatever_its_length(client, id_number):
    reply = call(client, "POST", "/v1/registrations",
                 ready_to_create({**VALID_FORM, "id_type": "CMND", "id_number": id_number}))

    assert reply.status == 400
    error = reply.body["error"]
    assert set(error["fields"]) == {"id_type"}
    assert "ceased to be valid on 01/01/2025" in error["fields"]["id_type"]
    assert error["fields_vi"]["id_type"].startswith(
        "CMND hết giá trị sử dụng từ 01/01/2025, vui lòng dùng thẻ Căn cước/CCCD")


def test_a_can_cuoc_card_registers_like_a_cccd_and_is_printed_as_can_cuoc(client):
    citizen = Citizen(client).registered(id_type="CAN_CUOC", id_issued_on="2025-03-01", id_issued_by="Bộ Công an")
    assert citizen.submit().status == 200

    assert citizen.status().body["form"]["id_type"] == "CAN_CUOC"
    assert "Loại giấy tờ: Căn cước Số: 001190123456" in _pdf_text(citizen)


def test_a_draft_saved_with_a_cmnd_before_the_rule_must_be_corrected_before_submit(client):
    citizen = Citizen(client).registered()
    Registration.get(citizen.registration_id).update(actions=[Registration.id_type.set("CMND")])

    reply = citizen.submit()

    assert reply.status == 400 and set(reply.body["error"]["fields"]) == {"id_type"}
    assert citizen.status().body["status"] == "DRAFT" and citizen.sms() == []


# --- the printed form ------------------------------------------------------------------------------------------


def test_the_printed_form_has_the_agency_forms_parts(client):
    _office_hours("HN-HK", HOURS_VI, "Mon–Fri 7:30–11:30, 13:30–17:00")
    citizen = Citizen(client).registered()
    submitted = citizen.submit().body

    text = _pdf_text(citizen)

    assert "Kính gửi: Bảo hiểm xã hội cơ sở Hoàn Kiếm (thuộc Bảo hiểm xã hội thành phố Hà Nội)" in text
    assert "Quốc tịch: Việt Nam" in text
    assert "II. NỘI DUNG ĐĂNG KÝ" in text and "[x] Tin nhắn SMS tới số 0901234567" in text
    assert "III. CAM KẾT" in text and "giữ bí mật tên đăng nhập, mật khẩu" in text
    assert "PHẦN DÀNH CHO CƠ QUAN BHXH" in text and "Người nhận (ký, ghi rõ họ tên):" in text
    last = date.fromisoformat(submitted["deadline_at"][:10])
    assert f"trong giờ làm việc, chậm nhất ngày {WEEKDAYS_VI[last.weekday()]}, {last:%d/%m/%Y}" in text
    assert f"Giờ làm việc: {HOURS_VI}" in text
    assert "23:59" not in text


# --- the texts: the last day, the opening hours, whom to call ---------------------------------------------------


def test_the_submitted_sms_names_the_last_day_and_the_offices_hours(client):
    _office_hours("HN-HK", HOURS_VI)
    citizen = Citizen(client).registered()

    submitted = citizen.submit().body

    [sms] = citizen.sms()
    assert f"han cuoi ngay {_dmy(submitted['deadline_at'])} ({HOURS_SMS})." in sms
    assert "23:59" not in sms
    assert submitted["office"]["opening_hours"] == {"vi": HOURS_VI, "en": HOURS_VI}


def test_with_the_hours_unknown_the_sms_says_within_working_hours(client):
    _office_hours("HN-HK", None)
    citizen = Citizen(client).registered()

    submitted = citizen.submit().body

    [sms] = citizen.sms()
    assert f"han cuoi ngay {_dmy(submitted['deadline_at'])} (trong gio lam viec)." in sms
    assert submitted["office"]["opening_hours"] is None


def test_the_reminder_written_at_submit_names_the_hours_too(client):
    _office_hours("HN-HK", HOURS_VI)
    citizen = Citizen(client).registered()
    submitted = citizen.submit().body
    assert deliver_tokens() == ["recorded"]

    reminder = Registration.get(citizen.registration_id).notice_reminder

    assert reminder.startswith("BHXH VN: Nhac lich:")
    assert f"han cuoi ngay {_dmy(submitted['deadline_at'])} ({HOURS_SMS})" in reminder


def test_a_rejection_sms_says_how_to_correct_and_whom_to_call(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    office_phone = Office.get("HN-HK").phone

    assert staff.reject(citizen.registration_id, "Ảnh chân dung bị mờ").status == 200

    [text] = [sms for sms in citizen.sms() if "chua duoc duyet" in sms]
    assert "Ly do: Anh chan dung bi mo." in text
    assert "Sua theo ly do tren roi gui lai to khai tren ung dung VssID." in text
    assert f"Can ho tro, goi BHXH co so Hoan Kiem: {office_phone}." in text
    [email] = messages_for(citizen.form["email"])
    assert f"liên hệ BHXH cơ sở Hoàn Kiếm, điện thoại {office_phone}" in email["body"]
