"""Distances and the grid the SQL backend uses to narrow a search without words to the cells around a point."""
from __future__ import annotations

import math

KM_PER_DEGREE = 111.195  # along a meridian, on the mean-radius sphere
FINE_CELL_DEGREES = 0.01  # about 1.1 km north-south


def km_per_degree_lon(latitude: float) -> float:
    return KM_PER_DEGREE * math.cos(math.radians(latitude))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within a town it is within 0.1% of the great circle, and SQL can compute
    exactly the same expression with nothing but arithmetic, so filters, sorting and the figure shown agree."""
    dy = (lat2 - lat1) * KM_PER_DEGREE
    dx = (lon2 - lon1) * km_per_degree_lon(lat1)
    return math.sqrt(dx * dx + dy * dy)


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around the circle."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / max(km_per_degree_lon(lat), 1e-6)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _cell(lat: float, lon: float, size: float) -> tuple[int, int]:
    return math.floor((lat + 90.0) / size), math.floor((lon + 180.0) / size)




def cell_id(lat: float, lon: float) -> int:
    """The fine cell as one integer, for a B-tree index when there are no words to search."""
    row, col = _cell(lat, lon, FINE_CELL_DEGREES)
    return row * 100_000 + col






def cell_ids_around(lat: float, lon: float, radius_km: float) -> list[int]:
    """Fine cell ids of the circle (the caller keeps the radius small enough for this to stay short)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    r0, c0 = _cell(min_lat, min_lon, FINE_CELL_DEGREES)
    r1, c1 = _cell(max_lat, max_lon, FINE_CELL_DEGREES)
    return [r * 100_000 + c for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
