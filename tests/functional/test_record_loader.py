"""The bulk loader of insurance records, against DynamoDB (in-process moto).

Given files with good and bad rows, a load stores exactly the good rows, reports every bad one by its
row number, keeps per-scheme totals, and a second load of the same file writes nothing.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from chalicelib.models.records import InsuranceRecord
from chalicelib.services import record_loader
from chalicelib.services.record_loader import load_rows, read_file
from cli import load_records as cli
from local.demo_records import load_demo_records
from local.seed import DEMO_CITIZENS

AN, BINH, STRANGER = "0101234567", "7901234568", "0202020202"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@contextmanager
def dynamodb_calls():
    """Every DynamoDB operation the records model sends while inside, counted by name."""
    calls: Counter[str] = Counter()
    client = InsuranceRecord._get_connection().connection.client  # noqa: SLF001

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    client.meta.events.register("before-call.dynamodb", count, unique_id="count-record-calls")
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call.dynamodb", unique_id="count-record-calls")


def writes(calls: Counter[str]) -> int:
    return sum(n for name, n in calls.items() if name in WRITES)


def period(record_id: str, sin: str, scheme: str, start: str, end: str, base: int = 9_800_000,
           arrears: bool = False, employer: str = "Công ty TNHH Phần mềm Sông Hồng (minh hoạ)") -> dict[str, Any]:
    return {"record_id": record_id, "social_insurance_number": sin, "scheme": scheme, "from_month": start,
            "to_month": end, "employer": employer, "employer_code": "0105432198", "occupation": "Kỹ sư phần mềm",
            "position": "Lập trình viên", "contribution_base": base, "in_arrears": arrears}


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], *, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def stored(sin: str, prefix: str = "") -> dict[str, dict[str, Any]]:
    """The citizen's items (by record key) whose key starts with `prefix`, read with a Query."""
    condition = InsuranceRecord.record_key.startswith(prefix) if prefix else None
    return {item.record_key: item.fields.as_dict() for item in InsuranceRecord.query(sin, condition)}


CONTRIBUTIONS = [
    period("QT-1", AN, "BHXH", "2012-01", "2016-06"),                                   # row 1: 54 months
    period("QT-2", AN, "BHTN", "2012-01", "2016-06"),                                   # row 2
    period("QT-3", AN, "BHXH", "2016-10", "2026-07", base=36_000_000),                  # row 3: 118 months
    period("QT-4", AN, "BHXH", "2026-08", "2026-10", base=36_000_000, arrears=True),    # row 4: 3 in arrears
    period("QT-5", STRANGER, "BHXH", "2024-05", "2024-04"),                             # row 5: ends before start
    '{"record_id": "QT-6", "social_insurance_number": ',                                # row 6: broken line
    period("QT-1", AN, "BHXH", "2012-01", "2016-06", base=1),                           # row 7: same key as row 1
    "[1, 2, 3]",                                                                        # row 8: not an object
    period("QT-9", BINH, "BHXH", "2014-08", "2017-03", base=5_200_000),                 # row 9: 32 months
]


@pytest.fixture
def contribution_file(tmp_path):
    return write_jsonl(tmp_path / "contribution.jsonl", CONTRIBUTIONS)


def test_good_rows_are_stored_exactly_and_bad_rows_are_reported_and_absent(aws, contribution_file):
    report = load_rows("contribution", read_file(contribution_file))

    assert (report.read, report.valid, report.created, report.updated, report.unchanged) == (9, 5, 5, 0, 0)
    rejected = {r.row_number: r for r in report.rejected}
    assert sorted(rejected) == [5, 6, 7, 8]
    assert rejected[5].fields == {"to_month": "must not be before from_month"}
    assert rejected[5].fields_vi == {"to_month": "không được trước from_month"}
    assert rejected[6].fields == rejected[8].fields == {"_line": "is not a JSON object"}
    assert rejected[7].fields == {"_row": "duplicate of row 1"}
    assert rejected[7].fields_vi == {"_row": "trùng với dòng 1"}

    assert stored(STRANGER) == {}
    an = stored(AN, "CONTRIBUTION#")
    assert sorted(an) == ["CONTRIBUTION#BHTN#2012-01#QT-2", "CONTRIBUTION#BHXH#2012-01#QT-1",
                          "CONTRIBUTION#BHXH#2016-10#QT-3", "CONTRIBUTION#BHXH#2026-08#QT-4"]
    assert an["CONTRIBUTION#BHXH#2012-01#QT-1"] == {
        "record_id": "QT-1", "scheme": "BHXH", "from_month": "2012-01", "to_month": "2016-06", "months": 54,
        "employer": "Công ty TNHH Phần mềm Sông Hồng (minh hoạ)", "employer_code": "0105432198",
        "occupation": "Kỹ sư phần mềm", "position": "Lập trình viên", "contribution_base": 9_800_000,
        "in_arrears": False,
    }  # the first of the duplicates, not the later one with base 1
    item = InsuranceRecord.get(AN, "CONTRIBUTION#BHXH#2026-08#QT-4")
    assert item.kind == "CONTRIBUTION" and item.fields.as_dict()["in_arrears"] is True


