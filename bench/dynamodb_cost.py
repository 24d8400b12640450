"""DynamoDB cost per API operation: requests, by action, and estimated capacity units, over a scripted walk.

    .venv/bin/python bench/dynamodb_cost.py

Walks every API operation once, in-process (Chalice's test client over in-process moto with Step Functions
executing the real ASL): the public look-ups, Form 01 create → correct → uploads → submit → PDF, the SQS
token trigger, staff sign-in → queue → detail → approve / reject, citizen captcha → first login → password
change → records, a device move with its OTP, a password reset, a phone change, logout, feedback and its
answer. A botocore event hook on every DynamoDB client created (the app's own, pynamodb's, Powertools
Idempotency's) records each request and attributes it to the operation being called; requests made on
other threads (moto's Step Functions engine: the workflow's own DynamoDB tasks) are listed apart.

What the rows include since the captcha, register and attempt-budget checks: a Form 01 create spends its
captcha (a read and a conditional DeleteItem) and reads the register's person; the captcha itself is the
`GET /v1/auth/captcha` row (issued by the bench, like the register's row, outside the counted create). Submit
pays for its SMS from the phone's daily budget (an UpdateItem per notice); approval re-reads the register and
the staff detail shows it; sign-ins count attempts against their budgets (UpdateItem, DeleteItem on success);
a password change counts its current password the same way and Queries the account's sessions to end the
others.

Capacity: moto answers ReturnConsumedCapacity with a constant, so the units are COMPUTED from item sizes
(DynamoDB's size rules: attribute names + values), read from moto's tables before and after each request:
  reads  — GetItem / each BatchGetItem item: ceil(size / 4 KB) × (1 strongly consistent, 0.5 eventually);
           Query / Scan: ceil(sum of the sizes of the items read / 4 KB) × the same; TransactGetItems × 2;
  writes — Put / Update / Delete: ceil(max(size before, size after) / 1 KB); BatchWriteItem per item;
           TransactWriteItems: 2 × that per item (a ConditionCheck counted as 2 WCU of the checked item);
           plus one GSI write per index the item is (or was) in, two when the index key changed.
A failed conditional write still costs its WCU. A Query's read of items dropped by a FilterExpression is
estimated from ScannedCount. Any Scan is flagged. The table is also written to bench/results/dynamodb_cost.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import sys
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import CAPTCHA, backend, prepare_environment, write_result  # noqa: E402

prepare_environment()

import botocore.client  # noqa: E402

READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
BACKGROUND = "(workflow engine: the state machine's own DynamoDB tasks)"
MAIN = threading.main_thread()


class Meter:
    """Per-operation request counts and estimated capacity, fed by botocore event hooks."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.order: list[str] = []
        self.requests: dict[str, Counter[str]] = defaultdict(Counter)
        self.rcu: Counter[str] = Counter()
        self.wcu: Counter[str] = Counter()
        self.scans: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def current(self) -> str | None:
        return self.label if threading.current_thread() is MAIN else BACKGROUND

    @contextmanager
    def operation(self, label: str):
        if label not in self.order:
            self.order.append(label)
        self.calls[label] += 1
        self.label = label
        try:
            yield
        finally:
            self.label = None


METER = Meter()


# --- item sizes, read from moto's own tables -------------------------------------------------------------

def _backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"]


