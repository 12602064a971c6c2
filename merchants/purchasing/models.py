"""Wholesale terms, purchase orders and their receipts, and the supplier invoices they raise."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint, DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, composite, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, Shop
from marketplace.extensions import db
from marketplace.ids import PublicIdMixin
from marketplace.money import Money
from marketplace.statemachine import StateMachineMixin, utcnow


class WholesaleTerms(db.Model):
    """How a supplier sells one of its products to merchants: minimum order and lead time."""

    __tablename__ = "wholesale_terms"
    __table_args__ = (
        CheckConstraint("min_order_quantity >= 1", name="moq_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), unique=True)
    min_order_quantity: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=1)

    product: Mapped[Product] = relationship()


class PriceTier(db.Model):
    """A lower unit price from a quantity up; below the first tier the product's own price applies."""

    __tablename__ = "price_tiers"
    __table_args__ = (
        UniqueConstraint("product_id", "min_quantity"),
        CheckConstraint("min_quantity >= 2", name="tier_quantity_above_one"),
        CheckConstraint("unit_price_amount >= 0", name="tier_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[int] = mapped_column(Integer)
    unit_price_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))

    unit_price = composite(Money, unit_price_amount, currency)


class ProductLink(db.Model):
    """Which of a buyer's products a supplier's product goes into on receipt: asked once, then remembered."""

    __tablename__ = "purchase_product_links"
    __table_args__ = (UniqueConstraint("buyer_shop_id", "supplier_product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    supplier_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    buyer_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PurchaseOrderStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    confirmed = "confirmed"  # the supplier has taken the goods out of its stock for this order
    rejected = "rejected"
    shipped = "shipped"
    partially_received = "partially_received"
    received = "received"
    closed = "closed"  # received in full and paid
    cancelled = "cancelled"


class PaymentTerms(StrEnum):
    now = "now"
    net_7 = "net_7"
    net_30 = "net_30"

    @property
    def days(self) -> int:
        """Days from the invoice to its due date; "now" still leaves the rest of a day to pay."""
        return {"now": 1, "net_7": 7, "net_30": 30}[self.value]


OPEN_STATUSES = (
    PurchaseOrderStatus.submitted, PurchaseOrderStatus.confirmed, PurchaseOrderStatus.shipped,
    PurchaseOrderStatus.partially_received,
)


class PurchaseOrder(PublicIdMixin, StateMachineMixin, db.Model):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        Index("ix_purchase_orders_buyer_status", "buyer_shop_id", "status"),
        Index("ix_purchase_orders_supplier_status", "supplier_shop_id", "status"),
        CheckConstraint("total_amount >= 0", name="po_total_not_negative"),
        CheckConstraint("buyer_shop_id <> supplier_shop_id", name="po_not_to_itself"),
    )
    id_prefix = "po"

    TRANSITIONS = {
        PurchaseOrderStatus.draft: frozenset({PurchaseOrderStatus.submitted, PurchaseOrderStatus.cancelled}),
        PurchaseOrderStatus.submitted: frozenset(
            {PurchaseOrderStatus.confirmed, PurchaseOrderStatus.rejected, PurchaseOrderStatus.cancelled}
        ),
        PurchaseOrderStatus.confirmed: frozenset({PurchaseOrderStatus.shipped, PurchaseOrderStatus.cancelled}),
        PurchaseOrderStatus.shipped: frozenset(
            {PurchaseOrderStatus.partially_received, PurchaseOrderStatus.received}
        ),
        PurchaseOrderStatus.partially_received: frozenset({PurchaseOrderStatus.received}),
        PurchaseOrderStatus.received: frozenset({PurchaseOrderStatus.closed}),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    supplier_shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[PurchaseOrderStatus] = mapped_column(
        Enum(PurchaseOrderStatus, native_enum=False, length=20), default=PurchaseOrderStatus.draft
    )
    payment_terms: Mapped[PaymentTerms] = mapped_column(
        Enum(PaymentTerms, native_enum=False, length=10), default=PaymentTerms.net_7
    )
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
    reject_reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the last unit arrived
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # from the lead times

    buyer_shop: Mapped[Shop] = relationship(foreign_keys=[buyer_shop_id])
    supplier_shop: Mapped[Shop] = relationship(foreign_keys=[supplier_shop_id])
    created_by: Mapped[User] = relationship()
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="PurchaseOrderLine.id"
    )
    receipts: Mapped[list["PurchaseReceipt"]] = relationship(
        back_populates="order", order_by="PurchaseReceipt.id"
    )
    invoice: Mapped["SupplierInvoice | None"] = relationship(back_populates="order", uselist=False)

    total = composite(Money, total_amount, currency)

    @property
    def is_fully_received(self) -> bool:
        return all(line.received_quantity >= line.quantity for line in self.lines)

    @property
    def events(self) -> list[tuple[str, datetime]]:
        """Each step this order has taken, oldest first, for both sides to see."""
        steps = [("created", self.created_at)]
        for status in ("submitted", "confirmed", "rejected", "shipped"):
            at = getattr(self, f"{status}_at")
            if at:
                steps.append((status, at))
        for receipt in self.receipts:
            steps.append(("receipt", receipt.created_at))
        for status in ("received", "closed", "cancelled"):
            at = getattr(self, f"{status}_at")
            if at:
                steps.append((status, at))
        return steps

    def submit(self, at: datetime | None = None) -> None:
        self._move_to(PurchaseOrderStatus.submitted, at=at)

    def confirm(self, at: datetime | None = None) -> None:
        self._move_to(PurchaseOrderStatus.confirmed, at=at)

    def reject(self, reason: str) -> None:
        self._move_to(PurchaseOrderStatus.rejected)
        self.reject_reason = reason

    def ship(self, at: datetime | None = None) -> None:
        self._move_to(PurchaseOrderStatus.shipped, at=at)

    def cancel(self) -> None:
        self._move_to(PurchaseOrderStatus.cancelled)

    def record_receipt(self) -> None:
        """After a receipt's quantities are added to the lines: part or all of the order is in."""
        if self.is_fully_received:
            self._move_to(PurchaseOrderStatus.received)
        elif self.status != PurchaseOrderStatus.partially_received:
            self._move_to(PurchaseOrderStatus.partially_received)

    def close(self) -> None:
        self._move_to(PurchaseOrderStatus.closed)


class PurchaseOrderLine(db.Model):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "supplier_product_id"),
        CheckConstraint("quantity > 0", name="po_quantity_positive"),
        CheckConstraint("received_quantity >= 0 AND received_quantity <= quantity", name="received_within_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True)
    supplier_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    buyer_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))  # the supplier's, as it was when ordered
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(20), default="piece")
    quantity: Mapped[int] = mapped_column(Integer)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)
    unit_price_amount: Mapped[int] = mapped_column(Integer)
    line_total_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    supplier_product: Mapped[Product] = relationship(foreign_keys=[supplier_product_id])
    buyer_product: Mapped[Product | None] = relationship(foreign_keys=[buyer_product_id])
    unit_price = composite(Money, unit_price_amount, currency)
    line_total = composite(Money, line_total_amount, currency)

    @property
    def outstanding_quantity(self) -> int:
        return self.quantity - self.received_quantity


