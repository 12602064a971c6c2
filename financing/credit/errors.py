"""Credit's domain errors: each a clear refusal that moves no money."""
from marketplace.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError

__all__ = ["CreditError", "NoOffer", "OfferExpired", "LimitExceeded", "LineUnavailable", "NotYourLine",
           "NothingOwed", "ValidationError", "NotFound"]


class CreditError(DomainError):
    code = "credit_refused"


class NoOffer(NotFound):
    code = "no_credit_offer"


class OfferExpired(Conflict):
    code = "offer_expired"


class LimitExceeded(Conflict):
    code = "limit_exceeded"


class LineUnavailable(Conflict):
    code = "line_unavailable"  # frozen, closed, or the merchant is past due


class NotYourLine(PermissionDenied):
    code = "not_your_line"


class NothingOwed(Conflict):
    code = "nothing_owed"
