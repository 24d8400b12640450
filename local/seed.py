"""Demo data for local runs: reference data, one staff account per office, demo citizens."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from chalicelib import clock
from chalicelib.domain.credentials import hash_password
from chalicelib.domain.directory_rows import validate_directory_row
from chalicelib.domain.record_rows import RowInvalid
from chalicelib.models.account import Account
from chalicelib.models.reference import Office, Province
from chalicelib.services.staff_auth import create_staff
from chalicelib.services.timestamps import stored

DATA = Path(__file__).resolve().parent.parent / "data" / "reference"
DEMO_STAFF_PASSWORD = "CanBo@Demo2026"
DEMO_CITIZEN_PASSWORD = "CongDan@Demo2026"
_demo: dict[str, list[dict[str, Any]]] = {"staff": [], "citizens": []}


class ReferenceDataError(ValueError):
    """A reference file the seed refuses (e.g. an office row with neither `source` nor `demo: true`)."""


def checked_offices(rows: list[Any], province_codes: set[str]) -> list[dict[str, Any]]:
    """The office rows as the directory loader validates them (the same rules: provenance, codes, places),
    or ReferenceDataError naming every bad row by its number and code."""
    checked, problems = [], []
    for number, row in enumerate(rows, start=1):
        try:
            checked.append(validate_directory_row("OFFICE", row, province_codes).fields)
        except RowInvalid as exc:
            code = row.get("office_code") if isinstance(row, dict) else None
            reasons = "; ".join(f"{name} {reason}" for name, reason in exc.fields.items())
            problems.append(f"offices.json row {number} ({code or 'no office_code'}): {reasons}")
    if problems:
        raise ReferenceDataError("\n".join(problems))
    return checked


def load_reference_data() -> tuple[int, int]:
    provinces = json.loads((DATA / "provinces.json").read_text(encoding="utf-8"))
    offices = checked_offices(json.loads((DATA / "offices.json").read_text(encoding="utf-8")),
                              {p["province_code"] for p in provinces})
    with Province.batch_write() as batch:
        for p in provinces:
            batch.save(Province("VN", p["province_code"], name=p["name"],
                                provincial_office_code=p.get("provincial_office_code")))
    with Office.batch_write() as batch:
        for o in offices:
            hours = o["opening_hours"] or {}
            batch.save(Office(o["code"], province_code=o["province_code"], name=o["name"],
                              parent_name=o["parent_name"], address=o["address"], phone=o["phone"],
                              lat=o["lat"], lon=o["lon"], opening_hours_vi=hours.get("vi"),
                              opening_hours_en=hours.get("en"), served_areas=o["served_areas"],
                              former_names=o["former_names"], demo=o["demo"]))
    return len(provinces), len(offices)


def staff_username(office_code: str) -> str:
    return "canbo." + office_code.lower()


def seed_staff(offices: list[str] | None = None) -> list[dict[str, Any]]:
    import pyotp

    # "VSS" is the national feedback queue (feedback that names no office or province).
    codes = offices or [o["office_code"] for o in json.loads((DATA / "offices.json").read_text(encoding="utf-8"))] + [
        "VSS"]
    created = []
    for code in codes:
        secret = pyotp.random_base32()
        create_staff(staff_username(code), f"Cán bộ một cửa {code}", code, DEMO_STAFF_PASSWORD, secret)
        created.append({"username": staff_username(code), "password": DEMO_STAFF_PASSWORD,
                        "totp_secret": secret, "office_code": code})
    _demo["staff"] = created
    return created


DEMO_CITIZENS = [
    {"username": "0101234567", "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12", "gender": "male",
     "id_number": "001085012345", "phone": "+84912000001", "address": "15 Hàng Bông, Hoàn Kiếm, Hà Nội",
     "office_code": "HN-HK"},
    {"username": "7901234568", "full_name": "Trần Thị Bình", "date_of_birth": "1992-11-02", "gender": "female",
     "id_number": "079192012345", "phone": "+84912000002", "address": "120 Lê Lợi, Quận 1, TP Hồ Chí Minh",
     "office_code": "HCM-Q1"},
]


def seed_citizens() -> list[dict[str, Any]]:
    """Accounts as if their registrations had been approved long ago and the password changed since."""
    now = clock.now()
    created = []
    for c in DEMO_CITIZENS:
        Account(c["username"], registration_id="demo", office_code=c["office_code"], full_name=c["full_name"],
                date_of_birth=c["date_of_birth"], gender=c["gender"], id_type="CCCD", id_number=c["id_number"],
                phone=c["phone"], email=None, address=c["address"], password_hash=hash_password(DEMO_CITIZEN_PASSWORD),
                password_set_at=stored(now - timedelta(days=30)), password_change_required=False,
                initial_password_delivered=True, created_at=stored(now - timedelta(days=400)),
                created_by="seed").save()
        created.append({"username": c["username"], "password": DEMO_CITIZEN_PASSWORD})
    _demo["citizens"] = created
    return created


def demo_credentials() -> dict[str, list[dict[str, Any]]]:
    return _demo