def test_per_scheme_totals_count_months_and_months_in_arrears(aws, contribution_file):
    load_rows("contribution", read_file(contribution_file))

    assert stored(AN, "SUMMARY#") == {
        "SUMMARY#BHXH": {"scheme": "BHXH", "total_months": 54 + 118 + 3, "periods": 3, "months_in_arrears": 3,
                         "first_month": "2012-01", "last_month": "2026-10"},
        "SUMMARY#BHTN": {"scheme": "BHTN", "total_months": 54, "periods": 1, "months_in_arrears": 0,
                         "first_month": "2012-01", "last_month": "2016-06"},
    }
    assert stored(BINH, "SUMMARY#")["SUMMARY#BHXH"]["total_months"] == 32
    assert InsuranceRecord.get(AN, "SUMMARY#BHXH").kind == "SUMMARY"


def test_months_of_two_jobs_at_once_count_once(aws, tmp_path):
    # Given two employers in the same months of 2020, and a second file adding a period later
    rows = [period("A", AN, "BHTN", "2020-01", "2020-12"), period("B", AN, "BHTN", "2020-07", "2021-06", arrears=True)]
    load_rows("contribution", rows)
    assert stored(AN, "SUMMARY#")["SUMMARY#BHTN"] == {
        "scheme": "BHTN", "total_months": 18, "periods": 2, "months_in_arrears": 12,
        "first_month": "2020-01", "last_month": "2021-06"}
    # When another file brings one more period, the totals cover every period stored, not only the new file's
    load_rows("contribution", [period("C", AN, "BHTN", "2023-01", "2023-03")])
    summary = stored(AN, "SUMMARY#")["SUMMARY#BHTN"]
    assert (summary["total_months"], summary["periods"], summary["last_month"]) == (21, 3, "2023-03")


def test_loading_the_same_file_twice_writes_nothing_the_second_time(aws, contribution_file):
    first = load_rows("contribution", read_file(contribution_file))
    before = {sin: stored(sin) for sin in (AN, BINH)}

    with dynamodb_calls() as calls:
        second = load_rows("contribution", read_file(contribution_file))

    assert (second.read, second.valid, second.created, second.updated, second.unchanged) == (9, 5, 0, 0, 5)
    assert [r.row_number for r in second.rejected] == [r.row_number for r in first.rejected]
    assert calls["BatchGetItem"] >= 1  # it did look
    assert writes(calls) == 0
    assert {sin: stored(sin) for sin in (AN, BINH)} == before


def test_a_changed_row_is_updated_and_its_totals_follow(aws, tmp_path, contribution_file):
    load_rows("contribution", read_file(contribution_file))
    changed = [dict(row) if isinstance(row, dict) else row for row in CONTRIBUTIONS]
    changed[3]["to_month"] = "2026-11"  # QT-4: one more month in arrears
    with dynamodb_calls() as calls:
        report = load_rows("contribution", read_file(write_jsonl(tmp_path / "again.jsonl", changed)))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert stored(AN, "CONTRIBUTION#BHXH#2026-08")["CONTRIBUTION#BHXH#2026-08#QT-4"]["months"] == 4
    summary = stored(AN, "SUMMARY#")
    assert (summary["SUMMARY#BHXH"]["total_months"], summary["SUMMARY#BHXH"]["months_in_arrears"]) == (176, 4)
    assert summary["SUMMARY#BHXH"]["last_month"] == "2026-11"
    assert summary["SUMMARY#BHTN"]["total_months"] == 54
    assert calls["Query"] == 1  # only An, the one citizen with a changed period, is recomputed


