"""Deployment package size: the zipped `chalice package` output and what fills it.

    .venv/bin/python bench/package_size.py            # builds: infra/package.py --stage dev --package
    .venv/bin/python bench/package_size.py --no-build # reads the last build/dev/package/deployment.zip

Prints the size of build/dev/package/deployment.zip (goal ≤ 10 MB zipped; Lambda's own limits are 50 MB
zipped and 250 MB unzipped), the 15 biggest contributors by compressed size grouped by top-level package,
and what the zip would weigh without the parts that need not be there (computed from the same zip, not
rebuilt): botocore (the Lambda Python runtime already has boto3/botocore; pynamodb pulls a second copy),
phonenumbers' geocoder/carrier/timezone data (phonenumberslite has only the metadata we use), the Roboto
weights the PDF does not use (it uses Regular and Bold), and fontTools' optional compiled accelerators.
Building takes minutes (chalice fetches Lambda-platform wheels).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZIP = ROOT / "build" / "dev" / "package" / "deployment.zip"
MB = 1_000_000


def group(name: str) -> str:
    top = name.split("/")[0]
    if top.endswith((".dist-info", ".libs")):
        return top.split("-")[0].split(".")[0] + " (metadata/libs)"
    return top.removesuffix(".py")


def trims(info: zipfile.ZipInfo) -> str | None:
    """Which proposed change would drop this entry, if any."""
    name = info.filename
    if name.startswith(("botocore/", "botocore-", "boto3/", "boto3-", "s3transfer/", "s3transfer-", "jmespath/",
                        "jmespath-", "urllib3/", "urllib3-", "dateutil/", "python_dateutil-", "six.py", "six-")):
        return "rely on the runtime's boto3/botocore (and their deps)"
    if name.startswith("phonenumbers/") and any(f"/{part}/" in name for part in ("geodata", "carrierdata", "tzdata")):
        return "phonenumberslite instead of phonenumbers"
    if name.startswith("font_roboto/files/Roboto-") and not name.endswith(("-Regular.ttf", "-Bold.ttf")):
        return "ship only Roboto Regular and Bold"
    if name.startswith("fontTools/") and name.endswith(".so"):
        return "drop fontTools' optional compiled accelerators"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="read the existing deployment.zip")
    args = parser.parse_args(argv)
    if not args.no_build or not ZIP.exists():
        # infra/package.py finds chalice beside sys.executable itself; chalice needs a region to package.
        env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-1")}
        print("building: infra/package.py --stage dev --package (minutes)", flush=True)
        subprocess.run([sys.executable, "infra/package.py", "--stage", "dev", "--package"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    archive = zipfile.ZipFile(ZIP)
    entries = archive.infolist()
    on_disk = ZIP.stat().st_size
    compressed: Counter[str] = Counter()
    unzipped: Counter[str] = Counter()
    files: Counter[str] = Counter()
    savings: Counter[str] = Counter()
    for info in entries:
        key = group(info.filename)
        compressed[key] += info.compress_size
        unzipped[key] += info.file_size
        files[key] += 1
        reason = trims(info)
        if reason:
            savings[reason] += info.compress_size + 30 + 46 + 2 * len(info.filename)  # + local and central headers
    total_unzipped = sum(unzipped.values())
    print(f"deployment package {ZIP.relative_to(ROOT)}: {on_disk / MB:.1f} MB zipped "
          f"(goal ≤ 10 MB: {'met' if on_disk <= 10 * MB else 'NOT met'}), {total_unzipped / MB:.1f} MB unzipped, "
          f"{len(entries)} files")
    print(f"\n{'top 15 by compressed size':<32}{'zipped MB':>10}{'unzipped MB':>12}{'files':>7}")
    for key, size in compressed.most_common(15):
        print(f"  {key:<30}{size / MB:>10.2f}{unzipped[key] / MB:>12.2f}{files[key]:>7}")
    print("\nproposed changes (computed from this zip's entries)")
    left = on_disk
    for reason, size in savings.most_common():
        left -= size
        print(f"  {reason:<54} −{size / MB:5.2f} MB → {left / MB:5.1f} MB")
    pyc = sum(1 for info in entries if info.filename.endswith(".pyc"))
    print(f"\n.pyc files in the zip: {pyc} (stale __pycache__ copies of chalicelib; the dependencies ship as .py, "
          "compiled at every cold start since /var/task is read-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
