"""Form 01 over HTTP: validation, documents, one live registration per number, idempotent retries."""

from __future__ import annotations

import base64
import json

from chalicelib.aws.clients import get_client
from tests.support.api import VALID_FORM, call, ready_to_create, upload
from tests.support.images import photo
from tests.support.people import Citizen, Staff
from tests.support.workflow import deliver_tokens, executions


def test_every_invalid_field_is_named_in_english_and_vietnamese(client):
    body = {"full_name": "A1", "date_of_birth": "2099-01-01", "gender": "other", "social_insurance_number": "12",
            "id_type": "DRIVING_LICENCE", "id_number": "12", "id_issued_on": "yesterday", "id_issued_by": "",
            "phone": "024 3825 1234", "email": "not-an-email", "address": "x", "office_code": "??"}
    reply = call(client, "POST", "/v1/registrations", body)
    assert reply.status == 400
    error = reply.body["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert set(error["fields"]) == set(body)
    assert set(error["fields_vi"]) == set(body)
    assert error["message_vi"]


def test_unknown_office_is_a_field_error(client):
    reply = call(client, "POST", "/v1/registrations", {**VALID_FORM, "office_code": "XX-NOPE"})
    assert reply.status == 400 and set(reply.body["error"]["fields"]) == {"office_code"}


def test_garbage_bodies_get_clear_errors_not_500(client):
    assert call(client, "POST", "/v1/registrations", raw_body=b"{not json").body["error"]["code"] == "BAD_REQUEST"
    assert call(client, "POST", "/v1/registrations", raw_body=b"[1, 2]").status == 400
    assert call(client, "POST", "/v1/registrations", raw_body=b"\xff\xfe").status == 400
    deep = b"[" * 100000 + b"]" * 100000
    assert call(client, "POST", "/v1/registrations", raw_body=deep).status == 413
    nested = ("{\"a\":" * 5000 + "1" + "}" * 5000).encode()
    assert call(client, "POST", "/v1/registrations", raw_body=nested).status == 400
    wrong_type = call(client, "POST", "/v1/registrations", VALID_FORM, {"Content-Type": "text/plain"})
    assert wrong_type.status == 415 and wrong_type.body["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    wrong_method = call(client, "DELETE", "/v1/registrations")
    assert wrong_method.status == 405 and wrong_method.body["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_mass_assignment_of_status_is_ignored(client):
    citizen = Citizen(client)
    reply = citizen.create(status="APPROVED", decided_by="me", password_hash="x")
    assert reply.status == 201 and reply.body["status"] == "DRAFT"
    assert citizen.status().body["status"] == "DRAFT"


def test_status_needs_the_access_key(client):
    citizen = Citizen(client)
    citizen.create()
    no_key = call(client, "GET", f"/v1/registrations/{citizen.registration_id}")
    assert no_key.status == 401
    wrong = call(client, "GET", f"/v1/registrations/{citizen.registration_id}", headers={"X-Registration-Key": "x"})
    assert wrong.status == 404 and wrong.body["error"]["code"] == "REGISTRATION_NOT_FOUND"
    unknown = call(client, "GET", "/v1/registrations/nope", headers=citizen.key_header)
    assert unknown.status == 404 and unknown.body == wrong.body


def test_submit_without_images_names_the_missing_ones(client):
    citizen = Citizen(client)
    citizen.create()
    assert upload(citizen.uploads["portrait"], photo("JPEG")) in (200, 204)
    reply = citizen.submit()
    assert reply.status == 422
    assert reply.body["error"]["code"] == "DOCUMENTS_MISSING"
    assert set(reply.body["error"]["fields"]) == {"id_front", "id_back"}
    assert executions() == []


def test_fake_image_bytes_are_refused_at_submit(client):
    citizen = Citizen(client)
    citizen.create()
    citizen.upload_all()
    fake = b"GIF89a" + b"\x00" * 40000  # a GIF, uploaded as image/jpeg
    assert upload(citizen.uploads["id_back"], fake) in (200, 204)
    tiny = photo("PNG", side=8)  # a real PNG, under the 20 KB floor
    png_upload = call(client, "POST", f"/v1/registrations/{citizen.registration_id}/uploads",
                      {"content_types": {"portrait": "image/png"}}, citizen.key_header).body["uploads"]
    assert upload(png_upload["portrait"], tiny) in (200, 204)

    reply = citizen.submit()

    assert reply.status == 422
    assert reply.body["error"]["code"] == "DOCUMENT_INVALID"
    assert reply.body["error"]["fields"]["id_back"] == "is not a JPEG or PNG image"
    assert "smaller than 20 KB" in reply.body["error"]["fields"]["portrait"]
    assert citizen.status().body["status"] == "DRAFT"
    assert citizen.sms() == []


def test_oversized_object_is_refused_by_policy_and_again_at_submit(client):
    citizen = Citizen(client)
    citizen.create()
    policy = json.loads(base64.b64decode(citizen.uploads["id_front"]["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 20 * 1024, 5 * 1024 * 1024] in conditions
    key = f"registrations/{citizen.registration_id}/id_front"
    assert {"key": key} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    # moto does not enforce the policy (MOTO-NOTES), so put a 6 MB JPEG past it: submit must still refuse
    citizen.upload_all()
    big = photo("JPEG", seed=9)
    big = big + b"\x00" * (6 * 1024 * 1024 - len(big))
    get_client("s3").put_object(Bucket="vssid-documents", Key=key, Body=big, ContentType="image/jpeg")
    reply = citizen.submit()
    assert reply.status == 422 and "larger than 5 MB" in reply.body["error"]["fields"]["id_front"]


def test_documents_bucket_is_private(client):
    block = get_client("s3").get_public_access_block(Bucket="vssid-documents")["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4


def test_one_live_registration_per_number(client):
    first = Citizen(client)
    assert first.create().status == 201
    second = Citizen(client).create()
    assert second.status == 409 and second.body["error"]["code"] == "REGISTRATION_EXISTS"


def test_a_rejected_registration_frees_the_number_for_a_new_one(client):
    first = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    staff.reject(first.registration_id)

    second = Citizen(client).registered()
    assert second.registration_id
    assert second.submit().status == 200
    deliver_tokens()

    # The old one cannot come back while the new one is live
    stale = first.submit()
    assert stale.status == 409 and stale.body["error"]["code"] == "REGISTRATION_EXISTS"


def test_a_number_with_an_account_cannot_register_again(client):
    citizen = Citizen(client).submitted()
    staff = Staff.signed_in(client)
    staff.approve(citizen.registration_id)
    again = Citizen(client).create()
    assert again.status == 409 and again.body["error"]["code"] == "ACCOUNT_EXISTS"
    changed = citizen.correct(address="Số 99 phố Huế, Hà Nội")
    assert changed.status == 409 and changed.body["error"]["code"] == "INVALID_STATE"


def test_correcting_the_number_moves_the_claim(client):
    citizen = Citizen(client)
    citizen.create()
    assert citizen.correct(social_insurance_number="0999999999").status == 200
    other = Citizen(client).create()  # the old number is free again
    assert other.status == 201
    taken = Citizen(client).create(social_insurance_number="0999999999")
    assert taken.status == 409


def test_create_with_the_same_idempotency_key_returns_the_first_response(client):
    headers = {"Idempotency-Key": "create-0123456789-a"}
    body = ready_to_create(VALID_FORM)
    first = call(client, "POST", "/v1/registrations", body, headers)
    again = call(client, "POST", "/v1/registrations", body, headers)  # the captcha is not asked for twice
    assert first.status == again.status == 201
    assert again.body["registration_id"] == first.body["registration_id"]
    assert again.body["access_key"] == first.body["access_key"]
    other_body = call(client, "POST", "/v1/registrations", {**body, "address": "Số 1 phố Huế, Hà Nội"}, headers)
    assert other_body.status == 422 and other_body.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    bad_key = call(client, "POST", "/v1/registrations", ready_to_create(VALID_FORM), {"Idempotency-Key": "x"})
    assert bad_key.status == 400


def test_retried_submit_starts_one_workflow_and_sends_one_sms(client):
    citizen = Citizen(client).registered()
    keyed = {"Idempotency-Key": "submit-retry-0001"}
    first = citizen.submit(keyed)
    replay = citizen.submit(keyed)
    unkeyed = citizen.submit()
    assert first.status == replay.status == unkeyed.status == 200
    assert replay.body == first.body
    assert unkeyed.body["deadline_at"] == first.body["deadline_at"]
    assert len(executions()) == 1
    assert len(citizen.sms()) == 1
    assert deliver_tokens() == ["recorded"]


def test_form01_pdf_after_submit(client):
    citizen = Citizen(client).registered()
    early = call(client, "GET", f"/v1/registrations/{citizen.registration_id}/form01", headers=citizen.key_header)
    assert early.status == 409
    citizen.submit()
    deliver_tokens()
    pdf = call(client, "GET", f"/v1/registrations/{citizen.registration_id}/form01",
               headers={**citizen.key_header, "Accept": "application/pdf"})
    assert pdf.status == 200 and pdf.raw.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    redirect = call(client, "GET", f"/v1/registrations/{citizen.registration_id}/form01", headers=citizen.key_header)
    assert redirect.status == 303 and "form01-1.pdf" in redirect.headers["Location"]


def test_provinces_and_offices_for_the_office_choice(client):
    provinces = call(client, "GET", "/v1/provinces").body["items"]
    assert len(provinces) == 34
    assert {"province_code": "01", "name": "Thành phố Hà Nội", "provincial_office_code": "HN"} in provinces
    offices = call(client, "GET", "/v1/offices?province_code=01&limit=100").body
    hoan_kiem = next(o for o in offices["items"] if o["code"] == "HN-HK")
    assert hoan_kiem["name"] == "BHXH cơ sở Hoàn Kiếm" and hoan_kiem["parent_name"] == "BHXH TP Hà Nội"
    assert {"address", "phone", "lat", "lon"} <= set(hoan_kiem)
    # after the 2025 reform: the wards it serves, the name people still know, the guide's number, marked demo
    assert hoan_kiem["served_areas"] == ["Phường Hoàn Kiếm", "Phường Cửa Nam"]
    assert hoan_kiem["former_names"] == ["BHXH quận Hoàn Kiếm"]
    assert hoan_kiem["phone"] == "0243 9440116" and hoan_kiem["demo"] is True
    assert hoan_kiem["address"] == "Phường Hoàn Kiếm, Thành phố Hà Nội"
    assert all(isinstance(o["demo"], bool) and isinstance(o["served_areas"], list) for o in offices["items"])
    first_page = call(client, "GET", "/v1/offices?province_code=01&limit=5").body
    rest = call(client, "GET", f"/v1/offices?province_code=01&limit=100&next_token={first_page['next_token']}").body
    codes = [o["code"] for o in first_page["items"] + rest["items"]]
    assert codes == [o["code"] for o in offices["items"]] and len(set(codes)) == len(codes)
    assert call(client, "GET", "/v1/offices?province_code=01&limit=0").status == 400
