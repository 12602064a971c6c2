"""The demo town's credit at its 'now': the demo merchant has an offer waiting, others are told why not."""
from datetime import date

from sqlalchemy import select

from financing.credit.models import CreditDecision, CreditOffer, OfferStatus
from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.demo.generator import TownSpec, seed_town
from marketplace.extensions import db

TOWN = TownSpec(merchants=30, suppliers=3, residents=300, months=12, seed=2026, end=date(2026, 11, 28))


def test_the_demo_merchant_has_an_offer_waiting_and_declined_merchants_know_why(app):
    seed_town(TOWN, echo=lambda _msg: None, show_progress=False)
    shop_id = db.session.scalar(select(Shop.id).join(User, Shop.owner_id == User.id)
                                .where(User.email == "merchant@demo.local"))
    offer = db.session.scalar(select(CreditOffer).where(CreditOffer.shop_id == shop_id,
                                                        CreditOffer.status == OfferStatus.active))
    assert offer is not None and offer.limit_amount > 0
    decision = db.session.get(CreditDecision, offer.decision_id)
    assert decision.features["tenure_days"] >= 365 and decision.features["sales_365"] > 0

    latest = {}
    for d in db.session.scalars(select(CreditDecision).order_by(CreditDecision.id)):
        latest[d.shop_id] = d
    declined = [d for d in latest.values() if not d.eligible]
    assert declined, "the town should have merchants who are declined"
    for d in declined:
        assert 1 <= len(d.reasons) <= 4
        assert all(r["message"] and r["remedy"] and "score" not in r["message"].lower() for r in d.reasons)
