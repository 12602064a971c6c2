"""The figures the demo town is calibrated on, from data/town-calibration.md (sections cited)."""
from __future__ import annotations

from datetime import date

# §Suggested defaults, "closure hazard": annual probability that a shop closes, by age in years.
CLOSURE_HAZARD_YEAR_1 = 0.22  # BLS ~20% in year 1; SAIC 69.3% still operating after a year
CLOSURE_HAZARD_YEARS_2_TO_5 = 0.11  # BLS ~50% gone by year 5
CLOSURE_HAZARD_LATER = 0.06  # assumption, SAIC mean life 6.09 years
FOOD_STALL_HAZARD_MULTIPLIER = 1.5  # NCBD restaurant closures 22.66%/yr; Korea food 17.9% at 5 yrs
FOOD_CATEGORIES = frozenset({"noodles_snacks", "tea", "bakery"})


def annual_closure_hazard(age_years: float, category: str) -> float:
    if age_years < 1:
        hazard = CLOSURE_HAZARD_YEAR_1
    elif age_years < 5:
        hazard = CLOSURE_HAZARD_YEARS_2_TO_5
    else:
        hazard = CLOSURE_HAZARD_LATER
    if category in FOOD_CATEGORIES:
        hazard = min(0.9, hazard * FOOD_STALL_HAZARD_MULTIPLIER)
    return hazard


# §4 Seasonality: NBS 2023 monthly retail sales / monthly average (Jan and Feb merged by NBS).
MONTHLY_INDEX = {1: 0.98, 2: 0.98, 3: 0.96, 4: 0.96, 5: 0.96, 6: 0.96, 7: 0.94,
                 8: 1.04, 9: 1.04, 10: 1.04, 11: 1.04, 12: 1.11}
PRE_FESTIVAL_WEEKS = 3
PRE_FESTIVAL_FACTOR = 1.3  # assumption in §Suggested defaults
FESTIVAL_WEEK_FACTOR = 0.3  # assumption in §Suggested defaults
FESTIVAL_SHUT_SHARE = 0.6  # 60% of shops shut 7-10 days (assumption; Xinhua §4)
FESTIVAL_SHUT_DAYS = (7, 10)
WEEKEND_FACTOR = 1.1  # assumption: residents shop more on Saturdays and Sundays

# Spring Festival (lunar new year's day), which moves every year.
SPRING_FESTIVAL = {
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}

# §5 Refunds and cancellations.
CANCEL_RATE_DELIVERY = 0.015  # Olist 0.63% cancelled + 0.61% unavailable, rounded up
CANCEL_RATE_IN_STORE = 0.002  # assumption
REFUND_RATE = 0.015  # deliverguard: refund deductions 1-4% of delivery revenue

# §7 Repeat customers: share of a shop's orders placed by its regulars.
RETURNING_SHARE = {"convenience": 0.65, "grocery": 0.65, "fruit": 0.6, "vegetables": 0.65, "meat": 0.6,
                   "noodles_snacks": 0.5, "tea": 0.5, "bakery": 0.55}
RETURNING_SHARE_DEFAULT = 0.4  # hardware, stationery, flowers...: bought now and then

# §3 Tickets: typical order values, yuan. Lines and quantities are drawn so averages land near them.
TYPICAL_TICKET_YUAN = {"convenience": 20, "fruit": 25, "noodles_snacks": 20}
DELIVERY_ORDER_YUAN = 40  # Meituan 2019 ~45 yuan

# The platform this follows: 150,000 merchants, 300,000 residents, 100,000 orders a month
# (ARCHITECTURE.md), i.e. 0.33 orders per resident per month. The demo's default is higher so that
# a 200-shop town has enough history per shop for dashboards and credit scoring; see docs/demo-town.md.
SEED_PLATFORM_ORDERS_PER_RESIDENT_MONTH = 100_000 / 300_000
DEFAULT_ORDERS_PER_RESIDENT_MONTH = 2.0

# Shop mix: how many shops of each kind per 100 (assumption, a street of a third-tier city).
CATEGORY_MIX = {
    "convenience": 14, "noodles_snacks": 14, "grocery": 11, "fruit": 9, "vegetables": 7, "tea": 8,
    "meat": 6, "bakery": 6, "pharmacy": 6, "hardware": 5, "stationery": 4, "household": 4,
    "phone_accessories": 4, "flowers": 2,
}
# How often residents order from a kind of shop, relative to a convenience store (assumption).
ORDER_FREQUENCY = {
    "convenience": 1.0, "noodles_snacks": 1.3, "grocery": 0.8, "fruit": 0.9, "vegetables": 0.8, "tea": 1.1,
    "meat": 0.6, "bakery": 0.7, "pharmacy": 0.35, "hardware": 0.2, "stationery": 0.25, "household": 0.25,
    "phone_accessories": 0.15, "flowers": 0.15,
}
# Share of orders delivered rather than picked up, by kind (assumption).
DELIVERY_SHARE = {
    "noodles_snacks": 0.6, "tea": 0.6, "convenience": 0.4, "grocery": 0.35, "fruit": 0.35, "vegetables": 0.3,
    "meat": 0.3, "bakery": 0.35, "pharmacy": 0.3, "flowers": 0.4, "household": 0.2, "hardware": 0.1,
    "stationery": 0.1, "phone_accessories": 0.15,
}
# Shop revenue spread: §Suggested defaults "3,500/day (sd 40%)"; on the platform popularity is more
# uneven than till takings, hence a wider lognormal.
POPULARITY_SIGMA = 0.6

# Trajectories: share of shops, and monthly drift of their order rate (assumption; a shop that grows
# 3%/month ends a year ~40% up, one that declines 4%/month ~40% down).
# Assumption (no published figure found): a shop that closes fades first, its orders falling
# steadily over its last three months to a quarter of its usual pace, as custom drifts away.
CLOSING_FADE_DAYS = 90
CLOSING_FADE_FLOOR = 0.25
TRAJECTORIES = {"grow": (0.35, 0.03), "stall": (0.40, 0.0), "decline": (0.25, -0.04)}
MONTHLY_NOISE_SIGMA = (0.05, 0.3)  # per-shop month-to-month volatility, drawn in this range
NEW_SHOP_RAMP_DAYS = 60  # a new shop's orders ramp from 40% to 100% over its first two months
SHARE_OPENED_DURING_HISTORY = 0.15
