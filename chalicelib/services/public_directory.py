"""Public look-ups without an account: offices by name and by distance, clinics, employers, collection
points. Every read is a Query (or a BatchGetItem of what a Query found), never a Scan.

- **Name search** (`q`): a Query of the `SearchTerm` partition of the query's longest word
  ("FACILITY#bach" for "benh vien bach mai"), each hit checked against the whole query (every query word
  begins a word of the name, diacritics ignored) and the province; then a BatchGetItem of the items, which
  are checked again (a stale term never shows a wrong item) and against the other filters (clinic type).
  Pages follow that Query: the `next_token` is the key of the last term returned. One request reads at
  most `MAX_EXAMINED` terms; a page may then end short, with a `next_token` to go on.
  Employers are found by tax code too: a query of 4 or more digits (spaces, dots and '-' ignored) looks up
  the code's prefix.
- **Lists** (no `q`): a Query of the `list-index` partition `<COLLECTION>#<province>`, names in
  alphabetical order (collection points by ward, then name).
- **Area** (`district`, with `province_code`): clinics, employers and collection points in a ward, or in a
  former district (abolished 1/7/2025) and the wards that replaced it (`domain.areas`); checked on each
  item of the province's list or of the search, like the clinic type.
- Every item says whether it is illustrative: `demo` is true or false, never absent.
- **Nearby**: a Query of the `geo-index` partition of each precision-4 geohash cell that covers the circle
  (`domain.geo.cells_covering`), the exact great-circle distance of each office, those within the radius,
  nearest first.

Bad input raises `ValidationFailedError` naming every bad parameter in English (`fields`) and Vietnamese
(`fields_vi`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from chalicelib.domain.areas import AreaQuery, in_area, parse_area
from chalicelib.domain.directory_rows import FACILITY_TYPES, match_text
from chalicelib.domain.geo import MAX_RADIUS_KM, cells_covering, haversine_km
from chalicelib.domain.text_search import MIN_CODE_PREFIX, compact_code, lookup_word, matches_any, normalise
from chalicelib.errors import FieldProblems
from chalicelib.models.directory import DirectoryItem, SearchTerm
from chalicelib.models.reference import Province
from chalicelib.pagination import DEFAULT_LIMIT, Page, decode_token, encode_token, scope_of
from chalicelib.services.areas import former_wards

DEFAULT_RADIUS_KM = 10.0
MAX_QUERY_LENGTH = 100
MAX_EXAMINED = 1000  # search terms one request reads at most
# Geohash cells one "near me" request reads at most (one Query each). Cells narrow towards the poles, so a
# circle there needs ever more of them (about 1,000 at a pole): beyond roughly 79° of latitude for the
# largest radius, a request would otherwise take many seconds. Every place the directory serves needs < 100.
MAX_NEARBY_CELLS = 300
READ_CHUNK = 100  # BatchGetItem reads at most 100 keys a call
_PROVINCE = re.compile(r"[0-9]{2}")
_CODE_QUERY = re.compile(r"[0-9][0-9 .\-]*")

Row = TypeVar("Row")


# --- parameters -----------------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return str(value)
    return value.strip() or None


def _query(problems: FieldProblems, raw: Any) -> str | None:
    q = _text(raw)
    if q is None:
        if isinstance(raw, str):  # `?q=` given but blank: a search for nothing, not "no search"
            problems.add("q", "must not be empty", "không được để trống")
        return None
    if len(q) > MAX_QUERY_LENGTH:
        problems.add("q", f"must be at most {MAX_QUERY_LENGTH} characters",
                     f"chỉ được dài tối đa {MAX_QUERY_LENGTH} ký tự")
        return None
    if lookup_word(q) is None:
        problems.add("q", "must contain a word of at least 2 letters or digits",
                     "phải có ít nhất một từ dài từ 2 chữ cái hoặc chữ số")
        return None
    return q


def _province(problems: FieldProblems, raw: Any) -> str | None:
    code = _text(raw)
    if code is None:
        return None
    if not _PROVINCE.fullmatch(code):
        problems.add("province_code", "must be 2 digits", "phải gồm 2 chữ số")
        return None
    try:
        Province.get("VN", code)
    except Province.DoesNotExist:
        problems.add("province_code", "is not a province", "không phải mã tỉnh, thành phố")
        return None
    return code


def _area(problems: FieldProblems, raw: Any, province_given: bool) -> AreaQuery | None:
    """The `district` filter: a ward, or a former district (an alias of the wards that replaced it)."""
    text = _text(raw)
    if text is None:
        return None
    query = parse_area(text) if len(text) <= MAX_QUERY_LENGTH else None
    if query is None or not query.key:
        problems.add("district", f"must be a ward or a former district name of at most {MAX_QUERY_LENGTH} "
                     "characters", f"phải là tên phường, xã hoặc quận, huyện cũ, dài tối đa {MAX_QUERY_LENGTH} ký tự")
        return None
    if not province_given:
        problems.add("province_code", "is required with district", "bắt buộc nhập khi có district")
    return query


def _accepting(*checks: Callable[[dict[str, Any]], bool] | None) -> Callable[[dict[str, Any]], bool] | None:
    """One filter of the given ones (None where not asked for), or None when there is none."""
    wanted = [check for check in checks if check is not None]
    if not wanted:
        return None
    return lambda fields: all(check(fields) for check in wanted)


def _in_area(query: AreaQuery | None, province: str | None) -> Callable[[dict[str, Any]], bool] | None:
    if query is None:
        return None
    wards = former_wards(province)
    return lambda fields: in_area(query, fields, wards)


def _number(problems: FieldProblems, name: str, raw: Any, low: float, high: float, en: str, vi: str,
            *, low_inclusive: bool = True) -> float | None:
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, str):
        raw = raw.strip()
        try:
            value = float(raw) if raw and len(raw) <= 32 else None
        except ValueError:
            value = None
    elif isinstance(raw, int | float):
        value = float(raw)
    else:
        value = None
    if value is None:
        if raw is None or raw == "":
            problems.add(name, "is required", "bắt buộc nhập")
        else:
            problems.add(name, "must be a number", "phải là số")
        return None
    if not math.isfinite(value) or not (low <= value if low_inclusive else low < value) or value > high:
        problems.add(name, en, vi)
        return None
    return value


# --- paging over a Query with filters checked here ------------------------------------------------------------


class _Reader(Generic[Row]):
    """The rows of a Query that pass `keep`, stopping after `cap` rows read; remembers the key of the last
    row read, so a page that stops at the cap can go on from there."""

    def __init__(self, rows: Iterable[Row], key_of: Callable[[Row], dict[str, Any]],
                 keep: Callable[[Row], bool] | None = None, cap: int = MAX_EXAMINED) -> None:
        self.rows, self.key_of, self.keep, self.cap = rows, key_of, keep, cap
        self.read = 0
        self.last_key: dict[str, Any] | None = None
        self.stopped_early = False

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.read += 1
            self.last_key = self.key_of(row)
            if self.keep is None or self.keep(row):
                yield row
            if self.read >= self.cap:
                self.stopped_early = True
                return


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _collect(reader: _Reader[Row], evaluate: Callable[[list[Row]], list[dict[str, Any] | None]],
             limit: int, scope: str) -> Page:
    """Up to `limit` API items, `evaluate` turning each row into one (None: left out). One more is looked for,
    so a `next_token` is given only when there is a next page (or the read cap was reached)."""
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for chunk in _chunks(reader, min(limit + 1, READ_CHUNK)):
        for row, item in zip(chunk, evaluate(chunk), strict=True):
            if item is None:
                continue
            found.append((reader.key_of(row), item))
            if len(found) > limit:
                return Page([item for _, item in found[:limit]], encode_token(found[limit - 1][0], scope))
    return Page([item for _, item in found], encode_token(reader.last_key, scope) if reader.stopped_early else None)


def _fields(item: DirectoryItem) -> dict[str, Any]:
    fields = item.fields.as_dict()
    fields.setdefault("demo", False)  # stored before rows carried it: say false, never leave it out
    return fields


def _list(list_key: str, limit: int, next_token: str | None, *, sort_prefix: str | None = None,
          accept: Callable[[dict[str, Any]], bool] | None = None, filters: tuple[object, ...] = ()) -> Page:
    # A token continues this very Query only: same partition, same prefix, same filters.
    scope = scope_of("list", list_key, sort_prefix, *filters)
    start = decode_token(next_token, scope)
    condition = DirectoryItem.sort_key.startswith(sort_prefix) if sort_prefix else None
    rows = DirectoryItem.list_index.query(list_key, condition, last_evaluated_key=start,
                                          page_size=READ_CHUNK if accept else min(limit + 1, READ_CHUNK))
    reader: _Reader[DirectoryItem] = _Reader(
        rows,
        key_of=lambda i: {"item_key": {"S": i.item_key}, "list_key": {"S": i.list_key}, "sort_key": {"S": i.sort_key}},
        keep=(lambda i: accept(_fields(i))) if accept else None,
    )
    return _collect(reader, lambda chunk: [_fields(i) for i in chunk], limit, scope)


def _search(collection: str, q: str, province_code: str | None, limit: int, next_token: str | None,
            accept: Callable[[dict[str, Any]], bool] | None = None, code_field: str | None = None,
            filters: tuple[object, ...] = ()) -> Page:
    code = compact_code(q) if code_field and _CODE_QUERY.fullmatch(q) else ""
    code = code if len(code) >= MIN_CODE_PREFIX else ""
    term = f"{collection}#{code or lookup_word(q)}"
    scope = scope_of("search", term, normalise(q), province_code, *filters)
    start = decode_token(next_token, scope)

    def found_by(texts: str, item_code: str) -> bool:
        return matches_any(q, texts) or bool(code and compact_code(item_code).startswith(code))

    def keep(hit: SearchTerm) -> bool:
        if province_code and hit.province_code != province_code:
            return False
        return found_by(hit.name_norm, hit.item_key.split("#", 1)[1])

    def evaluate(chunk: list[SearchTerm]) -> list[dict[str, Any] | None]:
        items = {item.item_key: _fields(item) for item in DirectoryItem.batch_get([hit.item_key for hit in chunk])}
        result: list[dict[str, Any] | None] = []
        for hit in chunk:
            fields = items.get(hit.item_key)
            ok = (fields is not None
                  and (not province_code or fields.get("province_code") == province_code)
                  and found_by(match_text(collection, fields), str(fields.get(code_field or "", "")))
                  and (accept is None or accept(fields)))
            result.append(fields if ok else None)
        return result

    reader: _Reader[SearchTerm] = _Reader(
        SearchTerm.query(term, last_evaluated_key=start, page_size=READ_CHUNK),
        key_of=lambda hit: {"term": {"S": hit.term}, "item_key": {"S": hit.item_key}},
        keep=keep,
    )
    return _collect(reader, evaluate, limit, scope)


# --- use cases ------------------------------------------------------------------------------------------------


def search_offices(q: str | None, province_code: str | None, limit: int = DEFAULT_LIMIT,
                   next_token: str | None = None) -> Page:
    """Offices whose name matches `q` (optionally in one province); without `q`, a province's offices."""
    problems = FieldProblems()
    query, province = _query(problems, q), _province(problems, province_code)
    if query is None and province is None and not problems.fields:
        problems.add("q", "give q or province_code", "cần nhập q hoặc province_code")
    problems.raise_if_any()
    if query is not None:
        return _search("OFFICE", query, province, limit, next_token)
    return _list(f"OFFICE#{province}", limit, next_token)


