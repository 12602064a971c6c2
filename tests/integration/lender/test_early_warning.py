"""Early-warning rules against histories written to the real database."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from financing.lender import early_warning
from financing.lender.models import Alert, AlertRule, AlertStatus, Severity
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from tests.credit_history import write_sales
from tests.factories import make_shop

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _alerts(shop_id=None, status=AlertStatus.open):
    stmt = select(Alert).where(Alert.status == status)
    if shop_id is not None:
        stmt = stmt.where(Alert.shop_id == shop_id)
    return list(db.session.scalars(stmt))


def _collapsing_shop():
    """Five steady weeks, then a week of one small sale a day."""
    shop = make_shop()
    write_sales(shop, days=35, per_day=3, amount=4000, until=NOW - timedelta(days=7))
    write_sales(shop, days=7, per_day=1, amount=1000, until=NOW)
    return shop


def test_a_steady_shop_raises_no_alert(app):
    shop = make_shop()
    write_sales(shop, days=120, per_day=3, amount=4000, until=NOW)
    early_warning.scan(NOW)
    assert _alerts(shop.id) == []


def test_sales_collapsing_against_the_shops_own_weeks_raises_one_alert_with_the_evidence(app):
    shop = _collapsing_shop()
    result = early_warning.scan(NOW)
    assert result.raised == 1
    [alert] = _alerts(shop.id)
    assert alert.rule == AlertRule.sales_collapse
    assert alert.severity == Severity.high
    assert alert.evidence["last_week_amount"] == 7 * 1000
    assert alert.evidence["usual_week_amount"] == 7 * 3 * 4000
    assert "sales" in alert.merchant_message.lower()


def test_a_second_scan_refreshes_the_open_alert_instead_of_adding_one(app):
    shop = _collapsing_shop()
    early_warning.scan(NOW)
    result = early_warning.scan(NOW + timedelta(hours=1))
    assert (result.raised, result.refreshed) == (0, 1)
    assert len(_alerts(shop.id)) == 1


def test_the_alert_resolves_itself_once_sales_recover(app):
    shop = _collapsing_shop()
    early_warning.scan(NOW)
    later = NOW + timedelta(days=14)
    write_sales(shop, days=14, per_day=3, amount=4000, until=later)
    result = early_warning.scan(later)
    assert result.resolved == 1
    [alert] = _alerts(shop.id, AlertStatus.resolved)
    assert alert.resolution == early_warning.CLEARED


def test_a_quiet_week_is_no_alarm_for_a_shop_with_a_couple_of_orders_a_week(app):
    shop = make_shop()
    for week in range(1, 6):
        write_sales(shop, days=1, per_day=2, amount=4000, until=NOW - timedelta(days=7 * week))
    early_warning.scan(NOW)  # nothing sold last week, but two orders a week are too few to judge
    assert _alerts(shop.id) == []


def test_a_somewhat_slower_week_is_no_alarm(app):
    shop = make_shop()
    write_sales(shop, days=35, per_day=3, amount=4000, until=NOW - timedelta(days=7))
    write_sales(shop, days=7, per_day=2, amount=4000, until=NOW)
    early_warning.scan(NOW)
    assert _alerts(shop.id) == []


def test_sales_fading_over_a_month_raise_a_decline_alert(app):
    shop = make_shop()
    write_sales(shop, days=84, per_day=4, amount=4000, until=NOW - timedelta(days=28))
    write_sales(shop, days=28, per_day=1, amount=4000, until=NOW)
    early_warning.scan(NOW)
    rules = {a.rule for a in _alerts(shop.id)}
    assert AlertRule.sales_decline in rules
    decline = next(a for a in _alerts(shop.id) if a.rule == AlertRule.sales_decline)
    assert decline.severity == Severity.high and decline.evidence["share_of_usual"] == 0.25


def test_poisson_tail_matches_known_values():
    assert abs(early_warning.poisson_cdf(0, 7) - 0.000912) < 1e-6
    assert abs(early_warning.poisson_cdf(7, 21) - 0.000395) < 1e-6
    assert early_warning.poisson_cdf(3, 0) == 1.0


def test_a_burst_of_cancelled_orders_raises_a_cancel_spike(app):
    shop = make_shop()
    write_sales(shop, days=90, per_day=3, amount=4000, until=NOW)
    write_sales(shop, days=5, per_day=2, amount=4000, until=NOW, status=OrderStatus.cancelled)
    early_warning.scan(NOW)
    [alert] = _alerts(shop.id)
    assert alert.rule == AlertRule.cancel_spike
    assert alert.evidence["recent_cancelled"] == 10


def test_findings_can_be_asked_for_a_past_day_without_writing(app):
    shop = _collapsing_shop()
    past = NOW - timedelta(days=10)
    assert [f for f in early_warning.findings(past) if f.shop_id == shop.id] == []
    assert [f.rule for f in early_warning.findings(NOW) if f.shop_id == shop.id] == [AlertRule.sales_collapse]
    assert _alerts() == []


def test_a_supplier_shops_figures_raise_nothing(app):
    supplier = make_shop(kind="supplier")
    write_sales(supplier, days=35, per_day=3, amount=4000, until=NOW - timedelta(days=7))
    early_warning.scan(NOW)
    assert _alerts(supplier.id) == []
