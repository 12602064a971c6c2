"""The merchant dashboard's money panel: what is available and what is pending, linking to the money page."""
import re

from marketplace.extensions import db
from marketplace.orders.models import Payment, PaymentMethod
from marketplace.payments import services as payments
from tests.factories import PASSWORD

from .orders import make_order
from .test_payouts_and_statement import settled_card_sale


def _panel(client, owner):
    client.post("/account/login", data={"email": owner.email, "password": PASSWORD})
    html = client.get("/merchant/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    panel = re.search(r'<section class="card" id="money-panel">.*?</section>', html, re.S)
    assert panel, "no money panel on the dashboard"
    return panel.group(0)


def _figure(panel, name):
    return re.search(rf'id="money-panel-{name}">([^<]*)<', panel).group(1)


def test_the_dashboard_shows_what_is_available_and_pending_and_links_to_the_money_page(app, client):
    settled = settled_card_sale(10000)  # settled: 100.00 less 0.60 commission
    fresh = make_order(settled.shop, total=5000)  # paid, not settled yet: 50.00 less 0.30
    payment = Payment(order=fresh, method=PaymentMethod.card, amount=5000, currency="CNY")
    db.session.add(payment)
    db.session.flush()
    payments._paid(fresh, payment)
    db.session.commit()

    panel = _panel(client, settled.shop.owner)
    assert _figure(panel, "available") == "¥99.40"
    assert _figure(panel, "pending") == "¥49.70"
    assert 'href="/merchant/money/"' in panel


def test_a_new_shop_sees_nothing_owed_yet(app, client):
    from tests.factories import make_shop

    shop = make_shop()
    panel = _panel(client, shop.owner)
    assert (_figure(panel, "available"), _figure(panel, "pending")) == ("¥0.00", "¥0.00")
