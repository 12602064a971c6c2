"""Purchase orders against the real database: drafting, the supplier's steps, receipts into stock, refusals."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement, StockReason
from marketplace.errors import DomainError, InsufficientStock, InvalidTransition, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.money import Money
from merchants.purchasing import services as purchasing
from merchants.purchasing.models import (
    InvoiceStatus, ProductLink, PurchaseOrder, PurchaseOrderStatus, SupplierInvoice,
)
from tests.factories import make_product, make_shop, make_user


@pytest.fixture
def trade(app):
    """A supplier with two wholesale products and a grocery that buys from it."""
    supplier = make_shop(kind="supplier", name="East Wholesale", category="grocery")
    rice = make_product(supplier, sku="W-RICE", name="Rice 10 kg", price=5000, stock=100)
    oil = make_product(supplier, sku="W-OIL", name="Peanut oil 5 L", price=8000, stock=20)
    purchasing.set_wholesale_terms(supplier.owner_id, rice.id, min_order_quantity=2, lead_time_days=2,
                                   tiers=[(10, 4800), (50, 4500)])
    shop = make_shop(name="Corner Grocery")
    return {"supplier": supplier, "rice": rice, "oil": oil, "shop": shop,
            "buyer": shop.owner_id, "seller": supplier.owner_id}


def _stock(product_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Product, product_id).stock_on_hand


def _movements_sum(product_id: int) -> int:
    return db.session.execute(select(func.coalesce(func.sum(StockMovement.quantity), 0))
                              .where(StockMovement.product_id == product_id)).scalar()


def _shipped(trade, lines):
    order = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].public_id, lines)
    purchasing.submit_purchase_order(trade["buyer"], order.public_id)
    purchasing.confirm_purchase_order(trade["seller"], order.public_id)
    purchasing.ship_purchase_order(trade["seller"], order.public_id)
    return order


def test_a_draft_is_priced_by_quantity_tier_and_totals_its_lines(trade):
    order = purchasing.create_purchase_order(
        trade["buyer"], trade["supplier"].public_id,
        [{"product": trade["rice"].public_id, "quantity": 12}, {"product": trade["oil"].public_id, "quantity": 1}])
    assert order.status == PurchaseOrderStatus.draft
    prices = {line.sku: line.unit_price_amount for line in order.lines}
    assert prices == {"W-RICE": 4800, "W-OIL": 8000}
    assert order.total == Money(12 * 4800 + 8000, "CNY")


def test_the_supplier_confirming_takes_its_stock_and_raises_an_invoice_due_by_the_terms(trade):
    order = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, [(trade["rice"].id, 10)],
                                             payment_terms="net_30")
    purchasing.submit_purchase_order(trade["buyer"], order.id)
    purchasing.confirm_purchase_order(trade["seller"], order.id)
    assert _stock(trade["rice"].id) == 90 == _movements_sum(trade["rice"].id)
    movement = db.session.execute(select(StockMovement).where(StockMovement.reference == order.public_id)).scalar()
    assert movement.quantity == -10 and movement.reason == StockReason.sale
    invoice = db.session.execute(select(SupplierInvoice).where(SupplierInvoice.order_id == order.id)).scalar_one()
    assert invoice.status == InvoiceStatus.open and invoice.amount == 48000
    assert invoice.due_at - invoice.issued_at == timedelta(days=30)
    assert order.expected_at - order.confirmed_at == timedelta(days=2)


def test_receiving_part_then_the_rest_adds_stock_through_purchase_receipts_and_remembers_the_product(trade):
    order = _shipped(trade, [(trade["rice"].id, 10), (trade["oil"].id, 4)])
    rice_line = next(line for line in order.lines if line.sku == "W-RICE")
    purchasing.receive_purchase_order(trade["buyer"], order.public_id,
                                      [{"line": rice_line.id, "quantity": 6}])
    db.session.expire_all()
    order = purchasing.load_order(order.public_id)
    assert order.status == PurchaseOrderStatus.partially_received
    mine = db.session.get(Product, order.lines[0].buyer_product_id)
    assert mine.shop_id == trade["shop"].id and mine.stock_on_hand == 6 and mine.name == "Rice 10 kg"
    assert mine.price_amount == 6240  # 4,800 cost plus 30%, to the next ten fen
    purchasing.receive_purchase_order(trade["buyer"], order.public_id)  # everything still outstanding
    db.session.expire_all()
    order = purchasing.load_order(order.public_id)
    assert order.status == PurchaseOrderStatus.received
    assert _stock(mine.id) == 10 == _movements_sum(mine.id)
    receipts = db.session.execute(select(StockMovement).where(StockMovement.product_id == mine.id,
                                                              StockMovement.reason == StockReason.purchase_receipt)
                                  ).scalars().all()
    assert [m.quantity for m in receipts] == [6, 4] and {m.reference for m in receipts} == {order.public_id}
    links = db.session.execute(select(ProductLink).where(ProductLink.buyer_shop_id == trade["shop"].id)).scalars()
    assert {link.supplier_product_id for link in links} == {trade["rice"].id, trade["oil"].id}
    again = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, [(trade["rice"].id, 2)])
    assert again.lines[0].buyer_product_id == mine.id


def test_a_receipt_can_go_into_a_product_the_merchant_already_has(trade):
    own = make_product(trade["shop"], sku="RICE", name="Rice", price=7000, stock=3)
    order = _shipped(trade, [(trade["rice"].id, 4)])
    purchasing.receive_purchase_order(trade["buyer"], order.id, [{"product": trade["rice"].public_id,
                                                                  "quantity": 4, "into": own.public_id}])
    assert _stock(own.id) == 7 == _movements_sum(own.id)
    assert db.session.execute(select(func.count()).select_from(Product)
                              .where(Product.shop_id == trade["shop"].id)).scalar() == 1


@pytest.mark.parametrize("quantity", [0, -1, 11, 2.5, "3", True, None])
def test_receiving_an_impossible_quantity_is_refused_and_changes_nothing(trade, quantity):
    order = _shipped(trade, [(trade["rice"].id, 10), (trade["oil"].id, 1)])
    lines = [{"product": trade["rice"].public_id, "quantity": quantity}]
    with pytest.raises(DomainError) as caught:
        purchasing.receive_purchase_order(trade["buyer"], order.id, lines)
    assert caught.value.status == 400
    db.session.rollback()
    order = purchasing.load_order(order.id)
    assert order.status == PurchaseOrderStatus.shipped and not order.receipts
    assert all(line.received_quantity == 0 for line in order.lines)


def test_a_supplier_short_of_stock_cannot_confirm_and_nothing_moves(trade):
    order = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id,
                                             [(trade["rice"].id, 10), (trade["oil"].id, 21)])
    purchasing.submit_purchase_order(trade["buyer"], order.id)
    with pytest.raises(InsufficientStock):
        purchasing.confirm_purchase_order(trade["seller"], order.id)
    db.session.rollback()
    assert _stock(trade["rice"].id) == 100 and _stock(trade["oil"].id) == 20
    assert purchasing.load_order(order.id).status == PurchaseOrderStatus.submitted
    assert db.session.execute(select(func.count()).select_from(SupplierInvoice)).scalar() == 0


def test_cancelling_a_confirmed_order_returns_the_goods_to_the_supplier_and_voids_the_invoice(trade):
    order = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, [(trade["oil"].id, 5)])
    purchasing.submit_purchase_order(trade["buyer"], order.id)
    purchasing.confirm_purchase_order(trade["seller"], order.id)
    assert _stock(trade["oil"].id) == 15
    purchasing.cancel_purchase_order(trade["buyer"], order.id)
    assert _stock(trade["oil"].id) == 20 == _movements_sum(trade["oil"].id)
    order = purchasing.load_order(order.id)
    assert order.status == PurchaseOrderStatus.cancelled and order.invoice.status == InvoiceStatus.void


def test_a_shipped_order_cannot_be_cancelled(trade):
    order = _shipped(trade, [(trade["oil"].id, 1)])
    with pytest.raises(InvalidTransition):
        purchasing.cancel_purchase_order(trade["buyer"], order.id)


def test_the_supplier_rejects_with_a_reason_and_must_give_one(trade):
    order = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, [(trade["oil"].id, 1)])
    purchasing.submit_purchase_order(trade["buyer"], order.id)
    with pytest.raises(DomainError):
        purchasing.reject_purchase_order(trade["seller"], order.id, "  ")
    purchasing.reject_purchase_order(trade["seller"], order.id, "No delivery to your area")
    order = purchasing.load_order(order.id)
    assert order.status == PurchaseOrderStatus.rejected and order.reject_reason == "No delivery to your area"


def test_nobody_acts_on_another_partys_order(trade):
    order = purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, [(trade["oil"].id, 1)])
    stranger = make_user("merchant")
    other_supplier = make_shop(kind="supplier").owner_id
    for user in (stranger.id, other_supplier):
        with pytest.raises(NotFound):
            purchasing.submit_purchase_order(user, order.id)
        with pytest.raises(NotFound):
            purchasing.order_for_party(user, order.public_id)
    with pytest.raises(NotFound):
        purchasing.submit_purchase_order(trade["seller"], order.id)  # a draft is the buyer's own
    purchasing.submit_purchase_order(trade["buyer"], order.id)
    with pytest.raises(PermissionDenied):
        purchasing.cancel_purchase_order(trade["seller"], order.id)  # the supplier cannot call it off
    with pytest.raises(PermissionDenied):
        purchasing.confirm_purchase_order(trade["buyer"], order.id)  # nor the buyer confirm it
    assert purchasing.load_order(order.id).status == PurchaseOrderStatus.submitted


@pytest.mark.parametrize("lines, param", [
    ([], "lines"),
    ([(None, 1)], "lines[0].product"),
    ([("prd_nothing", 1)], "lines[0].product"),
    ([("RICE", 0)], "lines[0].quantity"),
    ([("RICE", -3)], "lines[0].quantity"),
    ([("RICE", 1)], "lines[0].quantity"),  # below the minimum order of 2
    ([("RICE", 2), ("RICE", 3)], "lines"),
])
def test_bad_lines_are_refused_with_the_field_named_and_no_order_is_made(trade, lines, param):
    lines = [(trade["rice"].public_id if p == "RICE" else p, q) for p, q in lines]
    with pytest.raises(DomainError) as caught:
        purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, lines)
    assert caught.value.status == 400 and caught.value.param == param
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(PurchaseOrder)).scalar() == 0


def test_a_merchant_cannot_order_another_shops_retail_products_or_from_a_retail_shop(trade):
    other = make_shop()
    theirs = make_product(other)
    with pytest.raises(DomainError):
        purchasing.create_purchase_order(trade["buyer"], other.id, [(theirs.id, 1)])
    with pytest.raises(DomainError):
        purchasing.create_purchase_order(trade["buyer"], trade["supplier"].id, [(theirs.id, 1)])


def test_one_click_reorder_drafts_an_order_to_the_last_supplier_back_above_target(trade):
    order = _shipped(trade, [(trade["rice"].id, 4)])
    purchasing.receive_purchase_order(trade["buyer"], order.id)
    mine = purchasing.load_order(order.id).lines[0].buyer_product
    mine.low_stock_threshold = 5
    db.session.commit()  # 4 on hand, threshold 5: low; target 10
    never_bought = make_product(trade["shop"], stock=0, low_stock_threshold=3)
    result = purchasing.reorder_low_stock(trade["buyer"])
    assert [p.id for p in result.without_supplier] == [never_bought.id]
    (draft,) = result.orders
    assert draft.status == PurchaseOrderStatus.draft and draft.supplier_shop_id == trade["supplier"].id
    assert [(line.supplier_product_id, line.quantity) for line in draft.lines] == [(trade["rice"].id, 6)]
    again = purchasing.reorder_low_stock(trade["buyer"])
    assert [o.id for o in again.orders] == [draft.id]  # the same draft, not a second one
    info = purchasing.last_supplier(mine.id)
    assert info["name"] == "East Wholesale" and info["unit_price"] == Money(5000, "CNY")


def test_suppliers_are_found_by_distance_category_and_words(trade):
    far = make_shop(kind="supplier", name="Far Away Wholesale", lat=29.5, lon=121.4)
    make_product(far, name="Green tea")
    hits = purchasing.find_suppliers(28.656, 121.421, radius_km=20)
    assert [h.shop.id for h in hits] == [trade["supplier"].id]
    assert hits[0].product_count == 2 and hits[0].distance_km < 0.1
    assert [h.shop.id for h in purchasing.find_suppliers(28.656, 121.421, radius_km=200, words="tea")] == [far.id]
    assert purchasing.find_suppliers(category="pharmacy") == []
    with pytest.raises(DomainError):
        purchasing.find_suppliers(91, 0)


def test_tiers_must_get_cheaper_with_quantity(trade):
    with pytest.raises(DomainError):
        purchasing.set_wholesale_terms(trade["seller"], trade["oil"].id, tiers=[(10, 8000)])
    with pytest.raises(DomainError):
        purchasing.set_wholesale_terms(trade["seller"], trade["oil"].id, tiers=[(10, 7000), (20, 7500)])
    with pytest.raises(NotFound):
        purchasing.set_wholesale_terms(trade["buyer"], trade["oil"].id, tiers=[(10, 7000)])
