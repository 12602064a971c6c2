"""Early-warning alerts on merchants and the officers' recorded actions on them."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.extensions import db
from marketplace.ids import PublicIdMixin
from marketplace.statemachine import StateMachineMixin, utcnow


class AlertRule(StrEnum):
    sales_collapse = "sales_collapse"
    sales_decline = "sales_decline"
    refund_spike = "refund_spike"
    cancel_spike = "cancel_spike"
    missed_minimum = "missed_minimum"
    unpaid_supplier_invoices = "unpaid_supplier_invoices"
    score_drop = "score_drop"


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


SEVERITY_RANK = {Severity.low: 1, Severity.medium: 2, Severity.high: 3}


class AlertStatus(StrEnum):
    open = "open"
    resolved = "resolved"  # an officer closed it, or the condition cleared at a later scan


class Alert(PublicIdMixin, StateMachineMixin, db.Model):
    """One rule firing for one merchant. While open, later scans refresh it instead of adding more."""

    __tablename__ = "lender_alerts"
    __table_args__ = (
        Index("ix_lender_alerts_status_severity", "status", "severity"),
        Index("ix_lender_alerts_shop_rule_status", "shop_id", "rule", "status"),
    )
    id_prefix = "alrt"

    TRANSITIONS = {AlertStatus.open: frozenset({AlertStatus.resolved})}

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    rule: Mapped[AlertRule] = mapped_column(Enum(AlertRule, native_enum=False, length=40))
    severity: Mapped[Severity] = mapped_column(Enum(Severity, native_enum=False, length=10))
    status: Mapped[AlertStatus] = mapped_column(
        Enum(AlertStatus, native_enum=False, length=10), default=AlertStatus.open
    )
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(255))  # for the officer
    merchant_message: Mapped[str] = mapped_column(Text)  # for the merchant, in plain words
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(255))

    shop: Mapped[Shop] = relationship()
    actions: Mapped[list["OfficerAction"]] = relationship(back_populates="alert", order_by="OfficerAction.id")

    def resolve(self, why: str, *, at: datetime | None = None) -> None:
        self._move_to(AlertStatus.resolved, at=at)
        self.resolution = why[:255]


class ActionKind(StrEnum):
    freeze = "freeze"
    unfreeze = "unfreeze"
    note = "note"  # a contact with the merchant, or any remark
    payment_plan = "payment_plan"  # details: weekly_amount, currency, until (ISO date)
    charge_off = "charge_off"
    resolve = "resolve"


class OfficerAction(PublicIdMixin, db.Model):
    """What an officer did about a merchant, with who and why. Never edited or deleted."""

    __tablename__ = "lender_actions"
    __table_args__ = (Index("ix_lender_actions_shop_created", "shop_id", "created_at"),)
    id_prefix = "act"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("lender_alerts.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(Enum(ActionKind, native_enum=False, length=20))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    alert: Mapped[Alert | None] = relationship(back_populates="actions")
    officer: Mapped[User] = relationship()
    shop: Mapped[Shop] = relationship()



class ModelReport(db.Model):
    """A model-monitoring figure set kept for the console: a back-test or a stability reading."""

    __tablename__ = "lender_model_reports"
    __table_args__ = (Index("ix_lender_model_reports_kind_created", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "backtest"
    model_version: Mapped[str] = mapped_column(String(80))
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
