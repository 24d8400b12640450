"""Fault injection: every AWS call on every request path, throttled and then broken.

For each request path the table below names the AWS operations it makes; a first run records them, so a
new call cannot slip past the table. Then, for every operation, the real service's error is answered on
the wire — on every attempt, so botocore's own retries give up first:

- throttled: the service's throttling code, from the operation's first call on;
- broken: the service's own failure (500/503), from the operation's last call on (the latest point, when
  the most has already happened).

Each time the client must get the contract's `503 SERVICE_UNAVAILABLE` with `Retry-After` and no stack
trace (or, where the failed call is a courtesy, the normal answer), the stored state must be whole (all
of the change or none of it), and the client's retry with the same Idempotency-Key must finish the job
with its effects exactly once: one registration, one execution, one SMS, one account, one audit event.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest
from pynamodb.exceptions import PynamoDBException

from chalicelib.aws.clients import get_client
from chalicelib.config import get_settings
from chalicelib.domain.credentials import verify_password
from chalicelib.domain.documents import DOCUMENT_KINDS, document_key
from chalicelib.models.account import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.directory import Feedback
from chalicelib.models.registration import Registration, RegistrationClaim
from chalicelib.models.sign_in import CitizenSession, OtpChallenge
from chalicelib.models.staff import StaffMember, StaffSession
from chalicelib.services import sessions
from chalicelib.services.staff_auth import create_staff
from local.outbox import messages_for
from tests.support.api import Reply, call, in_register, solved_captcha
from tests.support.citizens import CAPTCHA, Phone, last_code, make_account
from tests.support.faults import SERVICE_ERROR, THROTTLING, Fault, aws_calls
from tests.support.images import photo
from tests.support.people import STAFF_PASSWORD, Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, executions, wait_for_execution

DDB, S3, SFN, SNS, SES, SSM = "dynamodb", "s3", "stepfunctions", "sns", "ses", "ssm"
KINDS = ("throttled", "broken")
# On routes with a key, the last UpdateItem is Powertools saving the response; the work is done by then.
KEY_STORE_SAVE = ((DDB, "UpdateItem"), "broken")
COURTESY_EMAIL = {((SES, "SendEmail"), kind) for kind in KINDS}  # beside the SMS, best effort
BOTH_KINDS_OF_KEY_STORE_SAVE = {((DDB, "UpdateItem"), kind) for kind in KINDS}  # the path's only UpdateItem


@dataclass
class World:
    """One moto backend shared by every case of a path; each case gets its own person or record."""

    client: Any
    counter: int = 0
    staff: Staff | None = None

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def signed_in_staff(self) -> Staff:
        if self.staff is None:
            self.staff = Staff.signed_in(self.client)
        return self.staff


@dataclass
class Path:
    """One request path: how to make a fresh subject for it, send it, and check what it left."""

    name: str
    calls: set[tuple[str, str]]
    prepare: Callable[[World], Any]
    send: Callable[[World, Any, str], Reply]
    ok: int
    whole: Callable[[World, Any], None]  # after a failure: all of the change or none of it
    once: Callable[[World, Any, tuple[tuple[str, str], str] | None], None]  # after success: effects once
    idempotent: bool = True
    ready: Callable[[World, Any], None] = lambda world, subject: None  # before each send, not recorded
    # Which failures hit Powertools saving the response (after the work): the answer stands, the key is
    # left in progress for a while.
    key_store: set[tuple[tuple[str, str], str]] = field(default_factory=lambda: {KEY_STORE_SAVE})
    # (operation, kind) whose failure the request survives: a courtesy message, or the key store after the work.
    survives: set[tuple[tuple[str, str], str]] = field(default_factory=set)
    # (operation, kind) → why the retry cannot finish yet; asserted to still fail, so a fix is noticed.
    known_defects: dict[tuple[tuple[str, str], str], str] = field(default_factory=dict)


# --- helpers --------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _photos() -> tuple[bytes, ...]:
    return tuple(photo("JPEG", seed=index) for index in range(3))


def _citizen(world: World) -> Citizen:
    n = world.next()
    citizen = Citizen(world.client)
    citizen.form.update(social_insurance_number=f"0450{n:06d}", phone=f"0912{n:06d}")
    return citizen


def _registered(world: World) -> Citizen:
    """Form 01 created; the images put straight into the bucket (what the presigned POSTs would do)."""
    citizen = _citizen(world)
    assert citizen.create().status == 201
    bucket = get_settings().documents_bucket
    for kind, data in zip(DOCUMENT_KINDS, _photos(), strict=True):
        get_client("s3").put_object(Bucket=bucket, Key=document_key(citizen.registration_id, kind), Body=data,
                                    ContentType="image/jpeg")
    return citizen


def _token_recorded(citizen: Citizen) -> None:
    """Hand queued tokens to the consumer until this registration's is recorded (the paths share a queue)."""
    import time

    end = time.monotonic() + 10
    while not _registration(citizen.registration_id).task_token and time.monotonic() < end:
        deliver_tokens(wait_seconds=1)
    assert _registration(citizen.registration_id).task_token, "the workflow never parked its token"


