"""Issue 14: a Form 01 may claim only the number the register gives to its person; creating needs a captcha;
submissions pay for their SMS from the phone's budget; a squatting draft lets go of a number within hours,
or at once when the register's phone says so.
"""

from __future__ import annotations

import pytest

from chalicelib.config import get_settings
from chalicelib.models.registration import Registration
from chalicelib.services.record_loader import load_rows, read_file
from local.demo_records import DEMO_RECORDS
from local.outbox import messages_for
from tests.support.api import VALID_FORM, call, in_register, participant_row, ready_to_create, solved_captcha
from tests.support.citizens import CAPTCHA, last_code, move_clock
from tests.support.people import Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, executions

ATTACKER = {**VALID_FORM, "phone": "0977 000 111"}  # the attacker's own name, ID number and phone


def _error(reply, status: int, code: str) -> dict:
    assert reply.status == status, (reply.status, reply.body)
    assert reply.body["error"]["code"] == code, reply.body
    return reply.body["error"]


@pytest.fixture
def demo_register(client):
    assert load_rows("participant", read_file(DEMO_RECORDS / "participant.jsonl")).rejected == []


# --- the register match on create -----------------------------------------------------------------------

def test_someone_elses_number_is_refused_and_no_field_is_named(client, demo_register):
    # Given 4801234569 belongs to Lê Thị Hồng Nhung in the register
    # When someone registers it with their own name, birth date, ID number and phone
    reply = call(client, "POST", "/v1/registrations",
                 {**ATTACKER, "social_insurance_number": "4801234569", **solved_captcha()})
    # Then it is refused, telling them to check the number, without saying what differed
    error = _error(reply, 422, "REGISTER_MISMATCH")
    assert "look-up" in error["message"] and "tra cứu" in error["message_vi"]
    assert "fields" not in error
    assert not list(Registration.scan(Registration.social_insurance_number == "4801234569"))


def test_a_number_the_register_does_not_know_gets_the_same_answer_as_a_mismatch(client, demo_register):
    mismatch = call(client, "POST", "/v1/registrations",
                    {**ATTACKER, "social_insurance_number": "4801234569", **solved_captcha()})
    unknown = call(client, "POST", "/v1/registrations",
                   {**ATTACKER, "social_insurance_number": "4809999999", **solved_captcha()})
    assert (unknown.status, unknown.body) == (mismatch.status, mismatch.body)


@pytest.mark.parametrize("field, value", [
    ("full_name", "Nguyễn Thị Hoa"), ("date_of_birth", "1990-05-18"), ("id_number", "001190123457")])
def test_each_of_name_birth_date_and_id_number_must_match(client, field, value):
    in_register(VALID_FORM, **{field: value})
    reply = Citizen(client, in_register=False).create()
    _error(reply, 422, "REGISTER_MISMATCH")


def test_the_name_matches_without_diacritics_case_or_extra_spaces(client, demo_register):
    citizen = Citizen(client, form={**VALID_FORM, "social_insurance_number": "4801234569",
                                    "full_name": "LE  THI HONG NHUNG", "date_of_birth": "1998-01-30",
                                    "id_number": "048198000123"}, in_register=False)
    assert citizen.create().status == 201


def test_the_register_is_checked_before_the_account_so_account_exists_needs_the_persons_details(client):
    # Given an approved registration: the number has an account
    citizen = Citizen(client).submitted()
    assert Staff.signed_in(client).approve(citizen.registration_id).status == 200
    # When a stranger registers the number with their own details: the register answers, not the account
    stranger = Citizen(client, form={**VALID_FORM, "full_name": "Trần Văn Lạ"}, in_register=False)
    _error(stranger.create(), 422, "REGISTER_MISMATCH")
    # Only someone who already knows the person's name, birth date and ID number learns of the account
    _error(Citizen(client).create(), 409, "ACCOUNT_EXISTS")


