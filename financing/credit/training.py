"""Fitting the scorecard on the platform's history, and back-testing it against a naive policy.

A merchant "defaults" (label 1) when, within `horizon` days after the cut-off, it stops selling
(no sale in the window's last 60 days) or its sales fall below 30% of the same length before the
cut-off: the platform has no loan history yet, so business failure stands in for default. Until a
bank has its own loan outcomes the scorecard is fitted on the demo town's history.
"""
from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from marketplace.catalog.models import Shop, ShopKind
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus

from .features import compute_features
from .scorecard import fit_scorecard, ks_statistic

HORIZON_DAYS = 180
FAILURE_QUIET_DAYS = 60
DECLINE_SHARE = 0.30


def history_end() -> datetime | None:
    """The last order's time: the platform's 'now' for back-tests on seeded history."""
    last = db.session.execute(select(func.max(Order.placed_at))).scalar()
    if last is None:
        return None
    return last if last.tzinfo else last.replace(tzinfo=timezone.utc)


def history_start() -> datetime | None:
    first = db.session.execute(select(func.min(Order.placed_at))).scalar()
    if first is None:
        return None
    return first if first.tzinfo else first.replace(tzinfo=timezone.utc)


def _sales(shop_id: int, start: datetime, end: datetime) -> int:
    return int(db.session.execute(
        select(func.coalesce(func.sum(Order.total_amount), 0))
        .where(Order.shop_id == shop_id, Order.status == OrderStatus.completed,
               Order.placed_at >= start, Order.placed_at < end)).scalar() or 0)


def outcome(shop_id: int, cutoff: datetime, horizon_days: int = HORIZON_DAYS) -> int:
    """1 if the shop failed or collapsed in the horizon after the cut-off, else 0."""
    end = cutoff + timedelta(days=horizon_days)
    after = _sales(shop_id, cutoff, end)
    before = _sales(shop_id, cutoff - timedelta(days=horizon_days), cutoff)
    quiet = _sales(shop_id, end - timedelta(days=FAILURE_QUIET_DAYS), end)
    if quiet == 0:
        return 1
    return int(before > 0 and after < DECLINE_SHARE * before)


def retail_shop_ids() -> list[int]:
    return list(db.session.execute(select(Shop.id).where(Shop.kind == ShopKind.retail).order_by(Shop.id)).scalars())


@dataclass
class Sample:
    shop_id: int
    cutoff: datetime
    features: dict
    label: int


def build_samples(cutoffs: list[datetime], shop_ids: list[int] | None = None, *, progress=None) -> list[Sample]:
    """Features at each cut-off and what happened after, for shops trading at the cut-off."""
    shop_ids = shop_ids if shop_ids is not None else retail_shop_ids()
    pairs = [(s, c) for c in cutoffs for s in shop_ids]
    samples = []
    for shop_id, cutoff in (progress(pairs) if progress else pairs):
        f = compute_features(shop_id, cutoff)
        if f.sales_90 == 0:  # not trading at the cut-off: not an applicant
            continue
        samples.append(Sample(shop_id, cutoff, f.to_json(), outcome(shop_id, cutoff)))
    return samples


def training_cutoffs(end: datetime, start: datetime, *, step_days: int = 30) -> list[datetime]:
    """Monthly cut-offs with 90 days of history behind them and a full horizon after them."""
    cutoffs = []
    c = end - timedelta(days=HORIZON_DAYS)
    while c - timedelta(days=90) >= start:
        cutoffs.append(c)
        c -= timedelta(days=step_days)
    return sorted(cutoffs)


def train(*, end: datetime | None = None, shop_ids: list[int] | None = None, label: str = "town",
          progress=None) -> dict:
    """Fit a scorecard on every cut-off the history allows; returns the model document."""
    end = end or history_end()
    start = history_start()
    if end is None or start is None:
        raise ValueError("there is no order history to train on")
    cutoffs = training_cutoffs(end, start)
    if not cutoffs:
        raise ValueError("the history is too short: it needs 90 days before and 180 days after a cut-off")
    samples = build_samples(cutoffs, shop_ids, progress=progress)
    rows = [s.features for s in samples]
    labels = [s.label for s in samples]
    return fit_scorecard(rows, labels, trained_on={
        "label": label, "history_start": start.date().isoformat(), "history_end": end.date().isoformat(),
        "cutoffs": [c.date().isoformat() for c in cutoffs], "horizon_days": HORIZON_DAYS,
        "default_definition": f"no sale in the last {FAILURE_QUIET_DAYS} days of the {HORIZON_DAYS} after the "
                              f"cut-off, or sales below {int(DECLINE_SHARE * 100)}% of the {HORIZON_DAYS} before",
        "merchants": len({s.shop_id for s in samples}),
    })


# The shipped scorecard is fitted on this town: the demo generator's defaults (seed 2026, 200
# merchants, a year of history) ending on this day.
DEMO_TOWN_END = "2026-11-28"
DEMO_TOWN_LABEL = "demo-town-2026.11"