def test_a_load_that_failed_before_its_totals_is_repaired_by_running_it_again(aws, tmp_path, contribution_file,
                                                                             monkeypatch):
    # Given totals from a first load, and a second file whose load fails after writing its periods
    load_rows("contribution", read_file(contribution_file))
    longer = [period("QT-3", AN, "BHXH", "2016-10", "2026-08", base=36_000_000)]
    with monkeypatch.context() as patch:
        def outage(*_: Any, **__: Any) -> int:
            raise RuntimeError("connection lost")

        patch.setattr(record_loader, "refresh_summaries", outage)
        with pytest.raises(RuntimeError):
            load_rows("contribution", longer)
    assert stored(AN, "CONTRIBUTION#BHXH#2016-10")["CONTRIBUTION#BHXH#2016-10#QT-3"]["to_month"] == "2026-08"

    # When it is run again, its period is unchanged, yet the totals are recomputed
    report = load_rows("contribution", longer)
    assert (report.unchanged, report.updated) == (1, 0)
    assert InsuranceRecord.get(AN, "SUMMARY#BHXH").source_hash != record_loader.STALE
    assert stored(AN, "SUMMARY#")["SUMMARY#BHXH"]["total_months"] == 54 + 119 + 3 - 1  # 2026-08 overlaps QT-4


def test_cards_visits_and_benefits_from_csv_with_bad_rows(aws, tmp_path):
    cards = write_csv(tmp_path / "cards.csv", [
        {"social_insurance_number": AN, "card_number": "DN4010101234567", "valid_from": "2026-01-01",
         "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện Đa khoa Xanh Pôn", "five_year_continuous_from": ""},
        {"social_insurance_number": BINH, "card_number": "DN4797901234567", "valid_from": "2026-01-01",
         "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện Đa khoa Sài Gòn", "five_year_continuous_from": ""},
        {"social_insurance_number": STRANGER, "card_number": "DN9010202020202", "valid_from": "2026-01-01",
         "valid_to": "2026-12-31", "initial_clinic": "Bệnh viện E", "five_year_continuous_from": "2019-08-01"},
    ], bom=True)
    report = load_rows("health_card", read_file(cards))
    assert (report.read, report.valid, report.created) == (3, 1, 1)
    assert [(r.row_number, r.fields) for r in report.rejected] == [
        (2, {"card_number": "must end with the row's social_insurance_number"}),
        (3, {"card_number": "must be 2 capital letters (group), 1 digit 1-5 (benefit level), 2 digits (province) "
                            "and the 10-digit social-insurance number"}),
    ]
    assert stored(AN) == {"CARD": {"card_number": "DN4010101234567", "group_code": "DN", "benefit_level": 4,
                                   "province_code": "01", "valid_from": "2026-01-01", "valid_to": "2026-12-31",
                                   "initial_clinic": "Bệnh viện Đa khoa Xanh Pôn",
                                   "five_year_continuous_from": None}}
    assert stored(BINH) == {} and stored(STRANGER) == {}

    visits = write_csv(tmp_path / "visits.csv", [
        {"record_id": "KCB-1", "social_insurance_number": BINH, "date": "2025-05-08", "facility": "Bệnh viện Chợ Rẫy",
         "diagnosis": "K80.2 - Sỏi túi mật không có viêm túi mật", "cost_total": "3600000", "cost_covered": "2880000"},
        {"record_id": "KCB-2", "social_insurance_number": BINH, "date": "2025-06-01", "facility": "Bệnh viện Chợ Rẫy",
         "diagnosis": "K80.2", "cost_total": "100000", "cost_covered": "100001"},
    ])
    report = load_rows("medical_visit", read_file(visits))
    assert (report.created, [(r.row_number, r.fields) for r in report.rejected]) == (
        1, [(2, {"cost_covered": "must not be more than cost_total"})])
    assert stored(BINH, "VISIT#") == {"VISIT#2025-05-08#KCB-1": {
        "record_id": "KCB-1", "date": "2025-05-08", "facility": "Bệnh viện Chợ Rẫy",
        "diagnosis": "K80.2 - Sỏi túi mật không có viêm túi mật", "cost_total": 3600000, "cost_covered": 2880000}}

    report = load_rows("benefit", [{"record_id": "CD-1", "social_insurance_number": BINH, "kind": "MATERNITY",
                                    "period_from": "2021-03-01", "period_to": "2021-08-31", "amount": 101980000,
                                    "paid_on": "2021-03-26"}])
    assert report.created == 1
    assert stored(BINH, "BENEFIT#") == {"BENEFIT#2021-03-26#CD-1": {
        "record_id": "CD-1", "kind": "MATERNITY", "period": {"from": "2021-03-01", "to": "2021-08-31"},
        "amount": 101980000, "paid_on": "2021-03-26"}}


