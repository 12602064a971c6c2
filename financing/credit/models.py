"""Credit tables: policy versions, decisions, offers, lines, contracts, loans (draws) and repayments.

The lender console reads these; docs/credit.md describes each table.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, composite, mapped_column, relationship

from marketplace.catalog.models import Shop
from marketplace.extensions import db
from marketplace.ids import PublicIdMixin
from marketplace.money import Money
from marketplace.statemachine import StateMachineMixin, utcnow


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    from datetime import timezone

    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class CreditPolicyVersion(db.Model):
    """One version of the credit policy's parameters. The newest row is the policy in force; lenders
    change the policy by adding a version, never by editing one (decisions point at their version)."""

    __tablename__ = "credit_policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    params: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreditDecision(PublicIdMixin, db.Model):
    """Every underwriting decision, approved or not, with everything needed to explain it later."""

    __tablename__ = "credit_decisions"
    __table_args__ = (Index("ix_credit_decisions_shop_created", "shop_id", "created_at"),)
    id_prefix = "dec"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the history cut-off
    features: Mapped[dict] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    probability_of_default: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(1))
    points: Mapped[dict] = mapped_column(JSON)  # feature -> points, the scorecard's working
    eligible: Mapped[bool] = mapped_column(Boolean)
    limit_amount: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    fee_rate: Mapped[str | None] = mapped_column(String(12))  # Decimal as text
    withhold_rate: Mapped[str | None] = mapped_column(String(12))
    # [{"code", "message", "remedy"}]: up to four principal reasons for a decline, or limiting factors.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    shop: Mapped[Shop] = relationship()
    limit = composite(Money, limit_amount, currency)


class OfferStatus(StrEnum):
    active = "active"
    accepted = "accepted"
    expired = "expired"
    superseded = "superseded"  # a newer decision replaced it before it was taken


class CreditOffer(PublicIdMixin, StateMachineMixin, db.Model):
    """A pre-approved line the merchant can take, valid until `expires_at`."""

    __tablename__ = "credit_offers"
    __table_args__ = (
        Index("ix_credit_offers_shop_status", "shop_id", "status"),
        CheckConstraint("limit_amount > 0", name="offer_limit_positive"),
    )
    id_prefix = "offer"

    TRANSITIONS = {
        OfferStatus.active: frozenset({OfferStatus.accepted, OfferStatus.expired, OfferStatus.superseded}),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("credit_decisions.id"))
    status: Mapped[OfferStatus] = mapped_column(Enum(OfferStatus, native_enum=False, length=20),
                                                default=OfferStatus.active)
    limit_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    grade: Mapped[str] = mapped_column(String(1))
    fee_rate: Mapped[str] = mapped_column(String(12))
    withhold_rate: Mapped[str] = mapped_column(String(12))
    max_term_days: Mapped[int] = mapped_column(Integer)
    minimum_period_days: Mapped[int] = mapped_column(Integer)
    minimum_period_share: Mapped[str] = mapped_column(String(12))
    estimated_daily_sales: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    shop: Mapped[Shop] = relationship()
    decision: Mapped[CreditDecision] = relationship()
    limit = composite(Money, limit_amount, currency)

    def accept(self) -> None:
        self._move_to(OfferStatus.accepted)

    def expire(self) -> None:
        self._move_to(OfferStatus.expired)

    def supersede(self) -> None:
        self._move_to(OfferStatus.superseded)


class LineStatus(StrEnum):
    open = "open"
    frozen = "frozen"  # no new draws (early warning, delinquency); repayments go on
    closed = "closed"  # replaced by a newer line; its loans run to the end


class CreditLine(PublicIdMixin, StateMachineMixin, db.Model):
    """The merchant's accepted line: draw any time up to the undrawn limit while it is open."""

    __tablename__ = "credit_lines"
    __table_args__ = (Index("ix_credit_lines_shop_status", "shop_id", "status"),)
    id_prefix = "line"

    TRANSITIONS = {
        LineStatus.open: frozenset({LineStatus.frozen, LineStatus.closed}),
        LineStatus.frozen: frozenset({LineStatus.open, LineStatus.closed}),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("credit_offers.id"), unique=True)
    status: Mapped[LineStatus] = mapped_column(Enum(LineStatus, native_enum=False, length=20),
                                               default=LineStatus.open)
    limit_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    fee_rate: Mapped[str] = mapped_column(String(12))
    withhold_rate: Mapped[str] = mapped_column(String(12))
    max_term_days: Mapped[int] = mapped_column(Integer)
    minimum_period_days: Mapped[int] = mapped_column(Integer)
    minimum_period_share: Mapped[str] = mapped_column(String(12))
    freeze_reason: Mapped[str | None] = mapped_column(String(255))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    shop: Mapped[Shop] = relationship()
    offer: Mapped[CreditOffer] = relationship()
    limit = composite(Money, limit_amount, currency)

    def freeze(self, reason: str) -> None:
        self._move_to(LineStatus.frozen)
        self.freeze_reason = reason[:255]

    def unfreeze(self) -> None:
        self._move_to(LineStatus.open)
        self.freeze_reason = None

    def close(self) -> None:
        self._move_to(LineStatus.closed)


class CreditContract(PublicIdMixin, db.Model):
    """The signed agreement for one draw: the rendered terms as shown, their SHA-256, who, when, where."""

    __tablename__ = "credit_contracts"
    id_prefix = "ctr"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("credit_lines.id"), index=True)
    terms_text: Mapped[str] = mapped_column(Text)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    signature_name: Mapped[str] = mapped_column(String(120))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signed_from_ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class LoanStatus(StrEnum):
    current = "current"
    delinquent = "delinquent"
    charged_off = "charged_off"
    repaid = "repaid"

    @classmethod
    def open_states(cls) -> tuple["LoanStatus", ...]:
        return (cls.current, cls.delinquent)


