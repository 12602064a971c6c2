"""Every model of the core, imported in one place so migrations and create_all see them all."""
from .accounts.models import ApiToken, Role, User, UserRole  # noqa: F401
from .catalog.models import Product, Shop, StockMovement  # noqa: F401
from .idempotency import IdempotencyRecord  # noqa: F401
from .orders.models import Order, OrderLine, Payment, Refund, Review  # noqa: F401
