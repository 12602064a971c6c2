"""The line over time: a fresh offer once most of the draws are repaid; the daily ageing command."""
import math
from decimal import Decimal

import pytest

from financing.credit import lending, services
from financing.credit.models import LineStatus, LoanStatus, OfferStatus
from financing.credit.policy import active_policy
from tests.credit_history import healthy_shop


@pytest.fixture
def shop(app):
    shop = healthy_shop()
    services.refresh_offer(shop.id)
    return shop


def test_a_fresh_offer_appears_only_once_most_of_the_draws_are_repaid(shop):
    first = lending.draw(shop.owner_id, 40_000, accept_terms=True, signature_name="Wang Fang")
    old_line = first.line_id
    assert services.refresh_offer(shop.id, force=True) is None  # the line is what the merchant can use
    threshold = Decimal(active_policy().rate("repeat_offer_repaid_share"))
    needed = math.ceil(first.total_amount * threshold)
    lending.repay(shop.owner_id, needed - 1)
    assert services.refresh_offer(shop.id, force=True) is None  # a fen short of "most"
    lending.repay(shop.owner_id, 1)
    offer = services.refresh_offer(shop.id, force=True)
    assert offer is not None and offer.status == OfferStatus.active

    # Drawing on it opens a new line; the first draw runs on and still counts against the limit.
    summary = services.credit_summary(shop.id, refresh=False)
    left = first.principal_amount - first.repaid_principal_amount
    assert summary["available"].amount == offer.limit_amount - left
    second = lending.draw(shop.owner_id, 10_000, accept_terms=True, signature_name="Wang Fang")
    assert second.line_id != old_line and services.open_line(shop.id).id == second.line_id
    assert first.line.status == LineStatus.closed and first.status == LoanStatus.current
    assert lending.credit_reconcile() == []


def test_the_daily_ageing_command_marks_a_missed_minimum_and_freezes_the_line(shop, runner):
    from datetime import timedelta

    from financing.credit.models import Loan
    from marketplace.extensions import db
    from marketplace.statemachine import utcnow

    loan = lending.draw(shop.owner_id, 40_000, accept_terms=True, signature_name="Wang Fang")
    loan_id = loan.id
    day = (utcnow() + timedelta(days=62)).strftime("%Y-%m-%d")
    result = runner.invoke(args=["credit", "age", "--as-of", day, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "1 delinquent" in result.output
    db.session.remove()
    loan = db.session.get(Loan, loan_id)
    assert loan.status == LoanStatus.delinquent and loan.days_past_due >= 1
    assert services.open_line(loan.shop_id).status == LineStatus.frozen
