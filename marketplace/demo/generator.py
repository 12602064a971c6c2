"""The demo town generator: accounts, shops, stock and months of trading history, written in bulk.

The town is simulated day by day with numpy over every shop at once (rates, closures, festivals),
and only the orders of one day are ever held as Python rows, so memory stays bounded at any size.
Every random draw comes from generators seeded by `--seed` and the stage that uses them, so the
same seed and end date give the same town, row for row.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import numpy as np
from sqlalchemy import select

from ..accounts.models import Role, User, UserRole
from ..accounts.services import hash_password
from ..catalog.models import Product, ProductStatus, Shop, ShopKind, StockMovement, StockReason
from ..extensions import db
from ..orders.models import Fulfilment, Order, OrderLine, OrderStatus, Payment, PaymentMethod, PaymentStatus, Refund
from . import calibration as cal
from .bulk import bulk_insert, bulk_update, next_id, progress
from .catalogue import CatalogueItem, items_by_category
from .geography import Grid, grids_for, place_homes, place_shop_fronts
from .names import compound_name, person_name, shop_name, supplier_name

DEMO_PASSWORD = "demo1234"
DEMO_ACCOUNTS = {
    "merchant": "merchant@demo.local",
    "resident": "resident@demo.local",
    "supplier": "supplier@demo.local",
    "lender": "lender@demo.local",
}
CURRENCY = "CNY"
LOCAL = timezone(timedelta(hours=8))  # China Standard Time; stored times are UTC
CATEGORIES = tuple(cal.CATEGORY_MIX)
REGULARS_PER_SHOP = 12
CARD_SHARE = 0.7  # the rest pay cash on pickup or delivery
FLUSH_ROWS = 20_000

# Opening hours (local) by kind, and the hours their orders come in.
HOURS = {
    "noodles_snacks": ("06:30", "20:30"), "tea": ("09:00", "22:00"), "bakery": ("07:00", "21:00"),
    "convenience": ("07:00", "23:00"), "pharmacy": ("08:00", "22:00"), "vegetables": ("06:00", "19:00"),
    "meat": ("06:00", "18:00"), "fruit": ("08:00", "21:30"),
}
DEFAULT_HOURS = ("08:00", "20:30")
MEAL_PEAKS = {"noodles_snacks": (7, 12, 18), "tea": (15, 20), "bakery": (8, 16)}
REFUND_REASONS = ("商品有破损", "少送了一件", "质量不满意", "送错商品", "顾客取消部分商品")
REJECT_REASONS = ("缺货", "今日已打烊", "超出配送范围")


@dataclass(frozen=True)
class TownSpec:
    merchants: int = 200
    suppliers: int = 20
    residents: int = 2000
    months: int = 12
    seed: int = 2026
    end: date | None = None  # the town's "today"; history stops at 00:00 UTC of this date
    orders_per_resident_month: float = cal.DEFAULT_ORDERS_PER_RESIDENT_MONTH

    def validate(self) -> None:
        if self.merchants < 1 or self.suppliers < 1 or self.residents < 1:
            raise ValueError("a town needs at least one merchant, one supplier and one resident")
        if not 1 <= self.months <= 60:
            raise ValueError("months must be between 1 and 60")
        if self.orders_per_resident_month < 0:
            raise ValueError("orders per resident cannot be negative")


@dataclass
class TownSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    start: datetime | None = None
    end: datetime | None = None
    hooks: list[str] = field(default_factory=list)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def town_exists() -> bool:
    return db.session.execute(select(Shop.id).limit(1)).scalar() is not None


def demo_accounts_exist() -> bool:
    return db.session.execute(
        select(User.id).where(User.email.in_(DEMO_ACCOUNTS.values())).limit(1)
    ).scalar() is not None


class _Ids:
    """Integer keys numbered by the seed (so rows can point at each other before they are written),
    and public ids drawn from the seed's own stream so the same seed gives the same ids."""

    def __init__(self, seed: int):
        self._next: dict[str, int] = {}
        self._seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def start(self, table) -> None:
        self._next[table.__tablename__] = next_id(table)

    def take(self, table, n: int = 1) -> int:
        name = table.__tablename__
        first = self._next[name]
        self._next[name] = first + n
        return first

    def public(self, prefix: str, n: int) -> list[str]:
        stream = self._streams.get(prefix)
        if stream is None:
            stream = self._streams[prefix] = np.random.default_rng([self._seed, *prefix.encode()])
        return [f"{prefix}_{v:016x}" for v in stream.integers(0, 2 ** 63, size=n, dtype=np.int64).tolist()]


def _rng(seed: int, stage: str) -> np.random.Generator:
    return np.random.default_rng([seed, *stage.encode()])


def _pyrng(seed: int, stage: str) -> random.Random:
    return random.Random(f"{seed}:{stage}")


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


