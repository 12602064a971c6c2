"""Domain errors shared by every package; each maps to one HTTP status and a Stripe-style error body."""
from __future__ import annotations


class DomainError(Exception):
    """A request the platform refuses, with a message a person understands."""

    status = 400
    type = "invalid_request_error"
    code = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        if code:
            self.code = code

    def to_json(self) -> dict:
        error = {"type": self.type, "code": self.code, "message": self.message}
        if self.param:
            error["param"] = self.param
        return {"error": error}


class ValidationError(DomainError):
    code = "invalid_field"


class AuthenticationFailed(DomainError):
    status = 401
    type = "authentication_error"
    code = "authentication_failed"


class PermissionDenied(DomainError):
    status = 403
    type = "permission_error"
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "resource_missing"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class PaymentFailed(DomainError):
    status = 402
    type = "card_error"
    code = "payment_failed"


class ServiceUnavailable(DomainError):
    status = 503
    type = "api_error"
    code = "service_unavailable"