class PurchaseReceipt(db.Model):
    """One delivery counted in by the buyer; an order may arrive in several."""

    __tablename__ = "purchase_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[PurchaseOrder] = relationship(back_populates="receipts")
    lines: Mapped[list["PurchaseReceiptLine"]] = relationship(back_populates="receipt", cascade="all, delete-orphan")


class PurchaseReceiptLine(db.Model):
    __tablename__ = "purchase_receipt_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="receipt_quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("purchase_receipts.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"), index=True)
    buyer_product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    receipt: Mapped[PurchaseReceipt] = relationship(back_populates="lines")
    order_line: Mapped[PurchaseOrderLine] = relationship()


class InvoiceStatus(StrEnum):
    open = "open"
    paid = "paid"
    void = "void"  # the order was cancelled before anything was paid


class InvoicePaymentMethod(StrEnum):
    card = "card"
    balance = "balance"
    credit = "credit"  # drawn on the merchant's credit line


class SupplierInvoice(PublicIdMixin, StateMachineMixin, db.Model):
    """What a buyer owes a supplier for a confirmed purchase order, due by its terms."""

    __tablename__ = "supplier_invoices"
    __table_args__ = (
        Index("ix_supplier_invoices_buyer_status", "buyer_shop_id", "status"),
        Index("ix_supplier_invoices_supplier_status", "supplier_shop_id", "status"),
        CheckConstraint("amount >= 0", name="invoice_amount_not_negative"),
    )
    id_prefix = "inv"

    TRANSITIONS = {
        InvoiceStatus.open: frozenset({InvoiceStatus.paid, InvoiceStatus.void}),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), unique=True)
    buyer_shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    supplier_shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    status: Mapped[InvoiceStatus] = mapped_column(
        Enum(InvoiceStatus, native_enum=False, length=10), default=InvoiceStatus.open
    )
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    terms: Mapped[PaymentTerms] = mapped_column(Enum(PaymentTerms, native_enum=False, length=10))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_method: Mapped[InvoicePaymentMethod | None] = mapped_column(
        Enum(InvoicePaymentMethod, native_enum=False, length=10)
    )
    # The payment provider's id (pi_...) for a card, or the ledger entry's id, or the credit draw's.
    payment_reference: Mapped[str | None] = mapped_column(String(64))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[PurchaseOrder] = relationship(back_populates="invoice")
    buyer_shop: Mapped[Shop] = relationship(foreign_keys=[buyer_shop_id])
    supplier_shop: Mapped[Shop] = relationship(foreign_keys=[supplier_shop_id])
    money = composite(Money, amount, currency)

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status == InvoiceStatus.open and _aware(self.due_at) < (now or utcnow())

    @property
    def paid_on_time(self) -> bool | None:
        if self.status != InvoiceStatus.paid or self.paid_at is None:
            return None
        return _aware(self.paid_at) <= _aware(self.due_at)

    def mark_paid(self, method: InvoicePaymentMethod, reference: str | None, user_id: int | None,
                  at: datetime | None = None) -> None:
        self._move_to(InvoiceStatus.paid, at=at)
        self.payment_method = method
        self.payment_reference = reference
        self.paid_by_id = user_id

    def void(self) -> None:
        self._move_to(InvoiceStatus.void)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
