"""Estimated APR by the actuarial method of Regulation Z, Appendix J, and the projected payment stream.

Appendix J's general equation, for one advance A at time 0 and payments P_k at t_k whole unit
periods plus a fraction f_k of one:

    A = sum_k P_k / ((1 + f_k * i) * (1 + i) ** t_k)

solved for the rate per unit period i; the APR is i times the number of unit periods in a year.
For sales-based financing the payments are projected from the merchant's recent daily sales, so
the unit period is a day and a year has 365 of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np


def _present_value(i: float, whole: np.ndarray, frac: np.ndarray, amounts: np.ndarray) -> float:
    return float(np.sum(amounts / ((1 + frac * i) * np.power(1 + i, whole))))


def actuarial_rate_per_period(amount: int | float, payments: list[tuple[float, int | float]]) -> float:
    """The rate per unit period i at which the payments' present value equals the amount advanced.

    `payments` are (time in unit periods after the advance, amount). Bisection on a bracket that is
    widened until it holds the root: the present value falls as i rises, so the root is unique.
    The sum runs over arrays: a dashboard shows an APR on every view, over up to 540 daily payments.
    """
    if amount <= 0:
        raise ValueError("the amount advanced must be positive")
    if not payments or sum(p for _, p in payments) < amount:
        raise ValueError("the payments must at least repay the amount advanced")
    when = np.array([w for w, _ in payments], dtype=float)
    whole = np.floor(when)
    stream = (whole, when - whole, np.array([p for _, p in payments], dtype=float))
    lo, hi = 0.0, 1.0
    while _present_value(hi, *stream) > amount:
        hi *= 2
        if hi > 1e6:
            raise ValueError("no rate solves these payments")
    for _ in range(200):
        mid = (lo + hi) / 2
        if _present_value(mid, *stream) > amount:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2


def annual_percentage_rate(amount: int | float, payments: list[tuple[float, int | float]],
                           periods_per_year: int) -> Decimal:
    """The APR as a Decimal percentage rounded to two places (12.00 means 12.00%)."""
    i = actuarial_rate_per_period(amount, payments)
    return (Decimal(repr(i * periods_per_year * 100))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Projection:
    """The payment stream a draw is expected to follow."""

    daily_payment: int  # minor units
    term_days: int
    payments: list[tuple[int, int]]  # (day after the draw, amount)
    minimum_binds: bool  # the 60-day minimum, not the withhold share, sets the pace


def project_payments(total: int, daily_sales: int, withhold_rate: Decimal, *, minimum_period_days: int,
                     minimum_period_share: Decimal) -> Projection:
    """Daily payments of the withheld share of the expected daily sales, or the minimum's pace when
    sales are too low to meet it, until `total` is repaid (the last payment takes the remainder)."""
    if total <= 0:
        raise ValueError("nothing to repay")
    withheld = int((Decimal(daily_sales) * withhold_rate).to_integral_value(rounding=ROUND_HALF_UP))
    minimum_pace = int((Decimal(total) * minimum_period_share / minimum_period_days)
                       .to_integral_value(rounding="ROUND_CEILING"))
    daily = max(withheld, minimum_pace, 1)
    payments = []
    left, day = total, 0
    while left > 0:
        day += 1
        part = min(daily, left)
        payments.append((day, part))
        left -= part
    return Projection(daily, day, payments, withheld < minimum_pace)


def estimated_apr(principal: int, fee: int, projection: Projection) -> Decimal:
    """APR of a draw: the merchant receives `principal` and repays principal + fee on the projection."""
    assert sum(p for _, p in projection.payments) == principal + fee
    return annual_percentage_rate(principal, projection.payments, 365)
