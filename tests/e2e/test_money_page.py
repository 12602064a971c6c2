"""In Chromium on a phone: a merchant reads what it is owed and why, filters its lines and adds its bank account."""
from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.integration.money.test_payouts_and_statement import settled_card_sale



def test_a_merchant_sees_its_balance_line_by_line_and_adds_a_bank_account(page, live_server, log_in, screenshot):
    order = settled_card_sale(12000)
    settled_card_sale(3000, shop=order.shop)
    owner = db.session.get(User, order.shop.owner_id)

    log_in(page, live_server, owner)
    page.goto(f"{live_server}/merchant/money/?lang=en")
    assert page.locator("#available").inner_text() == "¥149.10"  # 120.00 + 30.00 less 0.6% commission
    assert page.locator("#pending").inner_text() == "¥0.00"
    assert page.locator("#transactions li").count() == 6
    screenshot(page, "money-1-balance")

    page.select_option("select[name=type]", "commission")
    page.click("#filters button[type=submit]")
    assert page.locator("#transactions li").count() == 2

    page.fill("input[name=holder_name]", "Wang Xiaoming")
    page.fill("input[name=bank_name]", "Taizhou Bank")
    page.fill("input[name=account_number]", "6230 1234 5678 9012")
    page.click("#bank-form button[type=submit]")
    assert "•••• 9012" in page.locator("#bank").inner_text()
    screenshot(page, "money-2-bank-account")
