"""Users, their roles, and API tokens."""
from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..ids import PublicIdMixin
from ..statemachine import utcnow


class Role(StrEnum):
    resident = "resident"
    merchant = "merchant"
    supplier = "supplier"
    lender = "lender"


SELF_SERVICE_ROLES = (Role.resident, Role.merchant, Role.supplier)


class User(PublicIdMixin, UserMixin, db.Model):
    __tablename__ = "users"
    id_prefix = "usr"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(32))
    # A resident's saved home address, used as the centre of nearby search.
    address: Mapped[str | None] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="UserRole.user_id",
    )

    def get_id(self) -> str:
        return self.public_id

    @property
    def role_names(self) -> list[str]:
        return sorted(r.role.value for r in self.roles)

    def has_role(self, *roles: Role | str) -> bool:
        held = {r.role for r in self.roles}
        return any(Role(r) in held for r in roles)

    def to_json(self) -> dict:
        return {
            "id": self.public_id,
            "object": "user",
            "email": self.email,
            "name": self.name,
            "roles": self.role_names,
            "locale": self.locale,
            "created": int(self.created_at.timestamp()),
        }


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])


def hash_token(raw: str) -> str:
    """API tokens are long random strings, so a fast digest is enough (no need for a slow KDF)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(PublicIdMixin, db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_active", "user_id", "revoked_at"),)
    id_prefix = "tok"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="api")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
