"""The agency's records arrive as files dropped in the feed bucket, and load through S3 → SQS → splitter →
SQS → workers, on moto, with chunks of a few rows so that every chunk boundary is exercised.

The queues are driven as Lambda's SQS triggers drive them (tests/support/feed.py): a handler that raises
leaves its message, which comes back on the next sweep, and after the queue's maxReceiveCount goes to the
dead-letter queue.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.domain.record_rows import validate_row
from chalicelib.models.records import InsuranceRecord
from local.demo_records import DEMO_RECORDS
from tests.support.feed import queue_depth, run_feed, upload

NEW, OLD = "2026-12-01", "2026-11-01"


@pytest.fixture(scope="module")
def backend():
    """One moto backend for the module (creating every resource costs seconds), without the reference data
    (offices, directory): the feed needs none of it. `feed` empties what the feed touches between tests."""
    from tests.support.backend import fresh_backend

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEED_WRITE_THREADS", "1")  # the fault hooks below act on this thread only
        patch.setenv("FEED_BACKOFF_SECONDS", "0")
        with fresh_backend(reference_data=False) as env:
            yield env


@pytest.fixture
def feed(backend, monkeypatch):
    from tests.support.feed import empty_feed

    monkeypatch.setenv("FEED_CHUNK_BYTES", "400")  # one to three rows a chunk
    empty_feed()
    yield backend


def demo(kind: str) -> list[dict[str, Any]]:
    lines = (DEMO_RECORDS / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def as_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def as_csv(rows: list[dict[str, Any]], bom: bool = True) -> bytes:
    names = sorted({name for row in rows for name in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode()


def stored(kind: str, rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any] | None]:
    found = {}
    for row in rows:
        valid = validate_row(kind, row)
        try:
            found[(valid.username, valid.record_key)] = InsuranceRecord.get(valid.username, valid.record_key,
                                                                            consistent_read=True).fields.as_dict()
        except InsuranceRecord.DoesNotExist:
            found[(valid.username, valid.record_key)] = None
    return found


def expected(kind: str, rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(v.username, v.record_key): v.fields for v in (validate_row(kind, row) for row in rows)}


def load(load_id: str) -> dict[str, Any]:
    from chalicelib.services.feed_loads import describe

    return describe(load_id)


def table_snapshot() -> list[tuple[str, str, str]]:
    return sorted((i.username, i.record_key, i.source_hash) for i in InsuranceRecord.scan())


class PutItemHook:
    """A botocore hook on the app's DynamoDB client: `fail(call_number)` decides whether that PutItem raises."""

    def __init__(self, fail: Any, code: str = "ProvisionedThroughputExceededException") -> None:
        self.fail, self.code, self.calls = fail, code, 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1
        if self.fail(self.calls):
            raise ClientError({"Error": {"Code": self.code, "Message": "injected"}}, "PutItem")

    def __enter__(self) -> PutItemHook:
        from chalicelib.aws.clients import get_client

        get_client("dynamodb").meta.events.register("before-call.dynamodb.PutItem", self, unique_id="feed-put")
        return self

    def __exit__(self, *_: object) -> None:
        from chalicelib.aws.clients import get_client

        get_client("dynamodb").meta.events.unregister("before-call.dynamodb.PutItem", unique_id="feed-put")


# ------------------------------------------------------------------------------------------ the fan-out


def test_a_csv_with_a_bom_quoted_newlines_and_a_bad_row_loads_every_good_row_across_small_chunks(feed):
    visits = demo("medical_visit")
    visits[3] = {**visits[3], "diagnosis": "Viêm họng cấp,\r\nđã khỏi", "note": 'dòng 1\n"trích dẫn", dòng 2'}
    bad = {**visits[7], "cost_covered": "nhiều"}  # row 8 of the file: rejected, with its number
    rows = visits[:7] + [bad] + visits[8:]
    upload("feeds/medical_visit/2026-12/visits.csv", as_csv(rows), as_of=NEW)

    run = run_feed()

    (load_id,) = run.split
    report = load(load_id)
    assert report["status"] == "FINISHED" and report["failure"] is None
    assert report["chunks_total"] >= 4 and report["chunks_done"] == report["chunks_total"]
    assert (report["rows_total"], report["rows_loaded"], report["rows_rejected"]) == (len(rows), len(rows) - 1, 1)
    good = [row for row in rows if row is not bad]
    assert stored("medical_visit", good) == expected("medical_visit", good)
    assert stored("medical_visit", good)[(good[3]["social_insurance_number"], validate_row(
        "medical_visit", good[3]).record_key)]["diagnosis"] == "Viêm họng cấp, đã khỏi"
    rejects = read_rejects(load_id)
    assert rejects == [{"row": 8, "fields": {"cost_covered": "must be a whole number of đồng"},
                        "fields_vi": {"cost_covered": "phải là số đồng nguyên"}}]
    assert bad["facility"] not in json.dumps(rejects, ensure_ascii=False)  # reasons only, never the row's data


