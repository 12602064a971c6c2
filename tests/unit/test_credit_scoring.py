"""The scorecard and the policy without a database: bins, points, grades, reasons and limits."""
import random
from decimal import Decimal

import pytest

from financing.credit.features import Features
from financing.credit.policy import DEFAULT_PARAMS, Policy, evaluate, validate_params
from financing.credit.scorecard import FEATURES, Scorecard, bin_label, fit_scorecard, grade_for, load_scorecard
from marketplace.errors import ValidationError


def features(**overrides) -> Features:
    base = dict(
        currency="CNY", tenure_days=800, sales_30=400_000, sales_90=1_200_000, sales_365=4_800_000,
        sales_prev_90=1_150_000, trend=0.04, volatility=0.5, zero_sale_day_share=0.05, days_since_last_sale=0,
        orders_90=300, average_ticket_90=4000, repeat_customer_share=0.7, refund_rate=0.004, cancel_rate=0.002,
        supplier_invoices=6, supplier_on_time_share=1.0, supplier_overdue_count=0, supplier_overdue=0,
        credit_outstanding=0, credit_days_past_due=0, credit_loans_charged_off=0)
    base.update(overrides)
    return Features(**base)


def test_values_fall_in_the_bin_whose_upper_edge_is_above_them():
    assert bin_label("trend", -0.5) == "-inf..-0.4"
    assert bin_label("trend", -0.4) == "-0.4..-0.15"
    assert bin_label("sales_90", 10**9) == "250000..inf"
    assert bin_label("supplier_on_time_share", None) == "missing"


def test_grades_follow_the_probability_of_default():
    assert [grade_for(p) for p in (0.01, 0.04, 0.06, 0.1, 0.5)] == ["A", "B", "C", "D", "E"]


def test_the_shipped_scorecard_scores_a_steady_shop_above_a_collapsing_one():
    card = load_scorecard()
    steady = card.score(features().to_json())
    collapsing = card.score(features(trend=-0.7, days_since_last_sale=30, cancel_rate=0.05).to_json())
    assert steady.score > collapsing.score
    assert steady.probability_of_default < collapsing.probability_of_default
    assert sum(steady.points.values()) + card.intercept_points == steady.score


def _synthetic(n=600, seed=1):
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(n):
        trend = rng.uniform(-0.8, 0.8)
        quiet = rng.choice([0, 1, 2, 5, 20, 40])
        risk = 0.02 + (0.3 if trend < -0.4 else 0) + (0.4 if quiet > 14 else 0)
        row = features(trend=trend, days_since_last_sale=quiet, volatility=rng.uniform(0.2, 3)).to_json()
        rows.append(row)
        labels.append(1 if rng.random() < risk else 0)
    return rows, labels


def test_fitting_is_deterministic_and_points_never_contradict_the_evidence():
    rows, labels = _synthetic()
    first = fit_scorecard(rows, labels, trained_on={"label": "test"})
    second = fit_scorecard(rows, labels, trained_on={"label": "test"})
    assert first == second
    pts = first["points"]
    assert pts["trend"]["-inf..-0.4"] < pts["trend"]["0.15..inf"]
    assert pts["days_since_last_sale"]["14..inf"] < pts["days_since_last_sale"]["-inf..3"]
    assert set(pts) == set(FEATURES)
    assert first["report"]["auc_in_sample"] > 0.7


def test_fitting_needs_both_outcomes():
    rows, _ = _synthetic(50)
    with pytest.raises(ValueError):
        fit_scorecard(rows, [0] * 50, trained_on={})


def _score(grade="B"):
    card = Scorecard({"version": "t", "points": {"trend": {"missing": 0}}, "intercept_points": 600})
    s = card.score({})
    return type(s)(s.score, s.probability_of_default, grade, s.points, {"trend": 0})


