"""Purchasing pages through the test client: each side sees its steps, others get 404, bad input a message."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from merchants.purchasing import services as purchasing
from merchants.purchasing.models import PurchaseOrderStatus
from tests.factories import PASSWORD, make_product, make_shop, make_user


def _login(client, user):
    client.post("/account/logout")
    resp = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302


@pytest.fixture
def world(app, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    supplier = make_shop(kind="supplier", name="East Wholesale")
    rice = make_product(supplier, sku="W-RICE", name="Rice 10 kg", price=5000, stock=100)
    purchasing.set_wholesale_terms(supplier.owner_id, rice.id, min_order_quantity=2, tiers=[(10, 4800)])
    shop = make_shop(name="Corner Grocery")
    return {"supplier": supplier, "rice": rice, "shop": shop,
            "buyer": db.session.get(User, shop.owner_id), "seller": db.session.get(User, supplier.owner_id)}


def test_a_merchant_orders_from_a_catalogue_page_and_the_supplier_confirms_and_ships(client, world):
    _login(client, world["buyer"])
    page = client.get("/purchasing/suppliers").get_data(as_text=True)
    assert "East Wholesale" in page
    page = client.get(f"/purchasing/suppliers/{world['supplier'].public_id}").get_data(as_text=True)
    assert "Rice 10 kg" in page and "¥48.00" in page
    resp = client.post(f"/purchasing/suppliers/products/{world['rice'].public_id}/add", data={"quantity": "12"})
    assert resp.status_code == 302
    po = purchasing.open_draft(world["shop"].id, world["supplier"].id)
    assert po.lines[0].quantity == 12
    line = po.lines[0].id
    resp = client.post(f"/purchasing/orders/{po.public_id}/update",
                       data={f"qty-{line}": "15", "payment_terms": "net_30", "note": "", "then": "submit"})
    assert resp.status_code == 302
    db.session.expire_all()
    po = purchasing.load_order(po.public_id)
    assert po.status == PurchaseOrderStatus.submitted and po.lines[0].quantity == 15

    _login(client, world["seller"])
    assert po.public_id in client.get("/purchasing/incoming").get_data(as_text=True)
    client.post(f"/purchasing/orders/{po.public_id}/confirm")
    client.post(f"/purchasing/orders/{po.public_id}/ship")
    db.session.expire_all()
    assert purchasing.load_order(po.public_id).status == PurchaseOrderStatus.shipped

    _login(client, world["buyer"])
    resp = client.post(f"/purchasing/orders/{po.public_id}/receive", data={f"recv-{line}": "5", f"into-{line}": ""})
    assert resp.status_code == 302
    db.session.expire_all()
    po = purchasing.load_order(po.public_id)
    assert po.status == PurchaseOrderStatus.partially_received and po.lines[0].received_quantity == 5
    page = client.get(f"/purchasing/orders/{po.public_id}").get_data(as_text=True)
    assert "Delivery counted in" in page and "Invoice" in page


def test_a_bad_quantity_on_a_page_is_a_message_and_changes_nothing(client, world):
    _login(client, world["buyer"])
    resp = client.post(f"/purchasing/suppliers/products/{world['rice'].public_id}/add", data={"quantity": "1"},
                       follow_redirects=True)
    assert "minimum order is 2" in resp.get_data(as_text=True)
    resp = client.post(f"/purchasing/suppliers/products/{world['rice'].public_id}/add", data={"quantity": "-4"},
                       follow_redirects=True)
    assert "whole number of at least 1" in resp.get_data(as_text=True)
    assert purchasing.open_draft(world["shop"].id, world["supplier"].id) is None


def test_other_merchants_and_residents_cannot_see_or_act_on_an_order(client, world):
    po = purchasing.create_purchase_order(world["buyer"].id, world["supplier"].id, [(world["rice"].id, 2)])
    purchasing.submit_purchase_order(world["buyer"].id, po.id)
    make_shop(owner=(other := make_user("merchant")))
    _login(client, other)
    assert client.get(f"/purchasing/orders/{po.public_id}").status_code == 404
    for verb in ("submit", "cancel", "confirm", "ship", "receive"):
        assert client.post(f"/purchasing/orders/{po.public_id}/{verb}").status_code == 404, verb
    assert purchasing.load_order(po.id).status == PurchaseOrderStatus.submitted
    _login(client, make_user("resident"))
    assert client.get("/purchasing/").status_code == 403
    assert client.get(f"/purchasing/orders/{po.public_id}").status_code == 403


def test_the_supplier_sets_tiers_in_its_catalogue_page(client, world):
    _login(client, world["seller"])
    assert "Rice 10 kg" in client.get("/purchasing/catalogue").get_data(as_text=True)
    client.post(f"/purchasing/catalogue/{world['rice'].public_id}/terms",
                data={"min_order_quantity": "3", "lead_time_days": "2", "tiers": "10:47.50, 40:45"})
    offer = purchasing.offers_for([world["rice"].id])[world["rice"].id]
    assert offer.min_order_quantity == 3 and [(q, m.amount) for q, m in offer.tiers] == [(1, 5000), (10, 4750), (40, 4500)]
    resp = client.post(f"/purchasing/catalogue/{world['rice'].public_id}/terms",
                       data={"min_order_quantity": "3", "lead_time_days": "2", "tiers": "ten:47"}, follow_redirects=True)
    assert "quantity:price" in resp.get_data(as_text=True)


def test_a_chinese_browser_gets_the_purchasing_pages_in_chinese(client, world):
    _login(client, world["buyer"])
    html = client.get("/purchasing/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "采购单" in html and "查找供应商" in html and "Purchase orders" not in html


def test_the_dashboard_panel_flags_an_overdue_invoice_and_is_silent_when_there_is_nothing(app, world):
    from datetime import timedelta

    from merchants.purchasing.panels import purchasing_panel

    assert purchasing_panel(world["shop"]) is None
    po = purchasing.create_purchase_order(world["buyer"].id, world["supplier"].id, [(world["rice"].id, 2)])
    purchasing.submit_purchase_order(world["buyer"].id, po.id)
    purchasing.confirm_purchase_order(world["seller"].id, po.id)
    invoice = purchasing.load_order(po.id).invoice
    invoice.due_at = invoice.due_at - timedelta(days=30)
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = str(purchasing_panel(world["shop"]))
    assert "1 supplier invoice(s) overdue" in html and "¥100.00" in html
