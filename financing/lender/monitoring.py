"""Model monitoring: is the town still the population the scorecard was fitted on, and does it still rank?

The score's stability compares the grades of every merchant's latest decision with the grades
of the training sample; each feature's compares the bins of the latest decisions' features
with the bins of the training sample, rebuilt from the model document's cut-offs (the history
before a cut-off never changes, so the rebuilt sample is the one the model saw).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from functools import lru_cache

from sqlalchemy import func, select

from financing.credit.models import CreditDecision
from financing.credit.scorecard import FEATURES, bin_label, load_scorecard
from marketplace.extensions import db

from .models import ModelReport
from .stability import population_stability_index, stability_reading


def _latest_features() -> list[tuple[str, dict]]:
    newest = (select(CreditDecision.shop_id, func.max(CreditDecision.id).label("id"))
              .group_by(CreditDecision.shop_id).subquery())
    return db.session.execute(
        select(CreditDecision.grade, CreditDecision.features).join(newest, newest.c.id == CreditDecision.id)
    ).tuples().all()


@lru_cache(maxsize=4)
def _training_bins(model_version: str, cutoffs: tuple[str, ...]) -> dict[str, dict[str, int]]:
    from financing.credit.training import build_samples

    moments = [datetime.combine(date.fromisoformat(c), datetime.min.time(), timezone.utc) for c in cutoffs]
    counts: dict[str, Counter] = {f: Counter() for f in FEATURES}
    for sample in build_samples(moments):
        for feature in FEATURES:
            counts[feature][bin_label(feature, sample.features.get(feature))] += 1
    return {f: dict(c) for f, c in counts.items()}


def training_bins(doc: dict) -> dict[str, dict[str, int]]:
    """Bin counts of every feature in the training sample: from the document, else rebuilt."""
    stored = doc.get("report", {}).get("bin_counts")
    if stored:
        return stored
    return _training_bins(doc["version"], tuple(doc.get("trained_on", {}).get("cutoffs", ())))


def stability() -> dict:
    """PSI of the score (by grade) and of each feature, with its reading, for the model in use."""
    card = load_scorecard()
    latest = _latest_features()
    expected_grades = {g: v["count"] for g, v in card.doc["report"]["grades"].items()}
    actual_grades = Counter(grade for grade, _ in latest)
    result = {"model_version": card.version, "merchants": len(latest), "score": None, "features": {}}
    if not latest:
        return result
    psi = population_stability_index(expected_grades, actual_grades)
    result["score"] = {"psi": psi, "reading": stability_reading(psi), "training": expected_grades,
                       "current": dict(actual_grades)}
    expected_bins = training_bins(card.doc)
    for feature in FEATURES:
        actual = Counter(bin_label(feature, (features or {}).get(feature)) for _, features in latest)
        expected = expected_bins.get(feature) or {}
        psi = population_stability_index(expected, actual) if expected else None
        result["features"][feature] = {"psi": psi, "reading": stability_reading(psi)}
    return result


def latest_backtest() -> ModelReport | None:
    return db.session.scalars(
        select(ModelReport).where(ModelReport.kind == "backtest").order_by(ModelReport.id.desc())
    ).first()


def run_backtest(progress=None) -> ModelReport:
    """Run the credit back-test and keep its figures for the console."""
    from financing.credit.training import backtest

    figures = backtest(progress=progress)
    report = ModelReport(kind="backtest", model_version=figures.get("model", ""), figures=figures)
    db.session.add(report)
    db.session.commit()
    return report


def warnings(reading: dict) -> list[str]:
    """Plain sentences for every drift past the usual thresholds."""
    out = []
    score = reading.get("score")
    if score and score["reading"] != "stable":
        out.append(f"Score distribution {score['reading']}: PSI {score['psi']:.3f}")
    for feature, value in reading.get("features", {}).items():
        if value["reading"] in ("watch", "drift"):
            out.append(f"{feature} {value['reading']}: PSI {value['psi']:.3f}")
    return out
