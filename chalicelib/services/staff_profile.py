"""Who is signed in at the counter (GET /v1/admin/me): the console's header, and a check that a session
kept in the browser still holds."""

from __future__ import annotations

from typing import Any

from chalicelib.models.staff import StaffMember
from chalicelib.services.reference import find_office
from chalicelib.services.staff_auth import StaffIdentity


def profile(staff: StaffIdentity) -> dict[str, Any]:
    try:
        full_name = StaffMember.get(staff.username).full_name
    except StaffMember.DoesNotExist:
        full_name = None
    office = find_office(staff.office_code)
    return {"username": staff.username, "full_name": full_name, "office_code": staff.office_code,
            "office_name": office.name if office is not None else None}
