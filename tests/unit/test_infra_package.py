"""The packaging step deploys the same ASL the tests execute, and tells each function where things are."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from infra import package
from infra.package import FUNCTIONS, ChaliceNotFound, chalice_executable, merge_template

ROOT = Path(__file__).resolve().parents[2]


def test_state_machine_definition_is_the_asl_file_the_tests_run():
    template = merge_template("dev")
    definition = template["Resources"]["RegistrationWorkflow"]["Properties"]["DefinitionString"]
    assert definition == (ROOT / "infra" / "registration-workflow.asl.json").read_text(encoding="utf-8")
    assert json.loads(definition)["StartAt"] == "FirstReminderDue"


def test_every_function_gets_every_resource_name_and_its_own_role():
    template = merge_template("prod")
    wanted = {res["Metadata"]["vssid:env"] for res in template["Resources"].values() if "vssid:env" in res.get(
        "Metadata", {})}
    for function, role in FUNCTIONS.items():
        properties = template["Resources"][function]["Properties"]
        variables = properties["Environment"]["Variables"]
        assert wanted <= set(variables)
        assert variables["VSSID_STAGE"] == "prod"
        assert "VSSID_DEADLINE_SECONDS" not in variables and "VSSID_LOCAL_CAPTCHA_ANSWER" not in variables
        assert properties["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        assert template["Resources"][role]["Type"] == "AWS::IAM::Role"
    queue = template["Resources"]["RegistrationTokenQueue"]["Properties"]
    assert queue["QueueName"] == "vssid-prod-registration-tokens"


# Finding chalice: `.venv/bin/python infra/package.py --package` works without .venv/bin on PATH.

def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_chalice_is_taken_from_beside_the_interpreter_before_path(tmp_path):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    beside = _executable(bin_dir / "chalice")
    found = chalice_executable(str(bin_dir / "python"), which=lambda name: "/usr/local/bin/chalice")
    assert found == str(beside)


def test_the_test_interpreter_s_own_chalice_is_found_with_nothing_on_path():
    assert chalice_executable(which=lambda name: None) == str(Path(sys.executable).parent / "chalice")


def test_chalice_on_path_is_the_fallback(tmp_path):
    asked = []
    found = chalice_executable(str(tmp_path / "python"), which=lambda name: asked.append(name) or "/opt/bin/chalice")
    assert found == "/opt/bin/chalice" and asked == ["chalice"]


def test_a_missing_chalice_is_a_clear_error_naming_where_it_looked(tmp_path):
    with pytest.raises(ChaliceNotFound) as missing:
        chalice_executable(str(tmp_path / "python"), which=lambda name: None)
    assert str(tmp_path / "chalice") in str(missing.value) and "make install" in str(missing.value)


@pytest.fixture
def packaging_root(tmp_path, monkeypatch):
    """infra/package.py writing into a scratch root (its build/ folder) that reads the real infra/."""
    (tmp_path / "infra").symlink_to(ROOT / "infra", target_is_directory=True)
    monkeypatch.setattr(package, "ROOT", tmp_path)
    return tmp_path


def test_package_runs_the_chalice_beside_the_interpreter_with_the_stage(packaging_root, monkeypatch):
    bin_dir = packaging_root / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    beside = _executable(bin_dir / "chalice")
    monkeypatch.setattr(package.sys, "executable", str(bin_dir / "python"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no venv on PATH
    commands = []

    def fake_call(command, cwd, env):
        commands.append((command, env))
        return 1  # "failed": nothing to slim

    monkeypatch.setattr(package.subprocess, "call", fake_call)
    assert package.main(["--stage", "dev", "--package"]) == 1
    [(command, env)] = commands
    merge = packaging_root / "build" / "dev" / "merge-template.json"
    assert command == [str(beside), "package", "--stage", "dev", "--merge-template", str(merge),
                       str(packaging_root / "build" / "dev" / "package")]
    assert env["SMS_OUTBOX_QUEUE_NAME"] == "vssid-dev-sms-outbox" and "VSSID_LOCAL_MODE" not in env
    assert json.loads(merge.read_text(encoding="utf-8"))["Resources"]["RegistrationWorkflow"]


def test_package_without_chalice_says_so_and_runs_nothing(packaging_root, monkeypatch, capsys):
    monkeypatch.setattr(package.sys, "executable", str(packaging_root / "python"))
    monkeypatch.setattr(package.shutil, "which", lambda name: None)
    monkeypatch.setattr(package.subprocess, "call", lambda *a, **k: pytest.fail("chalice was run"))
    assert package.main(["--stage", "prod", "--package"]) == 2
    assert "chalice is not installed" in capsys.readouterr().err
