"""Nobody but a shop's owner sees or changes its back office: every route, as a stranger and as a resident."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement
from marketplace.extensions import db
from tests.factories import PASSWORD, make_product, make_shop, make_user


def _routes(app):
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("backoffice.")
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def _fill(rule: str, product) -> str:
    return rule.replace("<product_id>", product.public_id).replace("<fmt>", "png")


@pytest.fixture
def victim(app):
    shop = make_shop(name="Victim's shop")
    return make_product(shop, stock=5)


@pytest.mark.parametrize("role", ["merchant", "resident", "anonymous"])
def test_every_back_office_route_refuses_anyone_but_the_owner(app, client, victim, role):
    if role != "anonymous":
        user = make_user(role)
        if role == "merchant":
            make_shop(user, name="Stranger's shop")
        client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    routes = _routes(app)
    assert len(routes) >= 14
    for rule, method in routes:
        url = _fill(rule, victim)
        resp = client.open(url, method=method, data={"quantity": "-5", "reason": "lost", "counted": "0",
                                                     "name": "Hacked", "sku": "HACK", "price": "0.01",
                                                     f"price-{victim.public_id}": "0.01",
                                                     f"was-price-{victim.public_id}": "10.00"})
        body = resp.get_data().decode("utf-8", "replace")
        if role == "anonymous":
            assert resp.status_code == 302 and "/account/login" in resp.headers["Location"], (method, url)
        elif role == "resident":
            assert resp.status_code == 403, (method, url, resp.status_code)
        else:
            # A stranger reaches only their own shop's pages: the victim's product is never found,
            # and the victim's name never shows.
            assert resp.status_code in (200, 302, 400, 404), (method, url, resp.status_code)
            assert "Victim" not in body, (method, url)
            if "<product_id>" in rule:
                assert resp.status_code == 404, (method, url, resp.status_code)
    db.session.expire_all()
    product = db.session.get(Product, victim.id)
    assert (product.name, product.price_amount, product.stock_on_hand) == (victim.name, 1000, 5)
    assert db.session.execute(select(func.count()).select_from(StockMovement)).scalar() == 1
