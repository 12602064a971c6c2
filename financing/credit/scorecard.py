"""The explainable scorecard: binned features, weight of evidence, logistic fit, points per bin.

Scoring needs only this module and the model's JSON file (no scikit-learn at request time);
fitting (`fit_scorecard`) uses scikit-learn's logistic regression, which is deterministic for a
given training set (lbfgs, no random state involved).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache

# Each feature's bin edges: a value v falls in the first bin whose upper edge is > v. A `None`
# value (no supplier history, say) has its own bin. Edges are set by hand so every bin reads as a
# sentence ("sold on fewer than half the days").
BINS: dict[str, list[float]] = {
    "tenure_days": [365, 730, 1825],
    "sales_90": [30_000, 100_000, 250_000],
    "trend": [-0.4, -0.15, 0.15],
    "volatility": [1.0, 1.6, 2.2],
    "zero_sale_day_share": [0.2, 0.5, 0.8],
    "days_since_last_sale": [3, 14],
    "orders_90": [20, 60, 150],
    "repeat_customer_share": [0.5, 0.65],
    "refund_rate": [0.01, 0.03],
    "cancel_rate": [0.005, 0.015],
    "supplier_on_time_share": [0.8, 0.999],
    "supplier_overdue_count": [1],
    "credit_days_past_due": [1, 31],
}
FEATURES = tuple(BINS)
MISSING = "missing"
# Which way each feature should push: +1 when a higher value is safer, -1 when riskier. Weights of
# evidence are made monotonic in this direction so every bin's points read sensibly.
DIRECTION = {
    "tenure_days": 1, "sales_90": 1, "trend": 1, "volatility": -1, "zero_sale_day_share": -1,
    "days_since_last_sale": -1, "orders_90": 1, "repeat_customer_share": 1, "refund_rate": -1,
    "cancel_rate": -1, "supplier_on_time_share": 1, "supplier_overdue_count": -1, "credit_days_past_due": -1,
}

# Scaling: BASE_SCORE points at BASE_ODDS good:bad, and PDO points to double the odds.
BASE_SCORE = 600
BASE_ODDS = 50
PDO = 20

# Grades by probability of default (upper bounds); E is everything above D's bound. These are what
# `fit_scorecard` writes into a new model file; a fitted scorecard grades by the bounds in its own file
# (they are part of its version hash), so the file in force is the one source of truth.
GRADE_BOUNDS = (("A", 0.03), ("B", 0.05), ("C", 0.08), ("D", 0.15))


def bin_label(feature: str, value) -> str:
    """'lo..hi' label of the bin a value falls in, or 'missing'."""
    if value is None:
        return MISSING
    edges = BINS[feature]
    lo = "-inf"
    for edge in edges:
        if value < edge:
            return f"{lo}..{_fmt(edge)}"
        lo = _fmt(edge)
    return f"{lo}..inf"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def bin_labels(feature: str) -> list[str]:
    edges = [_fmt(e) for e in BINS[feature]]
    lows = ["-inf"] + edges
    highs = edges + ["inf"]
    return [f"{lo}..{hi}" for lo, hi in zip(lows, highs)] + [MISSING]


def grade_for(pd: float, bounds=GRADE_BOUNDS) -> str:
    for grade, bound in bounds:
        if pd <= bound:
            return grade
    return "E"


def model_body(doc: dict) -> dict:
    """The parts of a model file that decide scores and grades: what its version hash covers."""
    return {key: doc[key] for key in ("points", "intercept_points", "bins", "scaling", "grade_bounds")}


def content_digest(doc: dict) -> str:
    return hashlib.sha256(json.dumps(model_body(doc), sort_keys=True).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Score:
    score: int
    probability_of_default: float
    grade: str
    points: dict[str, int]  # feature -> points earned
    shortfall: dict[str, int]  # feature -> points below the feature's best bin (for reasons)


class Scorecard:
    """A fitted scorecard loaded from its JSON document."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.version: str = doc["version"]
        self.points: dict[str, dict[str, int]] = doc["points"]
        self.intercept_points: int = doc["intercept_points"]
        bounds = doc.get("grade_bounds") or dict(GRADE_BOUNDS)
        self.grade_bounds: tuple[tuple[str, float], ...] = tuple(sorted(
            ((grade, float(bound)) for grade, bound in bounds.items()), key=lambda gb: gb[1]))
        self.factor = PDO / math.log(2)
        self.offset = BASE_SCORE - self.factor * math.log(BASE_ODDS)
        self.best = {f: max(p.values()) for f, p in self.points.items()}

    def score(self, features: dict) -> Score:
        earned, shortfall = {}, {}
        total = self.intercept_points
        for feature, table in self.points.items():
            label = bin_label(feature, features.get(feature))
            pts = table.get(label, table.get(MISSING, 0))
            earned[feature] = pts
            shortfall[feature] = self.best[feature] - pts
            total += pts
        # score = offset + factor * ln(odds good)  =>  odds bad = exp((offset - score) / factor)
        odds_bad = math.exp((self.offset - total) / self.factor)
        pd = odds_bad / (1 + odds_bad)
        return Score(total, round(pd, 6), grade_for(pd, self.grade_bounds), earned, shortfall)