def nearby_offices(lat: Any, lon: Any, radius_km: Any = None, limit: int = DEFAULT_LIMIT) -> Page:
    """Offices within `radius_km` (default 10, at most 100) of the point, nearest first, each with its
    `distance_km` (great circle, to 0.01 km). Numbers may be given as query-string text."""
    problems = FieldProblems()
    point_lat = _number(problems, "lat", lat, -90, 90, "must be a latitude from -90 to 90",
                        "phải là vĩ độ từ -90 đến 90")
    point_lon = _number(problems, "lon", lon, -180, 180, "must be a longitude from -180 to 180",
                        "phải là kinh độ từ -180 đến 180")
    radius = DEFAULT_RADIUS_KM if _text(radius_km) is None else _number(
        problems, "radius_km", radius_km, 0, MAX_RADIUS_KM,
        f"must be more than 0 and at most {MAX_RADIUS_KM:g} km", f"phải lớn hơn 0 và tối đa {MAX_RADIUS_KM:g} km",
        low_inclusive=False)
    problems.raise_if_any()
    assert point_lat is not None and point_lon is not None and radius is not None
    cells = cells_covering(point_lat, point_lon, radius)
    if len(cells) > MAX_NEARBY_CELLS:
        problems.add("lat", "is too close to a pole for this radius; give a smaller radius_km",
                     "quá gần cực Trái Đất với bán kính này; hãy giảm radius_km")
        problems.raise_if_any()
    return _nearby("OFFICE", point_lat, point_lon, radius, limit, cells)