def test_a_young_quiet_shop_is_told_exactly_what_is_missing():
    policy = Policy(1, dict(DEFAULT_PARAMS))
    outcome = evaluate(policy, features(tenure_days=40, sales_90=20_000, days_since_last_sale=20), _score())
    assert not outcome.eligible
    codes = [r["code"] for r in outcome.reasons]
    assert codes[:3] == ["tenure_short", "sales_low", "no_recent_sales"]
    assert "¥200.00" in outcome.reasons[1]["message"] and "¥600.00" in outcome.reasons[1]["message"]
    assert all(r["remedy"] for r in outcome.reasons)
    assert not any("score" in r["message"].lower() for r in outcome.reasons)


def test_never_more_than_four_reasons():
    policy = Policy(1, dict(DEFAULT_PARAMS))
    bad = features(tenure_days=1, sales_90=0, days_since_last_sale=90, zero_sale_day_share=1.0,
                   supplier_overdue_count=2, supplier_overdue=5000, credit_days_past_due=10)
    assert len(evaluate(policy, bad, _score("E")).reasons) == 4


def test_limit_is_a_multiple_of_monthly_sales_by_grade_rounded_down():
    policy = Policy(1, dict(DEFAULT_PARAMS))
    outcome = evaluate(policy, features(sales_90=1_234_567), _score("B"))
    assert outcome.eligible
    assert outcome.limit.amount == 490_000  # 1.2 x 411,522 = 493,826 -> 4,900.00
    assert outcome.fee_rate == Decimal("0.07") and outcome.withhold_rate == Decimal("0.15")


def test_grade_e_is_declined_with_feature_reasons():
    policy = Policy(1, dict(DEFAULT_PARAMS))
    card = load_scorecard()
    f = features(trend=-0.7, cancel_rate=0.05, days_since_last_sale=10)
    score = card.score(f.to_json())
    score = type(score)(score.score, score.probability_of_default, "E", score.points, score.shortfall)
    outcome = evaluate(policy, f, score)
    assert not outcome.eligible
    assert 1 <= len(outcome.reasons) <= 4
    assert any("changed by -70%" in r["message"] for r in outcome.reasons)


def test_policy_parameters_are_checked():
    with pytest.raises(ValidationError):
        validate_params({"withhold_rate": "1.5"})
    with pytest.raises(ValidationError):
        validate_params({"max_term_days": 900})
    with pytest.raises(ValidationError):
        validate_params({"no_such_thing": 1})
    assert validate_params({"withhold_rate": "0.10"})["withhold_rate"] == "0.10"


def test_the_shipped_scorecard_grades_by_the_bounds_it_was_fitted_with():
    import json

    from financing.credit.scorecard import GRADE_BOUNDS, content_digest, default_model_path

    with open(default_model_path(), encoding="utf-8") as fh:
        doc = json.load(fh)
    assert doc["version"].endswith("-" + content_digest(doc))  # not edited since `flask credit train` wrote it
    assert doc["grade_bounds"] == dict(GRADE_BOUNDS)  # what training writes today is what ships
    card = load_scorecard()
    assert card.grade_bounds == GRADE_BOUNDS


def test_a_scorecard_grades_by_its_own_file_and_a_hand_edited_file_is_refused(tmp_path):
    import json

    from financing.credit.scorecard import ModelFileError, content_digest, default_model_path

    with open(default_model_path(), encoding="utf-8") as fh:
        doc = json.load(fh)
    stricter = {**doc, "grade_bounds": {"A": 0.02, "B": 0.04, "C": 0.07, "D": 0.12}}
    card = Scorecard(stricter)
    assert card.grade_bounds[0] == ("A", 0.02)
    assert [grade_for(p, card.grade_bounds) for p in (0.025, 0.045, 0.075, 0.13)] == ["B", "C", "D", "E"]
    edited = tmp_path / "scorecard-edited.json"
    edited.write_text(json.dumps(stricter))
    with pytest.raises(ModelFileError):
        load_scorecard(str(edited))
    refitted = {**stricter, "version": "town-" + content_digest(stricter)}
    edited.write_text(json.dumps(refitted))
    assert load_scorecard(str(edited)).grade_bounds[0] == ("A", 0.02)
