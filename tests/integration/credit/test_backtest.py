"""The credit model on the demo town's history: the shipped scorecard is what training fits there, and
the back-test shows it beating the naive baseline the issue names."""
from __future__ import annotations

from financing.credit.scorecard import load_scorecard
from financing.credit.training import DEMO_TOWN_LABEL, backtest, seed_demo_history, train

REFIT = ("run `flask --app wsgi credit train --demo-town`, delete the old file in financing/credit/scorecards/ "
         "and update the figures in docs/credit.md")


def test_on_the_demo_town_the_shipped_scorecard_is_what_training_fits_and_beats_the_naive_policy(app):
    seed_demo_history()  # what `credit train --demo-town` fits on, here in the test's database

    fitted = train(label=DEMO_TOWN_LABEL)
    assert fitted["version"] == load_scorecard().version, f"the demo town changed; refit the shipped scorecard: {REFIT}"

    result = backtest()
    scorecard, naive = result["scorecard"], result["naive"]
    assert result["bads"] > 0 and 0 < scorecard["approved"] < result["merchants_tested"]
    # Naive: six months' tenure, ranked by last quarter's sales, as many approvals at each cut-off.
    assert naive["approved"] == scorecard["approved"]
    assert scorecard["loss_rate"] < naive["loss_rate"]
    assert scorecard["bad_rate"] < naive["bad_rate"]
    assert result["auc"] > 0.55