def test_a_correction_of_the_identity_is_checked_again_and_refused_changes_nothing(client):
    citizen = Citizen(client)
    assert citizen.create().status == 201
    citizen.in_register = False
    _error(citizen.correct(date_of_birth="1991-05-17", id_number="001191123456"), 422, "REGISTER_MISMATCH")
    assert Registration.get(citizen.registration_id).date_of_birth == VALID_FORM["date_of_birth"]
    # A correction that leaves the identity alone is not checked
    citizen.form.update(date_of_birth=VALID_FORM["date_of_birth"], id_number=VALID_FORM["id_number"])
    assert citizen.correct(address="Số 99 phố Huế, Hà Nội").status == 200


def test_corrections_of_the_identity_are_limited_per_day(client):
    citizen = Citizen(client)
    assert citizen.create().status == 201
    citizen.in_register = False
    for index in range(5):
        _error(citizen.correct(full_name=f"Người Thử {'abcde'[index]}"), 422, "REGISTER_MISMATCH")
    limited = citizen.correct(full_name="Người Thử Sáu")
    _error(limited, 429, "TOO_MANY_REQUESTS")
    assert int(limited.headers["Retry-After"]) >= 1


def test_a_name_in_mathematical_or_fullwidth_letters_is_stored_as_the_plain_name(client):
    for sin, name in (("0123456789", "𝐍𝐠𝐮𝐲𝐞̂̃𝐧 𝐓𝐡𝐢̣ 𝐇𝐮̛𝐨̛̀𝐧𝐠"), ("0123456788", "Ｎｇｕｙễｎ Ｔｈị Ｈườｎｇ")):
        in_register({**VALID_FORM, "social_insurance_number": sin})
        citizen = Citizen(client, form={**VALID_FORM, "social_insurance_number": sin, "full_name": name},
                          in_register=False)
        assert citizen.create().status == 201  # folded, it is the register's name
        assert citizen.status().body["form"]["full_name"] == "Nguyễn Thị Hường"


# --- the captcha ------------------------------------------------------------------------------------------

def test_creating_needs_a_captcha(client):
    in_register(VALID_FORM)
    _error(call(client, "POST", "/v1/registrations", VALID_FORM), 400, "CAPTCHA_INVALID")
    wrong = {**VALID_FORM, **solved_captcha(), "captcha_answer": "WRONG"}
    _error(call(client, "POST", "/v1/registrations", wrong), 400, "CAPTCHA_INVALID")
    assert not list(Registration.scan())


def test_a_captcha_works_once(client):
    body = ready_to_create(VALID_FORM)
    assert call(client, "POST", "/v1/registrations", body).status == 201
    other = {**body, "social_insurance_number": "0123456788"}
    in_register(other)
    _error(call(client, "POST", "/v1/registrations", other), 400, "CAPTCHA_INVALID")


def test_the_captcha_is_checked_before_the_register(client, demo_register):
    stranger = {**ATTACKER, "social_insurance_number": "4801234569", **solved_captcha(), "captcha_answer": "NOPE"}
    _error(call(client, "POST", "/v1/registrations", stranger), 400, "CAPTCHA_INVALID")


def test_the_local_captcha_answer_works_as_for_sign_in(client, settings_env):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    in_register(VALID_FORM)
    captcha_id = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
    reply = call(client, "POST", "/v1/registrations", {**VALID_FORM, "captcha_id": captcha_id,
                                                       "captcha_answer": CAPTCHA})
    assert reply.status == 201


# --- staff see the register beside the form; approval re-checks it ---------------------------------------

def test_staff_see_the_register_beside_the_form_with_the_differences(client):
    in_register(VALID_FORM, gender="male", phone="0912 000 009")
    citizen = Citizen(client).submitted()
    detail = Staff.signed_in(client).open(citizen.registration_id)
    assert detail.status == 200
    register = detail.body["register"]
    assert register["found"] is True and register["matches"] is True
    assert register["differences"] == ["gender"]
    assert register["person"]["full_name"] == VALID_FORM["full_name"]
    assert register["person"]["phone"] == "+84912000009"


