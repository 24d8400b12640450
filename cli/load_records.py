"""Load the agency's files into DynamoDB: people and their records (the register, BHYT cards,
contributions, benefits, medical visits) and the public reference data (offices, clinics, employers,
collection points, news, FAQ) — one bulk loader for both.

    python -m cli.load_records --kind contribution contribution-2026-11.csv [more.csv ...]
    python -m cli.load_records data/demo/records/*.jsonl        # the kind from each file name

Files are CSV (UTF-8, a header row naming the columns) or JSON Lines (one object per line). Without
--kind, a file's name without extension must be a kind (participant, health_card, contribution,
benefit, medical_visit, office(s), facility/facilities, employer(s), collection_point(s), news, faq).
Every row is validated before anything of its file is written; bad rows are listed with
their row number (1 = the first data row) and reasons, and never stored; the good rows are loaded.
Loading the same file again changes nothing. `--json` prints the reports as JSON instead of text.

With --via-s3 each file is instead put in the feed bucket (feeds/<kind>/<file name>, its as-of time
--as-of or now in the object's metadata) and loaded by the splitter and workers on AWS (docs/FEED.md); the
command follows the load with a progress bar until it ends (--wait seconds at most; 0 only uploads):

    python -m cli.load_records --via-s3 --as-of 2026-11-30 contribution.csv.gz

With --via-s3 --for-import [--import-batch B] the files are converted for the first national load of a new
table instead (DynamoDB JSON for ImportTable; then `python -m cli.import_table`, docs/FEED.md).

Exit status: 0 every row loaded or already there; 1 some rows were rejected (the others are loaded);
2 usage errors (unknown kind, missing file, not .csv/.jsonl: then nothing is loaded) or a file that
cannot be read (not UTF-8, broken CSV: nothing of that file is loaded; the files before it are);
3 DynamoDB could not be reached or refused a request (the file may be partly loaded: run it again).
With --via-s3: 2 also when a load FAILED (its reason is printed), 4 when it was still loading at the end of
--wait (it goes on; GET /v1/admin/loads/<load id> follows it).

It uses the same AWS settings as the app: the usual AWS_* variables and the table name variables of the
deployed stage (INSURANCE_RECORDS_TABLE), or, against `make run`'s moto server:

    AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \\
    AWS_DEFAULT_REGION=ap-southeast-1 .venv/bin/python -m cli.load_records data/demo/records/*.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from chalicelib.domain.record_rows import KINDS as RECORD_KINDS

# Public reference data goes to the directory (chalicelib/services/directory_loader.py).
DIRECTORY_KINDS = {"office": "OFFICE", "facility": "FACILITY", "employer": "EMPLOYER",
                   "collection_point": "COLLECTION_POINT", "news": "NEWS", "faq": "FAQ"}
KINDS = RECORD_KINDS + tuple(DIRECTORY_KINDS)
_PLURALS = {"offices": "office", "facilities": "facility", "employers": "employer",
            "collection_points": "collection_point"}
SHOWN_REJECTIONS = 20
SUFFIXES = (".csv", ".jsonl", ".json")
FEED_SUFFIXES = (".csv", ".jsonl", ".csv.gz", ".jsonl.gz")


def _plan(files: list[str], kind: str | None, via_s3: bool = False) -> list[tuple[Path, str]] | str:
    """Each file with its kind, or the usage problem found before anything is loaded."""
    plan = []
    for name in files:
        path = Path(name)
        lowered = path.name.lower()
        if via_s3 and not lowered.endswith(FEED_SUFFIXES):
            return f"{name}: the feed takes .csv or .jsonl files, optionally .gz"
        if not via_s3 and path.suffix.lower() not in SUFFIXES:
            return f"{name}: expected a .csv, .jsonl or .json (an array of objects) file"
        if not path.is_file():
            return f"{name}: no such file"
        bare = lowered.removesuffix(".gz").rsplit(".", 1)[0] if via_s3 else path.stem
        stem = _PLURALS.get(bare, bare)
        file_kind = kind or (stem if stem in KINDS else None)
        if file_kind is None:
            return f"{name}: give --kind, or name the file after its kind ({', '.join(KINDS)})"
        if via_s3 and file_kind in DIRECTORY_KINDS:
            return f"{name}: the feed loads the records ({', '.join(RECORD_KINDS)}), not the directory"
        plan.append((path, file_kind))
    return plan


def _print_text(path: Path, report: dict) -> None:
    kind = report.get("kind") or report.get("collection")
    print(f"{path} ({kind}): read {report['read']}, valid {report['valid']}, created {report['created']}, "
          f"updated {report['updated']}, unchanged {report['unchanged']}, rejected {len(report['rejected'])}")
    for rejected in report["rejected"][:SHOWN_REJECTIONS]:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in rejected["fields"].items())
        print(f"  row {rejected['row_number']}: {reasons}")
    hidden = len(report["rejected"]) - SHOWN_REJECTIONS
    if hidden > 0:
        print(f"  … and {hidden} more rejected rows (--json lists them all)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.load_records", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=KINDS, help="the record kind of every file (else from each file name)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument("--via-s3", action="store_true",
                        help="put the files in the feed bucket and follow their loads (docs/FEED.md)")
    parser.add_argument("--as-of", help="with --via-s3: the extract's date or date-time (default: now)")
    parser.add_argument("--for-import", action="store_true",
                        help="with --via-s3: a first load, converted to DynamoDB JSON for cli.import_table "
                             "instead of written to the table (docs/FEED.md)")
    parser.add_argument("--import-batch", help="with --for-import: the files converted into one new table "
                                               "(default: each file alone)")
    parser.add_argument("--wait", type=float, default=3600.0, help="with --via-s3: seconds to follow a load")
    parser.add_argument("files", nargs="+", metavar="FILE", help=".csv or .jsonl files")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage
        return exc.code if isinstance(exc.code, int) else 2
    plan = _plan(args.files, args.kind, args.via_s3)
    if isinstance(plan, str):
        print(plan, file=sys.stderr)
        return 2
    if args.via_s3:
        from chalicelib.domain.feed_files import normalise_version
        from cli.feed_upload import via_s3

        if args.as_of and normalise_version(args.as_of) is None:
            print("--as-of must be an ISO date or date-time", file=sys.stderr)
            return 2
        if args.import_batch and not args.for_import:
            print("--import-batch goes with --for-import", file=sys.stderr)
            return 2
        return via_s3(plan, args.as_of, args.wait, "import" if args.for_import else "load", args.import_batch)
    if args.for_import or args.import_batch:
        print("--for-import and --import-batch go with --via-s3", file=sys.stderr)
        return 2

    from botocore.exceptions import BotoCoreError
    from pynamodb.exceptions import PynamoDBException

    from chalicelib.services.directory_loader import load_directory
    from chalicelib.services.record_loader import load_rows, read_file

    reports = []
    for path, kind in plan:
        try:
            if kind in DIRECTORY_KINDS:
                report = load_directory(DIRECTORY_KINDS[kind], list(read_file(path))).as_dict()
            else:
                report = load_rows(kind, read_file(path)).as_dict()
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            print(f"{path}: cannot be read ({type(exc).__name__}: {exc}); nothing of it was loaded", file=sys.stderr)
            return 2
        except (PynamoDBException, BotoCoreError) as exc:
            print(f"{path}: DynamoDB failed ({type(exc).__name__}); run the load again", file=sys.stderr)
            return 3
        reports.append({"file": str(path), **report})
        if not args.json:
            _print_text(path, report)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    return 1 if any(report["rejected"] for report in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
