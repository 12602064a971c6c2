"""Where the demo town is: districts of Taizhou laid out as street grids, with shop fronts and homes.

The default town is one district, Jiaojiang (centred on 28.656 N, 121.421 E), on a grid of streets
about 300 m apart that stays south of the Jiao river and well west of the coast. Above
CITY_THRESHOLD merchants the town spreads over the city's other districts and county towns, each its
own grid around its real centre, so that 150,000 shops are not crammed into one district. Street
names are ones common in Taizhou; their placement on the grid is generated, not surveyed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

KM_PER_DEGREE_LAT = 110.95
CITY_THRESHOLD = 5_000
EW_SPACING_KM = 0.30  # between east-west streets
NS_SPACING_KM = 0.36  # between north-south streets
SHOPS_PER_KM2 = 1_500  # at most; a district grows in side until it holds its shops at this density
MIN_SIDE_KM, MAX_SIDE_KM = 2.4, 6.0

EW_STREETS = ("市府大道", "中山路", "东海大道", "开发大道", "枫南路", "耀达路", "青年路", "工人路", "海门路",
              "云西路", "太和路", "康平路", "星明路", "经中路", "洪家路", "学院路", "新村路", "文化路", "劳动路",
              "府前路", "前所路", "永安路", "东升路", "育英路")
NS_STREETS = ("白云山路", "解放路", "东环大道", "西环大道", "葭沚路", "中心大道", "建设路", "商业街", "人民路",
              "环城路", "花园路", "江城路", "章安路", "栅浦路", "岩头路", "环岛路", "民主路", "纬一路",
              "兴业路", "银泰路", "广场路", "府东路", "腾达路", "景元路")


@dataclass(frozen=True)
class District:
    name_zh: str
    name_en: str
    latitude: float
    longitude: float
    weight: float  # share of the city's shops and residents


# Centres of Taizhou's districts and county towns (approximate city-centre coordinates).
DISTRICTS = (
    District("椒江区", "Jiaojiang", 28.656, 121.421, 0.20),
    District("黄岩区", "Huangyan", 28.650, 121.262, 0.14),
    District("路桥区", "Luqiao", 28.582, 121.366, 0.13),
    District("临海市", "Linhai", 28.858, 121.143, 0.15),
    District("温岭市", "Wenling", 28.372, 121.380, 0.18),
    District("天台县", "Tiantai", 29.143, 121.008, 0.07),
    District("仙居县", "Xianju", 28.847, 120.729, 0.06),
    District("三门县", "Sanmen", 29.105, 121.395, 0.07),
)


@dataclass
class Grid:
    """One district's street grid: rows of blocks between east-west streets, columns between north-south."""

    district: District
    side_km: float
    index: int
    rows: int = field(init=False)
    cols: int = field(init=False)

    def __post_init__(self):
        self.rows = max(2, round(self.side_km / EW_SPACING_KM))
        self.cols = max(2, round(self.side_km / NS_SPACING_KM))
        self.dlat = EW_SPACING_KM / KM_PER_DEGREE_LAT
        self.dlon = NS_SPACING_KM / (KM_PER_DEGREE_LAT * math.cos(math.radians(self.district.latitude)))
        self.lat0 = self.district.latitude - self.rows * self.dlat / 2
        self.lon0 = self.district.longitude - self.cols * self.dlon / 2

    @property
    def blocks(self) -> int:
        return self.rows * self.cols

    def ew_street(self, row: int) -> str:  # the street along the south edge of block row `row`
        return EW_STREETS[(row + 5 * self.index) % len(EW_STREETS)]

    def ns_street(self, col: int) -> str:  # the street along the west edge of block column `col`
        return NS_STREETS[(col + 7 * self.index) % len(NS_STREETS)]

    def block_weights(self, spread: float) -> np.ndarray:
        """Density of a block: highest in the centre, falling off like a Gaussian of width spread*side."""
        r = (np.arange(self.rows) + 0.5) / self.rows - 0.5
        c = (np.arange(self.cols) + 0.5) / self.cols - 0.5
        d2 = r[:, None] ** 2 + c[None, :] ** 2
        w = np.exp(-d2 / (2 * spread ** 2)).ravel()
        return w / w.sum()