def model_directory() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "scorecards")


def default_model_path() -> str:
    """The newest scorecard shipped with the code (file names sort by version)."""
    directory = model_directory()
    files = sorted(f for f in os.listdir(directory) if f.startswith("scorecard-") and f.endswith(".json"))
    if not files:
        raise FileNotFoundError(f"no scorecard in {directory}: run `flask credit train`")
    return os.path.join(directory, files[-1])


class ModelFileError(ValueError):
    """A model file whose scoring parts no longer match its version (edited by hand after fitting)."""


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Scorecard:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    digest = content_digest(doc)
    if not doc["version"].endswith("-" + digest):
        raise ModelFileError(f"{path}: its points, bins or grade bounds hash to {digest}, not to its version "
                             f"{doc['version']}; refit it with `flask credit train` instead of editing it")
    return Scorecard(doc)


def load_scorecard(path: str | None = None) -> Scorecard:
    path = path or default_model_path()
    return _load(path, os.path.getmtime(path))


# -- fitting ------------------------------------------------------------------------------------


def _woe_tables(rows: list[dict], labels: list[int]) -> dict[str, dict[str, float]]:
    """Weight of evidence per bin, ln(share of goods / share of bads), smoothed by half a count,
    made monotonic in the feature's expected direction (pooling adjacent bins that disagree);
    a bin nobody fell in gets 0 (no evidence either way)."""
    goods = labels.count(0)
    bads = labels.count(1)
    tables = {}
    for feature in FEATURES:
        counts = {label: [0, 0] for label in bin_labels(feature)}
        for row, y in zip(rows, labels):
            counts[bin_label(feature, row.get(feature))][y] += 1
        ordered = [label for label in bin_labels(feature) if label != MISSING]
        blocks = [[counts[label][0], counts[label][1], [label]] for label in ordered if sum(counts[label])]
        direction = DIRECTION[feature]

        def woe(g, b):
            return math.log(((g + 0.5) / (goods + 1)) / ((b + 0.5) / (bads + 1)))

        merged = True
        while merged:  # pool adjacent violators
            merged = False
            for i in range(len(blocks) - 1):
                if direction * (woe(*blocks[i + 1][:2]) - woe(*blocks[i][:2])) < 0:
                    g, b, names = blocks.pop(i + 1)
                    blocks[i][0] += g
                    blocks[i][1] += b
                    blocks[i][2] += names
                    merged = True
                    break
        table = {label: 0.0 for label in bin_labels(feature)}
        for g, b, names in blocks:
            for name in names:
                table[name] = woe(g, b)
        g, b = counts[MISSING]
        if g + b:
            table[MISSING] = woe(g, b)
        tables[feature] = table
    return tables