def _awaiting(world: World) -> Citizen:
    citizen = _registered(world)
    assert citizen.submit().status == 200
    _token_recorded(citizen)
    return citizen


def _audit(registration_id: str, action: str) -> list[AuditEvent]:
    return [e for e in AuditEvent.query(registration_id, consistent_read=True) if e.action == action]


def _executions_of(registration_id: str) -> list[dict[str, Any]]:
    return [e for e in executions() if e["name"].startswith(f"{registration_id}-")]


def _sms(phone: str, containing: str = "") -> list[str]:
    return [m["body"] for m in messages_for(phone) if m["channel"] == "sms" and containing in m["body"]]


def _registration(registration_id: str) -> Registration:
    return Registration.get(registration_id, consistent_read=True)


# --- registration: create ------------------------------------------------------------------------------

def _creator(world: World) -> Citizen:
    """A citizen the register knows, with a solved captcha in the form: the retry sends the same body."""
    citizen = _citizen(world)
    in_register(citizen.form)
    citizen.form.update(solved_captcha())
    return citizen


def _create_send(world: World, citizen: Citizen, key: str) -> Reply:
    reply = call(world.client, "POST", "/v1/registrations", citizen.form, {"Idempotency-Key": key})
    if reply.status == 201:
        citizen.registration_id, citizen.access_key = reply.body["registration_id"], reply.body["access_key"]
    return reply


def _create_whole(world: World, citizen: Citizen) -> None:
    sin = citizen.form["social_insurance_number"]
    assert RegistrationClaim.count(sin) == 0, "a failed create left a claim on the number"


def _create_once(world: World, citizen: Citizen, case: Any) -> None:
    sin = citizen.form["social_insurance_number"]
    claim = RegistrationClaim.get(sin, consistent_read=True)
    assert claim.registration_id == citizen.registration_id
    assert [r.registration_id for r in Registration.scan(Registration.social_insurance_number == sin)] == [
        citizen.registration_id]
    assert citizen.status().status == 200  # the access key the client kept opens it


# --- registration: submit ------------------------------------------------------------------------------

def _submit_whole(world: World, citizen: Citizen) -> None:
    registration = _registration(citizen.registration_id)
    if registration.status == "DRAFT":
        assert not _executions_of(citizen.registration_id) and not _sms(citizen.form["phone"])
        assert not _audit(citizen.registration_id, "SUBMIT")
    else:  # the status moved; what is missing is what the retry finishes
        assert registration.status == "AWAITING_VERIFICATION" and registration.attempt == 1
        assert len(_audit(citizen.registration_id, "SUBMIT")) == 1


def _submit_once(world: World, citizen: Citizen, case: Any) -> None:
    registration = _registration(citizen.registration_id)
    assert registration.status == "AWAITING_VERIFICATION" and registration.attempt == 1
    assert [e["name"] for e in _executions_of(citizen.registration_id)] == [f"{citizen.registration_id}-1"]
    assert len(_sms(citizen.form["phone"])) == 1
    assert len(_audit(citizen.registration_id, "SUBMIT")) == 1
    _token_recorded(citizen)  # the workflow is really waiting for staff


# --- staff decisions -----------------------------------------------------------------------------------

def _approve_send(world: World, citizen: Citizen, key: str) -> Reply:
    return world.signed_in_staff().approve(citizen.registration_id, {"Idempotency-Key": key})


def _reject_send(world: World, citizen: Citizen, key: str) -> Reply:
    staff = world.signed_in_staff()
    return call(world.client, "POST", f"/v1/admin/registrations/{citizen.registration_id}/reject",
                {"reason": "Ảnh CCCD bị mờ, không đọc được số"}, {**staff.auth, "Idempotency-Key": key})


