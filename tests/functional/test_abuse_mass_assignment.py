"""Mass assignment: fields a client must not set (status, role, password_hash, office, owner, ...) added to a
valid body are ignored — the stored records keep the values the server chose.

Every route that takes a body (POST/PUT in the app's routing table) has a case here or is listed in
BODY_NOT_READ with the reason; `test_every_body_route_has_a_mass_assignment_case` fails for a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.domain.credentials import verify_password
from chalicelib.models.directory import Feedback
from chalicelib.models.registration import Registration
from chalicelib.models.sign_in import OtpChallenge
from chalicelib.models.staff import StaffSession
from local.outbox import messages_for
from tests.support.abuse_world import ALICE, BOB, BOB_PHONE, FEEDBACK, PASSWORD, World, build_world
from tests.support.api import VALID_FORM, call, in_register, ready_to_create, solved_captcha
from tests.support.citizens import CAPTCHA, Phone, last_code, make_account, move_clock
from tests.support.people import STAFF_PASSWORD, Citizen

FORGED_PHONE = "+84999999999"
EXTRAS: dict[str, Any] = {
    "status": "APPROVED", "role": "admin", "is_staff": True, "approved": True, "__proto__": {"is_admin": True},
    "constructor": {"prototype": {"is_admin": True}}, "password_hash": "$argon2id$v=19$forged",
    "office_code": "HN-BD", "username": BOB, "registration_id": "forged-id", "feedback_id": "forged-id",
    "attempt": 99, "deadline_at": "2099-01-01T00:00:00+07:00", "decided_by": "ke.gian", "answered_by": "ke.gian",
    "access_key_digest": "forged", "password_change_required": False, "device_id": "forged-device",
    "phone": FORGED_PHONE, "new_phone": FORGED_PHONE, "state": "ACTIVE", "purpose": "RESET", "answer": "forged",
}


def extras(*legit: str) -> dict[str, Any]:
    """The forged fields, minus those the route really takes."""
    return {k: v for k, v in EXTRAS.items() if k not in legit}


def nothing_sent_to_the_forged_number() -> None:
    assert messages_for(FORGED_PHONE) == []


# --- one case per route; each sends the valid body plus the extras and checks what was stored -----------


def create_registration(w: World) -> None:
    form = {**VALID_FORM, "social_insurance_number": "0666777888", "id_number": "001190777888"}
    reply = call(w.client, "POST", "/v1/registrations", {**ready_to_create(form), **extras("office_code", "phone")})
    assert reply.status == 201, reply.body
    stored = Registration.get(reply.body["registration_id"])
    assert stored.registration_id != "forged-id" and stored.status == "DRAFT" and stored.attempt == 0
    assert stored.office_code == "HN-HK" and stored.deadline_at is None and stored.access_key_digest != "forged"


def correct_registration(w: World) -> None:
    citizen = w.other_registrant
    reply = call(w.client, "PUT", f"/v1/registrations/{citizen.registration_id}",
                 {**citizen.form, **extras("office_code", "phone")}, citizen.key_header)
    assert reply.status == 200, reply.body
    stored = w.registration(citizen)
    assert (stored.status, stored.attempt, stored.decided_by) == ("DRAFT", 0, None)


TAKEOVER_FORM = {**VALID_FORM, "social_insurance_number": "0666777889", "id_number": "001190777889"}
REGISTER_PHONE = "+84912000019"


def start_takeover(w: World) -> None:
    in_register(TAKEOVER_FORM, phone=REGISTER_PHONE)
    squatter = Citizen(w.client, form={**TAKEOVER_FORM, "phone": "0977 000 111"})
    assert squatter.create().status == 201
    reply = call(w.client, "POST", "/v1/registrations/takeover", {
        "social_insurance_number": TAKEOVER_FORM["social_insurance_number"], **solved_captcha(), **extras()})
    assert reply.status == 202, reply.body
    challenge = OtpChallenge.get(reply.body["challenge_id"])
    assert (challenge.purpose, challenge.username, challenge.new_phone) == (
        "TAKEOVER", "takeover:" + TAKEOVER_FORM["social_insurance_number"], None)
    nothing_sent_to_the_forged_number()
    w.notes["takeover"] = reply.body["challenge_id"]


def verify_takeover(w: World) -> None:  # after `start_takeover`
    reply = call(w.client, "POST", f"/v1/registrations/takeover/{w.notes['takeover']}/verify",
                 {"otp": last_code(REGISTER_PHONE), **extras(), "social_insurance_number": ALICE})
    assert reply.status == 200, reply.body
    assert reply.body == {"social_insurance_number": TAKEOVER_FORM["social_insurance_number"], "released": True}
    assert w.registration().status == "AWAITING_VERIFICATION"  # nobody else's registration moved


def renew_uploads(w: World) -> None:
    citizen = w.other_registrant
    reply = call(w.client, "POST", f"/v1/registrations/{citizen.registration_id}/uploads", extras(),
                 citizen.key_header)
    assert reply.status == 200, reply.body
    assert w.registration(citizen).status == "DRAFT"


def submit(w: World) -> None:
    citizen = w.other_registrant
    reply = call(w.client, "POST", f"/v1/registrations/{citizen.registration_id}/submit",
                 {**extras(), "commitment_accepted": True}, citizen.key_header)
    assert reply.status == 200, reply.body
    stored = w.registration(citizen)
    assert (stored.status, stored.attempt, stored.office_code) == ("AWAITING_VERIFICATION", 1, "HN-HK")
    assert not stored.deadline_at.startswith("2099")


def reject(w: World) -> None:  # after `submit`: the other registrant is waiting
    citizen = w.other_registrant
    reply = call(w.client, "POST", f"/v1/admin/registrations/{citizen.registration_id}/reject",
                 {"reason": "Ảnh CCCD bị mờ, không đọc được số", **extras()}, w.staff.auth)
    assert reply.status == 200, reply.body
    stored = w.registration(citizen)
    assert (stored.status, stored.decided_by, stored.office_code) == ("REJECTED", w.staff.username, "HN-HK")


def approve(w: World) -> None:
    reply = call(w.client, "POST", f"/v1/admin/registrations/{w.registrant.registration_id}/approve",
                 {"id_document_checked": True, **extras()}, w.staff.auth)
    assert reply.status == 200, reply.body
    stored = w.registration()
    assert (stored.status, stored.decided_by, stored.office_code) == ("APPROVED", w.staff.username, "HN-HK")
    account = w.account(w.registrant.form["social_insurance_number"])
    assert account.password_hash != EXTRAS["password_hash"] and account.password_change_required
    assert account.office_code == "HN-HK" and account.phone == "+84901234567"
    assert verify_password(w.account(BOB).password_hash, PASSWORD)  # the forged username's account untouched
    nothing_sent_to_the_forged_number()


def staff_login(w: World) -> None:
    import pyotp

    from chalicelib import clock
    from chalicelib.domain.credentials import token_digest

    move_clock(seconds=30)  # each code works once: the world's own sign-in spent the current one
    reply = call(w.client, "POST", "/v1/admin/auth/login", {
        "username": w.staff.username, "password": STAFF_PASSWORD, **extras("username"),
        "totp": pyotp.TOTP(w.staff.totp_secret).at(clock.now())})
    assert reply.status == 200, reply.body
    assert reply.body["office_code"] == "HN-HK"
    assert StaffSession.get(token_digest(reply.body["staff_token"])).office_code == "HN-HK"


def feedback_submit(w: World) -> None:
    reply = call(w.client, "POST", "/v1/feedback", {**FEEDBACK, **extras("office_code")})
    assert reply.status == 201, reply.body
    stored = Feedback.get(reply.body["feedback_id"])
    assert stored.feedback_id != "forged-id" and (stored.status, stored.answer, stored.answered_by) == (
        "OPEN", None, None)


def feedback_answer(w: World) -> None:
    answer = "Cơ quan BHXH quận Hoàn Kiếm đã cập nhật nơi khám ban đầu mới của ông."
    reply = call(w.client, "POST", f"/v1/admin/feedback/{w.feedback_id}/answer",
                 {**extras(), "answer": answer}, w.staff.auth)
    assert reply.status == 200, reply.body
    stored = w.feedback()
    assert (stored.status, stored.answered_by, stored.office_code, stored.answer) == (
        "ANSWERED", w.staff.username, "HN-HK", answer)


CAROL, CAROL_INITIAL = "0777888999", "Kh0iTao7x"


def citizen_login(w: World) -> None:
    make_account(CAROL, CAROL_INITIAL, initial=True, phone="+84977000111")
    phone = Phone(w.client, device_id="device-carol")
    reply = call(w.client, "POST", "/v1/auth/login", {
        "username": CAROL, "password": CAROL_INITIAL, "captcha_id": phone.captcha(), "captcha_answer": CAPTCHA,
        "device_name": "Carol", **extras("username", "device_id"), "device_id": "device-carol"})
    assert reply.status == 200, reply.body
    assert reply.body["password_change_required"] is True
    assert w.account(CAROL).password_change_required
    w.notes["carol_token"] = reply.body["access_token"]


CAROL_NEW = "Carol chọn mật khẩu riêng 2026"


def change_password(w: World) -> None:  # after `citizen_login`, in the session it opened
    reply = call(w.client, "POST", "/v1/auth/password",
                 {"current_password": CAROL_INITIAL, "new_password": CAROL_NEW, **extras()},
                 {"Authorization": f"Bearer {w.notes['carol_token']}"})
    assert reply.status == 204, reply.body
    assert verify_password(w.account(CAROL).password_hash, CAROL_NEW)
    assert not w.account(CAROL).password_change_required
    assert verify_password(w.account(BOB).password_hash, PASSWORD)


def start_reset(w: World) -> None:
    reply = call(w.client, "POST", "/v1/auth/password-reset", {
        "username": BOB, "captcha_id": w.bob.captcha(), "captcha_answer": CAPTCHA, **extras("username")})
    assert reply.status == 202, reply.body
    assert OtpChallenge.get(reply.body["reset_id"]).username == BOB
    assert last_code(BOB_PHONE)
    nothing_sent_to_the_forged_number()
    w.notes["reset_id"] = reply.body["reset_id"]


BOB_NEW = "Bình đặt lại mật khẩu 2026"


def confirm_reset(w: World) -> None:  # after `start_reset`: Bob's code, Alice's name among the extras
    reset_id = w.notes["reset_id"]
    reply = call(w.client, "POST", f"/v1/auth/password-reset/{reset_id}/confirm",
                 {**extras(), "username": ALICE, "otp": last_code(BOB_PHONE), "new_password": BOB_NEW})
    assert reply.status == 204, reply.body
    assert verify_password(w.account(BOB).password_hash, BOB_NEW)
    assert verify_password(w.account(ALICE).password_hash, PASSWORD)


def change_phone(w: World) -> None:
    reply = call(w.client, "POST", "/v1/me/phone",
                 {"current_password": PASSWORD, "new_phone": "0988 111 222", **extras("new_phone")}, w.alice.auth)
    assert reply.status == 202, reply.body
    challenge = OtpChallenge.get(reply.body["challenge_id"])
    assert (challenge.username, challenge.purpose, challenge.new_phone) == (ALICE, "PHONE", "+84988111222")
    nothing_sent_to_the_forged_number()
    w.notes["phone_challenge"] = reply.body["challenge_id"]


def confirm_phone(w: World) -> None:  # after `change_phone`
    challenge_id = w.notes["phone_challenge"]
    reply = call(w.client, "POST", f"/v1/me/phone/{challenge_id}/verify",
                 {**extras(), "otp": last_code("+84988111222")}, w.alice.auth)
    assert reply.status == 200, reply.body
    assert w.account(ALICE).phone == "+84988111222"
    assert w.account(BOB).phone == BOB_PHONE


def verify_device(w: World) -> None:  # last among Alice's: it moves her account to device B
    sent = call(w.client, "POST", f"/v1/auth/device-challenges/{w.device_challenge}/otp", extras())
    assert sent.status == 202, sent.body
    phone = w.account(ALICE).phone
    reply = call(w.client, "POST", f"/v1/auth/device-challenges/{w.device_challenge}/verify",
                 {**extras(), "otp": last_code(phone)})
    assert reply.status == 200, reply.body
    assert w.account(ALICE).device_id == "device-B"
    assert w.account(BOB).device_id == "device-bob"
    nothing_sent_to_the_forged_number()


def find_number(w: World) -> None:
    plain = {"full_name": "Nguyễn Thị Hường", "date_of_birth": "1990-05-17", "province_code": "01",
             "id_number": "001190123456", "captcha_answer": CAPTCHA}
    honest = call(w.client, "POST", "/v1/lookup/social-insurance-number", {**plain, "captcha_id": w.bob.captcha()})
    forged = call(w.client, "POST", "/v1/lookup/social-insurance-number",
                  {**plain, **extras(), "social_insurance_number": "0123456789", "captcha_id": w.bob.captcha()})
    assert (forged.status, forged.body) == (honest.status, honest.body)


def support_chat(w: World) -> None:
    reply = call(w.client, "POST", "/v1/support/chat",
                 {"message": "Làm sao để đăng ký tài khoản VssID?", **extras(), "sources": ["forged"]})
    assert reply.status == 200, reply.body
    assert reply.body.get("answer") != "forged" and "forged" not in str(reply.body.get("sources"))


def logout(w: World) -> None:  # after `confirm_reset` (Bob's new password) and `change_password` (Carol's)
    carol = Phone(w.client, device_id="device-carol")
    assert carol.login(CAROL, CAROL_NEW).status == 200
    assert w.bob.login(BOB, BOB_NEW).status == 200
    reply = call(w.client, "POST", "/v1/auth/logout", {**extras(), "username": CAROL}, w.bob.auth)
    assert reply.status == 204
    assert w.bob.me().status == 401  # the caller's own session ended ...
    assert carol.me().status == 200  # ... nobody else's


def staff_logout(w: World) -> None:  # last: it ends the staff member's session
    reply = call(w.client, "POST", "/v1/admin/auth/logout", {**extras(), "username": w.outsider.username},
                 w.staff.auth)
    assert reply.status == 204
    assert w.staff.queue().status == 401  # the caller's own session ended ...
    assert w.outsider.queue().status == 200  # ... not the one the body names


# In this order: some cases use what an earlier one left (a submitted draft, a reset, a new session).
MASS_ASSIGNMENT_CASES: dict[tuple[str, str], Callable[[World], None]] = {
    ("POST", "/v1/registrations"): create_registration,
    ("PUT", "/v1/registrations/{registration_id}"): correct_registration,
    ("POST", "/v1/registrations/takeover"): start_takeover,
    ("POST", "/v1/registrations/takeover/{challenge_id}/verify"): verify_takeover,
    ("POST", "/v1/registrations/{registration_id}/uploads"): renew_uploads,
    ("POST", "/v1/registrations/{registration_id}/submit"): submit,
    ("POST", "/v1/admin/registrations/{registration_id}/reject"): reject,
    ("POST", "/v1/admin/registrations/{registration_id}/approve"): approve,
    ("POST", "/v1/admin/auth/login"): staff_login,
    ("POST", "/v1/feedback"): feedback_submit,
    ("POST", "/v1/admin/feedback/{feedback_id}/answer"): feedback_answer,
    ("POST", "/v1/auth/login"): citizen_login,
    ("POST", "/v1/auth/password"): change_password,
    ("POST", "/v1/auth/password-reset"): start_reset,
    ("POST", "/v1/auth/password-reset/{reset_id}/confirm"): confirm_reset,
    ("POST", "/v1/me/phone"): change_phone,
    ("POST", "/v1/me/phone/{challenge_id}/verify"): confirm_phone,
    ("POST", "/v1/auth/device-challenges/{challenge_id}/verify"): verify_device,
    ("POST", "/v1/lookup/social-insurance-number"): find_number,
    ("POST", "/v1/support/chat"): support_chat,
    ("POST", "/v1/auth/logout"): logout,
    ("POST", "/v1/admin/auth/logout"): staff_logout,
}
# Routes whose body is parsed (so garbage is refused, see test_abuse_bodies) but never read.
BODY_NOT_READ = {
    ("POST", "/v1/auth/device-challenges/{challenge_id}/otp"): "covered inside verify_device: the code goes to "
                                                               "the account's phone, never to a sent one",
    ("POST", "/v1/auth/password-reset/{reset_id}/otp"): "a resend; the body is parsed and ignored",
    ("POST", "/v1/me/phone/{challenge_id}/otp"): "a resend; the body is parsed and ignored",
}


def body_routes() -> set[tuple[str, str]]:
    from app import app

    return {(method, path) for path, methods in app.routes.items() if not path.startswith("/_local/")
            for method in methods if method in ("POST", "PUT", "PATCH")}


def test_every_body_route_has_a_mass_assignment_case():
    covered = set(MASS_ASSIGNMENT_CASES) | set(BODY_NOT_READ)
    assert sorted(body_routes() - covered) == [], "routes that take a body without a mass-assignment case"
    assert sorted(covered - body_routes()) == [], "cases for routes that no longer exist"


@pytest.fixture
def world(client, settings_env) -> World:
    return build_world(client, settings_env)


def test_fields_a_client_may_not_set_are_ignored_on_every_route(world):
    for route, case in MASS_ASSIGNMENT_CASES.items():
        try:
            case(world)
        except AssertionError as failure:
            raise AssertionError(f"{route}: {failure}") from failure