def seed_demo_history(end: str = DEMO_TOWN_END) -> None:
    """Write the demo generator's town (sales, refunds, supplier purchases) into the current database,
    without the seed hooks: the credit replay among them decides with the shipped scorecard, so
    training after it would feed the model its own decisions."""
    from datetime import date

    from marketplace.demo.generator import TownGenerator, TownSpec

    TownGenerator(TownSpec(end=date.fromisoformat(end)), echo=lambda _msg: None, show_progress=False).run()


def train_on_demo_town(end: str = DEMO_TOWN_END, *, label: str = DEMO_TOWN_LABEL, progress=None) -> dict:
    """Fit the scorecard the way the shipped one was fitted, in a scratch SQLite database."""
    import tempfile

    from marketplace import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(folder, 'town.db')}", "TESTING": True})
        with app.app_context():
            try:
                db.create_all()
                seed_demo_history(end)
                return train(label=label, progress=progress)
            finally:
                db.session.remove()
                db.engine.dispose()


def save_model(doc: dict, directory: str) -> str:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"scorecard-{doc['version']}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
    return path


# -- back-test ------------------------------------------------------------------------------------


def split_half(shop_id: int) -> int:
    """A stable split of merchants into two halves: fit on one, test on the other."""
    return zlib.crc32(str(shop_id).encode()) % 2


def backtest(*, cutoff: datetime | None = None, progress=None) -> dict:
    """Score every merchant at past cut-offs and follow what happened next.

    Without a `cutoff`, every monthly cut-off the history allows is used (a merchant counts once per
    cut-off), which gives a small town enough cases to tell policies apart.

    The scorecard is fitted afresh on half the merchants (cut-offs up to the test cut-off's horizon
    are all the history allows) and tested on the other half, so nothing it is tested on was seen
    while fitting. Beside it, a naive policy (six months' tenure, ranked by last quarter's sales,
    limit one quarter's sales) approves the same number of merchants.
    """
    from .policy import active_policy, evaluate
    from .scorecard import Scorecard

    end = history_end()
    if end is None:
        raise ValueError("there is no order history to back-test")
    cutoffs = [cutoff] if cutoff else training_cutoffs(end, history_start())
    if not cutoffs:
        raise ValueError("the history is too short: it needs 90 days before and 180 days after a cut-off")
    all_ids = retail_shop_ids()
    fit_ids = [s for s in all_ids if split_half(s) == 0]
    test_ids = [s for s in all_ids if split_half(s) == 1]
    doc = train(end=end, shop_ids=fit_ids, label="backtest", progress=progress)
    card = Scorecard(doc)
    policy = active_policy()
    samples = build_samples(cutoffs, test_ids, progress=progress)
    if not samples:
        raise ValueError("no merchant was trading at the cut-off")
    from .features import Features

    scored = []
    for s in samples:
        f = Features.from_json(s.features)
        sc = card.score(s.features)
        decision = evaluate(policy, f, sc)
        scored.append((s, f, sc, decision))
    labels = [s.label for s, *_ in scored]
    pds = [sc.probability_of_default for _, _, sc, _ in scored]
    approved = [(s, d) for s, _, _, d in scored if d.eligible]

    # The naive policy approves, at each cut-off, as many merchants as the scorecard did there.
    naive = []
    for c in cutoffs:
        at = [(s, f, d) for s, f, _, d in scored if s.cutoff == c]
        pool = sorted(((s, f) for s, f, _ in at if f.tenure_days >= 180), key=lambda p: (-p[1].sales_90, p[0].shop_id))
        naive += pool[:sum(1 for *_, d in at if d.eligible)]

    def rates(chosen: list[tuple[Sample, int]]) -> dict:
        if not chosen:
            return {"approved": 0, "approval_rate": 0.0, "bad_rate": 0.0, "loss_rate": 0.0}
        lent = sum(limit for _, limit in chosen)
        lost = sum(limit for s, limit in chosen if s.label)
        return {"approved": len(chosen), "approval_rate": round(len(chosen) / len(scored), 4),
                "bad_rate": round(sum(s.label for s, _ in chosen) / len(chosen), 4),
                "loss_rate": round(lost / lent, 4) if lent else 0.0}

    from .scorecard import auc

    return {
        "cutoff": ", ".join(c.date().isoformat() for c in cutoffs), "horizon_days": HORIZON_DAYS, "model": doc["version"],
        "policy_version": policy.version, "merchants_tested": len(scored), "bads": sum(labels),
        "auc": round(auc(pds, labels), 4), "ks": round(ks_statistic(pds, labels), 4),
        "scorecard": rates([(s, d.limit.amount) for s, d in approved]),
        "naive": rates([(s, f.sales_90) for s, f in naive]),
        "fit_report": doc["report"],
    }