def _decision_whole(action: str, status: str) -> Callable[[World, Citizen], None]:
    def whole(world: World, citizen: Citizen) -> None:
        registration = _registration(citizen.registration_id)
        events = _audit(citizen.registration_id, action)
        account = account_of(citizen.form["social_insurance_number"])
        if registration.status == "AWAITING_VERIFICATION":
            assert not events and account is None, "a decision left a trace without the decision"
        else:
            assert registration.status == status and len(events) == 1
            assert (account is not None) == (status == "APPROVED"), "an account without its decision"

    return whole


def _workflow_ended(citizen: Citizen) -> None:
    execution = wait_for_execution(f"{citizen.registration_id}-1")
    assert execution["status"] == "SUCCEEDED", execution["status"]


def _approve_once(world: World, citizen: Citizen, case: Any) -> None:
    assert _registration(citizen.registration_id).status == "APPROVED"
    assert len(_audit(citizen.registration_id, "APPROVE")) == 1
    account = account_of(citizen.form["social_insurance_number"])
    assert account is not None and account.initial_password_delivered
    texts = _sms(citizen.form["phone"], "Mat khau khoi tao")
    # A password whose SMS may have gone out but was not marked sent is replaced, never re-sent (docs/API-NOTES.md).
    assert len(texts) == (2 if case == ((DDB, "UpdateItem"), "throttled") else 1), texts
    password = re.search(r"Mat khau khoi tao: (\S+)", texts[-1]).group(1)
    assert verify_password(account.password_hash, password)
    _workflow_ended(citizen)


def _reject_once(world: World, citizen: Citizen, case: Any) -> None:
    registration = _registration(citizen.registration_id)
    assert registration.status == "REJECTED" and registration.decision_notice_sent
    assert len(_audit(citizen.registration_id, "REJECT")) == 1
    assert len(_sms(citizen.form["phone"], "chua duoc duyet")) == 1
    _workflow_ended(citizen)


# --- feedback ------------------------------------------------------------------------------------------

FEEDBACK = {
    "category": "HEALTH_INSURANCE",
    "message": "Thẻ BHYT của tôi trên ứng dụng VssID vẫn ghi nơi khám ban đầu cũ dù tôi đã đổi từ tháng 1.",
    "contact": {"name": "Nguyễn Thị Hường", "email": "huong.nguyen@example.vn"},
    "office_code": "HN-HK",
}


@dataclass
class FeedbackCase:
    phone: str
    feedback_id: str = ""


def _feedback_prepare(world: World) -> FeedbackCase:
    return FeedbackCase(phone=f"+84913{world.next():06d}")


def _feedback_body(case: FeedbackCase) -> dict[str, Any]:
    return {**FEEDBACK, "contact": {**FEEDBACK["contact"], "phone": case.phone}}


def _feedback_send(world: World, case: FeedbackCase, key: str) -> Reply:
    reply = call(world.client, "POST", "/v1/feedback", _feedback_body(case), {"Idempotency-Key": key})
    if reply.status == 201:
        case.feedback_id = reply.body["feedback_id"]
    return reply


def _feedback_of(case: FeedbackCase) -> list[Feedback]:
    return list(Feedback.scan(Feedback.contact_phone == case.phone))


def _feedback_whole(world: World, case: FeedbackCase) -> None:
    assert _feedback_of(case) == [], "a failed submission was stored"


def _feedback_once(world: World, case: FeedbackCase, _: Any) -> None:
    assert [f.feedback_id for f in _feedback_of(case)] == [case.feedback_id]


ANSWER = "Cơ quan BHXH quận Hoàn Kiếm đã cập nhật nơi đăng ký khám chữa bệnh ban đầu mới của bà."


def _answer_prepare(world: World) -> FeedbackCase:
    case = _feedback_prepare(world)
    assert _feedback_send(world, case, f"feedback-{case.phone[1:]}").status == 201
    return case


def _answer_send(world: World, case: FeedbackCase, key: str) -> Reply:
    staff = world.signed_in_staff()
    return call(world.client, "POST", f"/v1/admin/feedback/{case.feedback_id}/answer", {"answer": ANSWER},
                {**staff.auth, "Idempotency-Key": key})


