"""Great-circle distances and the geohash cells that cover a circle, checked against independent
computations and by property loops around cell borders."""

from __future__ import annotations

import math
import random

import pygeohash
import pytest
from pygeohash.bounding_box import get_bounding_box

from chalicelib.domain.geo import (
    EARTH_RADIUS_KM,
    MAX_RADIUS_KM,
    cell,
    cells_covering,
    distance_to_cell_km,
    haversine_km,
)

HANOI = (21.0285, 105.8542)
HO_CHI_MINH_CITY = (10.8231, 106.6297)
CELL_LAT = 180 / 2**10  # precision 4: 10 bits of latitude
CELL_LON = 360 / 2**10  # and 10 of longitude


def destination(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """The point `distance_km` from (lat, lon) along the initial bearing (the direct geodesic problem)."""
    delta = distance_km / EARTH_RADIUS_KM
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                             math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    lon2 = (math.degrees(lam2) + 540) % 360 - 180
    return max(-90.0, min(90.0, math.degrees(phi2))), lon2


def law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """An independent formula for the same great-circle distance."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos_c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_RADIUS_KM * math.acos(max(-1.0, min(1.0, cos_c)))


# --- distances ------------------------------------------------------------------------------------------------


def test_known_distances():
    one_degree = math.pi * EARTH_RADIUS_KM / 180
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.001)  # a degree of meridian
    assert haversine_km(0, 0, 0, 1) == pytest.approx(one_degree, rel=1e-12)  # a degree of equator
    assert haversine_km(0, 0, 90, 0) == pytest.approx(10007.557, abs=0.001)  # equator to pole
    assert haversine_km(0, 0, 0, 180) == pytest.approx(20015.114, abs=0.001)  # antipodes
    assert haversine_km(*HANOI, *HANOI) == 0
    assert haversine_km(*HANOI, *HO_CHI_MINH_CITY) == pytest.approx(1138, abs=3)  # Hà Nội – TP HCM, straight
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1)  # London – Paris


def test_haversine_agrees_with_the_law_of_cosines_and_is_symmetric():
    rng = random.Random(7)
    for _ in range(2000):
        a = (rng.uniform(-89, 89), rng.uniform(-180, 180))
        b = (rng.uniform(-89, 89), rng.uniform(-180, 180))
        d = haversine_km(*a, *b)
        assert d == pytest.approx(law_of_cosines_km(*a, *b), abs=1e-6)
        assert d == pytest.approx(haversine_km(*b, *a), abs=1e-9)


def test_destination_helper_is_consistent_with_haversine():
    rng = random.Random(3)
    for _ in range(500):
        lat, lon = rng.uniform(5, 25), rng.uniform(100, 120)
        d = rng.uniform(0, 150)
        assert haversine_km(lat, lon, *destination(lat, lon, rng.uniform(0, 360), d)) == pytest.approx(d, abs=1e-6)


# --- cells ----------------------------------------------------------------------------------------------------


def test_cell_is_the_precision_4_geohash():
    assert cell(*HANOI) == pygeohash.encode(HANOI[0], HANOI[1], 4) == "w7er"
    box = get_bounding_box(cell(*HANOI))
    assert box.max_lat - box.min_lat == pytest.approx(CELL_LAT)
    assert box.max_lon - box.min_lon == pytest.approx(CELL_LON)
    with pytest.raises(ValueError):
        cell(91, 0)
    with pytest.raises(ValueError):
        cell(0, float("nan"))


def test_a_small_circle_inside_one_cell_needs_only_that_cell():
    box = get_bounding_box("w7er")
    middle = ((box.min_lat + box.max_lat) / 2, (box.min_lon + box.max_lon) / 2)
    assert cells_covering(*middle, 1) == {"w7er"}
    assert cells_covering(*middle, 0) == {"w7er"}


def test_a_circle_on_a_corner_needs_the_four_cells_around_it():
    box = get_bounding_box("w7er")
    corner = (box.max_lat, box.max_lon)
    covering = cells_covering(corner[0] - 1e-9, corner[1] - 1e-9, 0.5)
    assert len(covering) == 4
    assert "w7er" in covering


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        cells_covering(*HANOI, -1)
    with pytest.raises(ValueError):
        cells_covering(95, 0, 1)
    with pytest.raises(ValueError):
        cells_covering(*HANOI, float("inf"))


def _near_border_point(rng: random.Random) -> tuple[float, float]:
    """A point on, or within a hair of, the border or a corner of a random cell over Viet Nam."""
    lat, lon = rng.uniform(8, 23.5), rng.uniform(102, 117)
    box = get_bounding_box(cell(lat, lon))
    hair = rng.choice([0.0, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3])
    sign = rng.choice([-1, 1])
    where = rng.choice(["north", "south", "east", "west", "corner"])
    if where in ("north", "south", "corner"):
        lat = (box.max_lat if where != "south" else box.min_lat) + sign * hair
    if where in ("east", "west", "corner"):
        lon = (box.max_lon if where != "west" else box.min_lon) + sign * hair
    return lat, lon


RADII = [0.001, 0.5, 1, 5, 9.75, 10, 19.5, 20, 36, 39, 50, 75, 100]


def test_every_point_within_the_radius_is_in_a_covering_cell_near_cell_borders():
    rng = random.Random(2026)
    for _ in range(300):
        lat, lon = _near_border_point(rng)
        radius = rng.choice(RADII + [rng.uniform(0, MAX_RADIUS_KM)])
        covering = cells_covering(lat, lon, radius)
        assert cell(lat, lon) in covering
        targets = [destination(lat, lon, rng.uniform(0, 360), radius * rng.random() ** 0.5) for _ in range(60)]
        # and the rim, all round: the east and west extremes are where a flat box would be too narrow
        targets += [destination(lat, lon, bearing / 2, radius * (1 - 1e-12)) for bearing in range(720)]
        for target in targets:
            assert haversine_km(lat, lon, *target) <= radius + 1e-6
            assert cell(*target) in covering, (lat, lon, radius, target)


def test_no_cell_that_reaches_into_the_circle_is_dropped():
    """Against a brute force: every cell near the circle whose border, sampled densely, comes within the
    radius must be in the covering; every cell of the covering must truly come within it."""
    rng = random.Random(11)
    for _ in range(40):
        lat, lon = _near_border_point(rng)
        radius = rng.choice(RADII)
        covering = cells_covering(lat, lon, radius)
        span = radius / 111 + 2 * CELL_LAT
        span_lon = radius / (111 * math.cos(math.radians(lat))) + 2 * CELL_LON
        nearby = {cell(la, lo)
                  for la in _steps(lat - span, lat + span, CELL_LAT / 2)
                  for lo in _steps(lon - span_lon, lon + span_lon, CELL_LON / 2)}
        for gh in nearby:
            sampled = _sampled_distance_to_cell(lat, lon, gh)
            exact = distance_to_cell_km(lat, lon, gh)
            assert exact <= sampled + 1e-6  # the exact nearest point is never farther than a sampled one
            if sampled <= radius - 1e-3:
                assert gh in covering, (lat, lon, radius, gh)
        for gh in covering:
            assert distance_to_cell_km(lat, lon, gh) <= radius + 1e-6


def _steps(start: float, stop: float, step: float) -> list[float]:
    count = int((stop - start) / step) + 1
    return [start + i * step for i in range(count + 1)]


def _sampled_distance_to_cell(lat: float, lon: float, gh: str, samples: int = 400) -> float:
    box = get_bounding_box(gh)
    if box.min_lat <= lat <= box.max_lat and box.min_lon <= lon <= box.max_lon:
        return 0.0
    best = math.inf
    for i in range(samples + 1):
        t = i / samples
        la = box.min_lat + t * (box.max_lat - box.min_lat)
        lo = box.min_lon + t * (box.max_lon - box.min_lon)
        for point in ((la, box.min_lon), (la, box.max_lon), (box.min_lat, lo), (box.max_lat, lo)):
            best = min(best, haversine_km(lat, lon, *point))
    return best


def test_the_covering_is_not_much_more_than_the_circle():
    # 100 km in Hà Nội: a box of about 5.6 × 11.4 cells; the corners the circle misses are left out.
    covering = cells_covering(*HANOI, 100)
    assert len(covering) <= 84
    assert len(cells_covering(*HANOI, 10)) <= 4


def test_circles_across_the_antimeridian_and_over_a_pole():
    rng = random.Random(5)
    for lat, lon, radius in [(10.0, 179.99, 50), (-20.0, -179.99, 80), (89.9, 30.0, 50), (-89.95, 0.0, 20)]:
        covering = cells_covering(lat, lon, radius)
        for _ in range(2000):
            target = destination(lat, lon, rng.uniform(0, 360), radius * rng.random() ** 0.5)
            assert cell(*target) in covering, (lat, lon, radius, target)
