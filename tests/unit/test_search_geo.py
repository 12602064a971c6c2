"""The grid cells a nearby search reads cover its whole circle, and little more."""
from __future__ import annotations

import math
import random

import pytest

from marketplace.search.geo import KM_PER_DEGREE, bounding_box, cell_id, cell_ids_around, km_per_degree_lon


@pytest.mark.parametrize("radius_km", [0.15, 0.5, 1.0, 3.0, 7.3])
def test_every_point_of_the_circle_lies_in_one_of_its_cells(radius_km):
    rng = random.Random(radius_km)
    for _ in range(200):
        lat, lon = 28.0 + rng.random(), 121.0 + rng.random()
        cells = set(cell_ids_around(lat, lon, radius_km))
        for _ in range(100):
            bearing, km = rng.random() * 2 * math.pi, radius_km * math.sqrt(rng.random())
            north, east = km * math.cos(bearing), km * math.sin(bearing)
            assert cell_id(lat + north / KM_PER_DEGREE, lon + east / km_per_degree_lon(lat)) in cells


def test_a_wide_circle_leaves_out_the_corner_cells_of_its_bounding_box():
    lat, lon = 28.655, 121.425
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, 3.0)
    box = {cell_id(a, b) for a in (min_lat, max_lat) for b in (min_lon, max_lon)}
    assert not box & set(cell_ids_around(lat, lon, 3.0))