def _answer_whole(world: World, case: FeedbackCase) -> None:
    feedback = Feedback.get(case.feedback_id, consistent_read=True)
    if feedback.status == "OPEN":
        assert feedback.answer is None and not _sms(case.phone), "an answer half given"
    else:
        assert feedback.answer == ANSWER and len(_sms(case.phone)) == 1


def _answer_once(world: World, case: FeedbackCase, _: Any) -> None:
    feedback = Feedback.get(case.feedback_id, consistent_read=True)
    assert feedback.status == "ANSWERED" and feedback.answer == ANSWER
    assert len(_sms(case.phone)) == 1


# --- citizen sign-in -----------------------------------------------------------------------------------

PASSWORD = "Kh0iTao7x"
NEW_PASSWORD = "Mật khẩu mới của Hường 2026"


@dataclass
class Person:
    username: str
    phone: str
    device: Phone
    challenge_id: str = ""
    captcha_id: str = ""


def _person(world: World, *, initial: bool = True, device_id: str | None = None) -> Person:
    n = world.next()
    username, phone = f"0460{n:06d}", f"+84914{n:06d}"
    account = make_account(username, PASSWORD, initial=initial, phone=phone)
    if device_id:
        account.update(actions=[Account.device_id.set(device_id), Account.device_name.set("Điện thoại cũ")])
    return Person(username, phone, Phone(world.client, device_id="device-new", device_name="Máy mới"))


def _new_captcha(world: World, person: Person) -> None:
    person.captcha_id = person.device.captcha()  # a captcha is spent by every login, so each try needs one


def _login_send(world: World, person: Person, key: str) -> Reply:
    reply = call(world.client, "POST", "/v1/auth/login", {
        "username": person.username, "password": PASSWORD, "captcha_id": person.captcha_id,
        "captcha_answer": CAPTCHA, "device_id": person.device.device_id, "device_name": person.device.device_name})
    if reply.status == 200:
        person.device.token = reply.body["access_token"]
    return reply


def _login_whole(world: World, person: Person) -> None:
    account = Account.get(person.username, consistent_read=True)
    assert not account.initial_password_used or list(CitizenSession.by_user.query(person.username)), (
        "the initial password was spent without a session")


def _login_once(world: World, person: Person, _: Any) -> None:
    assert person.device.me().status in (200, 403)  # 403: the first login must change the password
    assert len(list(CitizenSession.by_user.query(person.username))) >= 1


def _conflicted(world: World) -> Person:
    """An account in use on another device; this device's login got a challenge."""
    person = _person(world, initial=False, device_id="device-old")
    reply = person.device.login(person.username, PASSWORD)
    assert reply.status == 409, reply.body
    person.challenge_id = reply.body["error"]["challenge_id"]
    return person


def _otp_send(world: World, person: Person, key: str) -> Reply:
    return call(world.client, "POST", f"/v1/auth/device-challenges/{person.challenge_id}/otp", {})


def _otp_whole(world: World, person: Person) -> None:
    challenge = OtpChallenge.get(person.challenge_id, consistent_read=True)
    assert not _sms(person.phone) and challenge.last_sent_epoch == 0, "a code counted as sent was not sent"


def _otp_once(world: World, person: Person, _: Any) -> None:
    assert len(_sms(person.phone, "Ma xac thuc")) == 1


def _code_sent(world: World) -> Person:
    person = _conflicted(world)
    assert _otp_send(world, person, "").status == 202
    return person


def _verify_send(world: World, person: Person, key: str) -> Reply:
    reply = call(world.client, "POST", f"/v1/auth/device-challenges/{person.challenge_id}/verify",
                 {"otp": last_code(person.phone)})
    if reply.status == 200:
        person.device.token = reply.body["access_token"]
    return reply


def _verify_whole(world: World, person: Person) -> None:
    account = Account.get(person.username, consistent_read=True)
    challenge = OtpChallenge.get(person.challenge_id, consistent_read=True)
    # A failed verify gives its code back, so the retry can finish; a spent code means the move is done.
    assert not challenge.used or account.device_id == "device-new", "the code was spent but the device not moved"
    if not challenge.used:
        new_sessions = [s for s in CitizenSession.scan()
                        if s.username == person.username and s.device_id == "device-new"]
        assert not new_sessions, "a session for the new device exists although the verify failed"


def _verify_once(world: World, person: Person, _: Any) -> None:
    assert Account.get(person.username, consistent_read=True).device_id == "device-new"
    assert person.device.me().status == 200


