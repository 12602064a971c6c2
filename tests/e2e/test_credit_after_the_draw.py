"""In Chromium: after the draw, sales repay it, the merchant repays early and pays a supplier from the line;
`flask ledger reconcile` agrees to the minor unit."""
from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from types import SimpleNamespace

from sqlalchemy import select

from financing.credit import lending, services
from financing.credit.models import Loan
from financing.ledger.models import Settlement
from financing.ledger.services import record_sale
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Order
from merchants.purchasing import services as purchasing
from merchants.purchasing.models import InvoicePaymentMethod, InvoiceStatus
from tests.credit_history import healthy_shop, write_sales
from tests.factories import make_product, make_shop


def _drawn_shop():
    shop = healthy_shop(name="Corner Grocery")
    services.refresh_offer(shop.id)
    loan = lending.draw(shop.owner_id, 50_000, accept_terms=True, signature_name="Wang Fang")
    return shop, loan


def _reconciles(runner) -> None:
    db.session.remove()
    result = runner.invoke(args=["ledger", "reconcile", "--no-provider"])
    assert result.exit_code == 0, result.output
    assert "loan book agree" in result.output


def test_settled_sales_withhold_the_agreed_share_and_an_early_repayment_reduces_what_is_owed(
        page, live_server, log_in, runner, screenshot):
    shop, loan = _drawn_shop()
    shop_id, loan_id, currency, owner = shop.id, loan.id, shop.currency, SimpleNamespace(email=shop.owner.email)
    # Two card sales completed two days ago, past the settlement delay: the settlement job settles them.
    ago = datetime.now(timezone.utc) - timedelta(days=2)
    before = set(db.session.execute(select(Order.id).where(Order.shop_id == shop_id)).scalars())
    write_sales(shop, days=1, per_day=2, amount=12_345, until=ago)
    for order in db.session.execute(select(Order).where(Order.shop_id == shop_id, Order.id.not_in(before))).scalars():
        record_sale(order.id, shop_id, Money(order.total_amount, currency))
    db.session.commit()
    assert runner.invoke(args=["ledger", "settle"]).exit_code == 0

    db.session.remove()
    settled = db.session.execute(select(Settlement.amount).where(Settlement.shop_id == shop_id)).scalars().all()
    loan = db.session.get(Loan, loan_id)
    rate = Decimal(loan.withhold_rate)
    assert len(settled) == 2
    withheld = sum(int((Decimal(a) * rate).to_integral_value(rounding=ROUND_DOWN)) for a in settled)
    assert withheld > 0 and loan.repaid_amount == withheld  # exactly the agreed share of each settlement
    owed = loan.outstanding_amount

    log_in(page, live_server, owner)
    page.goto(f"{live_server}/credit/")
    assert page.locator("#owed").inner_text() == str(Money(owed, currency))
    page.fill("#repay-amount", "100.00")
    page.click("#repay-submit")
    page.wait_for_selector(".flash-success")
    assert page.locator("#owed").inner_text() == str(Money(owed - 10_000, currency))
    screenshot(page, "credit-3-repaid-early")
    _reconciles(runner)


def test_a_merchant_pays_a_supplier_invoice_from_the_credit_line_in_the_browser(
        page, live_server, log_in, runner, screenshot):
    shop = healthy_shop(name="Corner Grocery")
    services.refresh_offer(shop.id)
    supplier = make_shop(kind="supplier", name="East Wholesale")
    rice = make_product(supplier, price=4800, stock=50)
    order = purchasing.create_purchase_order(shop.owner_id, supplier.id, [(rice.id, 10)])
    purchasing.submit_purchase_order(shop.owner_id, order.id)
    purchasing.confirm_purchase_order(supplier.owner_id, order.id)
    invoice_id = purchasing.load_order(order.id).invoice.id

    log_in(page, live_server, shop.owner)
    page.goto(f"{live_server}/purchasing/orders/{order.public_id}")
    page.click("#pay-with-credit")
    assert page.locator("[data-k=funds_provided]").inner_text() == "¥480.00"
    page.click("#accept_terms")
    page.click("#pay-invoice-submit")
    page.wait_for_selector(".flash-success")
    assert "East Wholesale" in page.locator(".flash-success").inner_text()
    screenshot(page, "credit-4-supplier-paid")

    db.session.remove()
    invoice = purchasing.load_invoice(invoice_id)
    assert invoice.status == InvoiceStatus.paid and invoice.payment_method == InvoicePaymentMethod.credit
    assert db.session.execute(select(Loan.purpose)).scalar() == "supplier_invoice"
    _reconciles(runner)
