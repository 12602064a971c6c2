"""Payment errors in words a customer or merchant understands; never a provider's stack trace."""
from ..errors import Conflict, DomainError, PaymentFailed, ServiceUnavailable, ValidationError


class CardDeclined(PaymentFailed):
    code = "card_declined"


class PaymentProviderError(DomainError):
    """The provider refused a request the site made (a bug or a setting, not the customer's card)."""

    status = 502
    type = "api_error"
    code = "payment_provider_error"


class PaymentProviderUnavailable(ServiceUnavailable):
    code = "payment_provider_unavailable"


class RefundTooLarge(ValidationError):
    code = "refund_too_large"


class NothingToPay(Conflict):
    code = "nothing_to_pay"


class BadSignature(DomainError):
    code = "bad_signature"


def translate(text: str, **values) -> str:
    """The message in the visitor's language inside a request; as written (English) in jobs and commands,
    where there is no visitor and the locale selector cannot run."""
    from flask import has_request_context

    if has_request_context():
        from flask_babel import gettext

        return gettext(text, **values)
    return text % values if values else text


def mark(text: str) -> str:
    """Mark a message for the catalogue without translating it yet."""
    return text