def test_approval_refuses_a_registration_the_register_now_contradicts(client):
    # Given a registration submitted while the register agreed with it
    citizen = Citizen(client).submitted()
    # When the register is reloaded and names another person under the number
    assert load_rows("participant", [participant_row(VALID_FORM, full_name="Phạm Văn Chủ")]).updated == 1
    staff = Staff.signed_in(client)
    assert staff.open(citizen.registration_id).body["register"]["differences"] == ["full_name"]
    # Then approval is refused, and no account binds the number to the form's person
    error = _error(staff.approve(citizen.registration_id), 409, "REGISTER_CONFLICT")
    assert error["differences"] == ["full_name"]
    assert account_of(VALID_FORM["social_insurance_number"]) is None
    assert Registration.get(citizen.registration_id).status == "AWAITING_VERIFICATION"
    assert staff.reject(citizen.registration_id).status == 200  # staff can still decide it


def test_approval_refuses_a_number_the_register_no_longer_has(client):
    from chalicelib.models.records import InsuranceRecord

    citizen = Citizen(client).submitted()
    InsuranceRecord.get(VALID_FORM["social_insurance_number"], "PERSON").delete()
    error = _error(Staff.signed_in(client).approve(citizen.registration_id), 409, "REGISTER_CONFLICT")
    assert error["differences"] == ["social_insurance_number"]
    assert account_of(VALID_FORM["social_insurance_number"]) is None


# --- the SMS budget -------------------------------------------------------------------------------------

def test_submissions_pay_for_their_sms_from_the_phones_budget(client):
    # Given a victim's phone on many registrations (each a real person of the register)
    victim = "0966 123 456"
    citizens = [Citizen(client, form={**VALID_FORM, "phone": victim, "social_insurance_number": f"045000{i:04d}"})
                .registered() for i in range(4)]
    # When each is submitted: every submission pays for its SMS (submitted, two reminders, expiry)
    replies = [citizen.submit() for citizen in citizens]
    assert [reply.status for reply in replies[:2]] == [200, 200]
    # Then the phone's daily budget (10) stops the third, before anything changed
    for refused, citizen in zip(replies[2:], citizens[2:], strict=True):
        _error(refused, 429, "SMS_LIMIT_REACHED")
        assert int(refused.headers["Retry-After"]) >= 1
        assert Registration.get(citizen.registration_id, consistent_read=True).status == "DRAFT"
        assert not [e for e in executions() if e["name"].startswith(citizen.registration_id)]
    assert len([m for m in messages_for(victim) if m["channel"] == "sms"]) == 2
    deliver_tokens(expect=2)


def test_a_retried_submit_does_not_pay_again(client):
    citizen = Citizen(client, form={**VALID_FORM, "phone": "0966 123 457"}).registered()
    assert citizen.submit().status == 200
    for _ in range(5):
        assert citizen.submit().status == 200  # a retry finishes what is missing; it costs nothing
    deliver_tokens()
    other = Citizen(client, form={**VALID_FORM, "phone": "0966 123 457", "social_insurance_number": "0450000099"})
    assert other.registered().submit().status == 200  # the budget holds a second submission
    deliver_tokens()


def test_a_submit_refused_for_missing_images_pays_nothing(client):
    citizen = Citizen(client, form={**VALID_FORM, "phone": "0966 123 458"})
    assert citizen.create().status == 201
    for _ in range(4):
        _error(citizen.submit(), 422, "DOCUMENTS_MISSING")
    citizen.upload_all()
    assert citizen.submit().status == 200
    deliver_tokens()


# --- a draft's hold on the number -----------------------------------------------------------------------