def value_size(value: dict[str, Any]) -> int:
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = len(str(v).lstrip("-").replace(".", "").lstrip("0")) or 1
        return 1 + math.ceil(digits / 2)
    if kind == "B":
        return len(v) if isinstance(v, bytes | bytearray) else math.ceil(len(v) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(x) for k, x in v.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def stored_item(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    try:
        item = _backend().get_item(table, key)
    except Exception:  # noqa: BLE001 - no such table or key shape: nothing stored
        return None
    return item.to_json()["Attributes"] if item else None


def _key_of(table: str, item: dict[str, Any]) -> dict[str, Any]:
    names = [k["AttributeName"] for k in _backend().get_table(table).schema]
    return {name: item[name] for name in names if name in item}


def _indexes(table: str) -> list[tuple[list[str], str]]:
    try:
        indexes = _backend().get_table(table).global_indexes
    except Exception:  # noqa: BLE001
        return []
    return [([k["AttributeName"] for k in ix.schema], (ix.projection or {}).get("ProjectionType", "ALL"))
            for ix in indexes]


def write_units(table: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> float:
    """WCU of one item write: the table's, plus each GSI's."""
    size = max(item_size(before), item_size(after))
    units = float(max(1, math.ceil(size / 1024)))
    for keys, _projection in _indexes(table):
        was = before is not None and all(k in before for k in keys)
        now = after is not None and all(k in after for k in keys)
        if not (was or now):
            continue
        moved = was and now and any(before[k] != after[k] for k in keys)
        projected = item_size(after if now else before)
        units += (2 if moved else 1) * max(1, math.ceil(projected / 1024))
    return units


def read_units(total_bytes: int, consistent: bool) -> float:
    return max(1, math.ceil(total_bytes / 4096)) * (1.0 if consistent else 0.5)


# --- the hooks -----------------------------------------------------------------------------------------

def _record_before(params: dict[str, Any], model: Any, context: dict[str, Any]) -> None:
    """Before the request: remember the parameters and the images of the items it will write."""
    action = model.name
    if action not in WRITES:
        context["vssid_bench"] = (action, params, None)
        return
    befores: list[tuple[str, dict[str, Any], dict[str, Any] | None, int]] = []
    if action in ("PutItem", "UpdateItem", "DeleteItem"):
        key = params.get("Key") or _key_of(params["TableName"], params["Item"])
        befores.append((params["TableName"], key, stored_item(params["TableName"], key), 1))
    elif action == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for request in requests:
                key = request["DeleteRequest"]["Key"] if "DeleteRequest" in request else \
                    _key_of(table, request["PutRequest"]["Item"])
                befores.append((table, key, stored_item(table, key), 1))
    else:  # TransactWriteItems
        for entry in params["TransactItems"]:
            (kind, body), = entry.items()
            key = body.get("Key") or _key_of(body["TableName"], body["Item"])
            befores.append((body["TableName"], key, stored_item(body["TableName"], key),
                            0 if kind == "ConditionCheck" else 2))
    context["vssid_bench"] = (action, params, befores)


def _after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    label = METER.current()
    action, params, befores = context.pop("vssid_bench", (model.name, {}, None))
    if label is None:
        return
    METER.requests[label][action] += 1
    consistent = bool(params.get("ConsistentRead"))
    if action == "GetItem":
        METER.rcu[label] += read_units(item_size(parsed.get("Item")), consistent)
    elif action == "BatchGetItem":
        for table, items in parsed.get("Responses", {}).items():
            strong = bool(params["RequestItems"].get(table, {}).get("ConsistentRead"))
            METER.rcu[label] += sum(read_units(item_size(i), strong) for i in items) or 0.5
    elif action in ("Query", "Scan"):
        items = parsed.get("Items", [])
        size = sum(item_size(i) for i in items)
        scanned, count = parsed.get("ScannedCount", len(items)), parsed.get("Count", len(items))
        if scanned > count and items:
            size += (scanned - count) * size // len(items)
        METER.rcu[label] += read_units(size, consistent)
        if action == "Scan":
            METER.scans[label] += 1
    elif action == "TransactGetItems":
        METER.rcu[label] += sum(2 * read_units(item_size(r.get("Item")), True)
                                for r in parsed.get("Responses", [])) or 2.0
    elif action in WRITES:
        for table, key, before, factor in befores or []:
            after = stored_item(table, key)
            if factor == 0:  # ConditionCheck: a transactional read-for-write of the checked item
                METER.wcu[label] += 2 * max(1, math.ceil(item_size(before) / 1024))
            else:
                METER.wcu[label] += factor * write_units(table, before, after)


def _failed(model: Any, context: dict[str, Any], exception: Exception | None = None, **_: Any) -> None:
    """A request that raised (e.g. ConditionalCheckFailed): count it; a refused write still costs 1 WCU."""
    if exception is None or "vssid_bench" not in context:
        return
    label = METER.current()
    action, _params, befores = context.pop("vssid_bench")
    if label is None:
        return
    METER.requests[label][action] += 1
    METER.requests[label]["(failed)"] += 1
    if action in WRITES:
        METER.wcu[label] += sum(max(1, math.ceil(item_size(b) / 1024)) * max(f, 1) for _, _, b, f in befores or [])
    else:
        METER.rcu[label] += 0.5


def install_hooks() -> None:
    """Every DynamoDB client created from now on gets the hooks (pynamodb and Powertools make their own)."""
    create = botocore.client.ClientCreator.create_client

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = create(self, service_name, *args, **kwargs)
        if service_name == "dynamodb":
            events = client.meta.events
            events.register("before-call.dynamodb", _before, unique_id="vssid-bench-before")
            events.register("after-call.dynamodb", _after, unique_id="vssid-bench-after")
            events.register("after-call-error.dynamodb", _failed, unique_id="vssid-bench-error")
        return client

    botocore.client.ClientCreator.create_client = create_client


def _before_call_params(request_dict: dict[str, Any]) -> dict[str, Any]:
    body = request_dict.get("body") or b"{}"
    return json.loads(body.decode() if isinstance(body, bytes) else body)


def _before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    """before-call gives the serialised request; its JSON body holds the API parameters."""
    _record_before(_before_call_params(params), model, context)


# --- the walk ------------------------------------------------------------------------------------------

def walk() -> None:
    from chalice.test import Client

    from app import app
    from chalicelib.services.directory_loader import load_reference_directory
    from chalicelib.services.record_loader import load_rows, read_file
    from local.demo_records import DEMO_RECORDS, load_demo_records
    from local.outbox import messages_for
    from local.seed import DATA, DEMO_CITIZEN_PASSWORD, DEMO_CITIZENS, seed_citizens
    from tests.support.api import call, ready_to_create
    from tests.support.citizens import Phone, last_code
    from tests.support.people import Citizen, Staff
    from tests.support.workflow import deliver_tokens

    op = METER.operation
    load_reference_directory(DATA)
    seed_citizens()
    load_demo_records()
    load_rows("participant", read_file(DEMO_RECORDS / "participant.jsonl"))
    demo = DEMO_CITIZENS[0]

    with Client(app, stage_name="local") as client:
        def get(label: str, path: str, headers: dict[str, str] | None = None) -> Any:
            with op(label):
                reply = call(client, "GET", path, headers=headers)
            assert reply.status < 400, (label, reply.status, reply.body)
            return reply

        def post(label: str, path: str, body: Any, headers: dict[str, str] | None = None,
                 expect: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
            with op(label):
                reply = call(client, "POST", path, body, headers)
            assert reply.status in expect, (label, reply.status, reply.body)
            return reply

        # public look-ups
        get("GET /v1/provinces", "/v1/provinces")
        get("GET /v1/offices?province_code", "/v1/offices?province_code=01")
        get("GET /v1/offices?q", "/v1/offices?q=hoan%20kiem")
        get("GET /v1/offices/nearby", "/v1/offices/nearby?lat=21.0285&lon=105.8542&radius_km=10")
        get("GET /v1/facilities?type&province", "/v1/facilities?type=SICK_LEAVE&province_code=01")
        get("GET /v1/facilities?q", "/v1/facilities?q=bach%20mai")
        get("GET /v1/employers?q", "/v1/employers?q=cong%20ty")
        get("GET /v1/collection-points", "/v1/collection-points?province_code=01")
        news = get("GET /v1/news", "/v1/news").body["items"]
        get("GET /v1/news/{id}", f"/v1/news/{news[0]['id'] if 'id' in news[0] else news[0]['news_id']}")
        get("GET /v1/support", "/v1/support")
        get("GET /v1/faq?q", "/v1/faq?q=dang%20ky%20giao%20dich%20dien%20tu")
        post("POST /v1/support/chat", "/v1/support/chat", {"message": "Làm sao để đăng ký tài khoản VssID?"})
        get("GET /v1/openapi.json", "/v1/openapi.json")
        with op("GET /v1/auth/captcha"):
            captcha = call(client, "GET", "/v1/auth/captcha").body["captcha_id"]
        post("POST /v1/lookup/social-insurance-number", "/v1/lookup/social-insurance-number", {
            "full_name": demo["full_name"], "date_of_birth": demo["date_of_birth"], "province_code": "01",
            "id_number": demo["id_number"], "captcha_id": captcha, "captcha_answer": CAPTCHA})
        feedback = post("POST /v1/feedback", "/v1/feedback", {
            "category": "APP", "message": "Đề nghị bổ sung hướng dẫn đăng ký trên ứng dụng.",
            "contact": {"name": "Nguyễn Văn Bình", "phone": "0912345678"}, "office_code": "HN-HK"}).body
        feedback_id = feedback["feedback_id"]
        get("GET /v1/feedback/{id}", f"/v1/feedback/{feedback_id}")

        # registration
        # The captcha and the register's row are set up by the bench, outside the operations counted.
        citizen = Citizen(client)
        body = ready_to_create(citizen.form)
        with op("POST /v1/registrations (create)"):
            created = call(client, "POST", "/v1/registrations", body)
            assert created.status == 201, created.body
        citizen.registration_id, citizen.access_key = created.body["registration_id"], created.body["access_key"]
        citizen.uploads, citizen.in_register = created.body["uploads"], False  # the register already has them
        keyed = ready_to_create({**citizen.form, "social_insurance_number": "0123456781", "id_number": "001190123458"})
        with op("POST /v1/registrations (create, Idempotency-Key)"):
            reply = call(client, "POST", "/v1/registrations", keyed, {"Idempotency-Key": "bench-create-0001"})
            assert reply.status == 201, reply.body
        with op("GET /v1/registrations/{id}"):
            assert citizen.status().status == 200
        with op("PUT /v1/registrations/{id} (correct)"):
            assert citizen.correct(address="Số 14 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội").status == 200
        post("POST /v1/registrations/{id}/uploads", f"/v1/registrations/{citizen.registration_id}/uploads",
             {"content_types": {"portrait": "image/png"}}, citizen.key_header)
        citizen.correct()  # fresh JPEG uploads (not counted: the same operation as above)
        citizen.upload_all()
        with op("POST /v1/registrations/{id}/submit"):
            assert citizen.submit().status == 200
        with op("SQS trigger: record the workflow's task token"):
            assert deliver_tokens() == ["recorded"]
        get("GET /v1/registrations/{id}/form01 (PDF)", f"/v1/registrations/{citizen.registration_id}/form01",
            {**citizen.key_header, "Accept": "application/pdf"})

        second = Citizen(client).submitted(social_insurance_number="0123456780", id_number="001190123457",
                                           phone="0901234568")

        # staff
        staff = Staff.create(client)
        with op("POST /v1/admin/auth/login"):
            assert staff.login().status == 200
        with op("GET /v1/admin/registrations (queue)"):
            assert staff.queue().status == 200
        with op("GET /v1/admin/registrations/{id}"):
            assert staff.open(citizen.registration_id).status == 200
        with op("POST /v1/admin/registrations/{id}/approve"):
            assert staff.approve(citizen.registration_id).status == 200
        with op("POST /v1/admin/registrations/{id}/reject"):
            assert staff.reject(second.registration_id).status == 200
        get("GET /v1/admin/feedback (queue)", "/v1/admin/feedback?status=OPEN", staff.auth)
        post("POST /v1/admin/feedback/{id}/answer", f"/v1/admin/feedback/{feedback_id}/answer",
             {"answer": "Cảm ơn ông/bà, hướng dẫn đã được bổ sung."}, staff.auth)

        # the approved citizen signs in for the first time and changes the password
        sms = [m["body"] for m in messages_for("+84901234567") if "Mat khau khoi tao" in m["body"]][-1]
        initial = re.search(r"Mat khau khoi tao: (\S+)", sms).group(1)
        phone = Phone(client, device_id="device-A")
        with op("GET /v1/auth/captcha"):
            captcha_id = phone.captcha()
        with op("POST /v1/auth/login"):
            reply = call(client, "POST", "/v1/auth/login", {
                "username": "0123456789", "password": initial, "captcha_id": captcha_id,
                "captcha_answer": CAPTCHA, "device_id": "device-A", "device_name": "iPhone"})
            assert reply.status == 200, reply.body
        phone.token = reply.body["access_token"]
        new_password = "Hoa sen nở giữa hồ 2026"
        with op("POST /v1/auth/password (change)"):
            assert phone.change_password(initial, new_password).status == 204

        # a demo citizen with records reads them
        reader = Phone(client, device_id="device-R")
        assert reader.login(demo["username"], DEMO_CITIZEN_PASSWORD, CAPTCHA).status == 200
        for label, path in (("GET /v1/me", "/v1/me"), ("GET /v1/me/health-card", "/v1/me/health-card"),
                            ("GET /v1/me/contributions", "/v1/me/contributions?scheme=BHXH"),
                            ("GET /v1/me/benefits", "/v1/me/benefits"),
                            ("GET /v1/me/medical-visits", "/v1/me/medical-visits?year=2025"),
                            ("GET /v1/me/access-log", "/v1/me/access-log")):
            get(label, path, reader.auth)

        # device move: another phone, the OTP, verify
        other = Phone(client, device_id="device-B")
        with op("POST /v1/auth/login (other device → 409)"):
            conflict = other.login("0123456789", new_password, CAPTCHA)
        assert conflict.status == 409, conflict.body
        challenge = conflict.body["error"]["challenge_id"]
        post("POST /v1/auth/device-challenges/{id}/otp", f"/v1/auth/device-challenges/{challenge}/otp", {})
        verified = post("POST /v1/auth/device-challenges/{id}/verify",
                        f"/v1/auth/device-challenges/{challenge}/verify", {"otp": last_code()})
        other.token = verified.body["access_token"]
        with op("GET /v1/me (replaced device → 401)"):
            old = call(client, "GET", "/v1/me", headers=phone.auth)
        assert old.status == 401

        # phone change
        started = post("POST /v1/me/phone", "/v1/me/phone", {"current_password": new_password,
                                                             "new_phone": "0911111111"}, other.auth).body
        post("POST /v1/me/phone/{id}/verify", f"/v1/me/phone/{started['challenge_id']}/verify",
             {"otp": last_code("+84911111111")}, other.auth)
        post("POST /v1/auth/logout", "/v1/auth/logout", {}, other.auth)

        # password reset
        with op("GET /v1/auth/captcha"):
            captcha_id = other.captcha()
        reset = post("POST /v1/auth/password-reset", "/v1/auth/password-reset",
                     {"username": "0123456789", "captcha_id": captcha_id, "captcha_answer": CAPTCHA}).body
        post("POST /v1/auth/password-reset/{id}/confirm", f"/v1/auth/password-reset/{reset['reset_id']}/confirm",
             {"otp": last_code("+84911111111"), "new_password": "Trăng rằm tháng tám 2026"})


def main() -> int:
    install_hooks()
    with backend(), contextlib.redirect_stdout(io.StringIO()):  # Powertools prints its metrics (EMF) to stdout
        walk()
    rows = []
    for label in [*METER.order, BACKGROUND]:
        counts = METER.requests.get(label, Counter())
        if not counts and label == BACKGROUND:
            continue
        calls = max(METER.calls[label], 1)  # figures are per call of the operation

        def per(n: float, calls: int = calls) -> float:
            return round(n / calls, 2)

        reads = sum(n for a, n in counts.items() if a in READS)
        writes = sum(n for a, n in counts.items() if a in WRITES)
        rows.append({
            "operation": label, "calls": calls, "requests": per(reads + writes), "reads": per(reads),
            "writes": per(writes), "transactions": per(counts["TransactWriteItems"] + counts["TransactGetItems"]),
            "failed_conditions": per(counts["(failed)"]), "scans": per(METER.scans[label]),
            "rcu": per(METER.rcu[label]), "wcu": per(METER.wcu[label]),
            "by_action": {a: per(n) for a, n in sorted(counts.items()) if a != "(failed)"},
        })
    print("DynamoDB cost per API operation, per call (in-process moto; capacity COMPUTED from item sizes)")
    print(f"{'operation':<52}{'req':>5}{'rd':>5}{'wr':>5}{'tx':>4}{'Scan':>5}{'RCU':>6}{'WCU':>6}  actions")
    for row in rows:
        actions = " ".join(f"{a}×{n:g}" for a, n in row["by_action"].items())
        print(f"{row['operation'][:51]:<52}{row['requests']:>5g}{row['reads']:>5g}{row['writes']:>5g}"
              f"{row['transactions']:>4g}{row['scans']:>5g}{row['rcu']:>6.1f}{row['wcu']:>6.1f}  {actions}")
    scans = [row["operation"] for row in rows if row["scans"]]
    print(f"\nScan on a request path: {', '.join(scans) if scans else 'none'}")
    print("RCU: 4 KB units (0.5 eventually consistent, 1 strongly); WCU: 1 KB units, transactions ×2, "
          "GSI writes included; authorizer reads are in the /v1/me rows")
    path = write_result("dynamodb_cost.json", {"capacity": "computed from item sizes (moto reports a constant)",
                                               "units": "per call", "operations": rows})
    print(f"wrote {path.relative_to(path.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
