"""Public ids with a type prefix (`shop_...`, `ord_...`); integer keys never leave the database."""
import secrets
import string

from sqlalchemy import String
from sqlalchemy.orm import declared_attr, mapped_column

_ALPHABET = string.ascii_letters + string.digits


def new_public_id(prefix: str, length: int = 16) -> str:
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class PublicIdMixin:
    """Adds a unique `public_id` column filled with `<id_prefix>_<random>` on creation."""

    id_prefix: str = "obj"

    @declared_attr
    def public_id(cls):
        prefix = cls.id_prefix
        return mapped_column(String(40), unique=True, nullable=False, default=lambda: new_public_id(prefix))