def read_rejects(load_id: str) -> list[dict[str, Any]]:
    from chalicelib.aws import feed_storage
    from chalicelib.services.feed_loads import rejects_prefix

    bucket = os.environ["FEED_BUCKET"]
    return [json.loads(line) for key in feed_storage.list_keys(bucket, rejects_prefix(load_id))
            for line in feed_storage.get(bucket, key).decode().splitlines() if line]


def test_a_gzip_json_lines_file_with_blank_lines_loads_its_rows_and_the_contribution_totals(feed):
    periods = demo("contribution")[:12]
    body = as_jsonl(periods[:5]) + b"\n   \n" + as_jsonl(periods[5:])
    upload("feeds/contribution/2026-12/part-01.jsonl.gz", gzip.compress(body), as_of=NEW)

    (load_id,) = run_feed().split

    report = load(load_id)
    assert report["gzip"] and report["status"] == "FINISHED" and report["chunks_total"] >= 4
    assert (report["rows_total"], report["rows_loaded"], report["rows_rejected"]) == (12, 12, 0)
    assert stored("contribution", periods) == expected("contribution", periods)
    from chalicelib.services.record_loader import contribution_summary

    sin = periods[0]["social_insurance_number"]
    mine = [validate_row("contribution", p).fields for p in periods if p["social_insurance_number"] == sin]
    scheme = mine[0]["scheme"]
    total = InsuranceRecord.get(sin, f"SUMMARY#{scheme}").fields.as_dict()
    assert total == contribution_summary(scheme, [p for p in mine if p["scheme"] == scheme])


def test_several_files_of_several_kinds_load_side_by_side(feed):
    upload("feeds/participant/people.jsonl", as_jsonl(demo("participant")), as_of=NEW)
    upload("feeds/benefit/benefits.csv", as_csv(demo("benefit"), bom=False), as_of=NEW)
    upload("feeds/health_card/cards.jsonl", as_jsonl(demo("health_card")), as_of=NEW)

    run = run_feed()

    assert len(run.split) == 3 and run.failures == []
    assert sorted(load(i)["rows_loaded"] for i in run.split) == sorted(
        len(demo(k)) for k in ("participant", "benefit", "health_card"))
    for kind in ("participant", "benefit", "health_card"):
        assert stored(kind, demo(kind)) == expected(kind, demo(kind))
    # people loaded by the feed are found by the number look-up's indexes as after a direct load
    from chalicelib.services.record_loader import lookup_keys

    for row in demo("participant"):
        valid = validate_row("participant", row)
        item = InsuranceRecord.get(valid.username, valid.record_key, consistent_read=True)
        assert {"lookup_key": item.lookup_key, "person_key": item.person_key} == {
            "lookup_key": None, "person_key": None, **lookup_keys(valid)}
        assert item.person_key  # every demo person has a commune and a parent


def test_a_file_in_the_wrong_place_or_format_fails_its_load_with_a_reason(feed):
    upload("feeds/pensioners/list.csv", b"a,b\n1,2\n")
    upload("feeds/benefit/broken.jsonl.gz", b"this is not gzip")

    run = run_feed()

    reasons = sorted(load(i)["failure"] for i in run.split)
    assert [load(i)["status"] for i in run.split] == ["FAILED", "FAILED"]
    assert reasons[0].startswith("not a readable gzip file") and reasons[1].startswith("unknown record kind")


# ----------------------------------------------------------------------------------- exactly-once effects


def test_a_chunk_delivered_twice_is_counted_once(feed):
    rows = demo("benefit")
    upload("feeds/benefit/twice.jsonl", as_jsonl(rows), as_of=NEW)
    from chalicelib.aws.clients import get_client

    sqs = get_client("sqs")
    delivered: list[str] = []

    def duplicate_first(message: dict[str, Any]) -> None:
        if not delivered:  # SQS's at-least-once: the same chunk arrives again later
            sqs.send_message(QueueUrl=os.environ["FEED_CHUNKS_QUEUE_URL"], MessageBody=message["Body"])
        delivered.append(message["Body"])

    run = run_feed(before_chunk=duplicate_first)

    report = load(run.split[0])
    assert len(delivered) == report["chunks_total"] + 1
    assert (report["chunks_done"], report["rows_loaded"], report["rows_unchanged"]) == (report["chunks_total"],
                                                                                        len(rows), 0)


