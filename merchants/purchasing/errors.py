"""Purchasing's refusals, on top of the shared domain errors (each maps to one HTTP status)."""
from marketplace.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError

__all__ = ["BelowMinimumOrder", "Conflict", "InvalidTransition", "InvoiceAlreadyPaid", "NotASupplier",
           "NotFound", "PermissionDenied", "ValidationError"]


class BelowMinimumOrder(ValidationError):
    code = "below_minimum_order"


class NotASupplier(ValidationError):
    code = "not_a_supplier"


class InvoiceAlreadyPaid(Conflict):
    code = "invoice_already_paid"
