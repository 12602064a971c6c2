"""Why an order is refused: each a domain error with its own code, so clients can tell them apart."""
from ..errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationError  # noqa: F401


class ShopClosed(Conflict):
    code = "shop_closed"


class OutsideDeliveryRadius(ValidationError):
    code = "outside_delivery_radius"


class BelowMinimumOrder(ValidationError):
    code = "below_minimum_order"


class FulfilmentUnavailable(ValidationError):
    code = "fulfilment_unavailable"


class OrderChanged(Conflict):
    """Someone else changed the order between reading and writing it (optimistic lock)."""

    code = "order_changed"


class RefundTooLarge(ValidationError):
    code = "refund_exceeds_paid"


class PaymentIncomplete(Conflict):
    """The resident has not finished paying by card (the bank's check is pending, or it failed)."""

    code = "payment_incomplete"
