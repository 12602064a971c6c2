"""The demo town's purchasing: wholesale terms on every supplier product, and orders in flight for the demo accounts.

The town generator already writes a year of closed purchase orders; this hook adds what makes the
pages worth opening: quantity price tiers, minimum orders and lead times on the suppliers' catalogues,
an order waiting for `supplier@demo.local` to confirm, and a shipped one waiting for
`merchant@demo.local` to receive.
"""
from __future__ import annotations

import string
from datetime import timedelta

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductStatus, Shop, ShopKind
from marketplace.errors import DomainError
from marketplace.extensions import db

from . import services
from .models import PaymentTerms, PriceTier, ProductLink, PurchaseOrder, WholesaleTerms

_ALPHABET = string.ascii_letters + string.digits

# Round-number minimum orders and discounts a wholesaler in a Taizhou market would quote.
MINIMUMS = (1, 1, 2, 5, 10)
LEAD_DAYS = (0, 1, 1, 1, 2, 3)


def seed_purchasing(ctx) -> None:
    _wholesale_terms(ctx)
    _orders_in_flight(ctx)


def _wholesale_terms(ctx) -> None:
    rng = ctx.random("purchasing-terms")
    stmt = (select(Product.id, Product.price_amount, Product.currency).join(Shop, Product.shop_id == Shop.id)
            .where(Shop.kind == ShopKind.supplier).order_by(Product.id))
    done = set(db.session.execute(select(WholesaleTerms.product_id)).scalars())
    for chunk in ctx.iter_chunks(stmt):
        terms, tiers = [], []
        for product_id, price, currency in chunk:
            if product_id in done:
                continue
            moq = rng.choice(MINIMUMS)
            terms.append({"product_id": product_id, "min_order_quantity": moq, "lead_time_days": rng.choice(LEAD_DAYS)})
            first = max(moq * 2, rng.choice((6, 10, 12, 20)))
            for step, (quantity, off) in enumerate(((first, 0.05), (first * 5, 0.10))):
                unit = int(price * (1 - off))
                if 0 < unit < price and (step == 0 or rng.random() < 0.6):
                    tiers.append({"product_id": product_id, "min_quantity": quantity, "unit_price_amount": unit,
                                  "currency": currency})
        ctx.bulk_insert(WholesaleTerms.__table__, terms)
        ctx.bulk_insert(PriceTier.__table__, tiers)
        ctx.commit()


def _public_id(rng, prefix: str) -> str:
    return f"{prefix}_" + "".join(rng.choice(_ALPHABET) for _ in range(16))


def _orders_in_flight(ctx) -> None:
    """Through the services' own steps, on the town's clock and with ids from the seed, so the same
    seed writes the same town: one order waiting for the demo supplier, one shipped to the demo merchant."""
    accounts = ctx.extra.get("demo_accounts", {})
    merchant = db.session.execute(select(User).where(User.email == accounts.get("merchant"))).scalar()
    supplier_user = db.session.execute(select(User).where(User.email == accounts.get("supplier"))).scalar()
    if merchant is None or supplier_user is None:
        return
    shop = db.session.execute(select(Shop).where(Shop.owner_id == merchant.id).order_by(Shop.id)).scalars().first()
    supplier = db.session.execute(select(Shop).where(Shop.owner_id == supplier_user.id,
                                                     Shop.kind == ShopKind.supplier)).scalars().first()
    if shop is None or supplier is None:
        return
    linked = db.session.execute(
        select(ProductLink.supplier_product_id).join(Product, Product.id == ProductLink.supplier_product_id)
        .where(ProductLink.buyer_shop_id == shop.id, Product.shop_id == supplier.id,
               Product.status == ProductStatus.active).order_by(ProductLink.id)).scalars().all()
    if not linked:
        linked = db.session.execute(select(Product.id).where(
            Product.shop_id == supplier.id, Product.status == ProductStatus.active).order_by(Product.id).limit(4)
        ).scalars().all()
    offers = services.offers_for(linked)
    rng = ctx.random("purchasing-orders")
    plans = [linked[0:2], linked[2:4] or linked[0:1]]
    for n, ids in enumerate(plans):
        lines = [(offers[pid].product, max(offers[pid].min_order_quantity, 6)) for pid in ids if pid in offers]
        if not lines:
            continue
        drafted = ctx.end - timedelta(hours=30 - 6 * n)
        order = PurchaseOrder(public_id=_public_id(rng, "po"), buyer_shop_id=shop.id, supplier_shop_id=supplier.id,
                              created_by_id=merchant.id, currency=shop.currency, created_at=drafted,
                              payment_terms=PaymentTerms.net_30 if n else PaymentTerms.net_7)
        db.session.add(order)
        for product, quantity in lines:
            services.set_line(order, product, quantity)
        invoice_id = _public_id(rng, "inv")
        try:
            services.price_order(order)
            order.submit(at=drafted + timedelta(minutes=10))
            if n == 1:  # this one is on its way: the merchant can count it in
                services.confirm_order(order, supplier_user.id, at=drafted + timedelta(hours=2),
                                       invoice_public_id=invoice_id)
                order.ship(at=drafted + timedelta(hours=5))
            db.session.commit()
        except DomainError as exc:  # e.g. the supplier ran short in the simulation: the town is still good
            db.session.rollback()
            ctx.echo(f"  purchasing: skipped a demo order ({exc.message})")