def test_the_same_rows_from_csv_and_from_json_lines_are_the_same_records(aws, tmp_path):
    rows = [period("QT-1", AN, "BHYT", "2012-01", "2016-06"), period("QT-2", AN, "BHYT", "2016-10", "2026-10")]
    load_rows("contribution", read_file(write_jsonl(tmp_path / "a.jsonl", rows)))
    as_text = [{k: ("true" if v is True else "false" if v is False else str(v)) for k, v in r.items()} for r in rows]
    report = load_rows("contribution", read_file(write_csv(tmp_path / "a.csv", as_text, bom=True)))
    assert (report.unchanged, report.created, report.updated) == (2, 0, 0)


def test_rows_are_written_in_batches_of_the_given_size(aws):
    visits = [{"record_id": f"KCB-{n}", "social_insurance_number": AN, "date": f"2025-{n % 12 + 1:02d}-01",
               "facility": "Bệnh viện Bạch Mai", "diagnosis": "J06.9", "cost_total": 1000, "cost_covered": 800}
              for n in range(130)]  # more than one BatchGetItem chunk of 100
    with dynamodb_calls() as calls:
        report = load_rows("medical_visit", visits, batch_size=10)
    assert report.created == 130
    assert calls["BatchWriteItem"] == 10 + 3  # 100 rows then 30, 10 a batch
    assert calls["BatchGetItem"] == 2
    assert len(stored(AN, "VISIT#")) == 130
    with pytest.raises(ValueError, match="batch_size"):
        load_rows("medical_visit", visits, batch_size=26)


def test_only_csv_json_lines_and_json_array_files_are_read(tmp_path):
    (tmp_path / "rows.xlsx").write_bytes(b"PK")
    with pytest.raises(ValueError, match="expected a .csv, .jsonl or .json file"):
        read_file(tmp_path / "rows.xlsx")
    blank_lines = write_jsonl(tmp_path / "x.jsonl", ["", '{"a": 1}', "   ", "\ufeff"])
    assert list(read_file(blank_lines)) == [{"a": 1}, {"_malformed": True}]
    (tmp_path / "bad.jsonl").write_bytes('{"a": "\xe9"}\n'.encode("latin-1") + b'{"a": 2}\n')
    assert list(read_file(tmp_path / "bad.jsonl")) == [{"_malformed": True}, {"a": 2}]


def test_the_demo_records_load_cleanly_once(aws):
    reports = load_demo_records()
    assert [(r.kind, r.created, len(r.rejected)) for r in reports] == [
        ("participant", 5, 0), ("health_card", 2, 0), ("contribution", 46, 0), ("benefit", 11, 0),
        ("medical_visit", 12, 0)]
    assert Counter(item.kind for item in InsuranceRecord.query(AN)) == {
        "PERSON": 1, "CARD": 1, "CONTRIBUTION": 22, "SUMMARY": 4, "BENEFIT": 7, "VISIT": 6}
    occupational = {b["kind"]: b for b in (i.fields.as_dict() for i in InsuranceRecord.query(
        BINH, InsuranceRecord.record_key.startswith("BENEFIT#"))) if b["kind"].startswith("OCCUPATIONAL_")}
    assert occupational["OCCUPATIONAL_INJURY_ONE_TIME"]["work_capacity_loss_percent"] == 18
    an_bhxh = stored(AN, "SUMMARY#BHXH")["SUMMARY#BHXH"]
    assert (an_bhxh["total_months"], an_bhxh["months_in_arrears"], an_bhxh["first_month"], an_bhxh["last_month"]) \
        == (217, 3, "2008-07", "2026-10")
    assert stored(BINH, "CARD")["CARD"]["card_number"] == "DN4797901234568"
    assert {c["username"] for c in DEMO_CITIZENS} == {AN, BINH}
    with dynamodb_calls() as calls:
        again = load_demo_records()
    assert writes(calls) == 0 and sum(r.unchanged for r in again) == 76