def _signed_in(world: World) -> Person:
    person = _person(world, initial=False)
    person.device.token, _ = sessions.start(person.username, person.device.device_id)
    return person


def _password_send(world: World, person: Person, key: str) -> Reply:
    return person.device.change_password(PASSWORD, NEW_PASSWORD)


def _password_whole(world: World, person: Person) -> None:
    account = Account.get(person.username, consistent_read=True)
    assert verify_password(account.password_hash, PASSWORD) or verify_password(account.password_hash, NEW_PASSWORD)


def _password_once(world: World, person: Person, _: Any) -> None:
    account = Account.get(person.username, consistent_read=True)
    assert verify_password(account.password_hash, NEW_PASSWORD) and not account.failed_logins


def _logout_send(world: World, person: Person, key: str) -> Reply:
    return person.device.logout()


def _logout_whole(world: World, person: Person) -> None:
    assert person.device.me().status == 200, "the session ended although logout failed"


def _logout_once(world: World, person: Person, _: Any) -> None:
    assert person.device.me().status == 401


# --- staff sign-in -------------------------------------------------------------------------------------

def _new_staff(world: World) -> Staff:
    secret = pyotp.random_base32()
    username = f"canbo.fi{world.next()}"
    create_staff(username, "Cán bộ kiểm thử", "HN-HK", STAFF_PASSWORD, secret)
    return Staff(world.client, username, "HN-HK", secret)


def _staff_login_send(world: World, staff: Staff, key: str) -> Reply:
    return staff.login()


def _staff_sessions(staff: Staff) -> list[StaffSession]:
    return list(StaffSession.scan(StaffSession.username == staff.username))


def _staff_login_whole(world: World, staff: Staff) -> None:
    member = StaffMember.get(staff.username, consistent_read=True)
    assert not member.last_totp_step or _staff_sessions(staff), "the code was spent without a session"


def _staff_login_once(world: World, staff: Staff, _: Any) -> None:
    assert staff.queue().status == 200


# Accepted limit: with DeleteItem down, the captcha cannot be spent (503, nothing done) and Powertools cannot delete
# its in-progress record of the failed run either, so the same key answers REQUEST_IN_PROGRESS until that record
# expires with the invocation (on Lambda); a new key (and captcha) works at once.
KEY_STORE_CANNOT_FORGET_A_FAILED_RUN = "the key store's clean-up of a failed run is itself a DeleteItem"

# Accepted limit, asserted so a change is noticed: a failed verify gives its code back with an UpdateItem; when
# UpdateItem stays down the code stays spent (nothing else happened) and the citizen asks for a new code.
GIVE_BACK_NEEDS_UPDATE_ITEM = "the give-back of a spent code is itself an UpdateItem"