class Loan(PublicIdMixin, StateMachineMixin, db.Model):
    """One draw on a line: principal plus a fixed fee, repaid from a share of sales or at will."""

    __tablename__ = "credit_loans"
    __table_args__ = (
        Index("ix_credit_loans_shop_status", "shop_id", "status"),
        CheckConstraint("principal_amount > 0", name="loan_principal_positive"),
        CheckConstraint("fee_amount >= 0", name="loan_fee_not_negative"),
        CheckConstraint("repaid_amount >= 0 AND repaid_amount + written_off_amount <= total_amount",
                        name="loan_repaid_within_total"),
    )
    id_prefix = "loan"

    TRANSITIONS = {
        LoanStatus.current: frozenset({LoanStatus.delinquent, LoanStatus.repaid, LoanStatus.charged_off}),
        LoanStatus.delinquent: frozenset({LoanStatus.current, LoanStatus.repaid, LoanStatus.charged_off}),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("credit_lines.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("credit_contracts.id"), unique=True)
    status: Mapped[LoanStatus] = mapped_column(Enum(LoanStatus, native_enum=False, length=20),
                                               default=LoanStatus.current)
    currency: Mapped[str] = mapped_column(String(3))
    principal_amount: Mapped[int] = mapped_column(Integer)
    fee_amount: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[int] = mapped_column(Integer)
    repaid_amount: Mapped[int] = mapped_column(Integer, default=0)
    repaid_principal_amount: Mapped[int] = mapped_column(Integer, default=0)
    repaid_fee_amount: Mapped[int] = mapped_column(Integer, default=0)
    written_off_amount: Mapped[int] = mapped_column(Integer, default=0)
    fee_rate: Mapped[str] = mapped_column(String(12))
    withhold_rate: Mapped[str] = mapped_column(String(12))
    minimum_period_days: Mapped[int] = mapped_column(Integer)
    minimum_period_amount: Mapped[int] = mapped_column(Integer)  # to be repaid by the end of each period
    max_term_days: Mapped[int] = mapped_column(Integer)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    # What the money went to: the merchant's balance, or a supplier invoice paid directly.
    purpose: Mapped[str] = mapped_column(String(20), default="balance")
    supplier_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("supplier_invoices.id"))
    ledger_entry_id: Mapped[str | None] = mapped_column(String(64))
    # The draw form's one-time key (or the API's Idempotency-Key): a double submit draws once.
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delinquent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    current_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    repaid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    charged_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    shop: Mapped[Shop] = relationship()
    line: Mapped[CreditLine] = relationship()
    contract: Mapped[CreditContract] = relationship()
    supplier_invoice = relationship("SupplierInvoice")  # the invoice this draw paid, if any
    principal = composite(Money, principal_amount, currency)
    fee = composite(Money, fee_amount, currency)
    total = composite(Money, total_amount, currency)

    @property
    def outstanding_amount(self) -> int:
        return self.total_amount - self.repaid_amount - self.written_off_amount

    @property
    def outstanding(self) -> Money:
        return Money(self.outstanding_amount, self.currency)

    @property
    def outstanding_principal_amount(self) -> int:
        if self.status == LoanStatus.charged_off:
            return 0
        return self.principal_amount - self.repaid_principal_amount

    @property
    def delinquency_bucket(self) -> str:
        return delinquency_bucket(self.days_past_due, self.status)

    def mark_delinquent(self, at: datetime | None = None) -> None:
        self._move_to(LoanStatus.delinquent, at=at)

    def mark_current(self, at: datetime | None = None) -> None:
        self._move_to(LoanStatus.current, at=at)

    def mark_repaid(self, at: datetime | None = None) -> None:
        self._move_to(LoanStatus.repaid, at=at)

    def charge_off(self, at: datetime | None = None) -> None:
        self._move_to(LoanStatus.charged_off, at=at)


def delinquency_bucket(days_past_due: int, status: str | None = None) -> str:
    """current, 1-30, 31-60, 61-90, 90+ (or the closing status)."""
    if status in (LoanStatus.charged_off, LoanStatus.repaid):
        return str(status)
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


class RepaymentSource(StrEnum):
    withholding = "withholding"  # a share of a settlement
    manual = "manual"  # the merchant paid early from its balance


class Repayment(PublicIdMixin, db.Model):
    """Money applied to one loan, split exactly between principal and fee."""

    __tablename__ = "credit_repayments"
    __table_args__ = (
        UniqueConstraint("loan_id", "source", "reference", name="uq_credit_repayment_once"),
        CheckConstraint("amount > 0", name="repayment_positive"),
        CheckConstraint("principal_amount + fee_amount = amount", name="repayment_parts_add_up"),
    )
    id_prefix = "rpy"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("credit_loans.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    source: Mapped[RepaymentSource] = mapped_column(Enum(RepaymentSource, native_enum=False, length=20))
    reference: Mapped[str] = mapped_column(String(64))  # the settlement's id, or a generated one
    amount: Mapped[int] = mapped_column(Integer)
    principal_amount: Mapped[int] = mapped_column(Integer)
    fee_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    settled_amount: Mapped[int | None] = mapped_column(Integer)  # the settlement it was withheld from
    ledger_entry_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    loan: Mapped[Loan] = relationship()
    money = composite(Money, amount, currency)
