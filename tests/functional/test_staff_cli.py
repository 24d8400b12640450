"""The staff account tool prints the enrolment once and the account can then sign in."""

from __future__ import annotations

import io
import re

import pyotp

from cli import staff as staff_cli
from tests.support.api import call


def test_created_staff_member_enrols_and_signs_in(client, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Một mật khẩu dài đủ 2026\n"))
    code = staff_cli.main(["create", "--username", "le.thi.c", "--office", "HN-HK", "--name", "Lê Thị C",
                           "--password-stdin"])
    out = capsys.readouterr().out
    assert code == 0
    uri = re.search(r"otpauth://\S+", out).group(0)
    totp = pyotp.parse_uri(uri)
    assert "le.thi.c" in uri
    reply = call(client, "POST", "/v1/admin/auth/login",
                 {"username": "le.thi.c", "password": "Một mật khẩu dài đủ 2026", "totp": totp.now()})
    assert reply.status == 200 and reply.body["office_code"] == "HN-HK"


def test_unknown_office_and_duplicate_username_are_refused(client, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Một mật khẩu dài đủ 2026\n"))
    assert staff_cli.main(["create", "--username", "x", "--office", "NOPE", "--name", "X", "--password-stdin"]) == 2
    for expected in (0, 1):
        monkeypatch.setattr("sys.stdin", io.StringIO("Một mật khẩu dài đủ 2026\n"))
        assert staff_cli.main(["create", "--username", "dup", "--office", "HN-HK", "--name", "D",
                               "--password-stdin", "--no-qr"]) == expected
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert staff_cli.main(["create", "--username", "y", "--office", "HN-HK", "--name", "Y", "--password-stdin"]) == 2


def test_an_operations_member_sees_the_loads_and_not_the_counter(client, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Một mật khẩu dài đủ 2026\n"))
    assert staff_cli.main(["create", "--username", "van.hanh", "--office", "HN-HK", "--name", "Trần Thị B",
                           "--role", "operations", "--password-stdin"]) == 0
    totp = pyotp.parse_uri(re.search(r"otpauth://\S+", capsys.readouterr().out).group(0))
    login = {"username": "van.hanh", "password": "Một mật khẩu dài đủ 2026", "totp": totp.now()}
    token = call(client, "POST", "/v1/admin/auth/login", login).body["staff_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert call(client, "GET", "/v1/admin/loads", headers=auth).status == 200
    assert call(client, "GET", "/v1/admin/registrations", headers=auth).status == 403