def _nearby(collection: str, lat: float, lon: float, radius_km: float, limit: int, cells: set[str]) -> Page:
    within: list[tuple[float, str, dict[str, Any]]] = []
    for cell in sorted(cells):
        for item in DirectoryItem.geo_index.query(f"{collection}#{cell}"):
            distance = haversine_km(lat, lon, float(item.lat), float(item.lon))
            if distance <= radius_km:
                within.append((distance, item.item_key, _fields(item)))
    within.sort(key=lambda found: (found[0], found[1]))
    return Page([{**fields, "distance_km": round(distance, 2)} for distance, _, fields in within[:limit]], None)


def facilities(type: str | None = None, province_code: str | None = None, q: str | None = None,
               limit: int = DEFAULT_LIMIT, next_token: str | None = None, district: str | None = None) -> Page:
    """Clinics by name (`q`, anywhere or in a province) or by province, optionally of one type:
    SICK_LEAVE (issue sick-leave certificates) or BHYT_CONTRACT (hold a health-insurance contract), and
    in one area (`district`: a ward, or a former district — see `domain.areas`)."""
    problems = FieldProblems()
    kind = _text(type)
    if kind is not None and kind.upper() not in FACILITY_TYPES:
        problems.add("type", f"must be one of {', '.join(FACILITY_TYPES)}",
                     f"phải là một trong {', '.join(FACILITY_TYPES)}")
    kind = kind.upper() if kind else None
    query, province = _query(problems, q), _province(problems, province_code)
    if query is None and _text(province_code) is None and "q" not in problems.fields:
        problems.add("province_code", "is required when q is not given", "bắt buộc nhập khi không có q")
    area = _area(problems, district, _text(province_code) is not None or "province_code" in problems.fields)
    problems.raise_if_any()
    of_kind = (lambda fields: kind in (fields.get("types") or [])) if kind else None
    accept = _accepting(of_kind, _in_area(area, province))
    if query is not None:
        return _search("FACILITY", query, province, limit, next_token, accept, filters=(kind, area))
    return _list(f"FACILITY#{province}", limit, next_token, accept=accept, filters=(kind, area))


