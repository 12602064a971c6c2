"""The purchasing seed hook: terms on every supplier product and demo orders in flight, made by the services."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from marketplace.demo.hooks import SeedContext, registered_seed_hooks
from marketplace.extensions import db
from merchants.purchasing.demo import seed_purchasing
from merchants.purchasing.models import PriceTier, PurchaseOrder, PurchaseOrderStatus, WholesaleTerms
from tests.factories import make_product, make_shop, make_user


def _ctx(accounts):
    return SeedContext(seed=7, start=datetime(2025, 11, 1, tzinfo=timezone.utc),
                       end=datetime(2026, 11, 1, tzinfo=timezone.utc), months=12, merchants=1, suppliers=1,
                       residents=0, echo=lambda _m: None, show_progress=False,
                       extra={"demo_accounts": accounts})


def test_the_hook_is_registered_for_the_demo_seed(app):
    assert "purchasing" in [name for name, _fn in registered_seed_hooks()]


def test_the_hook_gives_supplier_products_terms_and_the_demo_accounts_orders_in_flight(app):
    seller = make_user("supplier", email="s@demo.test")
    merchant = make_user("merchant", email="m@demo.test")
    supplier = make_shop(seller, kind="supplier")
    products = [make_product(supplier, price=1000 + i, stock=500) for i in range(5)]
    make_shop(merchant)
    seed_purchasing(_ctx({"merchant": "m@demo.test", "supplier": "s@demo.test"}))
    assert db.session.execute(select(func.count()).select_from(WholesaleTerms)).scalar() == len(products)
    for tier in db.session.execute(select(PriceTier)).scalars():
        base = next(p.price_amount for p in products if p.id == tier.product_id)
        assert tier.unit_price_amount < base
    statuses = sorted(o.status.value for o in db.session.execute(select(PurchaseOrder)).scalars())
    assert statuses == [PurchaseOrderStatus.shipped.value, PurchaseOrderStatus.submitted.value]


def test_the_hook_gives_the_same_terms_for_the_same_seed(app):
    supplier = make_shop(kind="supplier")
    for i in range(6):
        make_product(supplier, price=2000 + i)
    seed_purchasing(_ctx({}))
    first = db.session.execute(select(WholesaleTerms.min_order_quantity, WholesaleTerms.lead_time_days)
                               .order_by(WholesaleTerms.product_id)).all()
    db.session.execute(PriceTier.__table__.delete())
    db.session.execute(WholesaleTerms.__table__.delete())
    db.session.commit()
    seed_purchasing(_ctx({}))
    assert db.session.execute(select(WholesaleTerms.min_order_quantity, WholesaleTerms.lead_time_days)
                              .order_by(WholesaleTerms.product_id)).all() == first