def test_a_squatting_draft_stops_holding_the_number_after_a_few_hours(client):
    # Given someone who knows the person's details holds the number with a draft, and goes away
    squatter = Citizen(client, form=dict(ATTACKER))
    assert squatter.create().status == 201
    _error(Citizen(client).create(), 409, "REGISTRATION_EXISTS")
    # When the hold (a few hours, not 30 days) has passed
    hold = get_settings().draft_hold_seconds
    assert hold <= 12 * 3600
    move_clock(seconds=hold + 1)
    # Then the owner's registration takes the number, and the old draft cannot take it back
    owner = Citizen(client)
    assert owner.create().status == 201
    squatter.upload_all()
    _error(squatter.submit(), 409, "REGISTRATION_EXISTS")


def test_correcting_a_draft_renews_its_hold(client):
    citizen = Citizen(client)
    assert citizen.create().status == 201
    move_clock(seconds=get_settings().draft_hold_seconds - 60)
    assert citizen.correct(address="Số 99 phố Huế, Hà Nội").status == 200
    move_clock(seconds=120)
    _error(Citizen(client).create(), 409, "REGISTRATION_EXISTS")


def _start_takeover(client, sin: str):
    return call(client, "POST", "/v1/registrations/takeover", {"social_insurance_number": sin, **solved_captcha()})


def test_the_owner_takes_the_number_back_with_a_code_to_the_registers_phone(client):
    # Given the register has the owner's phone, and someone else's draft holds the number
    in_register(VALID_FORM, phone="0912 000 009")
    squatter = Citizen(client, form=dict(ATTACKER))
    assert squatter.create().status == 201
    owner = Citizen(client)
    _error(owner.create(), 409, "REGISTRATION_EXISTS")
    # When the owner asks for a code and types it
    started = _start_takeover(client, VALID_FORM["social_insurance_number"])
    assert started.status == 202, started.body
    challenge = started.body["challenge_id"]
    assert not [m for m in messages_for(ATTACKER["phone"]) if m["channel"] == "sms"]
    wrong = call(client, "POST", f"/v1/registrations/takeover/{challenge}/verify", {"otp": "000000"})
    _error(wrong, 400, "OTP_INVALID")
    verified = call(client, "POST", f"/v1/registrations/takeover/{challenge}/verify",
                    {"otp": last_code("+84912000009")})
    assert verified.status == 200 and verified.body["released"] is True
    # Then the owner's own Form 01 takes the number; the squatter's draft is still there but holds nothing
    assert owner.create().status == 201
    assert squatter.status().body["status"] == "DRAFT"
    squatter.upload_all()
    _error(squatter.submit(), 409, "REGISTRATION_EXISTS")
    # And the code works once
    again = call(client, "POST", f"/v1/registrations/takeover/{challenge}/verify", {"otp": "123456"})
    _error(again, 404, "CHALLENGE_NOT_FOUND")


def test_taking_over_answers_alike_whatever_is_held_and_sends_only_when_a_draft_blocks(client):
    in_register({**VALID_FORM, "social_insurance_number": "0123456781"}, phone="0912 000 011")  # nothing held
    in_register({**VALID_FORM, "social_insurance_number": "0123456782"})  # held, but no phone on file
    assert Citizen(client, form={**ATTACKER, "social_insurance_number": "0123456782"}).create().status == 201
    answers = [_start_takeover(client, sin) for sin in ("0123456781", "0123456782", "0999999990")]
    assert {reply.status for reply in answers} == {202}
    assert {frozenset(reply.body) for reply in answers} == {frozenset({"challenge_id", "expires_in", "resend_after"})}
    assert not [m for m in messages_for("+84912000011") if m["channel"] == "sms"]
    for reply in answers:
        _error(call(client, "POST", f"/v1/registrations/takeover/{reply.body['challenge_id']}/verify",
                    {"otp": "123456"}), 400, "OTP_INVALID")


def test_taking_over_needs_a_captcha_and_a_number(client):
    no_captcha = call(client, "POST", "/v1/registrations/takeover", {"social_insurance_number": "0123456789"})
    _error(no_captcha, 400, "CAPTCHA_INVALID")
    _error(call(client, "POST", "/v1/registrations/takeover", {"social_insurance_number": "12", **solved_captcha()}),
           400, "VALIDATION_FAILED")

