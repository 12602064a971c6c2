"""Distances and the grid the SQL backend uses to narrow a search without words to the cells around a point."""
from __future__ import annotations

import math

KM_PER_DEGREE = 111.195  # along a meridian, on the mean-radius sphere
FINE_CELL_DEGREES = 0.01  # about 1.1 km north-south
ROW_STRIDE = 100_000  # cell id = row * ROW_STRIDE + column: a row's cells have consecutive ids, west to east


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
    return row * ROW_STRIDE + col


def cell_rows_around(lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
    """The cells the circle touches, as one (first, last) pair of cell ids per row of cells, south to north.

    In each row the circle is widest at the latitude nearest its centre, so the row's cells are those
    that span of longitude touches: the rows near the top and bottom of the circle take fewer cells than
    its bounding box.
    """
    min_lat, max_lat, _min_lon, _max_lon = bounding_box(lat, lon, radius_km)
    kx = max(km_per_degree_lon(lat), 1e-6)
    first_row, last_row = _cell(min_lat, lon, FINE_CELL_DEGREES)[0], _cell(max_lat, lon, FINE_CELL_DEGREES)[0]
    rows = []
    for row in range(first_row, last_row + 1):
        south, north = row * FINE_CELL_DEGREES - 90.0, (row + 1) * FINE_CELL_DEGREES - 90.0
        nearest = min(max(lat, south), north)
        dy = (nearest - lat) * KM_PER_DEGREE
        half_width = math.sqrt(max(radius_km * radius_km - dy * dy, 0.0)) / kx
        first_col = _cell(lat, lon - half_width, FINE_CELL_DEGREES)[1]
        last_col = _cell(lat, lon + half_width, FINE_CELL_DEGREES)[1]
        rows.append((row * ROW_STRIDE + first_col, row * ROW_STRIDE + last_col))
    return rows


def cell_ids_around(lat: float, lon: float, radius_km: float) -> list[int]:
    """Fine cell ids of the circle (the caller keeps the radius small enough for this to stay short)."""
    return [c for first, last in cell_rows_around(lat, lon, radius_km) for c in range(first, last + 1)]
