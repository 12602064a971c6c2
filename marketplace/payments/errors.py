"""Payment errors in words a customer or merchant understands; never a provider's stack trace."""
from ..errors import Conflict, DomainError, PaymentFailed, ServiceUnavailable, ValidationError
from ..i18n import mark, translate  # noqa: F401  (payments and financing import them from here)


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