def grids_for(merchants: int) -> list[Grid]:
    """The districts a town of this many merchants covers, each sized to its share of shops."""
    districts = DISTRICTS[:1] if merchants <= CITY_THRESHOLD else DISTRICTS
    total = sum(d.weight for d in districts)
    grids = []
    for i, d in enumerate(districts):
        shops = merchants * d.weight / total
        side = min(MAX_SIDE_KM, max(MIN_SIDE_KM, math.sqrt(shops / SHOPS_PER_KM2)))
        grids.append(Grid(d, side, i))
    return grids


def district_shares(grids: list[Grid], n: int, rng: np.random.Generator) -> np.ndarray:
    """Which grid each of n things (shops, homes) falls in, by district weight."""
    weights = np.array([g.district.weight for g in grids])
    return rng.choice(len(grids), size=n, p=weights / weights.sum())


def place_shop_fronts(grid: Grid, n: int, rng: np.random.Generator):
    """n shop fronts along the streets: (block index, latitude, longitude, address) arrays/lists.

    A shop stands on one side of its block, a few metres back from the street's centre line.
    """
    blocks = rng.choice(grid.blocks, size=n, p=grid.block_weights(0.3))
    rows, cols = np.divmod(blocks, grid.cols)
    side = rng.integers(0, 4, size=n)  # 0 south, 1 north, 2 west, 3 east
    along = rng.uniform(0.08, 0.92, size=n)
    setback = 0.03  # about 9 m inside the block, off the carriageway
    lat = grid.lat0 + grid.dlat * np.where(side == 0, rows + setback, np.where(side == 1, rows + 1 - setback, rows + along))
    lon = grid.lon0 + grid.dlon * np.where(side == 2, cols + setback, np.where(side == 3, cols + 1 - setback, cols + along))
    addresses = []
    for r, c, s, a in zip(rows.tolist(), cols.tolist(), side.tolist(), along.tolist()):
        if s < 2:
            street = grid.ew_street(r + s)
            number = 2 * int((c + a) * NS_SPACING_KM * 50) + (1 if s == 0 else 2)
        else:
            street = grid.ns_street(c + (s - 2))
            number = 2 * int((r + a) * EW_SPACING_KM * 50) + (1 if s == 2 else 2)
        addresses.append((street, f"{grid.district.name_zh}{street}{number}号"))
    return blocks, lat, lon, addresses


def place_homes(grid: Grid, n: int, rng: np.random.Generator, compound_names: list[str],
                blocks: np.ndarray | None = None):
    """n homes in the blocks' residential compounds (given blocks, or drawn): (block, lat, lon, address)."""
    if blocks is None:
        blocks = rng.choice(grid.blocks, size=n, p=grid.block_weights(0.4))
    rows, cols = np.divmod(blocks, grid.cols)
    # Buildings sit on a 4 x 4 lattice inside the block's interior (away from the street).
    bx = rng.integers(0, 4, size=n)
    by = rng.integers(0, 4, size=n)
    lat = grid.lat0 + grid.dlat * (rows + 0.2 + 0.2 * by + rng.uniform(0, 0.04, size=n))
    lon = grid.lon0 + grid.dlon * (cols + 0.2 + 0.2 * bx + rng.uniform(0, 0.04, size=n))
    floors = rng.integers(1, 19, size=n)
    units = rng.integers(1, 5, size=n)
    addresses = [
        f"{grid.district.name_zh}{compound_names[b % len(compound_names)]}{4 * y + x + 1}幢{f}0{u}室"
        for b, x, y, f, u in zip(blocks.tolist(), bx.tolist(), by.tolist(), floors.tolist(), units.tolist())
    ]
    return blocks, lat, lon, addresses
