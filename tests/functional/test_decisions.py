"""Staff decisions: reject and resubmit, double decisions, other offices, the audit trail."""

from __future__ import annotations

import threading

from chalicelib.services import decisions
from chalicelib.services.staff_auth import StaffIdentity
from tests.support.people import Citizen, Staff, account_of
from tests.support.workflow import deliver_tokens, executions, history_states, wait_for_execution


def submitted(client, **form) -> Citizen:
    return Citizen(client).submitted(**form)


def test_rejected_registration_is_corrected_resubmitted_and_approved(client):
    citizen = submitted(client)
    staff = Staff.signed_in(client)

    rejected = staff.reject(citizen.registration_id, "Ảnh mặt sau CCCD bị mờ")
    assert rejected.status == 200
    assert rejected.body["status"] == "REJECTED"
    status = citizen.status().body
    assert status["status"] == "REJECTED"
    assert status["rejection_reason"] == "Ảnh mặt sau CCCD bị mờ"
    assert "Ly do: Anh mat sau CCCD bi mo" in citizen.sms()[-1]
    first = wait_for_execution(f"{citizen.registration_id}-1")
    assert history_states(first["executionArn"])[-1] == "Decided"

    # The citizen corrects the address; the three images already uploaded are kept
    corrected = citizen.correct(address="Số 14 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội")
    assert corrected.status == 200
    assert corrected.body["documents"] == {"id_front": True, "id_back": True, "portrait": True}
    resubmitted = citizen.submit()
    assert resubmitted.status == 200
    assert resubmitted.body["attempt"] == 2
    assert citizen.status().body["rejection_reason"] is None
    assert deliver_tokens() == ["recorded"]
    assert len(citizen.sms()) == 3  # submitted, rejected, submitted again

    assert staff.approve(citizen.registration_id).status == 200
    account = account_of(citizen.form["social_insurance_number"])
    assert account is not None and account.address == "Số 14 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội"
    assert wait_for_execution(f"{citizen.registration_id}-2")["status"] == "SUCCEEDED"
    assert sorted(e["name"] for e in executions()) == [f"{citizen.registration_id}-1", f"{citizen.registration_id}-2"]

    audit = staff.open(citizen.registration_id).body["audit"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in audit] == [
        ("SUBMIT", "DRAFT", "AWAITING_VERIFICATION"),
        ("REJECT", "AWAITING_VERIFICATION", "REJECTED"),
        ("SUBMIT", "REJECTED", "AWAITING_VERIFICATION"),
        ("APPROVE", "AWAITING_VERIFICATION", "APPROVED"),
    ]
    assert audit[1]["actor"] == staff.username and audit[1]["office"] == "HN-HK"


def test_second_decision_gets_409(client):
    citizen = submitted(client)
    first, second = Staff.create(client, username="canbo.a"), Staff.create(client, username="canbo.b")
    first.login()
    second.login()
    assert first.approve(citizen.registration_id).status == 200
    again = second.approve(citizen.registration_id)
    assert again.status == 409 and again.body["error"]["code"] == "ALREADY_DECIDED"
    late_reject = second.reject(citizen.registration_id)
    assert late_reject.status == 409 and late_reject.body["error"]["code"] == "ALREADY_DECIDED"
    assert len([s for s in citizen.sms() if "Mat khau khoi tao" in s]) == 1


def test_two_staff_deciding_at_once_exactly_one_wins(client):
    citizen = submitted(client)
    results: list[str] = []
    barrier = threading.Barrier(6)

    def decide(index: int) -> None:
        staff = StaffIdentity(username=f"canbo.{index}", office_code="HN-HK")
        barrier.wait()
        try:
            if index % 2:
                decisions.approve(staff, citizen.registration_id, {"id_document_checked": True})
            else:
                decisions.reject(staff, citizen.registration_id, {"reason": "Giấy tờ không khớp"})
            results.append("won")
        except Exception as exc:  # noqa: BLE001
            results.append(getattr(exc, "code", type(exc).__name__))

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("won") == 1, results
    assert sorted(set(results) - {"won"}) == ["ALREADY_DECIDED"]
    decision_sms = [s for s in citizen.sms() if "Mat khau khoi tao" in s or "chua duoc duyet" in s]
    assert len(decision_sms) == 1


def test_staff_never_see_or_decide_another_offices_registration(client):
    citizen = submitted(client)  # at HN-HK
    elsewhere = Staff.create(client, "HN-BD")
    elsewhere.login()
    assert elsewhere.queue().body["items"] == []
    for reply in (elsewhere.open(citizen.registration_id), elsewhere.approve(citizen.registration_id),
                  elsewhere.reject(citizen.registration_id)):
        assert reply.status == 404
        assert reply.body["error"]["code"] == "NOT_FOUND"
    assert account_of(citizen.form["social_insurance_number"]) is None
    assert citizen.status().body["status"] == "AWAITING_VERIFICATION"


def test_approval_requires_the_id_document_check(client):
    citizen = submitted(client)
    staff = Staff.signed_in(client)
    from tests.support.api import call

    reply = call(client, "POST", f"/v1/admin/registrations/{citizen.registration_id}/approve",
                 {"id_document_checked": False}, staff.auth)
    assert reply.status == 400
    assert "id_document_checked" in reply.body["error"]["fields"]
    short = staff.reject(citizen.registration_id, "x")
    assert short.status == 400 and "reason" in short.body["error"]["fields"]


def test_queue_is_oldest_first_with_deadlines_and_paginates(client):
    people = []
    for index in range(3):
        people.append(submitted(client, social_insurance_number=f"01234567{index}0", phone=f"09012345{index}0"))
    staff = Staff.signed_in(client)
    from tests.support.api import call

    page = call(client, "GET", "/v1/admin/registrations?status=AWAITING_VERIFICATION&limit=2", headers=staff.auth)
    assert page.status == 200
    assert [i["registration_id"] for i in page.body["items"]] == [p.registration_id for p in people[:2]]
    assert all(i["deadline_at"] for i in page.body["items"])
    rest = call(client, "GET", f"/v1/admin/registrations?limit=2&next_token={page.body['next_token']}",
                headers=staff.auth)
    assert [i["registration_id"] for i in rest.body["items"]] == [people[2].registration_id]
    bad = call(client, "GET", "/v1/admin/registrations?next_token=garbage", headers=staff.auth)
    assert bad.status == 400 and bad.body["error"]["code"] == "INVALID_TOKEN"
