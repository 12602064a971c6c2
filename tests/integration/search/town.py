"""A small town for the search behaviour suite: shops at known distances from CENTRE, with known words."""
from __future__ import annotations

from dataclasses import dataclass

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.search.geo import KM_PER_DEGREE
from tests.factories import make_product, make_shop, make_user

CENTRE = (28.656, 121.421)
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def north_of_centre(km: float) -> tuple[float, float]:
    return CENTRE[0] + km / KM_PER_DEGREE, CENTRE[1]


@dataclass
class Town:
    shops: dict
    products: dict


def build_town() -> Town:
    """
    fruit_shop  王记水果店   0.3 km, open, delivers 3 km: 红富士苹果 Fuji apples 8.99, 香蕉 Bananas 5.99,
                             旧苹果 (archived)
    bakery      Fresh Bakery 面包坊  1.0 km, no opening hours (closed), delivers 0.5 km:
                             全麦面包 Wholemeal bread 12.00, 苹果派 Apple pie 15.00
    corner      街角水果     2.0 km, owner switched it off: 青苹果 Green apples 5.00
    far_market  远方超市     5.0 km, grocery, open: 苹果汁 Apple juice 7.00
    wholesaler  批发苹果行   0 km, a supplier: 批发苹果 Wholesale apples 3.00 (never shown to residents)
    """
    shops, products = {}, {}
    owner = make_user("merchant")  # one owner for the retail shops: each account costs a password hash
    shops["fruit_shop"] = make_shop(owner, name="王记水果店", category="fruit", opening_hours=ALL_DAY,
                                    delivery_radius_km=3.0, lat=north_of_centre(0.3)[0], lon=CENTRE[1])
    products["fuji"] = make_product(shops["fruit_shop"], name="红富士苹果", name_en="Fuji apples", price=899)
    products["banana"] = make_product(shops["fruit_shop"], name="香蕉", name_en="Bananas", price=599)
    products["old_apple"] = make_product(shops["fruit_shop"], name="旧苹果", name_en="Old apples", price=100)
    products["old_apple"].status = ProductStatus.archived
    db.session.commit()

    shops["bakery"] = make_shop(owner, name="Fresh Bakery 面包坊", category="bakery", opening_hours={},
                                delivery_radius_km=0.5, lat=north_of_centre(1.0)[0], lon=CENTRE[1])
    products["bread"] = make_product(shops["bakery"], name="全麦面包", name_en="Wholemeal bread", price=1200)
    products["pie"] = make_product(shops["bakery"], name="苹果派", name_en="Apple pie", price=1500,
                                   category="bakery")

    shops["corner"] = make_shop(owner, name="街角水果", category="fruit", opening_hours=ALL_DAY, is_open=False,
                                lat=north_of_centre(2.0)[0], lon=CENTRE[1])
    products["green"] = make_product(shops["corner"], name="青苹果", name_en="Green apples", price=500)

    shops["far_market"] = make_shop(owner, name="远方超市", category="grocery", opening_hours=ALL_DAY,
                                    lat=north_of_centre(5.0)[0], lon=CENTRE[1])
    products["juice"] = make_product(shops["far_market"], name="苹果汁", name_en="Apple juice", price=700)

    shops["wholesaler"] = make_shop(kind="supplier", name="批发苹果行", category="fruit", opening_hours=ALL_DAY)
    products["wholesale"] = make_product(shops["wholesaler"], name="批发苹果", name_en="Wholesale apples", price=300)
    return Town(shops, products)
