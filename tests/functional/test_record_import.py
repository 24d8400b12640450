"""The first national load: a file uploaded with `load-mode: import` is converted by the feed's own fan-out
(splitter → chunk workers, chunks of a few rows) into DynamoDB JSON parts, and `cli.import_table` has
DynamoDB's ImportTable (moto's) create a new table from them.

What moto 5.2.5 checks of ImportTable, and what not, is in docs/FEED.md ("First national load with
ImportTable"): here it reads every object under the prefix, gunzips it, and puts each `Item`.
"""

from __future__ import annotations

import gzip
import json
import os
from typing import Any

import pytest

from chalicelib.aws.clients import get_client
from chalicelib.domain.feed_files import normalise_version
from chalicelib.domain.record_rows import validate_row
from chalicelib.models.records import InsuranceRecord
from chalicelib.services.record_loader import record_item
from tests.functional.test_record_feed import as_csv, as_jsonl, backend, demo, feed, load, read_rejects  # noqa: F401
from tests.support.feed import run_feed

AS_OF = "2026-12-01"
KMS_KEY = "arn:aws:kms:ap-southeast-1:123456789012:key/data-key"


@pytest.fixture
def converting(request, monkeypatch):
    """The feed's moto backend, emptied (test_record_feed's fixtures), with conversion chunks of a few rows."""
    monkeypatch.setenv("FEED_IMPORT_CHUNK_BYTES", "200")  # one or two rows a chunk
    yield request.getfixturevalue("feed")


def upload_for_import(key: str, body: bytes, batch: str | None = None) -> None:
    """What `cli.load_records --via-s3 --for-import [--import-batch B]` does: the file with its as-of time, the
    load mode and the batch."""
    metadata = {"as-of": AS_OF, "load-mode": "import", **({"import-batch": batch} if batch else {})}
    get_client("s3").put_object(Bucket=os.environ["FEED_BUCKET"], Key=key, Body=body, Metadata=metadata)


def parts(batch: str) -> dict[str, list[dict[str, Any]]]:
    """Each DynamoDB JSON part the conversions of a batch wrote: its key → its lines."""
    from chalicelib.aws import feed_storage

    bucket = os.environ["FEED_BUCKET"]
    return {key: [json.loads(line) for line in gzip.decompress(feed_storage.get(bucket, key)).decode().splitlines()]
            for key in feed_storage.list_keys(bucket, f"imports/{batch}/")}


def direct_items(kind: str, rows: list[dict[str, Any]], load_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """What the direct loader stores for these rows (record_item, serialised), with the feed's version fields."""
    items = {}
    for row in rows:
        valid = validate_row(kind, row)
        item = record_item(valid).serialize()
        item.update({"source_version": {"S": normalise_version(AS_OF)}, "loaded_by": {"S": load_id}})
        items[(valid.username, valid.record_key)] = item
    return items


def keyed(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["username"]["S"], item["record_key"]["S"]): item for item in items}


def scan(table: str) -> list[dict[str, Any]]:
    pages = get_client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return [item for page in pages for item in page["Items"]]


def import_into(load_id: str, table: str, batch: bool = False) -> int:
    from cli.import_table import main

    return main(["--batch" if batch else "--load-id", load_id, "--table-name", table, "--kms-key", KMS_KEY,
                 "--every", "0.05", "--wait", "60"])


def test_a_csv_converted_by_the_fan_out_gives_the_direct_loaders_items_and_reports_the_bad_row(converting):
    people = demo("participant")
    bad = {**people[2], "date_of_birth": "21/07/1990"}  # row 3 of the file
    rows = people[:2] + [bad] + people[3:]
    upload_for_import("feeds/participant/national/people.csv", as_csv(rows))

    (load_id,) = run_feed().split

    report = load(load_id)
    assert report["mode"] == "import" and report["status"] == "FINISHED" and report["chunks_total"] >= 3
    assert (report["rows_total"], report["rows_loaded"], report["rows_rejected"]) == (len(rows), len(rows) - 1, 1)
    assert report["import_prefix"] == f"s3://{os.environ['FEED_BUCKET']}/imports/{load_id}/"
    written = parts(load_id)
    assert len(written) >= 3 and all(key.endswith(".json.gz") for key in written)
    assert all(set(line) == {"Item"} for lines in written.values() for line in lines)
    good = [row for row in rows if row is not bad]
    assert keyed([line["Item"] for lines in written.values() for line in lines]) == direct_items(
        "participant", good, load_id)
    assert [(r["row"], list(r["fields"])) for r in read_rejects(load_id)] == [(3, ["date_of_birth"])]
    assert list(InsuranceRecord.scan()) == []  # a conversion never writes the records table


