"""The whole lifecycle as a Hypothesis state machine, over the real HTTP API and in-process moto.

A few citizens share two or three social-insurance numbers, so registrations collide. Hypothesis
interleaves: create, upload, submit, correct, approve, reject, a window that runs out (the real
workflow timer, one second long), the clock moving on by hours or days, sign-in with captcha, the
forced first password change, later changes, and moving the account to another device with an SMS
code. A plain-Python model predicts every answer; after every step the real stores are checked:

- at most one account per number (and exactly the one the model expects), one claim holder;
- every registration's stored status only moves along `TRANSITIONS`, and equals the model's;
- exactly one SMS per decision, per submission, per code and per device move — nothing lost, nothing twice;
- every registration created is still there, and no other registration exists for these numbers;
- the audit trail is a chain of legal moves, one SUBMIT per attempt, one event per staff decision.

Examples share one moto backend (a fresh one costs seconds); each example uses numbers and phones of
its own and ends its workflow executions, so examples cannot see each other.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.domain.registration_status import TRANSITIONS, RegistrationStatus, holds_claim
from chalicelib.models.account import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.registration import Registration, RegistrationClaim
from local.outbox import messages_for
from tests.support.api import VALID_FORM, Reply, call, ready_to_create, upload
from tests.support.citizens import CAPTCHA
from tests.support.images import photo
from tests.support.log_scan import remember
from tests.support.people import Staff
from tests.support.workflow import deliver_tokens, end_all_executions, wait_for_execution

MAX_EXAMPLES = 6
STEPS = 50
NUMBERS = 3  # social-insurance numbers per example; more people than numbers, so registrations collide
DRAFT, AWAITING, APPROVED, REJECTED, EXPIRED = (s.value for s in RegistrationStatus)
DECIDED_ACTION = {APPROVED: "APPROVE", REJECTED: "REJECT"}
SMS_KINDS = {"Da nhan to khai": "submitted", "Mat khau khoi tao": "approved", "chua duoc duyet": "rejected",
             "da qua han": "expired", "Nhac lich": "reminder", "Ma xac thuc": "code", "vua dang nhap tren": "moved"}
VIETNAM = clock.VIETNAM_TZ
RUNS = Counter[str]()  # examples, steps and rules run, printed at the end


@dataclass
class Reg:
    registration_id: str
    access_key: str
    number: str
    phone: str
    draft_expires: datetime
    status: str = DRAFT
    attempt: int = 0
    uploads: dict[str, Any] = field(default_factory=dict)
    uploaded: bool = False
    deadline: datetime | None = None
    decided_by: str | None = None
    decisions: int = 0
    stored_status: str = DRAFT  # the last status seen in DynamoDB
    status_changed: datetime | None = None  # the queue's order


@dataclass
class Account_:  # noqa: N801 - the model's account, beside the pynamodb model of the same name
    number: str
    registration_id: str
    phone: str
    password: str
    password_set_at: datetime
    initial_expires: datetime | None
    change_flag: bool = True
    initial_used: bool = False
    device: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)  # device → a live token
    replaced: list[str] = field(default_factory=list)  # tokens ended by a device move
    challenge: dict[str, Any] | None = None


@functools.cache
def _photo(seed: int) -> bytes:
    return photo("JPEG", seed=seed)


def _deadline(submitted: datetime) -> datetime:
    """23:59:59 Vietnam time on the 10th day after the day of submission, worked out here independently."""
    day = submitted.astimezone(VIETNAM).date() + timedelta(days=10)
    return datetime.combine(day, time(23, 59, 59), tzinfo=VIETNAM)


def _error(reply: Reply) -> tuple[int, str | None]:
    return reply.status, (reply.body or {}).get("error", {}).get("code")


class Lifecycle(RuleBasedStateMachine):
    api: Any = None
    staff: list[Staff] = []
    example_no = itertools.count()
    registrations = Bundle("registrations")

    def __init__(self) -> None:
        super().__init__()
        self.example = next(self.example_no)
        RUNS["examples"] += 1
        # Each example lives far from the last, so staff codes and sessions never repeat across examples.
        self.now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC) + timedelta(days=1000 * self.example)
        clock.set_clock(lambda: self.now)
        self.numbers = [f"08{self.example:03d}{i:05d}" for i in range(NUMBERS)]
        self.regs: dict[str, Reg] = {}
        self.accounts: dict[str, Account_] = {}
        self.holder: dict[str, str] = {}  # number → registration id holding its claim
        self.sms: dict[str, Counter[str]] = {}  # phone → SMS expected, by kind
        self.codes: Counter[tuple[str, str]] = Counter()  # (number, day or hour) → codes sent
        # The daily SMS budget: (phone, day) → SMS paid for (codes, and every submission's notices), and
        # (registration, day) → notices one registration paid for.
        self.phone_sms: Counter[tuple[str, str]] = Counter()
        self.registration_sms: Counter[tuple[str, str]] = Counter()
        self.staff_signed_in_at: dict[int, datetime] = {}
        self.lapses = 0
        self.passwords = itertools.count()
        self.touched: set[str] = set()  # registrations the current step sent a request about

    def teardown(self) -> None:
        try:
            for reg_id in self.regs:
                self._check_audit(reg_id)
        finally:
            end_all_executions()
            clock.set_clock(None)

    # ---- helpers ----------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        reply = call(self.api, method, path, body, headers)
        RUNS[f"HTTP {reply.status}"] += 1
        return reply

    def _tick(self, seconds: float = 1) -> None:
        """Every step happens a moment after the last, so audit events keep their order."""
        self.now += timedelta(seconds=seconds)

    def _staff(self, index: int) -> Staff:
        member = self.staff[index]
        signed_in_at = self.staff_signed_in_at.get(index)
        # Sessions last 8 hours; a TOTP code works once, so sign in again only when the session has ended.
        if signed_in_at is None or self.now - signed_in_at > timedelta(hours=7):
            assert member.login().status == 200
            self.staff_signed_in_at[index] = self.now
        return member

    def _draft_hold(self) -> datetime:
        """Until when a draft created or corrected now holds its number (a few hours)."""
        return self.now + timedelta(seconds=get_settings().draft_hold_seconds)

    def _holds(self, registration_id: str) -> bool:
        reg = self.regs[registration_id]
        stale = reg.status == DRAFT and int(reg.draft_expires.timestamp()) < int(self.now.timestamp())
        return holds_claim(RegistrationStatus(reg.status)) and not stale

    def _claim_conflict(self, reg_id: str | None, number: str) -> str | None:
        if number in self.accounts:
            return "ACCOUNT_EXISTS"
        holder = self.holder.get(number)
        if holder is not None and holder != reg_id and self._holds(holder):
            return "REGISTRATION_EXISTS"
        return None

    def _expect_sms(self, phone: str, kind: str) -> None:
        self.sms.setdefault(phone, Counter())[kind] += 1

    def _form(self, reg_or_number: Reg | str, phone: str, address: str = VALID_FORM["address"]) -> dict[str, Any]:
        number = reg_or_number if isinstance(reg_or_number, str) else reg_or_number.number
        form = {**VALID_FORM, "social_insurance_number": number, "phone": phone, "address": address}
        del form["email"]  # SMS are what this test counts
        return form

    def _change_required(self, account: Account_) -> bool:
        return account.change_flag or self.now - account.password_set_at > timedelta(days=180)

    def _submit(self, reg: Reg) -> Reply:
        return self._call("POST", f"/v1/registrations/{reg.registration_id}/submit", {"commitment_accepted": True},
                    {"X-Registration-Key": reg.access_key})

    def _day(self) -> str:
        return self.now.astimezone(VIETNAM).date().isoformat()

    def _expected_submit(self, reg: Reg, notices: int = 4) -> tuple[int, str | None]:
        """`notices`: the SMS a new window sends (submitted, two reminders, expiry), paid before it opens."""
        if reg.status == AWAITING:
            return 200, None  # a retry finishes what is left and changes nothing
        if reg.status == APPROVED:
            return 409, "INVALID_STATE"
        if not reg.uploaded:
            return 422, "DOCUMENTS_MISSING"
        conflict = self._claim_conflict(reg.registration_id, reg.number)
        if conflict:
            return 409, conflict
        for _ in range(notices):  # one at a time: the registration's daily count, then the phone's
            if self.registration_sms[(reg.registration_id, self._day())] >= 10:
                return 429, "SMS_LIMIT_REACHED"
            self.registration_sms[(reg.registration_id, self._day())] += 1
            if self.phone_sms[(reg.phone, self._day())] >= 10:
                return 429, "SMS_LIMIT_REACHED"
            self.phone_sms[(reg.phone, self._day())] += 1
        return 200, None

    def _submitted(self, reg: Reg, reply: Reply) -> None:
        """The model after a submit that opened a new window."""
        reg.status, reg.attempt, reg.decided_by, reg.status_changed = AWAITING, reg.attempt + 1, None, self.now
        self.holder[reg.number] = reg.registration_id
        self._expect_sms(reg.phone, "submitted")
        assert reply.body["attempt"] == reg.attempt
        assert deliver_tokens() == ["recorded"]

    # ---- registration -----------------------------------------------------------------------------

    @rule(target=registrations, person=st.integers(0, NUMBERS), with_images=st.booleans())
    def create(self, person: int, with_images: bool) -> Any:
        self._tick()
        number = self.numbers[person % NUMBERS]  # NUMBERS + 1 people: two of them share a number
        phone = f"0905{self.example:03d}{len(self.regs):03d}"
        conflict = self._claim_conflict(None, number)
        reply = self._call("POST", "/v1/registrations", ready_to_create(self._form(number, phone)))
        if conflict:
            assert _error(reply) == (409, conflict), reply.body
            return multiple()
        assert reply.status == 201, reply.body
        reg_id = reply.body["registration_id"]
        assert reg_id not in self.regs
        remember(reply.body["access_key"])  # for the suite-wide log scan
        self.touched.add(reg_id)
        self.regs[reg_id] = Reg(reg_id, reply.body["access_key"], number, phone,
                                draft_expires=self._draft_hold(), uploads=reply.body["uploads"])
        self.holder[number] = reg_id
        if with_images:
            self.upload_images(reg_id)
        return reg_id

    @rule(reg_id=registrations)
    def upload_images(self, reg_id: str) -> None:
        reg = self.regs[reg_id]
        self._tick()
        for seed, kind in enumerate(("id_front", "id_back", "portrait")):
            assert upload(reg.uploads[kind], _photo(seed)) in (200, 201, 204)
        reg.uploaded = True

    @rule(reg_id=registrations)
    def submit(self, reg_id: str) -> None:
        reg = self.regs[reg_id]
        self.touched.add(reg_id)
        self._tick()
        expected = self._expected_submit(reg)
        retry = reg.status == AWAITING
        reply = self._submit(reg)
        assert _error(reply) == expected, (reply.body, reg)
        if reply.status == 200 and not retry:
            self._submitted(reg, reply)
            reg.deadline = _deadline(self.now)
            assert reply.body["deadline_at"] == clock.iso(reg.deadline)

    @precondition(lambda self: self.lapses < 1)  # each costs two seconds of real time
    @rule(reg_id=registrations)
    def submit_and_let_the_window_run_out(self, reg_id: str) -> None:
        """Submitted with a one-second window that nobody acts in: the workflow's real timer expires it."""
        reg = self.regs[reg_id]
        self.touched.add(reg_id)
        self._tick()
        if reg.status == AWAITING:
            return  # its window is the ten-day one already running
        expected = self._expected_submit(reg, notices=2)  # a one-second window has no room for reminders
        os.environ["VSSID_DEADLINE_SECONDS"] = "1"
        get_settings.cache_clear()
        try:
            reply = self._submit(reg)
        finally:
            del os.environ["VSSID_DEADLINE_SECONDS"]
            get_settings.cache_clear()
        assert _error(reply) == expected, (reply.body, reg)
        if reply.status != 200:
            return
        self.lapses += 1
        RUNS["windows run out"] += 1
        self._submitted(reg, reply)
        self._observe(reg)  # AWAITING for a moment, on the way to EXPIRED
        assert wait_for_execution(f"{reg_id}-{reg.attempt}")["status"] == "SUCCEEDED"
        reg.status, reg.deadline = EXPIRED, self.now + timedelta(seconds=1)
        self._expect_sms(reg.phone, "expired")

    @rule(reg_id=registrations)
    def correct(self, reg_id: str) -> None:
        reg = self.regs[reg_id]
        self.touched.add(reg_id)
        self._tick()
        address = f"Số {len(self.regs) + self.example} phố Hàng Bài, phường Hoàn Kiếm, Hà Nội"
        reply = self._call("PUT", f"/v1/registrations/{reg_id}", self._form(reg, reg.phone, address),
                     {"X-Registration-Key": reg.access_key})
        if reg.status in (DRAFT, REJECTED, EXPIRED):
            assert reply.status == 200, reply.body
            reg.draft_expires = self._draft_hold()  # a touched draft holds its number again
            reg.uploads = reply.body["uploads"]
        else:
            assert _error(reply) == (409, "INVALID_STATE"), reply.body

    # ---- staff decisions --------------------------------------------------------------------------

    def _expected_decision(self, reg: Reg, staff: Staff, to_status: str) -> tuple[int, str | None]:
        if reg.status == to_status and reg.decided_by == staff.username:
            return 200, None  # the same staff member's retry: the first answer again, nothing sent twice
        if reg.status in (APPROVED, REJECTED):
            return 409, "ALREADY_DECIDED"
        if reg.status == EXPIRED:
            return 410, "DEADLINE_PASSED"
        if reg.status == DRAFT:
            return 409, "INVALID_STATE"
        if int(self.now.timestamp()) >= int(reg.deadline.timestamp()):
            return 410, "DEADLINE_PASSED"  # the window ended; its timer has not fired yet
        return 200, None

    def _decide(self, reg_id: str, staff_index: int, to_status: str) -> None:
        reg = self.regs[reg_id]
        self.touched.add(reg_id)
        self._tick()
        staff = self._staff(staff_index)
        expected = self._expected_decision(reg, staff, to_status)
        first_time = reg.status == AWAITING
        reply = staff.approve(reg_id) if to_status == APPROVED else staff.reject(reg_id, "Ảnh CCCD bị mờ")
        RUNS[f"HTTP {reply.status}"] += 1
        assert _error(reply) == expected, (reply.body, reg)
        if reply.status != 200 or not first_time:
            return
        RUNS[to_status.lower()] += 1
        reg.status, reg.decided_by, reg.decisions = to_status, staff.username, reg.decisions + 1
        self._expect_sms(reg.phone, to_status.lower())
        if to_status == APPROVED:
            assert reply.body["username"] == reg.number
            text = [m["body"] for m in messages_for(reg.phone) if "Mat khau khoi tao" in m["body"]][-1]
            self.accounts[reg.number] = Account_(
                reg.number, reg_id, reg.phone, password=text.split("Mat khau khoi tao: ")[1].split(" ")[0],
                password_set_at=self.now, initial_expires=self.now + timedelta(days=7))

    def _submitted_one(self, data: st.DataObject) -> str:
        """A registration staff can see: one that was submitted at least once, whatever its status now."""
        # In the order created (ids are random), so a derandomized run draws the same one every time.
        return data.draw(st.sampled_from([r.registration_id for r in self.regs.values() if r.attempt]),
                         label="registration")

    @precondition(lambda self: any(r.attempt for r in self.regs.values()))
    @rule(data=st.data(), staff=st.integers(0, 1))
    def approve(self, data: st.DataObject, staff: int) -> None:
        self._decide(self._submitted_one(data), staff, APPROVED)

    @precondition(lambda self: any(r.attempt for r in self.regs.values()))
    @rule(data=st.data(), staff=st.integers(0, 1))
    def reject(self, data: st.DataObject, staff: int) -> None:
        self._decide(self._submitted_one(data), staff, REJECTED)

    @precondition(lambda self: any(r.status == AWAITING for r in self.regs.values()))
    @rule(staff=st.integers(0, 1), approve=st.sampled_from([True, True, False]))
    def staff_work_the_queue(self, staff: int, approve: bool) -> None:
        """Staff open their queue (every registration awaiting, oldest first) and decide the first of ours
        whose window is still open, or else the first."""
        self._tick()
        member = self._staff(staff)
        reply = self._call("GET", "/v1/admin/registrations?status=AWAITING_VERIFICATION&limit=100",
                           headers=member.auth)
        assert reply.status == 200 and reply.body["next_token"] is None, reply.body
        ours = [item["registration_id"] for item in reply.body["items"] if item["registration_id"] in self.regs]
        waiting = sorted((r for r in self.regs.values() if r.status == AWAITING), key=lambda r: r.status_changed)
        assert ours == [r.registration_id for r in waiting]
        in_time = [r.registration_id for r in waiting if self.now < r.deadline]
        self._decide((in_time or ours)[0], staff, APPROVED if approve else REJECTED)

    @rule(reg_id=registrations, staff=st.integers(0, 1))
    def decide_a_draft(self, reg_id: str, staff: int) -> None:
        """Staff given an id that was never submitted (or is in any other state): the same rules apply."""
        self._decide(reg_id, staff, APPROVED if staff else REJECTED)

    @precondition(lambda self: self.regs)
    @rule(delta=st.sampled_from([timedelta(hours=1), timedelta(days=1), timedelta(hours=2), timedelta(days=8),
                                 timedelta(hours=3), timedelta(days=31)]))
    def time_passes(self, delta: timedelta) -> None:
        """Sessions (30 idle minutes) and device challenges (15 minutes) end; windows and drafts run on.
        A window that ends here stays AWAITING (its real timer is days away) and refuses decisions."""
        self._tick(delta.total_seconds())
        for account in self.accounts.values():
            account.tokens.clear()
            account.replaced.clear()
            account.challenge = None

    # ---- citizen sign-in ---------------------------------------------------------------------------

    def _account(self, data: st.DataObject, wanted: Any = bool) -> Account_:
        """One of the accounts that `wanted` accepts (the rule's precondition made sure there is one)."""
        numbers = sorted(number for number, account in self.accounts.items() if wanted(account))
        return self.accounts[data.draw(st.sampled_from(numbers), label="account")]

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), device=st.sampled_from(["device-A", "device-B"]))
    def login(self, data: st.DataObject, device: str) -> None:
        self._login(self._account(data), device)

    def _login(self, account: Account_, device: str) -> None:
        self._tick()
        captcha = self._call("GET", "/v1/auth/captcha")
        assert captcha.status == 200
        reply = self._call("POST", "/v1/auth/login", {
            "username": account.number, "password": account.password, "captcha_id": captcha.body["captcha_id"],
            "captcha_answer": CAPTCHA, "device_id": device, "device_name": device})
        on_initial = account.change_flag and account.initial_expires is not None
        if on_initial and (account.initial_used or account.initial_expires <= self.now):
            assert _error(reply) == (401, "INITIAL_PASSWORD_EXPIRED"), reply.body
            return
        account.initial_used = account.initial_used or on_initial
        account.device = account.device or device
        if account.device != device:
            assert _error(reply) == (409, "DEVICE_CONFLICT"), reply.body
            account.challenge = {"id": reply.body["error"]["challenge_id"], "device": device, "sent_at": None}
            return
        assert reply.status == 200, reply.body
        assert reply.body["password_change_required"] is self._change_required(account)
        account.tokens[device] = reply.body["access_token"]
        remember(reply.body["access_token"])
        RUNS["logins"] += 1

    @precondition(lambda self: any(a.challenge for a in self.accounts.values()))
    @rule(data=st.data())
    def send_device_code(self, data: st.DataObject) -> None:
        self._send_code(self._account(data, lambda a: a.challenge))

    def _send_code(self, account: Account_) -> None:
        self._tick()
        challenge = account.challenge
        reply = self._call("POST", f"/v1/auth/device-challenges/{challenge['id']}/otp", {})
        hour = self.now.replace(minute=0, second=0, microsecond=0).isoformat()
        day = self.now.astimezone(VIETNAM).date().isoformat()
        if challenge["sent_at"] and self.now - challenge["sent_at"] < timedelta(seconds=60):
            assert _error(reply) == (429, "OTP_RESEND_TOO_SOON"), reply.body
            return
        if self.codes[(account.number, hour)] >= 5:
            assert _error(reply) == (429, "SMS_LIMIT_REACHED"), reply.body
            return
        self.codes[(account.number, hour)] += 1
        if self.codes[(account.number, day)] >= 10:
            assert _error(reply) == (429, "SMS_LIMIT_REACHED"), reply.body
            return
        self.codes[(account.number, day)] += 1
        if self.phone_sms[(account.phone, day)] >= 10:  # the phone's budget, shared with the notices
            assert _error(reply) == (429, "SMS_LIMIT_REACHED"), reply.body
            return
        self.phone_sms[(account.phone, day)] += 1
        assert reply.status == 202, reply.body
        challenge["sent_at"] = self.now
        self._expect_sms(account.phone, "code")

    @precondition(lambda self: any(a.challenge and a.challenge["sent_at"] for a in self.accounts.values()))
    @rule(data=st.data())
    def move_device(self, data: st.DataObject) -> None:
        self._move(self._account(data, lambda a: a.challenge and a.challenge["sent_at"]))

    @precondition(lambda self: any(a.device and a.initial_expires is None for a in self.accounts.values()))
    @rule(data=st.data())
    def sign_in_on_another_phone(self, data: st.DataObject) -> None:
        """The three steps in a row: a login on the other device, the code, the move (each one also a rule).
        Only for an account past its initial password, which works on one device only."""
        account = self._account(data, lambda a: a.device and a.initial_expires is None)
        self._login(account, "device-B" if account.device == "device-A" else "device-A")
        if account.challenge:
            self._send_code(account)
        if account.challenge and account.challenge["sent_at"]:
            self._move(account)

    def _move(self, account: Account_) -> None:
        self._tick()
        texts = [m["body"] for m in messages_for(account.phone) if "Ma xac thuc" in m["body"]]
        code = texts[-1].split(" la ")[1][:6]
        reply = self._call("POST", f"/v1/auth/device-challenges/{account.challenge['id']}/verify", {"otp": code})
        assert reply.status == 200, reply.body
        assert reply.body["password_change_required"] is self._change_required(account)
        account.replaced += list(account.tokens.values())
        account.device = account.challenge["device"]
        account.tokens = {account.device: reply.body["access_token"]}
        remember(reply.body["access_token"])
        account.challenge = None
        self._expect_sms(account.phone, "moved")
        RUNS["device moves"] += 1

    @precondition(lambda self: any(a.tokens or a.replaced for a in self.accounts.values()))
    @rule(data=st.data(), replaced=st.booleans())
    def read_profile(self, data: st.DataObject, replaced: bool) -> None:
        account = self._account(data, lambda a: a.tokens or a.replaced)
        tokens = account.replaced[-1:] if replaced else list(account.tokens.values())
        if not tokens:
            return
        self._tick()
        reply = self._call("GET", "/v1/me", headers={"Authorization": f"Bearer {tokens[0]}"})
        if replaced:
            assert _error(reply) == (401, "SESSION_REPLACED"), reply.body
        elif self._change_required(account):
            assert _error(reply) == (403, "PASSWORD_CHANGE_REQUIRED"), reply.body
        else:
            assert reply.status == 200 and reply.body["social_insurance_number"] == account.number, reply.body

    @precondition(lambda self: any(a.tokens for a in self.accounts.values()))
    @rule(data=st.data())
    def change_password(self, data: st.DataObject) -> None:
        account = self._account(data, lambda a: a.tokens)
        self._tick()
        new = f"Mật khẩu mới số {next(self.passwords)} của tôi"
        remember(new)
        token = next(iter(account.tokens.values()))
        reply = self._call("POST", "/v1/auth/password", {"current_password": account.password,
                                                            "new_password": new},
                     {"Authorization": f"Bearer {token}"})
        assert reply.status == 204, reply.body
        account.password, account.password_set_at, account.change_flag = new, self.now, False
        account.initial_expires = None
        RUNS["password changes"] += 1

    # ---- invariants against the real stores --------------------------------------------------------

    def _observe(self, reg: Reg, stored: Registration | None = None) -> None:
        """Note the stored status; it may only have moved along a legal transition since last seen."""
        stored = stored or Registration.get(reg.registration_id, consistent_read=True)
        status = stored.status
        assert status == reg.stored_status or status in TRANSITIONS[RegistrationStatus(reg.stored_status)], \
            f"{reg.registration_id}: {reg.stored_status} → {status}"
        reg.stored_status = status

    @invariant()
    def registrations_are_all_there_and_move_only_along_legal_transitions(self) -> None:
        RUNS["states checked"] += 1
        stored = {r.registration_id: r for r in Registration.scan(Registration.social_insurance_number.is_in(
            *self.numbers), consistent_read=True)}
        assert set(stored) == set(self.regs), "a registration was lost or one appeared that nobody created"
        for reg_id, reg in self.regs.items():
            self._observe(reg, stored[reg_id])
            assert reg.stored_status == reg.status, f"{reg_id}: stored {reg.stored_status}, expected {reg.status}"
            assert int(stored[reg_id].attempt or 0) == reg.attempt

    @invariant()
    def at_most_one_account_per_number_and_one_claim_holder(self) -> None:
        accounts = {a.username: a for a in Account.batch_get(self.numbers, consistent_read=True)}
        claims = {c.social_insurance_number: c.registration_id
                  for c in RegistrationClaim.batch_get(self.numbers, consistent_read=True)}
        for number in self.numbers:
            approved = [r for r in self.regs.values() if r.number == number and r.status == APPROVED]
            assert len(approved) <= 1
            account = accounts.get(number)
            expected = self.accounts.get(number)
            assert (account is None) == (expected is None)
            if account is not None:
                assert account.registration_id == expected.registration_id == approved[0].registration_id
                assert account.device_id == expected.device
            assert claims.get(number) == self.holder.get(number)

    @invariant()
    def every_sms_sent_exactly_once(self) -> None:
        phones = {f"+84{reg.phone[1:]}" for reg in self.regs.values()}
        sent: dict[str, Counter[str]] = {}
        for message in messages_for(None):
            if message["channel"] == "sms" and message["to"] in phones:
                kinds = [kind for marker, kind in SMS_KINDS.items() if marker in message["body"]]
                assert len(kinds) == 1, message["body"]
                sent.setdefault(message["to"], Counter())[kinds[0]] += 1
        expected = {f"+84{phone[1:]}": kinds for phone, kinds in self.sms.items() if kinds}
        assert sent == expected

    @invariant()
    def audit_trail_is_a_chain_of_legal_moves(self) -> None:
        # Only a request naming a registration writes its audit events: read those the last step named
        # (teardown reads them all once more).
        for reg_id in self.touched:
            self._check_audit(reg_id)
        self.touched.clear()

    def _check_audit(self, reg_id: str) -> None:
        reg = self.regs[reg_id]
        events = list(AuditEvent.query(reg_id, consistent_read=True))
        previous = DRAFT
        for event in events:
            source, target = RegistrationStatus(event.from_status), RegistrationStatus(event.to_status)
            assert target in TRANSITIONS[source], (event.action, source, target)
            # Only the workflow's expiry (AWAITING → EXPIRED) changes a status without an audit event.
            assert event.from_status == previous or (previous, event.from_status) == (AWAITING, EXPIRED)
            previous = event.to_status
        actions = Counter(e.action for e in events)
        assert actions["SUBMIT"] == reg.attempt
        assert actions["APPROVE"] + actions["REJECT"] == reg.decisions


@pytest.fixture
def lifecycle(client, settings_env, monkeypatch):
    settings_env(VSSID_LOCAL_CAPTCHA_ANSWER=CAPTCHA)
    # Rendering Form 01 costs a tenth of a second per submission and is not what this test is about
    # (tests/unit/test_form01_pdf.py and the end-to-end tests render it); store a stand-in instead.
    monkeypatch.setattr("chalicelib.services.submission.render_form01", lambda registration: b"%PDF-1.4 stand-in")
    Lifecycle.api = client
    Lifecycle.staff = [Staff.create(client, username=f"canbo.model{i}") for i in range(2)]
    yield Lifecycle
    Lifecycle.api = None


def test_lifecycle_keeps_every_invariant(lifecycle):
    RUNS.clear()
    run_state_machine_as_test(lifecycle, settings=settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, derandomize=True, deadline=None, database=None,
        # Every step is a real request against moto: slow next to Hypothesis' expectations, by design.
        suppress_health_check=[HealthCheck.too_slow]))
    print(f"\nlifecycle state machine: {dict(RUNS)}")
    assert RUNS["examples"] >= MAX_EXAMPLES
