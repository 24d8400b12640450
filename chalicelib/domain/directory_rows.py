"""One row of the public directory files, validated and turned into what is stored and indexed.

Collections and what each row becomes (`DirectoryRow`):

| collection (C) | item_key | list_key / sort_key | geo_cell | search terms of |
|---|---|---|---|---|
| OFFICE | C#<office_code> | C#<province> / name#code | C#<cell> | name, former names, wards served |
| FACILITY | C#<facility_code> | C#<province> / name#code | C#<cell> (if placed) | name |
| EMPLOYER | C#<tax_code> | C#<province> / name#tax code | – | name, tax code |
| COLLECTION_POINT | C#<point_code> | C#<province> / ward#name#code | C#<cell> | name |
| NEWS | C#<news_id> | NEWS / publication time (UTC, YYYY-MM-DDTHH:MM:SSZ) | – | – |
| FAQ | C#<faq_id> | FAQ / faq_id | – | – |

Names in sort keys are normalised (`text_search.normalise`), so a province lists alphabetically without
regard to diacritics. A ward is keyed without its unit word (`areas.area_key`: "Phường Cửa Nam" → "cua nam").

Every row but an FAQ entry says where it comes from (`provenance`: a cited `source`, or `demo: true`), and
its API fields carry `demo` (true or false). Clinics, employers and collection points are in a `ward`
(today's, after the 2025 reform) and may keep their `former_district` (an input `district` is read as
that); a demo employer's tax code must fail the check digit (`tax_code`), so it is never a real company's.

Rows come from JSON (typed) or CSV (all text): numbers may be numeric text, lists may be "A|B" text. Every
problem of a row is reported at once, in English and Vietnamese (`RowInvalid`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import faq_entries
from chalicelib.domain.areas import area_key
from chalicelib.domain.form01 import clean_text
from chalicelib.domain.geo import cell
from chalicelib.domain.provenance import Provenance, read_provenance
from chalicelib.domain.record_rows import MALFORMED, RowInvalid
from chalicelib.domain.row_reader import RowReader
from chalicelib.domain.tax_code import check_digit_ok
from chalicelib.domain.text_search import index_terms, normalise

COLLECTIONS = ("OFFICE", "FACILITY", "EMPLOYER", "COLLECTION_POINT", "NEWS", "FAQ")
SEARCHABLE = frozenset({"OFFICE", "FACILITY", "EMPLOYER", "COLLECTION_POINT"})
# The collections whose rows must say where they come from (`source` or `demo: true`); the FAQ is
# "how things work" text, kept by its own rules.
CITED = frozenset({"OFFICE", "FACILITY", "EMPLOYER", "COLLECTION_POINT", "NEWS"})
FACILITY_TYPES = ("SICK_LEAVE", "BHYT_CONTRACT")
POINT_KINDS = ("POST_OFFICE", "AGENT")
POINT_SERVICES = ("VOLUNTARY_BHXH", "HOUSEHOLD_BHYT")
# Bump when what a row is stored or indexed under changes: every item's hash changes, so the next load
# rewrites every item and its search terms.
INDEX_VERSION = 2  # 2: provenance (demo), wards after the 2025 reform, office aliases
# Viet Nam, its islands included, with a margin: catches swapped or mistyped coordinates.
LAT_RANGE = (6.0, 24.0)
LON_RANGE = (102.0, 118.0)

# The field of the API item that holds its code (the item_key is "<COLLECTION>#<code>").
KEY_FIELD = {"OFFICE": "code", "FACILITY": "code", "EMPLOYER": "tax_code", "COLLECTION_POINT": "code",
             "NEWS": "news_id", "FAQ": "faq_id"}
_OFFICE_CODE = re.compile(r"[A-Z][A-Z0-9]{1,5}(?:-[A-Z0-9]{1,6})?")
_FACILITY_CODE = re.compile(r"[0-9]{2}-[0-9]{3,6}")
_TAX_CODE = re.compile(r"([0-9]{10})(?:-?([0-9]{3}))?")
_POINT_CODE = re.compile(r"CP-[0-9]{2}-[0-9]{3,6}")
_TEXT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")
_PROVINCE = re.compile(r"[0-9]{2}")
_PHONE = re.compile(r"\+?[0-9][0-9 .()\-]{5,22}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
UNKNOWN_WARD_KEY = "~"  # sorts after every normalised ward: rows without a ward list last


def item_key_of(collection: str, code: str) -> str:
    return f"{collection}#{code}"


def search_texts(collection: str, fields: dict[str, Any]) -> list[str]:
    """The texts a searchable item is found by: its name, and for an office its former names and the
    wards it serves ("Hoàn Kiếm", "quận Hoàn Kiếm" and "Cửa Nam" find BHXH cơ sở Hoàn Kiếm); [] for
    collections without search. A query must match one of them as a whole."""
    if collection not in SEARCHABLE or not fields.get("name"):
        return []
    texts = [fields["name"]]
    if collection == "OFFICE":
        texts += list(fields.get("former_names") or []) + list(fields.get("served_areas") or [])
    return texts


def match_text(collection: str, fields: dict[str, Any]) -> str:
    """`search_texts` normalised, one a line: what a search term keeps to check a query against."""
    return "\n".join(normalise(text) for text in search_texts(collection, fields))


def search_codes(collection: str, fields: dict[str, Any]) -> tuple[str, ...]:
    return (fields["tax_code"],) if collection == "EMPLOYER" else ()


def item_terms(collection: str, fields: dict[str, Any]) -> set[str]:
    """The search terms ("<COLLECTION>#<prefix>") of an item, from its stored fields: the loader computes
    them for the new row and for the stored one, and removes those the new row no longer has."""
    terms: set[str] = set()
    for number, text in enumerate(search_texts(collection, fields)):
        codes = search_codes(collection, fields) if number == 0 else ()
        terms |= {f"{collection}#{term}" for term in index_terms(text, codes)}
    return terms


@dataclass(frozen=True)
class DirectoryRow:
    collection: str
    item_key: str
    fields: dict[str, Any]  # what the API returns
    list_key: str | None
    sort_key: str | None
    geo_cell: str | None
    lat: float | None
    lon: float | None
    province_code: str | None
    name_norm: str | None
    match_text: str | None  # the normalised search texts, one a line (`match_text`)
    terms: frozenset[str]
    source_hash: str


class _Row(RowReader):
    """Reads typed values from one row, collecting every problem instead of stopping at the first."""

    def long_text(self, name: str, *, max_len: int) -> str | None:
        """Text of several paragraphs: each paragraph cleaned, paragraphs separated by one blank line."""
        raw = self._raw(name, True)
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail(name, "must be text", "phải là chuỗi ký tự")
            return None
        paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n", unicodedata.normalize("NFC", raw))]
        value = "\n\n".join(p for p in paragraphs if p)
        if any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 for ch in value):
            self.fail(name, "must not contain control characters", "không được chứa ký tự điều khiển")
            return None
        if len(value) > max_len:
            self.fail(name, f"must be at most {max_len} characters", f"chỉ được dài tối đa {max_len} ký tự")
            return None
        return value

    def code(self, name: str, pattern: re.Pattern[str], en: str, vi: str) -> str | None:
        value = self.text(name, max_len=64)
        if value is not None and not pattern.fullmatch(value):
            self.fail(name, en, vi)
            return None
        return value

    def tax_code(self) -> str | None:
        raw = self.row.get("tax_code")
        value = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else self.text("tax_code", max_len=20)
        if value is None:
            return None
        match = _TAX_CODE.fullmatch(value.replace(" ", ""))
        if match is None:
            self.fail("tax_code", "must be 10 digits, or 10 digits, '-' and 3 digits for a branch",
                      "phải gồm 10 chữ số, hoặc 10 chữ số, dấu '-' và 3 chữ số với đơn vị phụ thuộc")
            return None
        return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")

    def province(self, province_codes: Collection[str]) -> str | None:
        value = self.text("province_code", max_len=10)
        if value is None:
            return None
        if not _PROVINCE.fullmatch(value):
            self.fail("province_code", "must be 2 digits", "phải gồm 2 chữ số")
            return None
        if value not in province_codes:
            self.fail("province_code", "is not a province", "không phải mã tỉnh, thành phố")
            return None
        return value

    def phone(self, name: str = "phone") -> str | None:
        value = self.text(name, max_len=30)
        if value is not None and not (_PHONE.fullmatch(value) and 8 <= sum(ch.isdigit() for ch in value) <= 15):
            self.fail(name, "must be a telephone number (8 to 15 digits)", "phải là số điện thoại (8 đến 15 chữ số)")
            return None
        return value

    def coordinate(self, name: str, bounds: tuple[float, float], en: str, vi: str) -> float | None:
        raw = self._raw(name, True)
        if raw is None:
            return None
        value: float | None = None
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = float(raw)
        elif isinstance(raw, str):
            try:
                value = float(raw.strip())
            except ValueError:
                value = None
        if value is None or not math.isfinite(value):
            self.fail(name, "must be a number", "phải là số")
            return None
        if not bounds[0] <= value <= bounds[1]:
            self.fail(name, en, vi)
            return None
        return value

    def choices(self, name: str, allowed: tuple[str, ...]) -> list[str] | None:
        """A non-empty list of distinct values from `allowed` (JSON list, or "A|B" / "A,B" text)."""
        raw = self._raw(name, True)
        if raw is None:
            return None
        items = re.split(r"[|,]", raw) if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.fail(name, "must be a list of values", "phải là danh sách giá trị")
            return None
        values = [i.strip().upper() for i in items if i.strip()]
        if not values or any(v not in allowed for v in values) or len(set(values)) != len(values):
            self.fail(name, f"must be distinct values from {', '.join(allowed)}",
                      f"phải là các giá trị khác nhau trong {', '.join(allowed)}")
            return None
        return values

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(name, max_len=40)
        if value is not None and value.upper() not in allowed:
            self.fail(name, f"must be one of {', '.join(allowed)}", f"phải là một trong {', '.join(allowed)}")
            return None
        return value.upper() if value is not None else None

    def text_list(self, name: str, *, max_items: int = 50, max_len: int = 200) -> list[str] | None:
        """Distinct texts (JSON list, or "A|B" text); [] when absent."""
        raw = self.row.get(name)
        if raw is None or raw == "":
            return []
        items = raw.split("|") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.fail(name, "must be a list of text", "phải là danh sách chuỗi ký tự")
            return None
        values = [clean_text(i) for i in items if clean_text(i)]
        if len(values) > max_items or any(len(v) > max_len for v in values) or len(set(values)) != len(values):
            self.fail(name, f"must be at most {max_items} distinct texts of at most {max_len} characters",
                      f"tối đa {max_items} giá trị khác nhau, mỗi giá trị tối đa {max_len} ký tự")
            return None
        return values

    def opening_hours(self) -> dict[str, str] | None:
        """Giờ làm việc: {"vi": text, "en": text (the Vietnamese one if not given)}, or None."""
        raw = self.row.get("opening_hours")
        if raw is None or raw == "" or raw == {}:
            return None
        if isinstance(raw, str):
            raw = {"vi": raw}
        vi, en = (raw.get("vi"), raw.get("en")) if isinstance(raw, dict) else (None, None)
        if not isinstance(vi, str) or not clean_text(vi) or not (en is None or isinstance(en, str)) \
                or max(len(vi), len(en or "")) > 300:
            self.fail("opening_hours", 'must be {"vi": text, "en": text} of at most 300 characters each',
                      'phải có dạng {"vi": chuỗi, "en": chuỗi}, mỗi chuỗi tối đa 300 ký tự')
            return None
        return {"vi": clean_text(vi), "en": clean_text(en) if en and clean_text(en) else clean_text(vi)}

    def area(self) -> tuple[str | None, str | None]:
        """(ward, former_district): today's ward or commune and, if known, the district it was in before
        1/7/2025 (an input `district`, the column of files written before the reform, is read as that)."""
        ward = self.text("ward", required=False, max_len=100)
        former_name = "former_district" if self.row.get("former_district") not in (None, "") else "district"
        former = self.text(former_name, required=False, max_len=100)
        return ward, former

    def tags(self) -> list[str] | None:
        raw = self.row.get("tags")
        if raw is None or raw == "":
            return []
        items = raw.split("|") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.fail("tags", "must be a list of text", "phải là danh sách chuỗi ký tự")
            return None
        tags = [clean_text(i) for i in items if clean_text(i)]
        if len(tags) > 20 or any(len(t) > 60 for t in tags):
            self.fail("tags", "must be at most 20 tags of at most 60 characters",
                      "tối đa 20 thẻ, mỗi thẻ tối đa 60 ký tự")
            return None
        return tags

    def month(self, name: str) -> str | None:
        value = self.text(name, required=False, max_len=7)
        if value is None:
            return None
        match = _MONTH.fullmatch(value)
        if match is None or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
            self.fail(name, "must be a month YYYY-MM", "phải là tháng theo dạng YYYY-MM")
            return None
        return value

    def count(self, name: str) -> int | None:
        raw = self._raw(name, False)
        if raw is None:
            return None
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if isinstance(raw, str) and re.fullmatch(r"[0-9]{1,9}", raw.strip()):
            value = int(raw.strip())
        if value is None or not 0 <= value < 10**8:
            self.fail(name, "must be a whole number, 0 or more", "phải là số nguyên không âm")
            return None
        return value

    def timestamp(self, name: str) -> tuple[str, str] | None:
        """(the value as given, the same instant in UTC for sorting)."""
        value = self.text(name, max_len=40)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail(name, "must be a date and time with its offset, e.g. 2025-01-15T09:00:00+07:00",
                      "phải là ngày giờ kèm múi giờ, ví dụ 2025-01-15T09:00:00+07:00")
            return None
        return value, parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def position(self, *, required: bool = True) -> tuple[float | None, float | None]:
        """(lat, lon); when not `required`, both may be absent (a place not put on the map), never one."""
        if not required and self.row.get("lat") in (None, "") and self.row.get("lon") in (None, ""):
            return None, None
        lat = self.coordinate("lat", LAT_RANGE,
                              f"must be a latitude in Viet Nam ({LAT_RANGE[0]:g} to {LAT_RANGE[1]:g})",
                              f"phải là vĩ độ trong lãnh thổ Việt Nam ({LAT_RANGE[0]:g} đến {LAT_RANGE[1]:g})")
        lon = self.coordinate("lon", LON_RANGE,
                              f"must be a longitude in Viet Nam ({LON_RANGE[0]:g} to {LON_RANGE[1]:g})",
                              f"phải là kinh độ trong lãnh thổ Việt Nam ({LON_RANGE[0]:g} đến {LON_RANGE[1]:g})")
        return lat, lon


def _hash(content: dict[str, Any]) -> str:
    canonical = json.dumps({"version": INDEX_VERSION, **content}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _office(r: _Row, provinces: Collection[str]) -> dict[str, Any]:
    code = r.code("office_code", _OFFICE_CODE, "must be 2 to 6 capital letters or digits, then optionally '-' and "
                  "1 to 6 more (e.g. HN-HK)", "phải gồm 2 đến 6 chữ in hoa hoặc chữ số, có thể thêm '-' và 1 đến 6 "
                  "ký tự (ví dụ HN-HK)")
    name, parent = r.text("name"), r.text("parent_name", required=False)
    province, address = r.province(provinces), r.text("address", max_len=300)
    phone = r.phone() if r.row.get("phone") not in (None, "") else None  # None: no phone we can cite
    lat, lon = r.position()
    return {"code": code, "name": name, "parent_name": parent, "province_code": province, "address": address,
            "phone": phone, "lat": lat, "lon": lon, "opening_hours": r.opening_hours(),
            "served_areas": r.text_list("served_areas", max_items=60, max_len=100),
            "former_names": r.text_list("former_names", max_items=10)}


def _facility(r: _Row, provinces: Collection[str]) -> dict[str, Any]:
    code = r.code("facility_code", _FACILITY_CODE, "must be 2 digits, '-' and 3 to 6 digits (e.g. 01-001)",
                  "phải gồm 2 chữ số, dấu '-' và 3 đến 6 chữ số (ví dụ 01-001)")
    name, types, province = r.text("name"), r.choices("types", FACILITY_TYPES), r.province(provinces)
    (ward, former), address = r.area(), r.text("address", max_len=300)
    phone = r.phone() if r.row.get("phone") not in (None, "") else None
    lat, lon = r.position(required=False)
    return {"code": code, "name": name, "types": types, "province_code": province, "ward": ward,
            "former_district": former, "address": address, "phone": phone, "lat": lat, "lon": lon}


def _employer(r: _Row, provinces: Collection[str], demo: bool) -> dict[str, Any]:
    tax_code, name, province = r.tax_code(), r.text("name", max_len=300), r.province(provinces)
    if demo and tax_code is not None and check_digit_ok(tax_code):
        r.fail("tax_code", "of a demo unit must fail the check digit, so it can never be a real unit's",
               "của đơn vị minh hoạ phải sai chữ số kiểm tra, để không bao giờ trùng mã số thuế của đơn vị thật")
    (ward, former), address = r.area(), r.text("address", max_len=300)
    return {"tax_code": tax_code, "name": name, "province_code": province, "ward": ward, "former_district": former,
            "address": address, "participating_since": r.month("participating_since"),
            "employees": r.count("employees")}


def _collection_point(r: _Row, provinces: Collection[str]) -> dict[str, Any]:
    code = r.code("point_code", _POINT_CODE, "must be CP-, 2 digits, '-' and 3 to 6 digits (e.g. CP-01-001)",
                  "phải gồm CP-, 2 chữ số, dấu '-' và 3 đến 6 chữ số (ví dụ CP-01-001)")
    name, kind, services = r.text("name"), r.choice("kind", POINT_KINDS), r.choices("services", POINT_SERVICES)
    province, (ward, former) = r.province(provinces), r.area()
    address, phone = r.text("address", max_len=300), r.phone()
    lat, lon = r.position()
    return {"code": code, "name": name, "kind": kind, "services": services, "province_code": province,
            "ward": ward, "former_district": former, "address": address, "phone": phone, "lat": lat, "lon": lon}


def _news(r: _Row) -> tuple[dict[str, Any], str | None]:
    news_id = r.code("news_id", _TEXT_ID, "must be 1 to 64 letters, digits, '-' or '_'",
                     "phải gồm 1 đến 64 chữ cái, chữ số, '-' hoặc '_'")
    title, summary = r.text("title", max_len=300), r.text("summary", max_len=1000)
    body, published, tags = r.long_text("body", max_len=20000), r.timestamp("published_at"), r.tags()
    fields = {"news_id": news_id, "title": title, "summary": summary, "body": body,
              "published_at": published[0] if published else None, "tags": tags}
    return fields, published[1] if published else None


def _faq(r: _Row) -> dict[str, Any]:
    """An FAQ entry; its category, phrasings, examples and provenance are checked in `faq_entries`."""
    faq_id = r.code("faq_id", _TEXT_ID, "must be 1 to 64 letters, digits, '-' or '_'",
                    "phải gồm 1 đến 64 chữ cái, chữ số, '-' hoặc '_'")
    return {"faq_id": faq_id, "category": faq_entries.category(r), "question": r.text("question", max_len=500),
            "answer": r.long_text("answer", max_len=5000), "tags": r.tags(), "phrasings": faq_entries.phrasings(r),
            "examples": faq_entries.examples(r), **faq_entries.provenance(r)}


def validate_directory_row(collection: str, row: dict[str, Any], province_codes: Collection[str]) -> DirectoryRow:
    """The stored form of one row, or RowInvalid naming every bad field."""
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}; expected one of {', '.join(COLLECTIONS)}")
    if not isinstance(row, dict) or row.get(MALFORMED):
        raise RowInvalid({"_row": "is not a JSON object"}, {"_row": "không phải đối tượng JSON"})
    r = _Row(row)
    published_utc: str | None = None
    provenance = read_provenance(r) if collection in CITED else None
    demo = provenance.demo if provenance else False
    if collection == "OFFICE":
        fields = _office(r, province_codes)
    elif collection == "FACILITY":
        fields = _facility(r, province_codes)
    elif collection == "EMPLOYER":
        fields = _employer(r, province_codes, demo)
    elif collection == "COLLECTION_POINT":
        fields = _collection_point(r, province_codes)
    elif collection == "NEWS":
        fields, published_utc = _news(r)
    else:
        fields = _faq(r)
    if r.fields:
        raise RowInvalid(r.fields, r.fields_vi)
    if provenance is not None:
        fields["demo"] = provenance.demo
    return _stored(collection, fields, published_utc, provenance)


def _stored(collection: str, fields: dict[str, Any], published_utc: str | None,
            provenance: Provenance | None) -> DirectoryRow:
    code = fields[KEY_FIELD[collection]]
    province = fields.get("province_code")
    name_norm = normalise(fields["name"]) if collection in SEARCHABLE else None
    lat, lon = fields.get("lat"), fields.get("lon")
    geo_cell = f"{collection}#{cell(lat, lon)}" if lat is not None and lon is not None else None
    if collection == "NEWS":
        list_key, sort_key = "NEWS", published_utc
    elif collection == "FAQ":
        list_key, sort_key = "FAQ", code
    elif collection == "COLLECTION_POINT":
        ward = area_key(fields["ward"]) or UNKNOWN_WARD_KEY
        list_key, sort_key = f"{collection}#{province}", f"{ward}#{name_norm}#{code}"
    else:
        list_key, sort_key = f"{collection}#{province}", f"{name_norm}#{code}"
    item_key = item_key_of(collection, code)
    content = {"collection": collection, "item_key": item_key, "fields": fields, "list_key": list_key,
               "sort_key": sort_key, "geo_cell": geo_cell, "lat": lat, "lon": lon,
               "source": provenance.source if provenance else None}  # a new citation is a change too
    return DirectoryRow(collection=collection, item_key=item_key, fields=fields, list_key=list_key,
                        sort_key=sort_key, geo_cell=geo_cell, lat=lat, lon=lon, province_code=province,
                        name_norm=name_norm,
                        match_text=match_text(collection, fields) if collection in SEARCHABLE else None,
                        terms=frozenset(item_terms(collection, fields)), source_hash=_hash(content))