def test_import_table_creates_a_new_table_holding_exactly_the_converted_items(converting, capsys):
    periods = demo("contribution")[:9]
    upload_for_import("feeds/contribution/national/part-0001.jsonl.gz", gzip.compress(as_jsonl(periods)))
    (load_id,) = run_feed().split
    assert load(load_id)["status"] == "FINISHED"

    status = import_into(load_id, "vssid-records-imported")

    printed = capsys.readouterr().out
    assert status == 0, printed
    assert f"COMPLETED: processed {len(periods)} items" in printed and "errors 0" in printed
    imported = keyed(scan("vssid-records-imported"))
    totals = {key: imported.pop(key) for key in list(imported) if key[1].startswith("SUMMARY#")}
    assert imported == direct_items("contribution", periods, load_id)
    from chalicelib.services.record_loader import contribution_summary

    citizens = {(p["social_insurance_number"], validate_row("contribution", p).fields["scheme"]) for p in periods}
    assert set(totals) == {(sin, f"SUMMARY#{scheme}") for sin, scheme in citizens}
    for (sin, key), item in totals.items():
        scheme = key.split("#")[1]
        own = [validate_row("contribution", p).fields for p in periods
               if p["social_insurance_number"] == sin and validate_row("contribution", p).fields["scheme"] == scheme]
        assert InsuranceRecord.from_raw_data(item).fields.as_dict() == contribution_summary(scheme, own)
    table = get_client("dynamodb").describe_table(TableName="vssid-records-imported")["Table"]
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == ["lookup-index", "person-index"]
    backups = get_client("dynamodb").describe_continuous_backups(TableName="vssid-records-imported")
    assert backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"] == "ENABLED"


def test_the_files_of_one_batch_become_one_table_where_people_are_found_by_the_look_up_indexes(converting):
    people, cards = demo("participant")[:4], demo("health_card")
    upload_for_import("feeds/participant/national/people.jsonl", as_jsonl(people), batch="national-test")
    upload_for_import("feeds/health_card/national/cards.csv.gz", gzip.compress(as_csv(cards)), batch="national-test")
    people_load, cards_load = sorted(run_feed().split, key=lambda i: load(i)["kind"] != "participant")
    assert load(people_load)["import_prefix"] == load(cards_load)["import_prefix"] == \
        f"s3://{os.environ['FEED_BUCKET']}/imports/national-test/"

    assert import_into("national-test", "vssid-people-imported", batch=True) == 0

    assert keyed(scan("vssid-people-imported")) == {**direct_items("participant", people, people_load),
                                                    **direct_items("health_card", cards, cards_load)}
    client = get_client("dynamodb")
    for row in people:
        found = client.query(TableName="vssid-people-imported", IndexName="lookup-index",
                             KeyConditionExpression="lookup_key = :k",
                             ExpressionAttributeValues={":k": {"S": row["id_number"]}})["Items"]
        assert [item["username"]["S"] for item in found] == [row["social_insurance_number"]]


def test_the_import_refuses_an_existing_table_and_a_load_that_wrote_the_table(converting, capsys):
    from tests.support.feed import upload

    upload_for_import("feeds/benefit/national/benefits.jsonl", as_jsonl(demo("benefit")))
    upload("feeds/benefit/nightly/benefits.jsonl", as_jsonl(demo("benefit")), as_of=AS_OF)
    converted, loaded = sorted(run_feed().split, key=lambda i: load(i)["mode"] != "import")

    assert import_into(converted, InsuranceRecord.Meta.table_name) == 2
    assert "only creates a new table" in capsys.readouterr().err
    assert import_into(loaded, "vssid-benefits-imported") == 2
    assert "--for-import" in capsys.readouterr().err


def test_the_operator_converts_two_files_as_one_batch_then_imports_it_from_the_command_line(
        converting, tmp_path, monkeypatch, capsys):
    import cli.feed_upload
    from cli.load_records import main

    benefits, visits = tmp_path / "benefit.csv", tmp_path / "medical_visit.jsonl.gz"
    benefits.write_bytes(as_csv(demo("benefit")))
    visits.write_bytes(gzip.compress(as_jsonl(demo("medical_visit"))))
    monkeypatch.setattr(cli.feed_upload.time, "sleep", lambda _: run_feed(max_sweeps=1))

    status = main(["--via-s3", "--for-import", "--import-batch", "first-2027", "--as-of", AS_OF,
                   str(benefits), str(visits)])

    out = capsys.readouterr().out
    assert status == 0, out
    assert out.count("FINISHED") == 2 and "python -m cli.import_table --load-id" in out
    assert import_into("first-2027", "vssid-first-2027", batch=True) == 0
    assert "batch first-2027: 2 files" in capsys.readouterr().out
    assert len(scan("vssid-first-2027")) == len(demo("benefit")) + len(demo("medical_visit"))
    assert list(InsuranceRecord.scan()) == []


def test_import_options_go_with_a_conversion_via_s3(tmp_path, capsys):
    from cli.load_records import main

    (tmp_path / "benefit.jsonl").write_text("{}\n")

    assert main(["--for-import", str(tmp_path / "benefit.jsonl")]) == 2
    assert main(["--via-s3", "--import-batch", "b", str(tmp_path / "benefit.jsonl")]) == 2
    assert "--for-import" in capsys.readouterr().err