PATHS: dict[str, Path] = {p.name: p for p in (
    # DeleteItem spends the captcha; a failure after it puts the captcha back, so the retry can finish.
    Path("create registration", {(DDB, "GetItem"), (DDB, "TransactWriteItems"), (DDB, "PutItem"),
                                 (DDB, "UpdateItem"), (DDB, "DeleteItem"), (SSM, "GetParameter")},
         _creator, _create_send, 201, _create_whole, _create_once, key_store=BOTH_KINDS_OF_KEY_STORE_SAVE,
         known_defects={((DDB, "DeleteItem"), kind): KEY_STORE_CANNOT_FORGET_A_FAILED_RUN for kind in KINDS}),
    Path("submit", {(DDB, "GetItem"), (DDB, "PutItem"), (DDB, "TransactWriteItems"), (DDB, "UpdateItem"),
                    (S3, "CopyObject"), (S3, "HeadObject"), (S3, "GetObject"), (S3, "PutObject"),
                    (S3, "PutObjectTagging"), (SFN, "StartExecution"), (SNS, "Publish")},
         _registered, lambda w, c, key: c.submit({"Idempotency-Key": key}), 200, _submit_whole, _submit_once),
    Path("approve", {(DDB, "GetItem"), (DDB, "PutItem"), (DDB, "TransactWriteItems"), (DDB, "UpdateItem"),
                     (SFN, "SendTaskSuccess"), (SNS, "Publish"), (SES, "SendEmail")},
         _awaiting, _approve_send, 200, _decision_whole("APPROVE", "APPROVED"), _approve_once,
         survives=COURTESY_EMAIL),
    Path("reject", {(DDB, "GetItem"), (DDB, "PutItem"), (DDB, "TransactWriteItems"), (DDB, "UpdateItem"),
                    (SFN, "SendTaskSuccess"), (SNS, "Publish"), (SES, "SendEmail")},
         _awaiting, _reject_send, 200, _decision_whole("REJECT", "REJECTED"), _reject_once,
         survives=COURTESY_EMAIL),
    Path("feedback", {(DDB, "GetItem"), (DDB, "PutItem"), (DDB, "UpdateItem")},
         _feedback_prepare, _feedback_send, 201, _feedback_whole, _feedback_once,
         key_store=BOTH_KINDS_OF_KEY_STORE_SAVE),
    Path("feedback answer", {(DDB, "GetItem"), (DDB, "PutItem"), (DDB, "UpdateItem"), (SNS, "Publish"),
                             (SES, "SendEmail")},
         _answer_prepare, _answer_send, 200, _answer_whole, _answer_once,
         survives=COURTESY_EMAIL),
    Path("citizen login", {(DDB, "GetItem"), (DDB, "DeleteItem"), (DDB, "UpdateItem"), (DDB, "PutItem")},
         _person, _login_send, 200, _login_whole, _login_once, idempotent=False, ready=_new_captcha),
    Path("device code", {(DDB, "GetItem"), (DDB, "UpdateItem"), (SNS, "Publish")},
         _conflicted, _otp_send, 202, _otp_whole, _otp_once, idempotent=False),
    Path("device verify", {(DDB, "GetItem"), (DDB, "UpdateItem"), (DDB, "Query"), (DDB, "PutItem"),
                           (SNS, "Publish")},
         _code_sent, _verify_send, 200, _verify_whole, _verify_once, idempotent=False,
         survives={((SNS, "Publish"), kind) for kind in KINDS},  # the new-device notice is queued
         known_defects={((DDB, "UpdateItem"), "broken"): GIVE_BACK_NEEDS_UPDATE_ITEM}),
    # The current password's try is counted (UpdateItem) and cleared (DeleteItem); the account's other
    # sessions are ended (Query; this one is kept, so none is deleted here).
    Path("password change", {(DDB, "GetItem"), (DDB, "UpdateItem"), (DDB, "DeleteItem"), (DDB, "Query")},
         _signed_in, _password_send, 204, _password_whole, _password_once, idempotent=False),
    Path("logout", {(DDB, "GetItem"), (DDB, "DeleteItem")},
         _signed_in, _logout_send, 204, _logout_whole, _logout_once, idempotent=False),
    # The guessing budget is cleared (DeleteItem) after a right password and code, before anything is spent.
    Path("staff login", {(DDB, "GetItem"), (DDB, "UpdateItem"), (DDB, "PutItem"), (DDB, "DeleteItem")},
         _new_staff, _staff_login_send, 200, _staff_login_whole, _staff_login_once, idempotent=False),
)}


def _injected(service: str, kind: str) -> tuple[str, int]:
    return (THROTTLING if kind == "throttled" else SERVICE_ERROR)[service]


def _assert_retryable(reply: Reply) -> None:
    assert reply.status == 503, (reply.status, reply.body)
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE" and reply.body["error"]["message_vi"]
    assert int(reply.headers["Retry-After"]) >= 1
    text = reply.raw.decode("utf-8", "replace")
    assert "Traceback" not in text and "File \"" not in text and "injected fault" not in text


@pytest.fixture
def fast_pdf(monkeypatch):
    """Form 01's PDF is not what these tests are about, and rendering it ~100 times costs seconds."""
    from chalicelib.services import submission

    monkeypatch.setattr(submission, "render_form01", lambda registration: b"%PDF-1.4\n% test\n%%EOF\n")


def _forget_cached_secrets() -> None:
    """A Lambda that starts cold reads the service key from Parameter Store: every run does, so that call is
    on the path (and can fail) whatever ran before in this process."""
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()


