"""Shops, products and stock movements."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, composite, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..ids import PublicIdMixin
from ..money import Money
from ..statemachine import utcnow


class ShopKind(StrEnum):
    retail = "retail"
    supplier = "supplier"  # sells wholesale to other merchants


class ProductStatus(StrEnum):
    active = "active"
    archived = "archived"


class StockReason(StrEnum):
    sale = "sale"
    cancel = "cancel"  # a sale undone: order rejected or cancelled
    return_ = "return"
    purchase_receipt = "purchase_receipt"
    adjustment = "adjustment"
    initial = "initial"


class AdjustmentReason(StrEnum):
    """Why a merchant changed stock by hand; stored with every adjustment movement."""

    counted = "counted"  # a stock count found a different number
    damaged = "damaged"
    expired = "expired"
    lost = "lost"  # missing, stolen
    found = "found"
    correction = "correction"  # a mistake in an earlier entry, put right by a new movement


class Shop(PublicIdMixin, db.Model):
    __tablename__ = "shops"
    __table_args__ = (
        Index("ix_shops_location", "latitude", "longitude"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )
    id_prefix = "shop"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ShopKind] = mapped_column(Enum(ShopKind, native_enum=False, length=20), default=ShopKind.retail)
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    delivery_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    delivery_radius_km: Mapped[float] = mapped_column(Float, default=3.0)
    delivery_fee_amount: Mapped[int] = mapped_column(Integer, default=0)
    minimum_order_amount: Mapped[int] = mapped_column(Integer, default=0)
    pickup_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"mon": [["08:00", "20:00"]], ...}; a missing or empty day means closed that day.
    opening_hours: Mapped[dict] = mapped_column(JSON, default=dict)
    logo_path: Mapped[str | None] = mapped_column(String(255))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # the owner's switch: trading or not
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship()
    delivery_fee = composite(Money, delivery_fee_amount, currency)
    minimum_order = composite(Money, minimum_order_amount, currency)


class Product(PublicIdMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("shop_id", "sku"),
        CheckConstraint("stock_on_hand >= 0", name="stock_not_negative"),
        CheckConstraint("price_amount >= 0", name="price_not_negative"),
        Index("ix_products_shop_status", "shop_id", "status"),
    )
    id_prefix = "prd"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160), default="")  # second-language name for search
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="piece")
    price_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    stock_on_hand: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=0)
    photo_path: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ProductStatus] = mapped_column(
        Enum(ProductStatus, native_enum=False, length=20), default=ProductStatus.active
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship()
    price = composite(Money, price_amount, currency)


class StockMovement(db.Model):
    """One change of a product's stock. Never edited; on_hand is kept equal to the sum of these."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_product_time", "product_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)  # signed: + into stock, - out of stock
    balance_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[StockReason] = mapped_column(Enum(StockReason, native_enum=False, length=20))
    # Only for reason=adjustment: why the merchant changed the count.
    adjustment_reason: Mapped[AdjustmentReason | None] = mapped_column(
        Enum(AdjustmentReason, native_enum=False, length=20))
    note: Mapped[str] = mapped_column(String(255), default="")
    reference: Mapped[str | None] = mapped_column(String(64), index=True)  # ord_..., po_...
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship()


def _guard_movements() -> None:
    from .ddl import listen_for_schema

    listen_for_schema(StockMovement.__table__)


_guard_movements()
