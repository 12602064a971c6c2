"""Decisions and offers against the database: stored in full, specific reasons, fresh, versioned."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from financing.credit import services
from financing.credit.features import compute_features
from financing.credit.models import CreditDecision, CreditOffer, OfferStatus
from financing.credit.policy import active_policy, save_policy_version
from marketplace.extensions import db
from tests.credit_history import healthy_shop, write_sales
from tests.factories import make_shop


def test_a_steady_shop_gets_a_pre_approved_offer_with_its_decision_stored(app):
    shop = healthy_shop()
    offer = services.refresh_offer(shop.id)
    assert offer is not None and offer.status == OfferStatus.active
    assert offer.public_id.startswith("offer_")
    decision = offer.decision
    assert decision.eligible and decision.limit_amount == offer.limit_amount > 0
    assert decision.features["sales_90"] == 90 * 3 * 4000
    assert decision.model_version.startswith("demo-town")
    assert decision.policy_version == 1
    assert decision.grade in "ABCD" and 0 < decision.probability_of_default < 1
    expires = offer.expires_at.replace(tzinfo=timezone.utc)
    assert timedelta(days=29) < expires - datetime.now(timezone.utc) <= timedelta(days=30)


def test_a_new_shop_is_declined_with_specific_reasons(app):
    shop = make_shop()
    write_sales(shop, days=40, per_day=1, amount=1000)
    assert services.refresh_offer(shop.id) is None
    decision = services.latest_decision(shop.id)
    assert not decision.eligible
    messages = " ".join(r["message"] for r in decision.reasons)
    assert "41 days" in messages and "¥400.00, below ¥600.00" in messages
    assert 1 <= len(decision.reasons) <= 4


def test_features_never_see_orders_after_the_cut_off(app):
    shop = make_shop()
    now = datetime.now(timezone.utc)
    write_sales(shop, days=200, per_day=1, amount=1000, until=now - timedelta(days=100))
    before = compute_features(shop.id, now - timedelta(days=100))
    write_sales(shop, days=100, per_day=5, amount=9999, until=now)
    again = compute_features(shop.id, now - timedelta(days=100))
    assert again == before
    assert compute_features(shop.id, now).sales_30 == 30 * 5 * 9999


def test_the_offer_is_kept_until_new_sales_arrive_then_rescored(app):
    shop = healthy_shop()
    first = services.refresh_offer(shop.id)
    assert services.refresh_offer(shop.id).id == first.id
    assert db.session.scalar(select(func.count(CreditDecision.id))) == 1
    write_sales(shop, days=1, per_day=10, amount=4000, residents=1,
                until=datetime.now(timezone.utc) + timedelta(days=1))  # sales after the decision
    second = services.refresh_offer(shop.id)
    assert second.id != first.id
    db.session.refresh(first)
    assert first.status == OfferStatus.superseded


def test_an_offer_past_its_validity_expires(app):
    shop = healthy_shop()
    offer = services.refresh_offer(shop.id)
    later = datetime.now(timezone.utc) + timedelta(days=31)
    assert services.active_offer(shop.id, now=later) is None
    db.session.commit()
    assert db.session.get(CreditOffer, offer.id).status == OfferStatus.expired


def test_a_new_policy_version_changes_the_next_decision_and_is_recorded(app):
    shop = healthy_shop()
    old = services.refresh_offer(shop.id)
    save_policy_version({"limit_multiple_by_grade": {"A": "0.5", "B": "0.5", "C": "0.5", "D": "0.5"}},
                        note="tighter")
    assert active_policy().version == 2
    new = services.refresh_offer(shop.id, force=True)
    assert new.policy_version == 2 and new.decision.policy_version == 2
    assert new.limit_amount < old.limit_amount


def test_the_summary_discloses_the_terms_of_the_whole_offer(app):
    shop = healthy_shop()
    summary = services.credit_summary(shop.id)
    d = summary["disclosure"]
    assert d.funds_provided == summary["available"] == summary["limit"]
    assert d.total_repayment == d.funds_provided + d.finance_charge
    assert d.estimated_daily_sales.amount == 12000
    assert d.estimated_daily_payment.amount == 1800  # 15% of 120.00
    assert 0 < d.estimated_term_days <= 540 and d.estimated_apr > 0


def test_rescore_all_scores_every_retail_shop(app):
    healthy_shop()
    make_shop()
    make_shop(kind="supplier")
    counts = services.rescore_all()
    assert counts == {"shops": 2, "offers": 1}


def test_a_declined_merchant_reads_the_reasons_in_the_dashboards_language(app, client):
    shop = make_shop()
    write_sales(shop, days=40, per_day=1, amount=1000)
    services.refresh_offer(shop.id)
    assert client.post("/account/login", data={"email": shop.owner.email, "password": "secret123"}).status_code == 302
    chinese = client.get("/credit/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "在平台上经营了 41 天；最少需要 180 天。" in chinese
    assert "近 90 天销售额为 ¥400.00，低于 ¥600.00。" in chinese and "Sales in the last" not in chinese
    english = client.get("/credit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sales in the last 90 days were ¥400.00, below ¥600.00." in english
