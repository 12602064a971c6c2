"""A shop open all week with a few products, and a resident near it."""
from types import SimpleNamespace

import pytest

from tests.factories import NEARBY, make_product, make_shop, make_user


@pytest.fixture
def town(app):
    merchant = make_user("merchant")
    shop = make_shop(merchant, name="Corner Grocer", delivery_radius_km=3.0, delivery_fee_amount=500,
                     minimum_order_amount=2000)
    eggs = make_product(shop, name="Eggs", price=1250, stock=5)
    milk = make_product(shop, name="Milk", price=800, stock=3)
    resident = make_user("resident")
    return SimpleNamespace(merchant=merchant, shop=shop, eggs=eggs, milk=milk, resident=resident,
                           home=NEARBY)
