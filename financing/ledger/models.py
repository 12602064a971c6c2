"""Ledger tables: accounts, journal entries and their postings, bank accounts and payouts.

A posting's amount is signed: positive is a debit, negative a credit, so an entry balances
when its postings sum to zero in each currency. Entries and postings are never updated or
deleted (see guards.py); an account's `balance_amount` is the running sum of its postings,
kept in step inside the transaction that posts.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, DateTime, Enum, ForeignKey, Index, Integer, String,
                        Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.ids import PublicIdMixin
from marketplace.money import Money
from marketplace.statemachine import StateMachineMixin, utcnow

from .chart import account_type


class LedgerAccount(PublicIdMixin, db.Model):
    __tablename__ = "ledger_accounts"
    id_prefix = "acct"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<type>:<shop id or ->:<currency>": one account per type, shop and currency, even with NULL shops.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    balance_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of postings, debit positive
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @staticmethod
    def make_key(type_code: str, shop_id: int | None, currency: str) -> str:
        return f"{type_code}:{shop_id if shop_id is not None else '-'}:{currency}"

    @property
    def balance(self) -> Money:
        """The balance the way a person reads it (a merchant's credit balance is positive when owed)."""
        return Money(account_type(self.type).shown(self.balance_amount), self.currency)


class JournalEntry(PublicIdMixin, db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_shop", "shop_id", "id"),)
    id_prefix = "je"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # sale, commission, refund, settlement, payout...
    description: Mapped[str] = mapped_column(String(255), default="")
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))  # the merchant it concerns, if one
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(64), index=True)  # a public id: re_..., po_..., loan_...
    # A retried signal, webhook or command posts once: the second attempt finds this key.
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    # Set once the postings are in; the database refuses to seal an unbalanced entry (guards.py).
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    postings: Mapped[list["Posting"]] = relationship(back_populates="entry", order_by="Posting.id")


class Posting(db.Model):
    __tablename__ = "ledger_postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_ledger_postings_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)  # debit positive, credit negative
    currency: Mapped[str] = mapped_column(String(3))

    entry: Mapped[JournalEntry] = relationship(back_populates="postings")
    account: Mapped[LedgerAccount] = relationship()

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class Settlement(db.Model):
    """An order whose pending money was released to the merchant's available balance (once per order)."""

    __tablename__ = "ledger_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # may be zero: a cash sale or a full refund
    currency: Mapped[str] = mapped_column(String(3))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    settled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
