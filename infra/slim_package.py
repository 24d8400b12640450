"""Take out of Chalice's deployment.zip what the Lambda function never needs.

- boto3, botocore and their dependencies: the Lambda Python runtime ships them (pynamodb pulls a second
  copy of botocore into the zip, 17 MB of the 32 MB).
- Roboto weights other than the Regular and Bold the Form 01 PDF embeds.
- fontTools' optional compiled accelerators (it falls back to its pure-Python code; fpdf2 uses it only to
  subset the two fonts).
- __pycache__ folders copied from the working tree (built for another interpreter build, never used).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "urllib3", "six")
KEPT_FONTS = ("Roboto-Regular.ttf", "Roboto-Bold.ttf")
_RUNTIME = re.compile(rf"^({'|'.join(RUNTIME_PROVIDED)})([/.-]|\.py$)")


def is_dropped(name: str) -> bool:
    if _RUNTIME.match(name):
        return True
    if name.startswith("font_roboto/files/") and name.rsplit("/", 1)[-1] not in KEPT_FONTS:
        return True
    if name.startswith("fontTools/") and name.endswith(".so"):
        return True
    return "/__pycache__/" in f"/{name}"


def slim(zip_path: Path) -> tuple[int, int]:
    """Rewrite the zip without the dropped entries; returns (bytes before, bytes after)."""
    before = zip_path.stat().st_size
    with tempfile.NamedTemporaryFile(dir=zip_path.parent, suffix=".zip", delete=False) as handle:
        slimmed = Path(handle.name)
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(slimmed, "w", zipfile.ZIP_DEFLATED,
                                                               compresslevel=9) as target:
        for info in source.infolist():
            if not is_dropped(info.filename):
                with source.open(info) as src, target.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst)
    slimmed.replace(zip_path)
    return before, zip_path.stat().st_size
