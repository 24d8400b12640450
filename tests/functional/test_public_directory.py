"""Public look-ups over HTTP, on the real data files: name search without diacritics, filters, pages,
"nearby" against a brute-force distance over every office, 400s, and no Scan anywhere. Every answer says
whether the item is demo data; offices are found by the names they had before the 2025 reform, and the
`district` filter takes a ward or a former district.

The blueprint is served by a small Chalice app of its own (app.py wires it separately). The backend is
built once for the module: the directory load takes seconds and these tests only read.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from chalice import Blueprint, Chalice, Response
from chalice.test import Client
from pygeohash.bounding_box import get_bounding_box

from chalicelib.domain.areas import area_key
from chalicelib.domain.geo import cell, haversine_km
from chalicelib.domain.text_search import matches, normalise
from chalicelib.handlers import public_directory
from chalicelib.http import api_route, json_response
from tests.support.api import call
from tests.support.directory_calls import dynamodb_calls

DATA = Path(__file__).resolve().parents[2] / "data" / "reference"


def rows_of(name: str) -> list[dict[str, Any]]:
    if name.endswith(".json"):
        return json.loads((DATA / name).read_text(encoding="utf-8"))
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


OPENAPI = json.loads((DATA.parents[1] / "chalicelib" / "openapi.json").read_text(encoding="utf-8"))
OFFICES = rows_of("offices.json")
FACILITIES = rows_of("facilities.jsonl")
EMPLOYERS = rows_of("employers.jsonl")
POINTS = rows_of("collection_points.jsonl")


@pytest.fixture(scope="module")
def backend():
    """One moto backend for the module, as the `aws` fixture builds it, plus the directory files."""
    from moto import mock_aws

    from chalicelib.aws.clients import reset_clients
    from chalicelib.services.directory_loader import load_reference_directory
    from local.bootstrap import create_all
    from local.seed import load_reference_data

    with mock_aws():
        reset_clients()
        os.environ.update(create_all(os.environ["AWS_DEFAULT_REGION"]))
        load_reference_data()
        reports = load_reference_directory(DATA)
        assert all(not report.rejected for report in reports.values())
        yield reports
        reset_clients()


@pytest.fixture(scope="module")
def api(backend):
    app = Chalice(app_name="public-directory-test")
    offices = Blueprint("offices_with_search")

    @api_route(offices, "/v1/offices", methods=["GET"])
    def list_offices() -> Response:  # what handlers.reference will do with ?q=
        return json_response(public_directory.search_offices_route_body(offices.current_request.query_params))

    previous_app = public_directory.bp._current_app  # noqa: SLF001 - a blueprint answers for its last app
    app.register_blueprint(public_directory.bp)
    app.register_blueprint(offices)
    try:
        with Client(app) as client:
            yield client
    finally:
        public_directory.bp._current_app = previous_app  # noqa: SLF001


def get(api: Client, path: str, **params: Any) -> Any:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in params.items() if v is not None})
    return call(api, "GET", f"{path}?{query}" if query else path)


def all_pages(api: Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    for _ in range(100):
        reply = get(api, path, **params, next_token=token)
        assert reply.status == 200, reply.body
        items += reply.body["items"]
        token = reply.body["next_token"]
        if token is None:
            return items
    raise AssertionError("pages never ended")


def assert_matches_schema(body: Any, name: str) -> None:
    """The answer is what chalicelib/openapi.json says it is (nullable fields included)."""
    from openapi_schema_validator import OAS30Validator

    OAS30Validator({"allOf": [{"$ref": f"#/components/schemas/{name}"}], "components": OPENAPI["components"]}
                   ).validate(body)


def codes(items: list[dict[str, Any]], field: str = "code") -> list[str]:
    return [item[field] for item in items]


# --- name search ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["Hoan Kiem", "hoàn kiếm", "BHXH CƠ SỞ HOÀN KIẾM", "kiem", "cửa nam",
                               # the name it had before 1/7/2025, as people still say it
                               "BHXH QUẬN HOÀN KIẾM", "quan hoan k", "quận Hoàn Kiếm"])
def test_offices_are_found_by_name_former_name_or_ward_without_diacritics(api, q):
    reply = get(api, "/v1/offices", q=q)
    assert reply.status == 200
    assert codes(reply.body["items"]) == ["HN-HK"]
    office = reply.body["items"][0]
    assert office["name"] == "BHXH cơ sở Hoàn Kiếm" and office["province_code"] == "01"
    assert office["former_names"] == ["BHXH quận Hoàn Kiếm"]
    assert office["served_areas"] == ["Phường Hoàn Kiếm", "Phường Cửa Nam"]
    assert {"address", "phone", "lat", "lon", "parent_name", "opening_hours"} <= set(office)


def test_the_hoan_kiem_office_answers_on_the_guides_number(api):
    [office] = get(api, "/v1/offices", q="hoan kiem").body["items"]
    assert office["phone"] == "0243 9440116"
    nearby = get(api, "/v1/offices/nearby", lat=21.0285, lon=105.8542, radius_km=0.5).body["items"]
    assert [(o["code"], o["phone"]) for o in nearby] == [("HN-HK", "0243 9440116")]


def test_office_addresses_name_the_ward_and_province_of_today_not_a_district(api):
    offices = all_pages(api, "/v1/offices", province_code="01", limit=100)
    assert offices
    for office in offices:
        assert not any(unit in normalise(office["address"]).split() for unit in ("quan", "huyen")), office
        assert office["address"].endswith("Thành phố Hà Nội")
        assert office["opening_hours"]["vi"] and office["opening_hours"]["en"]
        if office["parent_name"]:  # a grassroots office: named after its area, serving its wards
            assert office["name"].startswith("BHXH cơ sở ") and office["served_areas"], office
            assert office["address"].split(",")[0] in office["served_areas"]


def test_a_grassroots_office_answers_only_for_the_phone_we_can_cite(api):
    offices = all_pages(api, "/v1/offices", q="bhxh", limit=100)
    phones = {o["code"]: o["phone"] for o in offices}
    assert phones["HN-HK"] == "0243 9440116"
    assert {code for code, phone in phones.items() if phone} == {"HN-HK"}  # no invented numbers


@pytest.mark.parametrize("path", ["/v1/offices", "/v1/facilities", "/v1/employers"])
def test_a_blank_search_is_refused_not_taken_for_no_search(api, path):
    for blank in ("", "   "):
        reply = get(api, path, q=blank, province_code="01")
        assert reply.status == 400, (path, blank, reply.body)
        assert reply.body["error"]["fields"]["q"] == "must not be empty"


def test_office_search_within_a_province_and_by_province_alone(api):
    assert get(api, "/v1/offices", q="hoan kiem", province_code="79").body["items"] == []
    hanoi = {o["office_code"] for o in OFFICES if o["province_code"] == "01"}
    found = all_pages(api, "/v1/offices", q="bhxh", province_code="01", limit=5)
    assert sorted(codes(found)) == sorted(hanoi)
    listed = all_pages(api, "/v1/offices", province_code="01", limit=4)
    assert sorted(codes(listed)) == sorted(hanoi)


@pytest.mark.parametrize("q", ["benh vien bach mai", "Bệnh viện Bạch Mai", "BACH MAI", "b v bach mai"])
def test_a_clinic_is_found_by_name_without_diacritics(api, q):
    found = all_pages(api, "/v1/facilities", q=q)
    assert "01-001" in codes(found)
    expected = {f["facility_code"] for f in FACILITIES if matches(q, normalise(f["name"]))}
    assert set(codes(found)) == expected


def test_a_real_hospital_is_shown_only_with_the_facts_its_source_gives(api):
    [bach_mai] = [f for f in get(api, "/v1/facilities", q="bach mai").body["items"] if f["code"] == "01-001"]
    assert bach_mai["name"] == "Bệnh viện Bạch Mai" and bach_mai["demo"] is False
    assert bach_mai["address"] == "Số 78 Giải Phóng, Thành phố Hà Nội"  # not "235 Giải Phóng"
    assert (bach_mai["phone"], bach_mai["lat"], bach_mai["lon"]) == (None, None, None)  # nothing invented
    [cho_ray] = get(api, "/v1/facilities", q="cho ray", province_code="79").body["items"]
    assert cho_ray["address"].startswith("Số 201B Nguyễn Chí Thanh") and cho_ray["demo"] is False


@pytest.mark.parametrize(("path", "params", "schema"), [
    ("/v1/facilities", {"province_code": "01"}, "FacilityPage"), ("/v1/facilities", {"q": "benh vien"}, "FacilityPage"),
    ("/v1/employers", {"province_code": "79"}, "EmployerPage"), ("/v1/employers", {"q": "cong ty"}, "EmployerPage"),
    ("/v1/collection-points", {"province_code": "01"}, "CollectionPointPage"),
    ("/v1/offices", {"province_code": "79"}, "OfficePage"), ("/v1/offices", {"q": "bhxh"}, "OfficePage"),
    ("/v1/offices/nearby", {"lat": 21.0285, "lon": 105.8542, "radius_km": 50}, "NearbyOfficePage"),
])
def test_every_directory_answer_says_whether_the_item_is_demo_data(api, path, params, schema):
    body = get(api, path, **params, limit=100).body
    assert_matches_schema(body, schema)
    items = body["items"]
    assert items
    for item in items:
        assert isinstance(item["demo"], bool), item
        # a demo row carries a fictional name plainly marked, or is an office with a cited parent body
        if item["demo"] and path != "/v1/offices" and "nearby" not in path:
            assert item["name"].endswith("(minh hoạ)"), item


def test_clinics_by_type_and_province_are_exactly_those_of_the_file(api):
    for kind in ("SICK_LEAVE", "BHYT_CONTRACT"):
        found = all_pages(api, "/v1/facilities", type=kind, province_code="01", limit=15)
        expected = [f for f in FACILITIES if f["province_code"] == "01" and kind in f["types"]]
        assert sorted(codes(found)) == sorted(f["facility_code"] for f in expected)
        assert all(kind in f["types"] for f in found)
    everything = all_pages(api, "/v1/facilities", province_code="01", limit=100)
    in_order = sorted((f for f in FACILITIES if f["province_code"] == "01"),
                      key=lambda f: f"{normalise(f['name'])}#{f['facility_code']}")
    assert codes(everything) == [f["facility_code"] for f in in_order]  # alphabetical, diacritics ignored


def test_clinic_search_with_type_and_province_filters(api):
    q = "benh vien"
    for kind, province in [("SICK_LEAVE", "79"), ("BHYT_CONTRACT", None), (None, "48")]:
        found = all_pages(api, "/v1/facilities", q=q, type=kind, province_code=province, limit=20)
        expected = {f["facility_code"] for f in FACILITIES
                    if matches(q, normalise(f["name"])) and (kind is None or kind in f["types"])
                    and (province is None or f["province_code"] == province)}
        assert expected and set(codes(found)) == expected
        assert len(found) == len(expected)  # no duplicates across pages


def test_employers_by_tax_code(api):
    employer = EMPLOYERS[0]
    code = employer["tax_code"]
    for q in (code, f"{code[:4]} {code[4:7]} {code[7:]}", code[:8]):
        assert codes(get(api, "/v1/employers", q=q).body["items"], "tax_code") == [code]
    assert get(api, "/v1/employers", q=code).body["items"][0]["name"] == employer["name"]
    branch = next(e for e in EMPLOYERS if "-" in e["tax_code"])
    parent = branch["tax_code"].split("-")[0]
    for q in (branch["tax_code"], branch["tax_code"].replace("-", "")):
        assert codes(get(api, "/v1/employers", q=q).body["items"], "tax_code") == [branch["tax_code"]]
    by_parent = set(codes(all_pages(api, "/v1/employers", q=parent), "tax_code"))
    assert by_parent == {e["tax_code"] for e in EMPLOYERS if e["tax_code"].startswith(parent)}
    assert branch["tax_code"] in by_parent
    assert get(api, "/v1/employers", q="9999999999").body["items"] == []


def test_employers_by_name_and_by_province(api):
    found = get(api, "/v1/employers", q=EMPLOYERS[0]["name"]).body["items"]
    assert EMPLOYERS[0]["tax_code"] in codes(found, "tax_code")
    q = "cong ty xay dung"
    expected = {e["tax_code"] for e in EMPLOYERS if matches(q, normalise(e["name"]))}
    assert expected and set(codes(all_pages(api, "/v1/employers", q=q, limit=50), "tax_code")) == expected
    listed = all_pages(api, "/v1/employers", province_code="48", limit=100)
    assert sorted(codes(listed, "tax_code")) == sorted(e["tax_code"] for e in EMPLOYERS if e["province_code"] == "48")


def test_collection_points_by_province_listed_by_ward(api):
    hanoi = all_pages(api, "/v1/collection-points", province_code="01", limit=100)
    expected = sorted((p for p in POINTS if p["province_code"] == "01"),
                      key=lambda p: f"{area_key(p['ward']) or '~'}#{normalise(p['name'])}#{p['point_code']}")
    assert codes(hanoi) == [p["point_code"] for p in expected]
    assert all({"kind", "services", "ward", "former_district", "address", "phone", "lat", "lon", "demo"} <= set(p)
               for p in hanoi)
    assert not any("district" in p for p in hanoi)  # the districts are gone: ward, and former_district


def test_the_district_filter_takes_a_ward(api):
    ward = next(p["ward"] for p in POINTS if p["province_code"] == "01")  # e.g. "Phường Hoàn Kiếm"
    in_ward = {p["point_code"] for p in POINTS if p["province_code"] == "01" and p["ward"] == ward}
    bare = ward.split(" ", 1)[1]
    for area in (ward, f"phuong {normalise(bare)}", ward.upper()):
        found = get(api, "/v1/collection-points", province_code="01", district=area, limit=100).body["items"]
        assert set(codes(found)) == in_ward, area
    assert get(api, "/v1/collection-points", province_code="01", district="Phường Sài Gòn").body["items"] == []


def test_the_district_filter_takes_a_former_district_as_an_alias_of_its_wards(api):
    wards_of_hoan_kiem = ("Phường Hoàn Kiếm", "Phường Cửa Nam")
    in_hoan_kiem = {p["point_code"] for p in POINTS if p["province_code"] == "01"
                    and (p["former_district"] == "Quận Hoàn Kiếm" or p["ward"] in wards_of_hoan_kiem)}
    assert in_hoan_kiem
    for area in ("Quận Hoàn Kiếm", "Hoàn Kiếm", "hoan kiem", "QUAN HOAN KIEM"):
        found = get(api, "/v1/collection-points", province_code="01", district=area, limit=100).body["items"]
        assert set(codes(found)) == in_hoan_kiem, area
    # "Quận 1" is not "Quận 10" nor "Quận 12"
    for area in ("Quận 1", "Quận 10"):
        found = all_pages(api, "/v1/collection-points", province_code="79", district=area)
        assert set(codes(found)) == {p["point_code"] for p in POINTS
                                     if p["province_code"] == "79" and p["former_district"] == area}
    assert get(api, "/v1/collection-points", province_code="01", district="Quận 1").body["items"] == []


def test_clinics_and_employers_take_the_same_area_filter(api):
    for path, rows, key in (("/v1/facilities", FACILITIES, "facility_code"), ("/v1/employers", EMPLOYERS, "tax_code")):
        in_ba_dinh = {r[key] for r in rows if r["province_code"] == "01" and r["former_district"] == "Quận Ba Đình"}
        found = all_pages(api, path, province_code="01", district="Quận Ba Đình", limit=10)
        assert in_ba_dinh and set(codes(found, "code" if key == "facility_code" else key)) == in_ba_dinh, path
        ward = next(r["ward"] for r in rows if r["province_code"] == "01" and r["ward"])
        in_ward = {r[key] for r in rows if r["ward"] == ward}
        found = all_pages(api, path, province_code="01", district=ward, limit=10)
        assert set(codes(found, "code" if key == "facility_code" else key)) == in_ward, path
    q = "benh vien"
    found = all_pages(api, "/v1/facilities", q=q, province_code="01", district="Đống Đa")
    assert set(codes(found)) == {f["facility_code"] for f in FACILITIES if f["province_code"] == "01"
                                 and matches(q, normalise(f["name"])) and f["former_district"] == "Quận Đống Đa"}


# --- pages ----------------------------------------------------------------------------------------------------


def test_pages_cover_everything_once_and_end_without_a_token(api):
    expected = {f["facility_code"] for f in FACILITIES if f["province_code"] == "79"}
    first = get(api, "/v1/facilities", province_code="79", limit=7)
    assert len(first.body["items"]) == 7 and first.body["next_token"]
    pages = all_pages(api, "/v1/facilities", province_code="79", limit=7)
    assert len(pages) == len(expected) and set(codes(pages)) == expected
    exact = get(api, "/v1/facilities", province_code="79", limit=len(expected))
    assert exact.body["next_token"] is None  # no empty last page

    q = "cong ty"
    searched = all_pages(api, "/v1/employers", q=q, province_code="01", limit=10)
    wanted = {e["tax_code"] for e in EMPLOYERS if e["province_code"] == "01" and matches(q, normalise(e["name"]))}
    assert len(searched) == len(wanted) and set(codes(searched, "tax_code")) == wanted


def test_a_token_only_continues_the_query_it_came_from(api):
    token = get(api, "/v1/facilities", province_code="79", limit=2).body["next_token"]
    search_token = get(api, "/v1/employers", q="cong ty", limit=2).body["next_token"]
    busiest = max({f["former_district"] for f in FACILITIES if f["province_code"] == "01" and f["former_district"]},
                  key=lambda d: sum(f["former_district"] == d for f in FACILITIES))
    area_token = get(api, "/v1/facilities", province_code="01", district=busiest, limit=1).body
    assert area_token["next_token"]
    for path, params in [
        ("/v1/facilities", {"province_code": "01", "next_token": token}),
        ("/v1/employers", {"province_code": "79", "next_token": token}),
        ("/v1/employers", {"q": "cong ty", "province_code": "01", "next_token": token}),
        ("/v1/employers", {"q": "ngan hang", "next_token": search_token}),
        ("/v1/facilities", {"province_code": "79", "next_token": "not-a-token"}),
    ]:
        reply = get(api, path, **params)
        assert reply.status == 400, (path, params)
        assert set(reply.body["error"]["fields"]) == {"next_token"}
    for district in ("Phường Sài Gòn", None):  # another area, or none: another list
        other = get(api, "/v1/facilities", province_code="01", district=district, next_token=area_token["next_token"])
        assert other.status == 400, district


# --- nearby ---------------------------------------------------------------------------------------------------


def brute_force(lat: float, lon: float, radius_km: float) -> list[tuple[str, float]]:
    within = [(haversine_km(lat, lon, o["lat"], o["lon"]), o["office_code"]) for o in OFFICES]
    return [(code, round(d, 2)) for d, code in sorted(within) if d <= radius_km]


def _border_of_hanoi_cell() -> list[tuple[float, float]]:
    box = get_bounding_box(cell(21.0285, 105.8542))
    return [(box.max_lat + 1e-7, 105.85), (box.max_lat - 1e-7, 105.85), (21.0, box.max_lon + 1e-9),
            (box.min_lat, box.min_lon)]


POINTS_TO_CHECK = [(21.0285, 105.8542), (10.7769, 106.7009), (16.0544, 108.2022), (20.86, 106.68),
                   (12.0, 112.0), *_border_of_hanoi_cell()]


@pytest.mark.parametrize(("lat", "lon"), POINTS_TO_CHECK)
def test_nearby_offices_are_exactly_the_brute_force_answer(api, lat, lon):
    for radius in (0.5, 2, 5, 10, 25, 60, 100):
        reply = get(api, "/v1/offices/nearby", lat=lat, lon=lon, radius_km=radius, limit=100)
        assert reply.status == 200
        got = [(o["code"], o["distance_km"]) for o in reply.body["items"]]
        assert got == brute_force(lat, lon, radius), (lat, lon, radius)
        assert reply.body["next_token"] is None


def test_nearby_takes_10_km_by_default_and_keeps_the_nearest_within_the_limit(api):
    lat, lon = 21.0285, 105.8542
    default = get(api, "/v1/offices/nearby", lat=lat, lon=lon).body["items"]
    assert [(o["code"], o["distance_km"]) for o in default] == brute_force(lat, lon, 10)
    assert default[0]["code"] == "HN-HK"
    nearest = get(api, "/v1/offices/nearby", lat=lat, lon=lon, radius_km=100, limit=3).body["items"]
    assert [o["code"] for o in nearest] == [code for code, _ in brute_force(lat, lon, 100)[:3]]


def test_a_radius_over_several_cells_reads_only_those_cells(api):
    lat, lon = 21.0285, 105.8542
    with dynamodb_calls() as calls:
        reply = get(api, "/v1/offices/nearby", lat=lat, lon=lon, radius_km=60, limit=100)
    assert reply.status == 200 and len(reply.body["items"]) > 14  # Hà Nội's offices and beyond
    assert 4 < calls["Query"] < 60  # one Query a covering cell (and a few pages), not the whole table
    assert calls["Scan"] == 0
    assert math.isclose(reply.body["items"][-1]["distance_km"], brute_force(lat, lon, 60)[-1][1])


# --- bad requests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "bad"), [
    ({}, {"lat", "lon"}),
    ({"lat": "abc", "lon": "105.8"}, {"lat"}),
    ({"lat": "91", "lon": "105.8"}, {"lat"}),
    ({"lat": "nan", "lon": "inf"}, {"lat", "lon"}),
    ({"lat": "21", "lon": "181"}, {"lon"}),
    ({"lat": "21", "lon": "105.8", "radius_km": "0"}, {"radius_km"}),
    ({"lat": "21", "lon": "105.8", "radius_km": "-5"}, {"radius_km"}),
    ({"lat": "21", "lon": "105.8", "radius_km": "100.5"}, {"radius_km"}),
    ({"lat": "21", "lon": "105.8", "radius_km": "far"}, {"radius_km"}),
    ({"lat": "x", "lon": "y", "radius_km": "1000"}, {"lat", "lon", "radius_km"}),
])
def test_bad_points_and_radii_are_400_naming_each_field(api, params, bad):
    reply = get(api, "/v1/offices/nearby", **params)
    assert reply.status == 400
    error = reply.body["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert set(error["fields"]) == bad == set(error["fields_vi"])
    assert error["message_vi"]


@pytest.mark.parametrize(("path", "params", "bad"), [
    ("/v1/facilities", {}, {"province_code"}),
    ("/v1/facilities", {"type": "SICK_LEAVE"}, {"province_code"}),
    ("/v1/facilities", {"type": "XRAY", "province_code": "01"}, {"type"}),
    ("/v1/facilities", {"province_code": "99"}, {"province_code"}),
    ("/v1/facilities", {"province_code": "Hà Nội"}, {"province_code"}),
    ("/v1/facilities", {"q": "a"}, {"q"}),
    ("/v1/facilities", {"q": "x" * 101}, {"q"}),
    ("/v1/employers", {}, {"q"}),
    ("/v1/employers", {"q": "!!"}, {"q"}),
    ("/v1/collection-points", {}, {"province_code"}),
    ("/v1/collection-points", {"district": "Hoàn Kiếm"}, {"province_code"}),
    ("/v1/collection-points", {"province_code": "01", "district": "!!!"}, {"district"}),
    ("/v1/collection-points", {"province_code": "01", "district": "x" * 101}, {"district"}),
    ("/v1/facilities", {"q": "benh vien", "district": "Ba Đình"}, {"province_code"}),
    ("/v1/employers", {"q": "cong ty", "district": "Phường Cửa Nam"}, {"province_code"}),
    ("/v1/offices", {"q": "b"}, {"q"}),
    ("/v1/offices", {"q": "hoan kiem", "province_code": "1"}, {"province_code"}),
    ("/v1/facilities", {"province_code": "01", "limit": "0"}, {"limit"}),
    ("/v1/employers", {"q": "cong ty", "limit": "1000"}, {"limit"}),
])
def test_missing_or_bad_filters_are_400(api, path, params, bad):
    reply = get(api, path, **params)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "VALIDATION_FAILED"
    assert set(reply.body["error"]["fields"]) == bad == set(reply.body["error"]["fields_vi"])


# --- how it reads ---------------------------------------------------------------------------------------------


def test_no_look_up_ever_scans_a_table(api):
    with dynamodb_calls() as calls:
        get(api, "/v1/offices", q="hoan kiem")
        get(api, "/v1/offices", province_code="01")
        get(api, "/v1/offices/nearby", lat=21.0285, lon=105.8542, radius_km=100)
        get(api, "/v1/facilities", q="benh vien bach mai", type="SICK_LEAVE")
        get(api, "/v1/facilities", province_code="01", type="BHYT_CONTRACT")
        get(api, "/v1/employers", q=EMPLOYERS[0]["tax_code"])
        get(api, "/v1/employers", q="cong ty", province_code="79")
        get(api, "/v1/employers", province_code="79")
        get(api, "/v1/collection-points", province_code="01", district="Hoàn Kiếm")
        get(api, "/v1/facilities", q="zzzz khong co")
    assert calls["Query"] > 10 and calls["BatchGetItem"] > 0  # the hook sees the reads...
    assert calls["Scan"] == 0  # ...and none of them is a Scan