def test_a_worker_killed_mid_chunk_is_finished_by_the_redelivery_and_counted_exactly(feed):
    rows = demo("medical_visit")
    upload("feeds/medical_visit/killed.jsonl", as_jsonl(rows), as_of=NEW)

    with PutItemHook(lambda n: n == 2, code="InjectedCrash"):  # dies after writing the first row of a chunk
        run = run_feed()

    report = load(run.split[0])
    assert run.failures == ["ClientError"]
    assert report["status"] == "FINISHED"
    assert (report["rows_loaded"], report["rows_unchanged"], report["rows_stale"]) == (len(rows), 0, 0)
    assert stored("medical_visit", rows) == expected("medical_visit", rows)


def test_throttled_writes_slow_the_worker_but_lose_no_row(feed):
    rows = demo("medical_visit")
    upload("feeds/medical_visit/throttled.jsonl", as_jsonl(rows), as_of=NEW)

    # the first 12 writes are throttled: the worker's back-off absorbs 7 a row, then its chunk fails once
    with PutItemHook(lambda n: n <= 12):
        run = run_feed()

    assert run.failures == ["ClientError"]  # one chunk gave up after its last try and was delivered again
    report = load(run.split[0])
    assert (report["status"], report["rows_loaded"]) == ("FINISHED", len(rows))
    assert stored("medical_visit", rows) == expected("medical_visit", rows)


def test_a_chunk_failing_on_every_delivery_waits_in_the_dead_letter_queue_until_redriven(feed):
    from chalicelib.aws.clients import get_client
    from tests.support.faults import failing

    upload("feeds/benefit/outage.jsonl", as_jsonl(demo("benefit")[:2]), as_of=NEW)
    with failing("dynamodb", "BatchGetItem", code="InternalServerError"):
        run = run_feed(max_sweeps=8)
    assert queue_depth("FEED_CHUNKS_DLQ_URL") >= 1
    assert load(run.split[0])["status"] == "LOADING"

    sqs = get_client("sqs")  # the operator's redrive, once DynamoDB is back
    for message in sqs.receive_message(QueueUrl=os.environ["FEED_CHUNKS_DLQ_URL"], MaxNumberOfMessages=10)["Messages"]:
        sqs.send_message(QueueUrl=os.environ["FEED_CHUNKS_QUEUE_URL"], MessageBody=message["Body"])
        sqs.delete_message(QueueUrl=os.environ["FEED_CHUNKS_DLQ_URL"], ReceiptHandle=message["ReceiptHandle"])
    run_feed()
    assert load(run.split[0])["status"] == "FINISHED"


def test_the_same_file_uploaded_twice_is_one_load_and_under_another_name_changes_nothing(feed):
    rows = demo("benefit")
    upload("feeds/benefit/2026-12.jsonl", as_jsonl(rows), as_of=NEW)
    first = run_feed().split
    upload("feeds/benefit/2026-12.jsonl", as_jsonl(rows), as_of=NEW)
    again = run_feed().split
    upload("feeds/benefit/2026-12-copy.jsonl", as_jsonl(rows), as_of=NEW)
    (copy,) = run_feed().split

    assert again == first
    assert load(first[0])["rows_loaded"] == len(rows)
    assert (load(copy)["rows_loaded"], load(copy)["rows_unchanged"]) == (0, len(rows))


def test_the_same_rows_in_another_order_and_chunking_leave_the_same_table(feed, monkeypatch):
    rows = demo("medical_visit") + demo("benefit")[:0]
    upload("feeds/medical_visit/a.jsonl", as_jsonl(rows), as_of=NEW)
    run_feed()
    before = table_snapshot()

    monkeypatch.setenv("FEED_CHUNK_BYTES", "500")
    upload("feeds/medical_visit/b.csv", as_csv(list(reversed(rows))), as_of=NEW)
    (second,) = run_feed().split

    assert table_snapshot() == before
    assert load(second)["rows_unchanged"] == len(rows)


def test_an_older_file_never_overwrites_newer_data(feed):
    newer = demo("benefit")[:3]
    older = [{**row, "amount": row["amount"] + 1000} for row in newer]
    upload("feeds/benefit/newer.jsonl", as_jsonl(newer), as_of=NEW)
    run_feed()
    upload("feeds/benefit/older.jsonl", as_jsonl(older[:2] + [{**older[2], "as_of": "2026-12-02"}]), as_of=OLD)
    (late,) = run_feed().split

    report = load(late)
    assert (report["rows_stale"], report["rows_loaded"]) == (2, 1)  # only the row with its own, newer as_of
    assert stored("benefit", newer[:2]) == expected("benefit", newer[:2])
    assert stored("benefit", older[2:]) == expected("benefit", older[2:])