# --- the command-line tool --------------------------------------------------------------------------------

def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_loads_files_and_exits_0_when_every_row_is_good(aws, tmp_path, capsys):
    good = write_jsonl(tmp_path / "contribution.jsonl", [CONTRIBUTIONS[0], CONTRIBUTIONS[2]])
    code, out, _ = run_cli(capsys, str(good))
    assert code == 0
    assert "read 2, valid 2, created 2, updated 0, unchanged 0, rejected 0" in out
    code, out, _ = run_cli(capsys, str(good))
    assert code == 0 and "created 0, updated 0, unchanged 2, rejected 0" in out


def test_cli_exits_1_with_the_rejected_rows_and_still_loads_the_good_ones(aws, tmp_path, capsys, contribution_file):
    code, out, _ = run_cli(capsys, str(contribution_file))
    assert code == 1
    assert "read 9, valid 5, created 5, updated 0, unchanged 0, rejected 4" in out
    assert "  row 5: to_month: must not be before from_month" in out
    assert "  row 7: _row: duplicate of row 1" in out
    assert len(stored(AN, "CONTRIBUTION#")) == 4

    many_bad = write_jsonl(tmp_path / "visits.jsonl", ["not json"] * 25)
    code, out, _ = run_cli(capsys, "--kind", "medical_visit", str(many_bad))
    assert code == 1 and out.count("is not a JSON object") == 20 and "and 5 more rejected rows" in out


def test_cli_json_output(aws, tmp_path, capsys, contribution_file):
    code, out, _ = run_cli(capsys, "--json", "--kind", "contribution", str(contribution_file))
    assert code == 1
    [report] = json.loads(out)
    assert report["file"] == str(contribution_file)
    assert {k: report[k] for k in ("kind", "read", "valid", "created", "updated", "unchanged")} == {
        "kind": "contribution", "read": 9, "valid": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert report["rejected"][2] == {"row_number": 7, "fields": {"_row": "duplicate of row 1"},
                                     "fields_vi": {"_row": "trùng với dòng 1"}}


def test_cli_usage_errors_exit_2_and_load_nothing(aws, tmp_path, capsys, contribution_file):
    unnamed = write_jsonl(tmp_path / "records.jsonl", [CONTRIBUTIONS[0]])
    text = tmp_path / "contribution.txt"
    text.write_text("x", encoding="utf-8")
    assert run_cli(capsys, str(contribution_file), str(unnamed))[0] == 2  # kind not given nor in the name
    assert run_cli(capsys, str(contribution_file), str(text))[0] == 2
    assert run_cli(capsys, str(tmp_path / "contribution.csv"))[0] == 2  # no such file
    assert run_cli(capsys, "--kind", "pension", str(unnamed))[0] == 2
    assert run_cli(capsys)[0] == 2
    assert stored(AN) == {}
    code, _, err = run_cli(capsys, str(unnamed))
    assert code == 2 and "give --kind" in err
    assert run_cli(capsys, "--kind", "contribution", str(unnamed))[0] == 0


def test_the_same_loader_takes_reference_data(aws, capsys):
    from cli import load_records
    from local.seed import DATA

    code = load_records.main([str(DATA / "facilities.jsonl"), str(DATA / "offices.json"), "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    reports = json.loads(out)
    assert [r["collection"] for r in reports] == ["FACILITY", "OFFICE"]
    assert reports[0]["created"] == reports[0]["read"] >= 300
    assert load_records.main([str(DATA / "facilities.jsonl")]) == 0
    assert "unchanged 304" in capsys.readouterr().out


def test_the_cli_refuses_a_reference_row_with_neither_source_nor_demo_naming_the_row(aws, tmp_path, capsys):
    from local.seed import DATA

    rows = [json.loads(line) for line in (DATA / "collection_points.jsonl").read_text(encoding="utf-8").splitlines()]
    uncited = {k: v for k, v in rows[2].items() if k != "demo"}
    path = write_jsonl(tmp_path / "collection_point.jsonl", [rows[0], rows[1], uncited])
    code, out, _ = run_cli(capsys, str(path))
    assert code == 1
    assert "valid 2" in out and "rejected 1" in out
    assert "row 3: source: is required unless the row is marked demo: true" in out
