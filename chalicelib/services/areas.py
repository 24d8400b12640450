"""The wards that replaced each former district (chalicelib/data/former_districts.json, shipped in the
package): what makes "Quận Hoàn Kiếm" an alias of "Phường Hoàn Kiếm" and "Phường Cửa Nam" in the
directory's `district` filter (`domain.areas`)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from chalicelib.domain.areas import area_key

_FILE = Path(__file__).resolve().parent.parent / "data" / "former_districts.json"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, frozenset[str]]]:
    provinces = json.loads(_FILE.read_text(encoding="utf-8"))["provinces"]
    return {province: {area_key(former): frozenset(area_key(ward) for ward in wards)
                       for former, wards in districts.items()}
            for province, districts in provinces.items()}


def former_wards(province_code: str | None) -> dict[str, frozenset[str]]:
    """Former district key → keys of the wards that replaced it, in one province ({} when none known)."""
    return _table().get(province_code or "", {})
