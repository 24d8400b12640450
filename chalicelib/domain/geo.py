"""Great-circle distances and the geohash cells that cover a circle, for "what is near me".

Items are indexed by the geohash of precision 4 of their position (`cell`): cells of 0.3516° of longitude
by 0.1758° of latitude, about 39 × 19.5 km at the equator (36 × 19.5 km in Hà Nội). To find everything
within `radius_km` of a point, read the cells of `cells_covering` and keep what the exact distance
(`haversine_km`) puts inside the circle.

`cells_covering` is exact on the sphere, not a flat approximation: it takes the bounding box of the
spherical cap (its east-west half-width is asin(sin δ / cos φ), wider than δ / cos φ near the poles),
splits it at the antimeridian, includes the whole longitude range when the cap holds a pole, lists the
cells that touch the box, then drops only the cells whose nearest point is provably farther than the
radius. So every point within the radius lies in one of the returned cells, whichever side of a cell
border it is on.
"""

from __future__ import annotations

import math

# pygeohash is imported where it is used, not at cold start: only the directory loader and
# "offices near me" need it.

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
PRECISION = 4
MAX_RADIUS_KM = 100.0
# Slack for floating-point rounding: the box grows by about a millimetre, and a cell is dropped only when
# it is farther than the radius by more than that.
_EPS_DEG = 1e-8
_EPS_KM = 1e-6


def _check_point(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("latitude must be within [-90, 90] and longitude within [-180, 180]")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def cell(lat: float, lon: float) -> str:
    """The precision-4 geohash of a point."""
    import pygeohash

    _check_point(lat, lon)
    return pygeohash.encode(float(lat), float(lon), PRECISION)


def _boxes(lat: float, lon: float, radius_km: float) -> list[tuple[float, float, float, float]]:
    """(min_lat, min_lon, max_lat, max_lon) boxes that together hold the spherical cap."""
    delta = radius_km / EARTH_RADIUS_KM  # angular radius, radians
    delta_deg = math.degrees(delta)
    south, north = lat - delta_deg - _EPS_DEG, lat + delta_deg + _EPS_DEG
    if south <= -90 or north >= 90 or delta >= math.pi / 2:
        # The cap holds a pole: every longitude, from the cap's far edge to the pole.
        return [(max(south, -90.0), -180.0, min(north, 90.0), 180.0)]
    half_width = math.degrees(math.asin(min(1.0, math.sin(delta) / math.cos(math.radians(lat))))) + _EPS_DEG
    if half_width >= 180:
        return [(south, -180.0, north, 180.0)]
    west, east = lon - half_width, lon + half_width
    if west < -180:
        return [(south, west + 360, north, 180.0), (south, -180.0, north, east)]
    if east > 180:
        return [(south, west, north, 180.0), (south, -180.0, north, east - 360)]
    return [(south, west, north, east)]


def _angle_between(lon_a: float, lon_b: float) -> float:
    """The smaller angle between two meridians, in degrees (0 to 180)."""
    diff = abs(lon_a - lon_b) % 360
    return min(diff, 360 - diff)


def distance_to_cell_km(lat: float, lon: float, geohash: str) -> float:
    """The great-circle distance from a point to the nearest point of a geohash cell (0 inside it).

    Within the cell's longitudes the nearest point is on the same meridian. Outside them it is on the
    nearer edge meridian, at the latitude atan(tan φ / cos Δλ) clamped into the cell (the distance to a
    meridian falls and then rises along it)."""
    from pygeohash.bounding_box import get_bounding_box

    box = get_bounding_box(geohash)
    if box.min_lon <= lon <= box.max_lon:
        nearest_lat = min(max(lat, box.min_lat), box.max_lat)
        return haversine_km(lat, lon, nearest_lat, lon)
    to_west, to_east = _angle_between(lon, box.min_lon), _angle_between(lon, box.max_lon)
    edge_lon, dlam = (box.min_lon, to_west) if to_west <= to_east else (box.max_lon, to_east)
    if dlam >= 90:
        return 0.0  # never the case for the radii used here; claim nothing rather than risk a gap
    foot = math.degrees(math.atan(math.tan(math.radians(lat)) / math.cos(math.radians(dlam))))
    nearest_lat = min(max(foot, box.min_lat), box.max_lat)
    return haversine_km(lat, lon, nearest_lat, edge_lon)


def cells_covering(lat: float, lon: float, radius_km: float) -> set[str]:
    """The precision-4 cells that together hold every point within `radius_km` of (lat, lon)."""
    from pygeohash.bounding_box import BoundingBox, geohashes_in_box

    _check_point(lat, lon)
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError("radius_km must be a finite number of kilometres, 0 or more")
    candidates: set[str] = {cell(lat, lon)}
    for south, west, north, east in _boxes(lat, lon, radius_km):
        candidates.update(geohashes_in_box(BoundingBox(south, west, north, east), PRECISION))
    return {gh for gh in candidates if distance_to_cell_km(lat, lon, gh) <= radius_km + _EPS_KM}