def _run_path(world: World, path: Path) -> list[str]:
    """Every operation of `path`, throttled and broken; returns what went wrong."""
    # Given the path's calls, recorded on a run without faults
    subject = path.prepare(world)
    path.ready(world, subject)
    _forget_cached_secrets()
    with aws_calls() as recorded:
        reply = path.send(world, subject, "fi-clean-run")
    if reply.status != path.ok:
        return [f"the clean run answered {reply.status}: {reply.body}"]
    if recorded.operations != path.calls:
        return [f"the table lists {sorted(path.calls)}, the path calls {sorted(recorded.operations)}"]
    path.once(world, subject, None)
    last_call = {op: recorded.count(*op) for op in recorded.operations}

    problems: list[str] = []
    for op in sorted(path.calls):
        for kind in KINDS:
            case = (op, kind)
            code, status = _injected(op[0], kind)
            fault = Fault(code, status, from_call=1 if kind == "throttled" else last_call[op])
            subject = path.prepare(world)
            key = f"fi-{world.next()}-{op[1]}-{kind}"
            try:
                # When the operation fails on every attempt
                path.ready(world, subject)
                _forget_cached_secrets()
                with aws_calls({op: fault}) as faulted:
                    first = path.send(world, subject, key)
                assert faulted.failed_attempts.get(op), "the fault was never hit"
                survived = case in path.survives or (path.idempotent and case in path.key_store)
                # Then the client is told to retry, and nothing is left half-done
                if survived:
                    assert first.status == path.ok, (first.status, first.body)
                else:
                    _assert_retryable(first)
                    path.whole(world, subject)
                # And its retry (same key) finishes the job, once
                if path.idempotent or not survived:
                    path.ready(world, subject)
                    retry = path.send(world, subject, key)
                    if path.idempotent and case in path.key_store:
                        # Answered but not remembered: the same key stays in progress for a while.
                        assert retry.status == 409 and retry.body["error"]["code"] == "REQUEST_IN_PROGRESS", (
                            retry.status, retry.body)
                        assert retry.headers["Retry-After"]
                    else:
                        assert retry.status == path.ok, (retry.status, retry.body)
                path.once(world, subject, case)
            except (AssertionError, PynamoDBException) as failure:
                if case not in path.known_defects:
                    problems.append(f"{op[0]} {op[1]} {kind} ({code}): {failure}")
            else:
                if case in path.known_defects:
                    problems.append(f"{op[0]} {op[1]} {kind}: passes now; drop it from known_defects")
    return problems


def test_every_aws_call_on_every_path_fails_retryably_and_the_retry_finishes_once(client, fast_pdf, settings_env):
    # One backend for every path (each case uses its own person or record): a backend per path costs seconds.
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    world = World(client)
    world.signed_in_staff()
    problems = [f"{name}: {problem}" for name, path in PATHS.items() for problem in _run_path(world, path)]
    assert not problems, "\n".join(problems)


def _token_message(citizen: Citizen) -> str:
    import os
    import time

    sqs, url = get_client("sqs"), os.environ["REGISTRATION_TOKEN_QUEUE_URL"]
    end = time.monotonic() + 30  # moto's Step Functions thread can lag on a loaded 2-core runner
    while time.monotonic() < end:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if citizen.registration_id in message["Body"]:
                return message["Body"]
    raise AssertionError("no token message")


def _sqs_event(body: str) -> dict[str, Any]:
    return {"Records": [{
        "messageId": "0f5c3a6e-0000-4000-8000-000000000001", "receiptHandle": "handle", "body": body,
        "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
        "eventSource": "aws:sqs", "awsRegion": "ap-southeast-1",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:vssid-registration-tokens"}]}


def test_the_token_consumer_fails_the_batch_when_dynamodb_fails_so_sqs_delivers_it_again(client, fast_pdf):
    from app import record_workflow_token

    world = World(client)
    citizen = _registered(world)
    assert citizen.submit().status == 200
    event = _sqs_event(_token_message(citizen))
    token = json.loads(event["Records"][0]["body"])["taskToken"]

    for op in ((DDB, "UpdateItem"), (DDB, "GetItem")):  # writing the token; reading the status after it
        for kind in KINDS:
            # When DynamoDB fails under the consumer (the Lambda SQS trigger, batch size 1)
            code, status = _injected(op[0], kind)
            with aws_calls({op: Fault(code, status)}) as faulted, pytest.raises(Exception) as raised:
                record_workflow_token(event, None)
            # Then the invocation fails, so SQS makes the message visible again instead of deleting it
            assert faulted.failed_attempts.get(op) and not isinstance(raised.value, AssertionError)

    # And the redelivery records the token, and the workflow waits for staff as usual
    record_workflow_token(event, None)
    assert _registration(citizen.registration_id).task_token == token
    assert world.signed_in_staff().approve(citizen.registration_id).status == 200
    _workflow_ended(citizen)