def test_a_deleted_row_goes_and_an_older_file_cannot_bring_it_back(feed):
    rows = demo("benefit")[:3]
    upload("feeds/benefit/all.jsonl", as_jsonl(rows), as_of=OLD)
    run_feed()
    gone = {"op": "D", **{k: rows[1][k] for k in ("social_insurance_number", "record_id", "paid_on")}}
    upload("feeds/benefit/deletes.csv", as_csv([gone]), as_of=NEW)
    (deleting,) = run_feed().split
    upload("feeds/benefit/replayed.jsonl", as_jsonl(rows), as_of=OLD)  # a resent old extract
    (replay,) = run_feed().split

    assert load(deleting)["rows_deleted"] == 1
    assert load(replay)["rows_stale"] == 1
    assert stored("benefit", rows[1:2]) == {(rows[1]["social_insurance_number"],
                                             validate_row("benefit", rows[1]).record_key): None}
    assert stored("benefit", [rows[0], rows[2]]) == expected("benefit", [rows[0], rows[2]])
    left = InsuranceRecord.query(rows[0]["social_insurance_number"], InsuranceRecord.record_key.startswith("BENEFIT#"))
    assert sorted(item.fields["record_id"] for item in left) == sorted([rows[0]["record_id"], rows[2]["record_id"]])


# ---------------------------------------------------------------------------------------------- the API


def test_operations_staff_follow_loads_and_office_staff_cannot(feed):
    from chalice.test import Client

    from app import app
    from tests.support.api import call
    from tests.support.people import Staff

    client = Client(app, stage_name="local")

    upload("feeds/benefit/api.jsonl", as_jsonl(demo("benefit") + [{"record_id": "x"}]), as_of=NEW)
    (load_id,) = run_feed().split
    operations = Staff.signed_in(client, username="van.hanh", role="operations")
    office = Staff.signed_in(client, username="mot.cua")

    listed = call(client, "GET", "/v1/admin/loads?limit=5", headers=operations.auth)
    one = call(client, "GET", f"/v1/admin/loads/{load_id}", headers=operations.auth)

    assert listed.status == 200 and [item["load_id"] for item in listed.body["items"]] == [load_id]
    assert one.status == 200 and one.body["rows_rejected"] == 1 and one.body["status"] == "FINISHED"
    assert one.body["rejects_report"] == f"s3://{os.environ['FEED_BUCKET']}/reports/{load_id}/rejects/"
    assert call(client, "GET", "/v1/admin/loads/nope", headers=operations.auth).status == 404
    assert call(client, "GET", "/v1/admin/loads", headers=office.auth).body["error"]["code"] == "FORBIDDEN"
    assert call(client, "GET", "/v1/admin/registrations", headers=operations.auth).status == 403
    assert call(client, "GET", "/v1/admin/loads").status == 401


# ---------------------------------------------------------------------------------------------- the CLI


def test_the_cli_uploads_via_s3_and_follows_the_load_to_its_end(feed, tmp_path, monkeypatch, capsys):
    import cli.feed_upload
    from cli.load_records import main

    path = tmp_path / "benefit.jsonl.gz"
    path.write_bytes(gzip.compress(as_jsonl(demo("benefit") + [{"record_id": "x"}])))
    # the workers run while the command waits: each of its pauses is one sweep of the queues
    monkeypatch.setattr(cli.feed_upload.time, "sleep", lambda _: run_feed(max_sweeps=1))

    status = main(["--via-s3", "--as-of", NEW, str(path)])

    out = capsys.readouterr().out
    assert status == 1  # one row rejected
    assert f"→ s3://{os.environ['FEED_BUCKET']}/feeds/benefit/benefit.jsonl.gz" in out
    last = out.strip().splitlines()[-2].split("\r")[-1]
    assert last.startswith("[" + "#" * 30 + "]") and f"loaded {len(demo('benefit'))}" in last
    assert last.endswith("rejected 1  FINISHED")


def test_the_cli_refuses_directory_files_and_other_formats_via_s3(tmp_path, capsys):
    from cli.load_records import main

    (tmp_path / "offices.jsonl").write_text("{}\n")
    (tmp_path / "benefit.json").write_text("[]")

    assert main(["--via-s3", str(tmp_path / "offices.jsonl")]) == 2
    assert main(["--via-s3", str(tmp_path / "benefit.json")]) == 2
    assert "not the directory" in capsys.readouterr().err
