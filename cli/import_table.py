"""`python -m cli.import_table --batch B --table-name NAME`: the first national load, by DynamoDB's ImportTable.

Once the conversion loads of a batch (`cli.load_records --via-s3 --for-import [--import-batch B] FILE…`,
docs/FEED.md) are FINISHED, their DynamoDB JSON parts are under `s3://<feed bucket>/imports/<batch>/`. This
script asks DynamoDB to create a NEW table from them (ImportTable: no write units consumed), with the records
table's definition read from infra/resources.json (keys, attribute definitions, the look-up indexes, billing
mode, encryption), follows DescribeImport until it ends, prints the figures, and then turns on point-in-time
recovery as the stack's table has it (ImportTable cannot set it) and writes the contribution totals. It runs
with the operator's own credentials (docs/FEED.md lists the IAM). `--load-id ID` imports that load's batch.

    python -m cli.import_table --batch national-2027 --table-name vssid-prod-records-2027 \
        --kms-key arn:aws:kms:ap-southeast-1:…:key/…

Exit status: 0 imported without error, 1 imported with item errors (see the import's CloudWatch log group),
2 a usage problem, a batch not ready or an import FAILED/CANCELLED, 4 still importing when --wait ran out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "resources.json"
RECORDS_TABLE = "InsuranceRecordsTable"
ENDED = ("COMPLETED", "FAILED", "CANCELLED")
MAX_OBJECTS = 50_000  # S3 objects one import reads at most (DynamoDB's import best practices)


class ImportSetupError(ValueError):
    """The import cannot be started as asked (the message says why)."""


def _plain(value: Any, where: str) -> Any:
    """A template value with no CloudFormation function left in it (else the operator must give it)."""
    text = json.dumps(value)
    if '"Fn::' in text or '"Ref"' in text:
        raise ImportSetupError(f"{where} is computed by CloudFormation; it cannot be copied as it is")
    return value


def creation_parameters(template: dict[str, Any], table_name: str, kms_key: str | None = None,
                        resource: str = RECORDS_TABLE) -> dict[str, Any]:
    """ImportTable's TableCreationParameters from the table's definition in the template: the new table is
    the stack's table under another name. A customer-managed KMS key (the stack's `DataKey`) is named by
    `kms_key`, since the template only refers to it."""
    props = template["Resources"][resource]["Properties"]
    billing = props.get("BillingMode", "PROVISIONED")
    parameters: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": _plain(props["AttributeDefinitions"], "AttributeDefinitions"),
        "KeySchema": _plain(props["KeySchema"], "KeySchema"),
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        parameters["ProvisionedThroughput"] = _plain(props["ProvisionedThroughput"], "ProvisionedThroughput")
    indexes = []
    for index in props.get("GlobalSecondaryIndexes", []):
        copied = {name: _plain(index[name], f"{index['IndexName']}.{name}")
                  for name in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput") if name in index}
        indexes.append(copied)
    if indexes:
        parameters["GlobalSecondaryIndexes"] = indexes
    sse = props.get("SSESpecification") or {}
    if sse.get("SSEEnabled"):
        spec: dict[str, Any] = {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
        if "KMSMasterKeyId" in sse:
            key = kms_key or _plain(sse["KMSMasterKeyId"], "SSESpecification.KMSMasterKeyId (give --kms-key)")
            spec["KMSMasterKeyId"] = key
        parameters["SSESpecification"] = spec
    return parameters


def point_in_time_recovery(template: dict[str, Any], resource: str = RECORDS_TABLE) -> bool:
    spec = template["Resources"][resource]["Properties"].get("PointInTimeRecoverySpecification") or {}
    return bool(spec.get("PointInTimeRecoveryEnabled"))


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def batch_loads(batch: str) -> list[dict[str, Any]]:
    """The conversion loads of a batch, as the API shows them, if every one is finished; else ImportSetupError."""
    from chalicelib.models.feed import LOAD, FeedLoad
    from chalicelib.services import feed_loads

    loads = [feed_loads.as_api(load) for load in FeedLoad.by_start.query(LOAD)
             if load.mode == "import" and (load.import_batch or load.load_id) == batch]
    if not loads:
        raise ImportSetupError(f"no conversion load in batch {batch}; upload the files with --for-import")
    waiting = [load["load_id"] for load in loads if load["status"] != feed_loads.FINISHED]
    if waiting:
        raise ImportSetupError(f"loads {', '.join(waiting)} of batch {batch} are not FINISHED; wait for them")
    return loads


def batch_of(load_id: str) -> str:
    from chalicelib.services import feed_loads

    load = feed_loads.get(load_id)
    if load is None:
        raise ImportSetupError(f"no load {load_id}")
    if load.mode != "import":
        raise ImportSetupError(f"load {load_id} wrote the table; upload the file with --for-import to convert it")
    return load.import_batch or load.load_id


def start_import(bucket: str, batch: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """ImportTable of the batch's parts (DYNAMODB_JSON, gzip) into the new table; its description."""
    from chalicelib.aws import feed_storage
    from chalicelib.aws.clients import get_client
    from chalicelib.domain.feed_files import import_prefix

    client = get_client("dynamodb")
    try:
        client.describe_table(TableName=parameters["TableName"])
    except client.exceptions.ResourceNotFoundException:
        pass
    else:
        raise ImportSetupError(f"table {parameters['TableName']} exists; ImportTable only creates a new table")
    parts = len(feed_storage.list_keys(bucket, import_prefix(batch)))
    if parts > MAX_OBJECTS:
        raise ImportSetupError(f"{parts} parts; one import reads at most {MAX_OBJECTS:,} objects: convert again "
                               "with a larger FEED_IMPORT_CHUNK_BYTES")
    answer = client.import_table(
        ClientToken=f"{batch}-{parameters['TableName']}"[:64],  # the same command twice is one import
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": import_prefix(batch)},
        InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP", TableCreationParameters=parameters)
    return answer["ImportTableDescription"]


def contribution_pairs(bucket: str, batch: str, loads: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(citizen, scheme) of every contribution period the batch converted, read back from its parts."""
    import gzip

    from chalicelib.aws import feed_storage
    from chalicelib.domain.feed_files import import_prefix

    pairs: set[tuple[str, str]] = set()
    for load in loads:
        if load["kind"] != "contribution":
            continue
        for key in feed_storage.list_keys(bucket, f"{import_prefix(batch)}{load['load_id']}-"):
            for line in gzip.decompress(feed_storage.get(bucket, key)).splitlines():
                item = json.loads(line)["Item"]
                record_key = item["record_key"]["S"]
                if record_key.startswith("CONTRIBUTION#"):
                    pairs.add((item["username"]["S"], record_key.split("#")[1]))
    return pairs


def write_totals(table_name: str, pairs: set[tuple[str, str]]) -> int:
    """The contribution totals (`SUMMARY#<scheme>`) of these citizens, computed on the new table by the
    loaders' own `refresh_summaries` (a conversion cannot: a citizen's periods are spread over chunks)."""
    from chalicelib.models.records import InsuranceRecord
    from chalicelib.services.record_loader import refresh_summaries

    stage_table = InsuranceRecord.Meta.table_name
    InsuranceRecord.Meta.table_name = table_name  # pynamodb connects anew when the name differs
    try:
        return refresh_summaries(pairs)
    finally:
        InsuranceRecord.Meta.table_name = stage_table


def follow(import_arn: str, wait_seconds: float, every: float) -> dict[str, Any]:
    """DescribeImport until the import ends or the wait runs out; the last description."""
    from chalicelib.aws.clients import get_client

    end = time.monotonic() + wait_seconds
    while True:
        found = get_client("dynamodb").describe_import(ImportArn=import_arn)["ImportTableDescription"]
        if found["ImportStatus"] in ENDED or time.monotonic() >= end:
            return found
        time.sleep(every)


def figures(found: dict[str, Any]) -> str:
    line = (f"{found['ImportStatus']}: processed {found.get('ProcessedItemCount', 0)} items "
            f"({found.get('ProcessedSizeBytes', 0)} bytes), imported {found.get('ImportedItemCount', 0)}, "
            f"errors {found.get('ErrorCount', 0)}")
    if found.get("FailureCode") or found.get("FailureMessage"):
        line += f"\n  failure: {found.get('FailureCode')}: {found.get('FailureMessage')}"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.import_table", description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--load-id", help="a conversion load (cli.load_records --for-import): its batch is imported")
    which.add_argument("--batch", help="the import batch (the files' import-batch metadata)")
    parser.add_argument("--table-name", required=True, help="the NEW table to create")
    parser.add_argument("--kms-key", help="ARN of the stack's DataKey, the table's encryption key")
    parser.add_argument("--bucket", help="the feed bucket (default: $FEED_BUCKET)")
    parser.add_argument("--wait", type=float, default=6 * 3600.0, help="seconds to follow the import")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between two DescribeImport")
    parser.add_argument("--dry-run", action="store_true", help="print the ImportTable parameters, start nothing")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    from chalicelib.aws import feed_storage

    template = load_template()
    try:
        parameters = creation_parameters(template, args.table_name, args.kms_key)
        if args.dry_run:
            print(json.dumps(parameters, indent=2))
            return 0
        batch = args.batch or batch_of(args.load_id)
        loads = batch_loads(batch)
        print(f"batch {batch}: {len(loads)} files, {sum(load['rows_loaded'] for load in loads)} records, "
              f"{sum(load['rows_deleted'] for load in loads)} deletes, "
              f"{sum(load['rows_rejected'] for load in loads)} rows rejected; importing {loads[0]['import_prefix']}")
        bucket = args.bucket or feed_storage.feed_bucket()
        started = start_import(bucket, batch, parameters)
    except ImportSetupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"import {started['ImportArn']}")
    found = follow(started["ImportArn"], args.wait, args.every)
    print(figures(found))
    if found["ImportStatus"] not in ENDED:
        print("  still importing; follow it with aws dynamodb describe-import --import-arn …")
        return 4
    if found["ImportStatus"] != "COMPLETED":
        return 2
    if point_in_time_recovery(template):
        from chalicelib.aws.clients import get_client

        get_client("dynamodb").update_continuous_backups(
            TableName=args.table_name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        print("  point-in-time recovery turned on, as the stack's table has it")
    pairs = contribution_pairs(bucket, batch, loads)
    if pairs:
        written = write_totals(args.table_name, pairs)
        print(f"  contribution totals: {written} written for {len({citizen for citizen, _ in pairs})} citizens")
    return 1 if found.get("ErrorCount") else 0


if __name__ == "__main__":
    sys.exit(main())
