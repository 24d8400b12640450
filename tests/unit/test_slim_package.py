"""The deployment zip loses exactly what the Lambda runtime provides or the function never loads."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from infra.slim_package import is_dropped, slim

DROPPED = ["botocore/client.py", "botocore-1.40.0.dist-info/METADATA", "boto3/__init__.py", "s3transfer/manager.py",
           "jmespath/parser.py", "dateutil/tz/tz.py", "python_dateutil-2.9.0.dist-info/RECORD",
           "urllib3/poolmanager.py",
           "six.py", "font_roboto/files/Roboto-Thin.ttf", "fontTools/cu2qu/cu2qu.cpython-311-x86_64-linux-gnu.so",
           "chalicelib/__pycache__/app.cpython-311.pyc"]
KEPT = ["app.py", "chalicelib/pagination.py", "pynamodb/models.py", "font_roboto/files/Roboto-Regular.ttf",
        "font_roboto/files/Roboto-Bold.ttf", "fontTools/subset/__init__.py", "sixty/module.py",
        "phonenumbers/__init__.py",
        "aws_lambda_powertools/logging/logger.py", "boto3_helpers/x.py"]


@pytest.mark.parametrize("name", DROPPED)
def test_dropped(name: str):
    assert is_dropped(name)


@pytest.mark.parametrize("name", KEPT)
def test_kept(name: str):
    assert not is_dropped(name)


def test_slim_rewrites_the_zip_with_the_kept_entries_intact(tmp_path: Path):
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name in DROPPED + KEPT:
            z.writestr(name, f"content of {name}" * 50)
    before, after = slim(archive)
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == sorted(KEPT)
        assert z.read("app.py") == b"content of app.py" * 50
    assert after < before
