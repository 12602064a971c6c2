"""Estimated APR: Regulation Z Appendix J's actuarial method against its own examples and an independent solver."""
import random
from decimal import Decimal

import pytest
from scipy.optimize import brentq

from financing.credit.apr import annual_percentage_rate, estimated_apr, project_payments


def test_appendix_j_monthly_payments_example_gives_twelve_percent():
    # Appendix J, (c)(1): $5,000 advanced, 36 monthly payments of $166.07: APR 12.00%.
    payments = [(k, 16607) for k in range(1, 37)]
    assert annual_percentage_rate(500000, payments, 12) == Decimal("12.00")


def test_appendix_j_single_advance_single_payment_after_a_year():
    # $1,000 advanced, $1,080 repaid in one payment a year later: 8.00%.
    assert annual_percentage_rate(100000, [(1, 108000)], 1) == Decimal("8.00")


def test_fractional_unit_periods_use_simple_interest_for_the_fraction():
    # One payment 1.5 months after the advance: A = P / ((1 + 0.5 i)(1 + i)).
    i = 0.01
    payment = 100000 * (1 + 0.5 * i) * (1 + i)
    assert annual_percentage_rate(100000, [(1.5, payment)], 12) == Decimal("12.00")


@pytest.mark.parametrize("seed", range(8))
def test_daily_payment_streams_match_an_independent_solver(seed):
    rng = random.Random(seed)
    principal = rng.randrange(50_000, 5_000_000)
    fee = principal * rng.randrange(3, 15) // 100
    projection = project_payments(principal + fee, rng.randrange(5_000, 500_000), Decimal("0.15"),
                                  minimum_period_days=60, minimum_period_share=Decimal("0.1112"))
    ours = estimated_apr(principal, fee, projection)

    def npv(i):
        return sum(p / (1 + i) ** t for t, p in projection.payments) - principal

    independent = brentq(npv, 1e-12, 1.0, xtol=1e-15) * 365 * 100
    assert abs(float(ours) - independent) < 0.006


def test_projected_payments_add_up_to_the_total_exactly():
    projection = project_payments(123_457, 9_999, Decimal("0.15"), minimum_period_days=60,
                                  minimum_period_share=Decimal("0.1112"))
    assert sum(p for _, p in projection.payments) == 123_457
    assert projection.daily_payment == 1500


def test_the_sixty_day_minimum_sets_the_pace_when_sales_are_low():
    projection = project_payments(900_000, 100, Decimal("0.15"), minimum_period_days=60,
                                  minimum_period_share=Decimal("0.1112"))
    assert projection.minimum_binds
    assert projection.daily_payment * 60 >= 900_000 * Decimal("0.1112")
    assert projection.term_days <= 540


def test_payments_that_do_not_repay_the_advance_are_refused():
    with pytest.raises(ValueError):
        annual_percentage_rate(1000, [(1, 999)], 12)