def fit_scorecard(rows: list[dict], labels: list[int], *, trained_on: dict) -> dict:
    """Fit the scorecard on feature rows and default labels (1 = bad); returns the JSON document."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        raise ValueError("the training set needs both good and bad outcomes")
    woe = _woe_tables(rows, labels)
    y = np.array(labels)
    # Features whose coefficient comes out with the wrong sign (they only echo another feature)
    # are dropped and the rest refitted, so no bin's points contradict its weight of evidence.
    kept = list(FEATURES)
    while True:
        X = np.array([[woe[f][bin_label(f, r.get(f))] for f in kept] for r in rows])
        model = LogisticRegression(C=0.5, solver="lbfgs", max_iter=1000)
        model.fit(X, y)
        wrong = [f for f, c in zip(kept, model.coef_[0]) if c > 0 or abs(c) < 1e-9]
        if not wrong or len(kept) == 1:
            break
        kept = [f for f in kept if f not in wrong]
    coef_by_feature = {f: float(c) for f, c in zip(kept, model.coef_[0])}
    coef = [coef_by_feature.get(f, 0.0) for f in FEATURES]
    intercept = float(model.intercept_[0])

    factor = PDO / math.log(2)
    offset = BASE_SCORE - factor * math.log(BASE_ODDS)
    # ln(odds bad) = intercept + sum(coef_j * woe_j); score = offset - factor * ln(odds bad)
    points = {
        f: {label: int(round(-factor * float(coef[j]) * w)) for label, w in woe[f].items()}
        for j, f in enumerate(FEATURES)
    }
    intercept_points = int(round(offset - factor * intercept))
    card = Scorecard({"version": "fitting", "points": points, "intercept_points": intercept_points})
    pds = [card.score(r).probability_of_default for r in rows]
    auc = float(roc_auc_score(y, pds))
    report = {
        "samples": len(rows),
        "bads": int(y.sum()),
        "bad_rate": round(float(y.mean()), 4),
        "auc_in_sample": round(auc, 4),
        "ks_in_sample": round(ks_statistic(pds, labels), 4),
        "coefficients": {f: round(float(c), 4) for f, c in zip(FEATURES, coef)},
        "features_dropped": [f for f in FEATURES if f not in coef_by_feature],
        "intercept": round(intercept, 4),
        "information_value": {f: round(_information_value(rows, labels, f, woe[f]), 4) for f in FEATURES},
        "grades": _grade_table(pds, labels),
    }
    body = {"points": points, "intercept_points": intercept_points, "bins": BINS,
            "scaling": {"base_score": BASE_SCORE, "base_odds": BASE_ODDS, "pdo": PDO},
            "grade_bounds": dict(GRADE_BOUNDS)}
    version = f"{trained_on.get('label', 'town')}-{content_digest(body)}"
    return {"version": version, **body, "trained_on": trained_on, "report": report}


def _information_value(rows, labels, feature, woe) -> float:
    goods, bads = labels.count(0) or 1, labels.count(1) or 1
    iv = 0.0
    for label, w in woe.items():
        g = sum(1 for r, y in zip(rows, labels) if y == 0 and bin_label(feature, r.get(feature)) == label)
        b = sum(1 for r, y in zip(rows, labels) if y == 1 and bin_label(feature, r.get(feature)) == label)
        iv += (g / goods - b / bads) * w
    return iv


def _grade_table(pds, labels) -> dict:
    table = {}
    for pd, y in zip(pds, labels):
        g = table.setdefault(grade_for(pd), {"count": 0, "bads": 0})
        g["count"] += 1
        g["bads"] += y
    return {k: table[k] for k in sorted(table)}


def ks_statistic(scores: list[float], labels: list[int]) -> float:
    """Kolmogorov-Smirnov: the largest gap between the bads' and goods' cumulative distributions
    when ranked by predicted risk (highest first)."""
    pairs = sorted(zip(scores, labels), key=lambda p: -p[0])
    bads = sum(labels) or 1
    goods = (len(labels) - sum(labels)) or 1
    cb = cg = best = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            cb += pairs[j][1] / bads
            cg += (1 - pairs[j][1]) / goods
            j += 1
        best = max(best, abs(cb - cg))
        i = j
    return best


def auc(scores: list[float], labels: list[int]) -> float:
    """Area under the ROC curve (probability a random bad is ranked riskier than a random good)."""
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))
