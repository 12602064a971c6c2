"""The back-test on the demo town's history: the scorecard beats the naive baseline the issue names."""
from __future__ import annotations

from datetime import date

from financing.credit.training import backtest
from marketplace.demo.generator import TownGenerator, TownSpec

# The town the shipped figures in docs/credit.md come from: same seed and end date, same history.
DEMO_TOWN = TownSpec(merchants=200, suppliers=20, residents=2000, months=12, seed=2026, end=date(2026, 11, 28))


def test_the_scorecard_loses_less_than_the_naive_policy_at_the_same_approval_rate(app):
    # The base town only: the back-test reads orders and supplier invoices, not the ledger.
    TownGenerator(DEMO_TOWN, echo=lambda _msg: None, show_progress=False).run()
    result = backtest()
    scorecard, naive = result["scorecard"], result["naive"]
    assert result["bads"] > 0 and 0 < scorecard["approved"] < result["merchants_tested"]
    # Naive: six months' tenure, ranked by last quarter's sales, as many approvals at each cut-off.
    assert naive["approved"] == scorecard["approved"]
    assert scorecard["loss_rate"] < naive["loss_rate"]
    assert scorecard["bad_rate"] < naive["bad_rate"]
    assert result["auc"] > 0.55
