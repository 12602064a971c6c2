"""Orders, their lines, payments and refunds, each status moved only through its transition table."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, composite, mapped_column, relationship

from ..accounts.models import User
from ..catalog.models import Product, Shop
from ..extensions import db
from ..ids import PublicIdMixin
from ..money import Money
from ..statemachine import StateMachineMixin, utcnow


class OrderStatus(StrEnum):
    placed = "placed"
    accepted = "accepted"
    ready = "ready"  # waiting for pickup
    out_for_delivery = "out_for_delivery"
    completed = "completed"
    rejected = "rejected"
    cancelled = "cancelled"


class Fulfilment(StrEnum):
    pickup = "pickup"
    delivery = "delivery"


class PaymentMethod(StrEnum):
    card = "card"
    cash = "cash"


class PaymentStatus(StrEnum):
    pending = "pending"  # cash not yet handed over, or card awaiting confirmation
    requires_action = "requires_action"  # e.g. 3-D Secure
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class Order(PublicIdMixin, StateMachineMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_shop_status", "shop_id", "status"),
        Index("ix_orders_shop_placed", "shop_id", "placed_at"),
        CheckConstraint("total_amount >= 0", name="total_not_negative"),
        # A retried checkout (same resident, same key) finds the order the first attempt made.
        UniqueConstraint("resident_id", "checkout_key", name="uq_orders_resident_checkout_key"),
    )
    id_prefix = "ord"

    TRANSITIONS = {
        OrderStatus.placed: frozenset({OrderStatus.accepted, OrderStatus.rejected, OrderStatus.cancelled}),
        OrderStatus.accepted: frozenset({OrderStatus.ready, OrderStatus.out_for_delivery}),
        OrderStatus.ready: frozenset({OrderStatus.completed}),
        OrderStatus.out_for_delivery: frozenset({OrderStatus.completed}),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=20), default=OrderStatus.placed
    )
    fulfilment: Mapped[Fulfilment] = mapped_column(Enum(Fulfilment, native_enum=False, length=20))
    payment_method: Mapped[PaymentMethod] = mapped_column(Enum(PaymentMethod, native_enum=False, length=20))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_amount: Mapped[int] = mapped_column(Integer)
    delivery_fee_amount: Mapped[int] = mapped_column(Integer, default=0)
    total_amount: Mapped[int] = mapped_column(Integer)
    delivery_address: Mapped[str | None] = mapped_column(String(255))
    delivery_latitude: Mapped[float | None] = mapped_column(Float)
    delivery_longitude: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")
    reject_reason: Mapped[str | None] = mapped_column(String(255))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    out_for_delivery_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkout_key: Mapped[str | None] = mapped_column(String(255))
    # Optimistic locking: every UPDATE checks the version it read, so two people acting on one order
    # at once (the merchant accepting while the resident cancels) cannot both win.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    resident: Mapped[User] = relationship()
    shop: Mapped[Shop] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", cascade="all, delete-orphan")
    payments: Mapped[list["Payment"]] = relationship(back_populates="order")

    subtotal = composite(Money, subtotal_amount, currency)
    delivery_fee = composite(Money, delivery_fee_amount, currency)
    total = composite(Money, total_amount, currency)

    def accept(self) -> None:
        self._move_to(OrderStatus.accepted)

    def reject(self, reason: str) -> None:
        self._move_to(OrderStatus.rejected)
        self.reject_reason = reason

    def cancel(self) -> None:
        self._move_to(OrderStatus.cancelled)

    def mark_ready(self) -> None:
        """Ready for the resident to collect, or handed to the courier, by fulfilment."""
        nxt = OrderStatus.ready if self.fulfilment == Fulfilment.pickup else OrderStatus.out_for_delivery
        self._move_to(nxt)

    def complete(self) -> None:
        self._move_to(OrderStatus.completed)

    @property
    def is_open(self) -> bool:
        """Still moving towards completion (not finished, rejected or cancelled)."""
        return self.status in (OrderStatus.placed, OrderStatus.accepted, OrderStatus.ready,
                               OrderStatus.out_for_delivery)

    @property
    def awaiting_card_payment(self) -> bool:
        """To be paid by card and not paid yet: the bank's check is pending, or the attempt failed.
        The shop does not see such an order to act on until it is paid."""
        return self.payment_method == PaymentMethod.card and not any(
            p.status == PaymentStatus.succeeded for p in self.payments)

    @property
    def payment(self) -> "Payment | None":
        """The latest payment attempt, the one that counts."""
        return max(self.payments, key=lambda p: p.id) if self.payments else None


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))  # as it was when ordered
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_amount: Mapped[int] = mapped_column(Integer)
    line_total_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    unit_price = composite(Money, unit_price_amount, currency)
    line_total = composite(Money, line_total_amount, currency)


class Payment(PublicIdMixin, StateMachineMixin, db.Model):
    """One attempt to collect an order's total, by card through the provider or in cash."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_within_amount"),
    )
    id_prefix = "pay"

    TRANSITIONS = {
        PaymentStatus.pending: frozenset(
            {PaymentStatus.requires_action, PaymentStatus.succeeded, PaymentStatus.failed, PaymentStatus.cancelled}
        ),
        PaymentStatus.requires_action: frozenset(
            {PaymentStatus.succeeded, PaymentStatus.failed, PaymentStatus.cancelled}
        ),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(Enum(PaymentMethod, native_enum=False, length=20))
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=20), default=PaymentStatus.pending
    )
    amount: Mapped[int] = mapped_column(Integer)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # pi_...
    failure_message: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order: Mapped[Order] = relationship(back_populates="payments")
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def refundable(self) -> Money:
        if self.status != PaymentStatus.succeeded:
            return Money.zero(self.currency)
        return Money(self.amount - self.refunded_amount, self.currency)

    def require_action(self) -> None:
        self._move_to(PaymentStatus.requires_action)

    def succeed(self) -> None:
        self._move_to(PaymentStatus.succeeded)

    def fail(self, message: str) -> None:
        self._move_to(PaymentStatus.failed)
        self.failure_message = message[:255]

    def cancel(self) -> None:
        self._move_to(PaymentStatus.cancelled)


class Refund(PublicIdMixin, db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id_prefix = "re"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # re_...
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class Review(PublicIdMixin, db.Model):
    """One rating (1 to 5) and review per completed order, shown on the shop's page."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_reviews_shop", "shop_id", "id"),
    )
    id_prefix = "rev"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship()
    resident: Mapped[User] = relationship()