class TownGenerator:
    """Builds the town described by a TownSpec into the current database session."""

    def __init__(self, spec: TownSpec, *, echo: Callable[[str], None] = print, show_progress: bool = True):
        spec.validate()
        self.spec = spec
        self.echo = echo
        self.show_progress = show_progress
        end_day = spec.end or datetime.now(timezone.utc).date()
        self.end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=timezone.utc)
        start_day = _months_before(end_day, spec.months)
        self.start = datetime(start_day.year, start_day.month, start_day.day, tzinfo=timezone.utc)
        self.days = (self.end - self.start).days
        self.ids = _Ids(spec.seed)
        self.summary = TownSummary(start=self.start, end=self.end)
        self.catalogue = items_by_category()
        self._buffers: dict[type, list[dict]] = {}

    # ---- writing ---------------------------------------------------------------------------

    def _add(self, model, row: dict) -> None:
        self._buffers.setdefault(model, []).append(row)

    def _flush(self) -> None:
        from merchants.purchasing import models as po

        order = (User, UserRole, Shop, Product, po.PurchaseOrder, po.PurchaseOrderLine, po.PurchaseReceipt,
                 po.PurchaseReceiptLine, po.SupplierInvoice, po.ProductLink, Order, OrderLine, Payment, Refund,
                 StockMovement)
        for model in order:
            rows = self._buffers.pop(model, None)
            if rows:
                self.summary.add(model.__tablename__, bulk_insert(model, rows))
        assert not self._buffers, f"rows left unwritten: {list(self._buffers)}"

    def _buffered(self) -> int:
        return sum(len(rows) for rows in self._buffers.values())

    def _move(self, product: int, quantity: int, balance: int, reason: StockReason, at: datetime,
              reference: str | None = None, user: int | None = None, note: str = "") -> None:
        self._add(StockMovement, {
            "id": self.ids.take(StockMovement), "product_id": product, "quantity": quantity,
            "balance_after": balance, "reason": reason, "note": note, "reference": reference,
            "created_by_id": user, "created_at": at,
        })

    # ---- the whole run -----------------------------------------------------------------------

    def run(self) -> TownSummary:
        from merchants.purchasing import models as po

        began = time.perf_counter()
        for model in (User, UserRole, Shop, Product, StockMovement, Order, OrderLine, Payment, Refund,
                      po.PurchaseOrder, po.PurchaseOrderLine, po.PurchaseReceipt, po.PurchaseReceiptLine,
                      po.SupplierInvoice, po.ProductLink):
            self.ids.start(model)
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.echo(f"Laying out {self.spec.merchants} shops, {self.spec.suppliers} suppliers and "
                  f"{self.spec.residents} residents ...")
        stage = time.perf_counter()

        def done(what: str) -> None:
            nonlocal stage
            now = time.perf_counter()
            self.echo(f"Stage: {what} in {now - stage:.1f} s")
            stage = now

        self._lay_out()
        done("layout")
        self._write_accounts()
        done("accounts")
        self._write_shops_and_stock()
        self._flush()
        db.session.commit()
        done("shops and products")
        self.echo(f"Trading {self.days} days, {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} ...")
        self._simulate()
        done("history")
        self._write_final_stock()
        db.session.commit()
        done("closing stock")
        self.summary.seconds = time.perf_counter() - began
        return self.summary

    # ---- the town's layout -------------------------------------------------------------------

    def _lay_out(self) -> None:
        spec = self.spec
        rng = _rng(spec.seed, "layout")
        self.grids: list[Grid] = grids_for(spec.merchants)
        block_base, base = [], 0
        for g in self.grids:
            block_base.append(base)
            base += g.blocks
        self.block_base = np.array(block_base)
        self.total_blocks = base

        # Retail shops: kind, district, position.
        M = spec.merchants
        mix = np.array([cal.CATEGORY_MIX[c] for c in CATEGORIES], dtype=float)
        self.shop_cat = rng.choice(len(CATEGORIES), size=M, p=mix / mix.sum())
        self.shop_cat[0] = CATEGORIES.index("convenience")  # the demo merchant's shop
        weights = np.array([g.district.weight for g in self.grids])
        shop_grid = rng.choice(len(self.grids), size=M, p=weights / weights.sum())
        shop_grid[0] = 0
        self.shop_grid = shop_grid
        self.shop_block = np.zeros(M, dtype=np.int64)
        self.shop_lat = np.zeros(M)
        self.shop_lon = np.zeros(M)
        self.shop_street = [""] * M
        self.shop_address = [""] * M
        for gi, g in enumerate(self.grids):
            idx = np.flatnonzero(shop_grid == gi)
            blocks, lat, lon, addresses = place_shop_fronts(g, len(idx), rng)
            self.shop_block[idx] = blocks + block_base[gi]
            self.shop_lat[idx], self.shop_lon[idx] = lat, lon
            for i, (street, address) in zip(idx.tolist(), addresses):
                self.shop_street[i], self.shop_address[i] = street, address

        # Suppliers: wholesalers spread over the districts, each carrying a few kinds of goods.
        S = spec.suppliers
        sup_grid = rng.choice(len(self.grids), size=S, p=weights / weights.sum())
        sup_grid[0] = 0
        self.sup_lat, self.sup_lon, self.sup_address = np.zeros(S), np.zeros(S), [""] * S
        for gi, g in enumerate(self.grids):
            idx = np.flatnonzero(sup_grid == gi)
            _blocks, lat, lon, addresses = place_shop_fronts(g, len(idx), rng)
            self.sup_lat[idx], self.sup_lon[idx] = lat, lon
            for i, (_street, address) in zip(idx.tolist(), addresses):
                self.sup_address[i] = address
        self.sup_grid = sup_grid
        carries = np.zeros((S, len(CATEGORIES)), dtype=bool)
        for c in range(len(CATEGORIES)):
            carries[c % S, c] = True
        extra = rng.integers(0, len(CATEGORIES), size=(S, 2))
        carries[np.arange(S)[:, None], extra] = True
        carries[0, CATEGORIES.index("convenience")] = carries[0, CATEGORIES.index("grocery")] = True
        self.sup_carries = carries
        self.sup_primary = np.array([int(np.flatnonzero(row)[0]) for row in carries])
        # Each retail shop buys from one supplier carrying its kind; the demo merchant from the demo supplier.
        self.shop_supplier = np.zeros(M, dtype=np.int64)
        for c in range(len(CATEGORIES)):
            idx = np.flatnonzero(self.shop_cat == c)
            carriers = np.flatnonzero(carries[:, c])
            self.shop_supplier[idx] = rng.choice(carriers, size=len(idx))
        self.shop_supplier[0] = 0

        # Residents: homes in the blocks' compounds, denser in the middle of each district.
        R = spec.residents
        res_grid = rng.choice(len(self.grids), size=R, p=weights / weights.sum())
        res_grid[0] = 0
        self.res_block = np.zeros(R, dtype=np.int64)
        self.res_lat, self.res_lon, self.res_address = np.zeros(R), np.zeros(R), [""] * R
        name_rng = _pyrng(spec.seed, "compounds")
        for gi, g in enumerate(self.grids):
            idx = np.flatnonzero(res_grid == gi)
            compounds = [compound_name(name_rng) for _ in range(g.blocks)]
            blocks, lat, lon, addresses = place_homes(g, len(idx), rng, compounds)
            if gi == 0:  # the demo resident lives in the demo merchant's block
                local = int(self.shop_block[0] - block_base[0])
                b0, la0, lo0, ad0 = place_homes(g, 1, rng, compounds, blocks=np.array([local]))
                blocks[0], lat[0], lon[0], addresses[0] = b0[0], la0[0], lo0[0], ad0[0]
            self.res_block[idx] = blocks + block_base[gi]
            self.res_lat[idx], self.res_lon[idx] = lat, lon
            for i, address in zip(idx.tolist(), addresses):
                self.res_address[i] = address
        # Residents by block, to find the people living near a shop.
        self.res_by_block = np.argsort(self.res_block, kind="stable")
        sorted_blocks = self.res_block[self.res_by_block]
        self.block_start = np.searchsorted(sorted_blocks, np.arange(self.total_blocks), side="left")
        self.block_end = np.searchsorted(sorted_blocks, np.arange(self.total_blocks), side="right")
        self.grid_of_block = np.repeat(np.arange(len(self.grids)), [g.blocks for g in self.grids])

        self._lay_out_lives(rng)
        self.shop_regulars = self._nearby_residents(np.repeat(np.arange(M), REGULARS_PER_SHOP),
                                                    rng).reshape(M, REGULARS_PER_SHOP)
        near0 = np.flatnonzero(np.abs(self.shop_block - self.shop_block[0]) <= 1)[:8]
        self.shop_regulars[near0, 0] = 0  # the demo resident is a regular of the shops next door
        self.shop_regulars[0, :3] = 0

    def _nearby_residents(self, shops: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A resident living within two blocks of each given shop (anywhere in its district if none)."""
        n = len(shops)
        blocks = self.shop_block[shops]
        grid_idx = self.grid_of_block[blocks]
        cols = np.array([g.cols for g in self.grids])[grid_idx]
        rows = np.array([g.rows for g in self.grids])[grid_idx]
        base = self.block_base[grid_idx]
        local = blocks - base
        r, c = np.divmod(local, cols)
        r = np.clip(r + rng.integers(-2, 3, size=n), 0, rows - 1)
        c = np.clip(c + rng.integers(-2, 3, size=n), 0, cols - 1)
        chosen = base + r * cols + c
        start, end = self.block_start[chosen], self.block_end[chosen]
        empty = end <= start
        if empty.any():  # fall back to anyone in the district
            gstart = self.block_start[base[empty]]
            gend = self.block_end[base[empty] + (rows * cols)[empty] - 1]
            start[empty], end[empty] = gstart, gend
        still = end <= start
        start[still], end[still] = 0, len(self.res_by_block)
        pick = start + (rng.random(n) * (end - start)).astype(np.int64)
        return self.res_by_block[np.minimum(pick, len(self.res_by_block) - 1)]

    def _lay_out_lives(self, rng: np.random.Generator) -> None:
        """When each shop opened (and closes), how popular it is, and whether it grows or declines."""
        M, D = self.spec.merchants, self.days
        months = self.spec.months
        opened_during = rng.random(M) < cal.SHARE_OPENED_DURING_HISTORY
        age_at_start = np.minimum(rng.exponential(5.0, size=M), 25.0)  # years
        self.open_day = np.where(opened_during, rng.integers(0, max(1, D - 30), size=M),
                                 -np.ceil(age_at_start * 365).astype(np.int64))
        self.open_day[0] = -3 * 365
        self.close_day = np.full(M, D + 1, dtype=np.int64)
        food_mult = np.array([cal.FOOD_STALL_HAZARD_MULTIPLIER if c in cal.FOOD_CATEGORIES else 1.0
                              for c in CATEGORIES])[self.shop_cat]
        for m in range(months + 1):
            day = int(m * D / (months + 0.0001))
            alive = (self.close_day > D) & (self.open_day <= day)
            age = (day - self.open_day) / 365.0
            annual = np.where(age < 1, cal.CLOSURE_HAZARD_YEAR_1,
                              np.where(age < 5, cal.CLOSURE_HAZARD_YEARS_2_TO_5, cal.CLOSURE_HAZARD_LATER))
            monthly = 1 - (1 - np.minimum(0.9, annual * food_mult)) ** (1 / 12)
            closes = alive & (rng.random(M) < monthly)
            closes[0] = False
            self.close_day[closes] = np.minimum(D, day + rng.integers(0, 31, size=int(closes.sum())))
        self.close_day = np.maximum(self.close_day, self.open_day + 14)

        names = list(cal.TRAJECTORIES)
        shares = np.array([cal.TRAJECTORIES[n][0] for n in names])
        self.trajectory = rng.choice(len(names), size=M, p=shares)
        self.trajectory[0] = names.index("grow")
        drift = np.array([cal.TRAJECTORIES[n][1] for n in names])[self.trajectory]
        self.drift = drift + rng.normal(0, 0.01, size=M)
        self.drift[0] = 0.03
        vol = rng.uniform(*cal.MONTHLY_NOISE_SIGMA, size=M)
        vol[0] = 0.08
        self.month_noise = np.exp(rng.normal(0, 1, size=(M, months + 2)) * vol[:, None]).astype(np.float32)

        freq = np.array([cal.ORDER_FREQUENCY[c] for c in CATEGORIES])[self.shop_cat]
        popularity = freq * rng.lognormal(0, cal.POPULARITY_SIGMA, size=M)
        popularity[0] = max(popularity[0], np.quantile(popularity, 0.9))
        target_per_day = self.spec.residents * self.spec.orders_per_resident_month / 30.44
        open_share = np.clip((np.minimum(self.close_day, D) - np.maximum(self.open_day, 0)) / max(D, 1), 0, 1)
        # A closing shop's last days are fading ones: count them at their average pace.
        fade_days = np.clip(np.minimum(self.close_day, D + 1) - np.maximum(self.open_day, 0), 0,
                            cal.CLOSING_FADE_DAYS) * (self.close_day <= D)
        open_share = np.clip(open_share - fade_days * (1 - cal.CLOSING_FADE_FLOOR) / 2 / max(D, 1), 0, 1)
        self.base_rate = target_per_day * popularity / max(1e-9, float((popularity * open_share).sum()))

        self.returning = np.array([cal.RETURNING_SHARE.get(c, cal.RETURNING_SHARE_DEFAULT)
                                   for c in CATEGORIES])[self.shop_cat]
        self.delivery_share = np.array([cal.DELIVERY_SHARE[c] for c in CATEGORIES])[self.shop_cat]
        self.delivery_enabled = rng.random(M) < 0.8
        self.delivery_enabled[0] = True
        self.delivery_fee = rng.choice([0, 200, 300, 500], size=M, p=[0.4, 0.3, 0.2, 0.1])
        self.minimum_order = rng.choice([0, 1000, 1500, 2000], size=M, p=[0.4, 0.2, 0.2, 0.2])
        self.restock_weekday = rng.integers(0, 7, size=M)
        # How punctually each merchant pays supplier invoices: days late, on average (0 = on time).
        self.pays_late = np.where(rng.random(M) < 0.8, 0.0, rng.exponential(6.0, size=M))
        self.pays_late[0] = 0.0
        self.terms = rng.choice(["now", "net_7", "net_30"], size=M, p=[0.3, 0.5, 0.2])

        # Spring Festival: the festival week is slow; most shops shut for a week or more.
        self.festival_days: list[int] = []
        for year in range(self.start.year, self.end.year + 1):
            fest = cal.SPRING_FESTIVAL.get(year)
            if fest:
                self.festival_days.append((datetime(fest.year, fest.month, fest.day, tzinfo=timezone.utc)
                                           - self.start).days)
        self.shut_from = rng.integers(-1, 2, size=M)
        self.shut_days = np.where(rng.random(M) < cal.FESTIVAL_SHUT_SHARE,
                                  rng.integers(cal.FESTIVAL_SHUT_DAYS[0], cal.FESTIVAL_SHUT_DAYS[1] + 1, size=M), 0)
        self.shut_days[0] = 0

    # ---- accounts, shops, products -------------------------------------------------------------

    def _user(self, email: str, name: str, created: datetime, role: Role, *, address=None, lat=None, lon=None,
              phone=None) -> int:
        uid = self.ids.take(User)
        if not self._user_ids:
            self._user_ids = self.ids.public("usr", 1000)[::-1]
        self._add(User, {
            "id": uid, "public_id": self._user_ids.pop(), "email": email, "name": name,
            "password_hash": self.password_hash, "locale": "zh_CN", "phone": phone, "address": address,
            "latitude": lat, "longitude": lon, "created_at": created, "password_changed_at": created,
        })
        self._add(UserRole, {"id": self.ids.take(UserRole), "user_id": uid, "role": role, "granted_at": created,
                             "granted_by_id": None})
        return uid

    def _write_accounts(self) -> None:
        spec = self.spec
        prng = _pyrng(spec.seed, "people")
        rng = _rng(spec.seed, "people")
        self._user_ids: list[str] = []
        phone_rng = _pyrng(spec.seed, "phones")
        self.lender_id = self._user(DEMO_ACCOUNTS["lender"], "台州银行信贷员", self.start - timedelta(days=400),
                                    Role.lender)
        self.merchant_user = np.zeros(spec.merchants, dtype=np.int64)
        bar = progress(range(spec.merchants), total=spec.merchants, desc="merchants", enabled=self.show_progress)
        for i in bar:
            email = DEMO_ACCOUNTS["merchant"] if i == 0 else f"merchant{i:06d}@demo.local"
            created = self._day_start(int(self.open_day[i])) - timedelta(days=3)
            self.merchant_user[i] = self._user(email, person_name(prng), created, Role.merchant,
                                               phone=str(phone_rng.randrange(130_0000_0000, 199_9999_9999)))
            if len(self._buffers.get(User, ())) >= FLUSH_ROWS:
                self._flush()
        self.supplier_user = np.zeros(spec.suppliers, dtype=np.int64)
        for j in range(spec.suppliers):
            email = DEMO_ACCOUNTS["supplier"] if j == 0 else f"supplier{j:05d}@demo.local"
            created = self.start - timedelta(days=int(rng.integers(400, 4000)))
            self.supplier_user[j] = self._user(email, person_name(prng), created, Role.supplier,
                                               phone=str(phone_rng.randrange(130_0000_0000, 199_9999_9999)))
        self.resident_user = np.zeros(spec.residents, dtype=np.int64)
        joined = rng.integers(30, 1500, size=spec.residents)
        bar = progress(range(spec.residents), total=spec.residents, desc="residents", enabled=self.show_progress)
        for k in bar:
            email = DEMO_ACCOUNTS["resident"] if k == 0 else f"resident{k:06d}@demo.local"
            self.resident_user[k] = self._user(
                email, person_name(prng), self.start - timedelta(days=int(joined[k])), Role.resident,
                address=self.res_address[k], lat=round(float(self.res_lat[k]), 6),
                lon=round(float(self.res_lon[k]), 6), phone=str(phone_rng.randrange(130_0000_0000, 199_9999_9999)))
            if self._buffered() >= FLUSH_ROWS:
                self._flush()
        self._flush()

    def _day_start(self, day: int) -> datetime:
        return self.start + timedelta(days=day)

    def _write_shops_and_stock(self) -> None:
        spec = self.spec
        prng = _pyrng(spec.seed, "shops")
        rng = _rng(spec.seed, "stock")
        M, S = spec.merchants, spec.suppliers
        shop_public = self.ids.public("shop", M + S)
        first_shop = self.ids.take(Shop, M + S)
        self.shop_id = first_shop + np.arange(M)
        self.sup_shop_id = first_shop + M + np.arange(S)

        # Supplier shops and their wholesale lines: every catalogue item of each kind they carry.
        self.sup_product = np.full((S, len(CATEGORIES), 25), -1, dtype=np.int64)
        sup_products: list[tuple[int, CatalogueItem]] = []
        for j in range(S):
            cat = CATEGORIES[int(self.sup_primary[j])]
            created = self.start - timedelta(days=500)
            self._add(Shop, self._shop_row(int(self.sup_shop_id[j]), shop_public[M + j], int(self.supplier_user[j]),
                                           supplier_name(prng, self.grids[int(self.sup_grid[j])].district.name_zh),
                                           ShopKind.supplier, cat, self.sup_address[j], self.sup_lat[j],
                                           self.sup_lon[j], created, hours=("05:00", "18:00"), delivery=True,
                                           fee=0, minimum=20000, is_open=True))
            for c in np.flatnonzero(self.sup_carries[j]).tolist():
                for k, item in enumerate(self.catalogue[CATEGORIES[c]]):
                    self.sup_product[j, c, k] = len(sup_products)
                    sup_products.append((j, item))

        # Retail shops: 5 to 15 products of their kind each, priced around the catalogue's shelf price.
        counts = rng.integers(5, 16, size=M)
        counts[0] = 15
        self.prod_offset = np.concatenate([[0], np.cumsum(counts)])
        P = int(self.prod_offset[-1])
        self.prod_cat_item = np.zeros(P, dtype=np.int64)
        self.prod_price = np.zeros(P, dtype=np.int64)
        self.prod_weight = np.zeros(P)
        self.prod_qty_extra = np.zeros(P)
        self.prod_target = np.zeros(P, dtype=np.int64)
        self.prod_reorder = np.zeros(P, dtype=np.int64)
        self.prod_sup = np.zeros(P, dtype=np.int64)  # the supplier product it is bought as
        first_product = self.ids.take(Product, P + len(sup_products))
        self.prod_id = first_product + np.arange(P)
        self.sup_prod_id = first_product + P + np.arange(len(sup_products))
        self.prod_name: list[str] = [""] * P
        self.stock = np.zeros(P, dtype=np.int64)
        hours_choice = {c: HOURS.get(c, DEFAULT_HOURS) for c in CATEGORIES}
        bar = progress(range(M), total=M, desc="shops", enabled=self.show_progress)
        for i in bar:
            cat = CATEGORIES[int(self.shop_cat[i])]
            items = self.catalogue[cat]
            chosen = sorted(rng.choice(len(items), size=int(counts[i]), replace=False).tolist())
            created = self._day_start(int(self.open_day[i]))
            closed = self.close_day[i] <= self.days
            name = shop_name(prng, cat, self.shop_street[i])
            self._add(Shop, self._shop_row(int(self.shop_id[i]), shop_public[i], int(self.merchant_user[i]), name,
                                           ShopKind.retail, cat, self.shop_address[i], self.shop_lat[i],
                                           self.shop_lon[i], created, hours=hours_choice[cat],
                                           delivery=bool(self.delivery_enabled[i]), fee=int(self.delivery_fee[i]),
                                           minimum=int(self.minimum_order[i]), is_open=not closed))
            markup = rng.uniform(0.92, 1.10, size=len(chosen))
            product_public = self.ids.public("prd", len(chosen))  # per shop: a million ids at once cost memory
            sup = int(self.shop_supplier[i])
            for n, k in enumerate(chosen):
                p = int(self.prod_offset[i]) + n
                item = items[k]
                price = int(round(item.retail_fen * markup[n] / 10.0)) * 10 if item.retail_fen >= 200 \
                    else item.retail_fen
                price = max(price, item.wholesale_fen + 1)
                self.prod_cat_item[p] = k
                self.prod_price[p] = price
                self.prod_weight[p] = item.typical_daily_units
                self.prod_qty_extra[p] = 1.5 if price < 500 else (0.5 if price < 2000 else 0.1)
                self.prod_target[p] = max(6, math.ceil(item.typical_daily_units * 7))
                self.prod_reorder[p] = max(2, math.ceil(item.typical_daily_units * 2))
                self.prod_sup[p] = self.sup_product[sup, int(self.shop_cat[i]), k]
                self.prod_name[p] = item.name_zh
                self.stock[p] = int(self.prod_target[p])
                self._add(Product, self._product_row(int(self.prod_id[p]), product_public[n], int(self.shop_id[i]),
                                                     f"{item.sku_prefix}-{i + 1:06d}", item, price,
                                                     int(self.stock[p]), int(self.prod_reorder[p]), created))
                self._move(int(self.prod_id[p]), int(self.stock[p]), int(self.stock[p]), StockReason.initial,
                           created, user=int(self.merchant_user[i]), note="opening stock")
            if self._buffered() >= FLUSH_ROWS:
                self._flush()
        # Normalised cumulative weights, offset by shop index, so one searchsorted picks products for many orders.
        shop_of_product = np.repeat(np.arange(M), counts)
        cum = np.cumsum(self.prod_weight)
        before = np.concatenate([[0.0], cum])[self.prod_offset[:-1]]
        totals = np.add.reduceat(self.prod_weight, self.prod_offset[:-1])
        self.prod_cum = shop_of_product + (cum - before[shop_of_product]) / totals[shop_of_product]
        self.prod_shop = shop_of_product

        self.sup_stock = np.zeros(len(sup_products), dtype=np.int64)
        self.sup_price = np.zeros(len(sup_products), dtype=np.int64)
        self.sup_items = sup_products
        for q, (j, item) in enumerate(sup_products):
            if q % 25 == 0:
                product_public = self.ids.public("prd", 25)
            created = self.start - timedelta(days=500)
            stock = max(200, math.ceil(item.typical_daily_units * 60))
            self.sup_stock[q] = stock
            self.sup_price[q] = item.wholesale_fen
            self._add(Product, self._product_row(int(self.sup_prod_id[q]), product_public[q % 25],
                                                 int(self.sup_shop_id[j]), f"{item.sku_prefix}-W{j + 1:04d}", item,
                                                 item.wholesale_fen, stock, 50, created))
            self._move(int(self.sup_prod_id[q]), stock, stock, StockReason.initial, created,
                       user=int(self.supplier_user[j]), note="opening stock")
            if self._buffered() >= FLUSH_ROWS:
                self._flush()
        self.linked = np.zeros(P, dtype=bool)
        self.opening_stock = self.stock.copy()
        self.sup_opening_stock = self.sup_stock.copy()

    @staticmethod
    def _shop_row(id_, public_id, owner, name, kind, category, address, lat, lon, created, *, hours, delivery,
                  fee, minimum, is_open) -> dict:
        week = {day: [list(hours)] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        return {
            "id": id_, "public_id": public_id, "owner_id": owner, "name": name, "kind": kind, "category": category,
            "description": "", "address": address, "latitude": round(float(lat), 6),
            "longitude": round(float(lon), 6), "currency": CURRENCY, "delivery_enabled": delivery,
            "delivery_radius_km": 3.0, "delivery_fee_amount": fee, "minimum_order_amount": minimum,
            "pickup_enabled": True, "opening_hours": week, "logo_path": None, "is_open": is_open,
            "created_at": created,
        }

    @staticmethod
    def _product_row(id_, public_id, shop, sku, item: CatalogueItem, price, stock, threshold, created) -> dict:
        life = f"保质期 {item.shelf_life_days} 天" if item.shelf_life_days > 1 else ""
        return {
            "id": id_, "public_id": public_id, "shop_id": shop, "sku": sku, "name": item.name_zh,
            "name_en": item.name_en, "description": life, "category": item.category, "unit": item.unit_zh,
            "price_amount": price, "currency": CURRENCY, "stock_on_hand": stock, "low_stock_threshold": threshold,
            "photo_path": None, "status": ProductStatus.active, "created_at": created, "updated_at": created,
        }

    # ---- history -------------------------------------------------------------------------------

    def _day_factor(self, day: int) -> np.ndarray:
        """Each shop's expected orders on a day: popularity x season x trajectory x its own luck."""
        M = self.spec.merchants
        when = self._day_start(day)
        local = when.astimezone(LOCAL)
        season = cal.MONTHLY_INDEX[local.month] * (cal.WEEKEND_FACTOR if local.weekday() >= 5 else 1.0)
        factor = np.full(M, season)
        for fest in self.festival_days:
            if fest - 7 * cal.PRE_FESTIVAL_WEEKS <= day < fest - 1:
                factor *= cal.PRE_FESTIVAL_FACTOR
            elif fest - 1 <= day < fest + 6:
                factor *= cal.FESTIVAL_WEEK_FACTOR
            shut_start = fest - 1 + self.shut_from
            factor[(day >= shut_start) & (day < shut_start + self.shut_days)] = 0.0
        months_in = np.maximum(0, day - np.maximum(self.open_day, 0)) / 30.44
        factor *= np.exp(self.drift * months_in)
        factor *= self.month_noise[:, min(int(day / 30.44), self.month_noise.shape[1] - 1)]
        age = day - self.open_day
        factor *= np.where(age < cal.NEW_SHOP_RAMP_DAYS, 0.4 + 0.6 * np.clip(age, 0, None) / cal.NEW_SHOP_RAMP_DAYS,
                           1.0)
        to_close = self.close_day - day
        fading = (to_close > 0) & (to_close <= cal.CLOSING_FADE_DAYS) & (self.close_day <= self.days)
        factor[fading] *= cal.CLOSING_FADE_FLOOR + (1 - cal.CLOSING_FADE_FLOOR) * to_close[fading] / cal.CLOSING_FADE_DAYS
        factor[(day < self.open_day) | (day >= self.close_day)] = 0.0
        return self.base_rate * factor

    def _simulate(self) -> None:
        rng = _rng(self.spec.seed, "history")
        prng = _pyrng(self.spec.seed, "history")
        hour_cdf = self._hour_tables()
        # One day more than the history's length: the last local morning before "now" (00:00 UTC is 08:00
        # in Taizhou) is the day after the last whole UTC day.
        bar = progress(range(self.days + 1), total=self.days + 1, desc="days", enabled=self.show_progress)
        for day in bar:
            self._restock(day, rng)
            counts = rng.poisson(self._day_factor(day))
            if counts.sum():
                self._trade(day, counts, rng, prng, hour_cdf)
            if self._buffered() >= FLUSH_ROWS:
                self._flush()
            if day % 30 == 29:
                self._flush()
                db.session.commit()
        self._flush()

    def _hour_tables(self) -> np.ndarray:
        """Per kind, a cumulative distribution over local hours 0-23 for when orders come in."""
        table = np.zeros((len(CATEGORIES), 24))
        for c, cat in enumerate(CATEGORIES):
            opens, closes = HOURS.get(cat, DEFAULT_HOURS)
            first, last = int(opens[:2]) + (1 if opens[3:] != "00" else 0), int(closes[:2])
            w = np.zeros(24)
            w[first:last] = 1.0
            for peak in MEAL_PEAKS.get(cat, (10, 18)):
                if first <= peak < last:
                    w[peak] += 1.5
                    if peak + 1 < last:
                        w[peak + 1] += 0.7
            table[c] = np.cumsum(w) / w.sum()
        return table

    def _trade(self, day: int, counts: np.ndarray, rng: np.random.Generator, prng: random.Random,
               hour_cdf: np.ndarray) -> None:
        shops = np.repeat(np.arange(len(counts)), counts)
        n = len(shops)
        cat = self.shop_cat[shops]
        hours = (rng.random(n)[:, None] > hour_cdf[cat]).sum(axis=1)
        seconds = hours * 3600 + rng.integers(0, 3600, size=n)
        order = np.argsort(seconds, kind="stable")
        shops, cat, seconds = shops[order], cat[order], seconds[order]
        local_midnight = self._day_start(day) - timedelta(hours=8)  # 00:00 in Taizhou, in UTC
        returning = rng.random(n) < self.returning[shops]
        regular = self.shop_regulars[shops, rng.integers(0, REGULARS_PER_SHOP, size=n)]
        residents = np.where(returning, regular, self._nearby_residents(shops, rng))
        delivery = (rng.random(n) < self.delivery_share[shops]) & self.delivery_enabled[shops]
        n_lines = 1 + rng.poisson(np.where(delivery, 1.2, 0.6))
        line_shop = np.repeat(shops, n_lines)
        picks = np.searchsorted(self.prod_cum, line_shop + rng.random(len(line_shop)) * 0.999999, side="right")
        picks = np.clip(picks, self.prod_offset[line_shop], self.prod_offset[line_shop + 1] - 1)
        qty = 1 + rng.poisson(self.prod_qty_extra[picks])
        ends = np.cumsum(n_lines)
        fate = rng.random(n)
        card = rng.random(n) < CARD_SHARE
        steps = rng.integers(2, 15, size=(n, 3))  # minutes to accept, to be ready, to hand over
        refund_u = rng.random(n)
        refund_delay = rng.uniform(0.5, 48, size=n)
        order_public = self.ids.public("ord", n)
        pay_public = self.ids.public("pay", n)
        picks_l, qty_l = picks.tolist(), qty.tolist()
        for o in range(n):
            shop = int(shops[o])
            placed = local_midnight + timedelta(seconds=int(seconds[o]))
            if placed >= self.end:
                continue
            lines: dict[int, int] = {}
            for x in range(int(ends[o] - n_lines[o]), int(ends[o])):
                p = picks_l[x]
                lines[p] = lines.get(p, 0) + qty_l[x]
            taken = {}
            for p, q in lines.items():
                q = min(q, int(self.stock[p]))
                if q > 0:
                    taken[p] = q
            if not taken:
                continue
            self._order(o, shop, int(residents[o]), taken, placed, bool(delivery[o]), float(fate[o]),
                        bool(card[o]), steps[o], float(refund_u[o]), float(refund_delay[o]), order_public[o],
                        pay_public[o], prng)

    def _order(self, o, shop, resident, lines, placed, delivery, fate, card, steps, refund_u, refund_delay,
               public_id, pay_public, prng) -> None:
        oid = self.ids.take(Order)
        merchant = int(self.merchant_user[shop])
        subtotal = sum(int(self.prod_price[p]) * q for p, q in lines.items())
        if delivery and subtotal < int(self.minimum_order[shop]):
            delivery = False
        fee = int(self.delivery_fee[shop]) if delivery else 0
        total = subtotal + fee
        age = self.end - placed
        cancel_rate = cal.CANCEL_RATE_DELIVERY if delivery else cal.CANCEL_RATE_IN_STORE
        t1 = placed + timedelta(minutes=int(steps[0]))
        t2 = t1 + timedelta(minutes=int(steps[1]) * 2)
        t3 = t2 + timedelta(minutes=int(steps[2]) * 3)
        row = {
            "id": oid, "public_id": public_id, "resident_id": int(self.resident_user[resident]),
            "shop_id": int(self.shop_id[shop]), "status": OrderStatus.completed,
            "fulfilment": Fulfilment.delivery if delivery else Fulfilment.pickup,
            "payment_method": PaymentMethod.card if card else PaymentMethod.cash, "currency": CURRENCY,
            "subtotal_amount": subtotal, "delivery_fee_amount": fee, "total_amount": total,
            "delivery_address": self.res_address[resident] if delivery else None,
            "delivery_latitude": round(float(self.res_lat[resident]), 6) if delivery else None,
            "delivery_longitude": round(float(self.res_lon[resident]), 6) if delivery else None,
            "note": "", "reject_reason": None, "placed_at": placed, "accepted_at": None, "ready_at": None,
            "out_for_delivery_at": None, "completed_at": None, "rejected_at": None, "cancelled_at": None,
        }
        pay = {"id": self.ids.take(Payment), "public_id": pay_public, "order_id": oid,
               "method": row["payment_method"], "status": PaymentStatus.pending, "amount": total,
               "refunded_amount": 0, "currency": CURRENCY, "provider_id": None, "failure_message": None,
               "created_at": placed, "succeeded_at": None, "failed_at": None, "cancelled_at": None}
        undone = False
        if fate < cancel_rate and age > timedelta(hours=1):
            undone = True
            if fate < cancel_rate / 2:
                row.update(status=OrderStatus.cancelled, cancelled_at=t1)
            else:
                row.update(status=OrderStatus.rejected, rejected_at=t1, reject_reason=prng.choice(REJECT_REASONS))
            pay.update(status=PaymentStatus.cancelled, cancelled_at=t1)
        elif age < timedelta(minutes=20):
            row["status"] = OrderStatus.placed
        elif age < timedelta(hours=2):
            row.update(status=OrderStatus.accepted, accepted_at=t1)
            if card:  # paid online at checkout
                pay.update(status=PaymentStatus.succeeded, succeeded_at=placed)
        else:
            ready_key = "out_for_delivery_at" if delivery else "ready_at"
            row.update(accepted_at=t1, completed_at=t3, **{ready_key: t2})
            pay.update(status=PaymentStatus.succeeded, succeeded_at=placed if card else t3)
        self._add(Order, row)
        self._add(Payment, pay)
        for p, q in lines.items():
            price = int(self.prod_price[p])
            self._add(OrderLine, {"id": self.ids.take(OrderLine), "order_id": oid, "product_id": int(self.prod_id[p]),
                                  "name": self.prod_name[p], "quantity": q, "unit_price_amount": price,
                                  "line_total_amount": price * q, "currency": CURRENCY})
            self.stock[p] -= q
            self._move(int(self.prod_id[p]), -q, int(self.stock[p]), StockReason.sale, placed, public_id,
                       int(self.resident_user[resident]))
            if undone:
                self.stock[p] += q
                self._move(int(self.prod_id[p]), q, int(self.stock[p]), StockReason.cancel, t1, public_id, merchant)
        if row["status"] == OrderStatus.completed and refund_u < cal.REFUND_RATE:
            at = t3 + timedelta(hours=refund_delay)
            if at < self.end:
                amount = total if refund_u < cal.REFUND_RATE * 0.4 else \
                    int(self.prod_price[next(iter(lines))]) * lines[next(iter(lines))]
                pay["refunded_amount"] = amount
                self._add(Refund, {"id": self.ids.take(Refund), "public_id": self.ids.public("re", 1)[0],
                                   "payment_id": pay["id"], "amount": amount, "currency": CURRENCY,
                                   "reason": prng.choice(REFUND_REASONS), "provider_id": None,
                                   "created_by_id": merchant, "created_at": at})

    # ---- supplier purchases --------------------------------------------------------------------

    def _restock(self, day: int, rng: np.random.Generator) -> None:
        """Shops whose restock day it is buy everything running low from their supplier, delivered at dawn."""
        M = self.spec.merchants
        due = (self.restock_weekday == (day % 7)) & (self.open_day <= day) & (self.close_day > day)
        if not due.any():
            return
        low = due[self.prod_shop] & (self.stock < self.prod_reorder)
        if not low.any():
            return
        from merchants.purchasing import models as po

        topup = due[self.prod_shop] & (self.stock * 10 < self.prod_target * 6)  # below 60% of target
        shops = np.unique(self.prod_shop[low])
        publics = self.ids.public("po", len(shops))
        inv_publics = self.ids.public("inv", len(shops))
        jitter = rng.uniform(0, 1, size=(len(shops), 4))
        late = rng.exponential(1.0, size=len(shops))
        dawn = self._day_start(day) - timedelta(hours=8) + timedelta(hours=5)  # 05:00 local
        for n, shop in enumerate(shops.tolist()):
            sup = int(self.shop_supplier[shop])
            lo, hi = int(self.prod_offset[shop]), int(self.prod_offset[shop + 1])
            products = [p for p in range(lo, hi) if topup[p]]
            submitted = dawn - timedelta(hours=8 + 2 * jitter[n, 0])  # the evening before
            confirmed = submitted + timedelta(minutes=20 + 60 * jitter[n, 1])
            shipped = dawn - timedelta(minutes=30 + 30 * jitter[n, 2])
            received = dawn + timedelta(minutes=60 * jitter[n, 3])
            if confirmed >= self.end:
                continue
            arrived = received < self.end
            po_id = self.ids.take(po.PurchaseOrder)
            buyer = int(self.merchant_user[shop])
            terms = str(self.terms[shop])
            total = 0
            receipt_id = self.ids.take(po.PurchaseReceipt) if arrived else None
            for p in products:
                q = int(self.prod_target[p] - self.stock[p])
                sp = int(self.prod_sup[p])
                price = int(self.sup_price[sp])
                total += price * q
                sup_pid = int(self.sup_prod_id[sp])
                if self.sup_stock[sp] < q:  # the wholesaler's own delivery from the factory
                    extra = max(200, q * 4)
                    self.sup_stock[sp] += extra
                    self._move(sup_pid, extra, int(self.sup_stock[sp]), StockReason.purchase_receipt,
                               confirmed - timedelta(minutes=5), note="factory delivery")
                self.sup_stock[sp] -= q
                self._move(sup_pid, -q, int(self.sup_stock[sp]), StockReason.sale, confirmed, publics[n],
                           int(self.supplier_user[sup]))
                line_id = self.ids.take(po.PurchaseOrderLine)
                item = self.sup_items[sp][1]
                self._add(po.PurchaseOrderLine, {
                    "id": line_id, "order_id": po_id, "supplier_product_id": sup_pid,
                    "buyer_product_id": int(self.prod_id[p]), "sku": f"{item.sku_prefix}-W{sup + 1:04d}",
                    "name": item.name_zh, "unit": item.unit_zh, "quantity": q,
                    "received_quantity": q if arrived else 0, "unit_price_amount": price,
                    "line_total_amount": price * q, "currency": CURRENCY})
                if not self.linked[p]:
                    self.linked[p] = True
                    self._add(po.ProductLink, {"id": self.ids.take(po.ProductLink),
                                               "buyer_shop_id": int(self.shop_id[shop]),
                                               "supplier_product_id": sup_pid, "buyer_product_id": int(self.prod_id[p]),
                                               "created_at": submitted})
                if arrived:
                    self.stock[p] += q
                    self._move(int(self.prod_id[p]), q, int(self.stock[p]), StockReason.purchase_receipt, received,
                               publics[n], buyer)
                    self._add(po.PurchaseReceiptLine, {"id": self.ids.take(po.PurchaseReceiptLine),
                                                       "receipt_id": receipt_id, "order_line_id": line_id,
                                                       "buyer_product_id": int(self.prod_id[p]), "quantity": q})
            due_at = confirmed + timedelta(days=po.PaymentTerms(terms).days)
            paid_at = due_at - timedelta(hours=12) + timedelta(days=float(self.pays_late[shop] * late[n]))
            paid = arrived and paid_at < self.end
            status = po.PurchaseOrderStatus.closed if paid else (
                po.PurchaseOrderStatus.received if arrived else po.PurchaseOrderStatus.shipped)
            if not arrived and shipped >= self.end:
                status = po.PurchaseOrderStatus.confirmed
            self._add(po.PurchaseOrder, {
                "id": po_id, "public_id": publics[n], "buyer_shop_id": int(self.shop_id[shop]),
                "supplier_shop_id": int(self.sup_shop_id[sup]), "created_by_id": buyer, "status": status,
                "payment_terms": po.PaymentTerms(terms), "currency": CURRENCY, "total_amount": total, "note": "",
                "reject_reason": None, "created_at": submitted, "submitted_at": submitted, "confirmed_at": confirmed,
                "rejected_at": None,
                "shipped_at": shipped if status != po.PurchaseOrderStatus.confirmed else None,
                "received_at": received if arrived else None, "closed_at": paid_at if paid else None,
                "cancelled_at": None, "expected_at": dawn})
            if arrived:
                self._add(po.PurchaseReceipt, {"id": receipt_id, "order_id": po_id, "received_by_id": buyer,
                                               "note": "", "created_at": received})
            self._add(po.SupplierInvoice, {
                "id": self.ids.take(po.SupplierInvoice), "public_id": inv_publics[n], "order_id": po_id,
                "buyer_shop_id": int(self.shop_id[shop]), "supplier_shop_id": int(self.sup_shop_id[sup]),
                "status": po.InvoiceStatus.paid if paid else po.InvoiceStatus.open, "amount": total,
                "currency": CURRENCY, "terms": po.PaymentTerms(terms), "issued_at": confirmed, "due_at": due_at,
                "paid_at": paid_at if paid else None, "void_at": None,
                "payment_method": po.InvoicePaymentMethod.card if paid else None, "payment_reference": None,
                "paid_by_id": buyer if paid else None})

    def _write_final_stock(self) -> None:
        """On-hand equals the sum of each product's movements: write the closing stock of those that moved."""
        changed = np.flatnonzero(self.stock != self.opening_stock)
        pairs = list(zip(self.prod_id[changed].tolist(), self.stock[changed].tolist()))
        changed = np.flatnonzero(self.sup_stock != self.sup_opening_stock)
        pairs += list(zip(self.sup_prod_id[changed].tolist(), self.sup_stock[changed].tolist()))
        bulk_update(Product, "stock_on_hand", pairs)


def seed_town(spec: TownSpec, *, echo: Callable[[str], None] = print, show_progress: bool = True) -> TownSummary:
    """Write a whole demo town, then run every registered seed hook."""
    from .hooks import SeedContext, run_seed_hooks

    generator = TownGenerator(spec, echo=echo, show_progress=show_progress)
    summary = generator.run()
    ctx = SeedContext(
        seed=spec.seed, start=generator.start, end=generator.end, months=spec.months, merchants=spec.merchants,
        suppliers=spec.suppliers, residents=spec.residents, echo=echo, show_progress=show_progress,
        extra={"demo_accounts": dict(DEMO_ACCOUNTS), "password": DEMO_PASSWORD},
    )
    summary.hooks = run_seed_hooks(ctx)
    return summary
