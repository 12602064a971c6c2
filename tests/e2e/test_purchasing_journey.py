"""In Chromium on a phone: a merchant orders from a supplier, the supplier confirms and ships, the merchant
receives part and then the rest, and pays the invoice from its balance."""
from financing.ledger.services import credit, debit, merchant_balance, post_entry
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.money import Money
from merchants.purchasing import services as purchasing
from merchants.purchasing.models import PurchaseOrder
from tests.factories import make_product, make_shop


def test_a_merchant_orders_the_supplier_ships_and_the_merchant_receives_in_two_parts(
        page, live_server, log_in, screenshot):
    supplier = make_shop(kind="supplier", name="East Wholesale", address="12 Market Road")
    make_product(supplier, sku="W-RICE", name="Rice 10 kg", price=5000, stock=80, unit="bag")
    oil = make_product(supplier, sku="W-OIL", name="Peanut oil 5 L", price=8000, stock=30, unit="bottle")
    purchasing.set_wholesale_terms(supplier.owner_id, oil.id, min_order_quantity=2, lead_time_days=2,
                                   tiers=[(6, 7600), (20, 7200)])
    shop = make_shop(name="Corner Grocery")
    buyer, seller = shop.owner, supplier.owner

    log_in(page, live_server, buyer)
    page.goto(f"{live_server}/purchasing/suppliers")
    page.click("text=East Wholesale")
    oil_card = page.locator(".offer[data-sku=W-OIL]")
    oil_card.locator("input[name=quantity]").fill("6")
    oil_card.get_by_role("button", name="Add to order").click()
    assert "is on your draft order" in page.content()
    screenshot(page, "purchasing-1-catalogue")
    page.click("text=Review and send")
    assert page.locator("#po-total").inner_text() == "¥456.00"
    page.select_option("select[name=payment_terms]", "net_30")
    page.get_by_role("button", name="Send to supplier").click()
    assert page.locator("h1 .badge").inner_text() == "Waiting for supplier"
    po_url = page.url
    screenshot(page, "purchasing-2-sent")

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, seller)
    page.goto(f"{live_server}/purchasing/incoming")
    page.click("#incoming a")
    page.get_by_role("button", name="Confirm and set the goods aside").click()
    assert "Confirmed" in page.locator("h1 .badge").inner_text()
    page.get_by_role("button", name="Mark as shipped").click()
    assert page.locator("h1 .badge").inner_text() == "Shipped"
    screenshot(page, "purchasing-3-supplier-shipped")

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, buyer)
    page.goto(po_url)
    page.fill("input[name^=recv-]", "4")
    page.get_by_role("button", name="Receive into stock").click()
    assert page.locator("h1 .badge").inner_text() == "Partly received"
    screenshot(page, "purchasing-4-part-received")
    page.get_by_role("button", name="Receive into stock").click()  # the rest: 2 prefilled
    assert page.locator("h1 .badge").inner_text() == "Received"
    screenshot(page, "purchasing-5-received")

    # Settled sales have left the merchant ¥500.00 available: it pays the invoice from there.
    post_entry("test_funding", [debit("platform_clearing", Money(50000, "CNY")),
                                credit("merchant_available", Money(50000, "CNY"), shop.id)], shop_id=shop.id)
    db.session.commit()
    page.reload()
    assert "Your available balance: ¥500.00" in page.content()
    page.get_by_role("button", name="Pay ¥456.00 from my balance").click()
    assert page.locator("h1 .badge").inner_text() == "Closed"
    assert page.locator("#invoice .badge").first.inner_text() == "Paid"
    screenshot(page, "purchasing-6-paid")
    assert merchant_balance(shop.id) == Money(4400, "CNY")
    assert merchant_balance(supplier.id) == Money(45600, "CNY")

    db.session.expire_all()
    po = db.session.execute(db.select(PurchaseOrder)).scalar_one()
    mine = db.session.get(Product, po.lines[0].buyer_product_id)
    assert mine.shop_id == shop.id and mine.stock_on_hand == 6 and mine.name == "Peanut oil 5 L"
    assert db.session.get(Product, oil.id).stock_on_hand == 24
