"""The back office's refusals, on top of the shared domain errors (each maps to one HTTP status)."""
from marketplace.errors import Conflict, InsufficientStock, NotFound, PermissionDenied, ValidationError

__all__ = ["BadFile", "Conflict", "DuplicateSku", "InsufficientStock", "NotFound", "PermissionDenied",
           "ValidationError"]


class DuplicateSku(Conflict):
    code = "duplicate_sku"


class BadFile(ValidationError):
    """An uploaded image or CSV file the back office cannot take."""

    code = "invalid_file"