def employers(q: str | None = None, province_code: str | None = None, limit: int = DEFAULT_LIMIT,
              next_token: str | None = None, district: str | None = None) -> Page:
    """Units participating in social insurance, by name or tax code (`q`), or a province's list; optionally
    in one area (`district`: a ward, or a former district)."""
    problems = FieldProblems()
    query, province = _query(problems, q), _province(problems, province_code)
    if query is None and _text(province_code) is None and "q" not in problems.fields:
        problems.add("q", "give q (a name or tax code) or province_code",
                     "cần nhập q (tên hoặc mã số thuế) hoặc province_code")
    area = _area(problems, district, _text(province_code) is not None or "province_code" in problems.fields)
    problems.raise_if_any()
    accept = _in_area(area, province)
    if query is not None:
        return _search("EMPLOYER", query, province, limit, next_token, accept, code_field="tax_code",
                       filters=(area,))
    return _list(f"EMPLOYER#{province}", limit, next_token, accept=accept, filters=(area,))


def collection_points(province_code: str | None, district: str | None = None, limit: int = DEFAULT_LIMIT,
                      next_token: str | None = None) -> Page:
    """A province's collection points and agents (voluntary BHXH, household BHYT), by ward then name;
    `district` keeps one area: a ward ("Phường Cửa Nam", "Cửa Nam"), or a former district ("Quận Hoàn
    Kiếm", "Hoàn Kiếm") and the wards that replaced it."""
    problems = FieldProblems()
    province = _province(problems, province_code)
    if _text(province_code) is None:
        problems.add("province_code", "is required", "bắt buộc nhập")
    area = _area(problems, district, True)  # a missing province_code is already named above
    problems.raise_if_any()
    return _list(f"COLLECTION_POINT#{province}", limit, next_token, accept=_in_area(area, province),
                 filters=(area,))
