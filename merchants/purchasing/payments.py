"""Supplier invoices in the books: the payable raised on confirmation, and its payment by balance, card or credit.

Each supplier invoice posts to the ledger (`financing.ledger`) in the same transaction as the change
it records:

- **issued** (the supplier confirmed the order): the buyer owes the supplier.
      debit  purchases (buyer)             credit supplier_payable (buyer)
      debit  supplier_receivable (supplier) credit wholesale_sales (supplier)
- **paid from the buyer's available balance** (also how a credit draw pays, see below):
      debit  merchant_available (buyer)     credit merchant_available (supplier)
      debit  supplier_payable (buyer)       credit supplier_receivable (supplier)
- **paid by card** (the money arrives at the payment provider):
      debit  platform_clearing              credit merchant_available (supplier)
      debit  supplier_payable (buyer)       credit supplier_receivable (supplier)
- **voided** (the order was cancelled before payment): the issue entry is reversed.

So the supplier's available balance grows by what it was paid, the buyer's falls by what it paid
from its balance, and what is still owed sits in the payable and receivable until then.

**Paying with the credit line** (for the credit engineer): draw the invoice's amount into the
buyer's available balance with your drawdown entry, then call `apply_invoice_payment(invoice_id,
InvoicePaymentMethod.credit, user_id=..., reference=<the draw's id>)` in the same transaction and
commit. It moves the money from the buyer's balance to the supplier exactly as a balance payment
does, and records the invoice as paid by credit, so purchase history shows how it was paid.
"""
from __future__ import annotations

from sqlalchemy import select

from marketplace.errors import Conflict, ValidationError
from marketplace.extensions import db
from marketplace.money import Money

from .models import InvoicePaymentMethod, InvoiceStatus, PurchaseOrderStatus, SupplierInvoice

PURCHASES = "purchases"
SUPPLIER_PAYABLE = "supplier_payable"
SUPPLIER_RECEIVABLE = "supplier_receivable"
WHOLESALE_SALES = "wholesale_sales"


def register_accounts() -> None:
    from financing.ledger.services import register_account_type

    register_account_type(PURCHASES, normal_side="debit", per_shop=True, label="Stock bought from suppliers")
    register_account_type(SUPPLIER_PAYABLE, normal_side="credit", per_shop=True, label="Owed to suppliers")
    register_account_type(SUPPLIER_RECEIVABLE, normal_side="debit", per_shop=True,
                          label="Owed by merchants for wholesale orders")
    register_account_type(WHOLESALE_SALES, normal_side="credit", per_shop=True, label="Wholesale sales")


def issue_key(invoice_public_id: str) -> str:
    return f"supplier-invoice:{invoice_public_id}"


def payment_key(invoice_public_id: str) -> str:
    return f"supplier-payment:{invoice_public_id}"


def invoice_issued_legs(buyer_shop_id: int, supplier_shop_id: int, amount: Money) -> list:
    from financing.ledger.services import credit, debit

    return [debit(PURCHASES, amount, buyer_shop_id), credit(SUPPLIER_PAYABLE, amount, buyer_shop_id),
            debit(SUPPLIER_RECEIVABLE, amount, supplier_shop_id), credit(WHOLESALE_SALES, amount, supplier_shop_id)]


def invoice_payment_legs(buyer_shop_id: int, supplier_shop_id: int, amount: Money,
                         method: InvoicePaymentMethod) -> list:
    """A card's money comes from the provider's clearing account; balance and credit from the buyer's balance."""
    from financing.ledger.chart import MERCHANT_AVAILABLE, PLATFORM_CLEARING
    from financing.ledger.services import credit, debit

    if method == InvoicePaymentMethod.card:
        source = debit(PLATFORM_CLEARING.code, amount)
    else:
        source = debit(MERCHANT_AVAILABLE.code, amount, buyer_shop_id)
    return [source, credit(MERCHANT_AVAILABLE.code, amount, supplier_shop_id),
            debit(SUPPLIER_PAYABLE, amount, buyer_shop_id), credit(SUPPLIER_RECEIVABLE, amount, supplier_shop_id)]


def post_invoice_issued(invoice: SupplierInvoice):
    from financing.ledger.services import post_entry

    return post_entry(
        "supplier_invoice", invoice_issued_legs(invoice.buyer_shop_id, invoice.supplier_shop_id, invoice.money),
        shop_id=invoice.buyer_shop_id, reference=invoice.order.public_id, idempotency_key=issue_key(invoice.public_id),
        effective_at=invoice.issued_at, description=f"Supplier invoice {invoice.public_id}")


def post_invoice_voided(invoice: SupplierInvoice) -> None:
    from financing.ledger.models import JournalEntry
    from financing.ledger.services import reverse_entry

    issued = db.session.execute(select(JournalEntry.id).where(
        JournalEntry.idempotency_key == issue_key(invoice.public_id))).scalar()
    if issued is not None:
        reverse_entry(issued, description=f"Supplier invoice {invoice.public_id} voided")


def balance_of(shop_id: int, currency: str) -> Money:
    """The available balance to show (no lock: for pages, not for spending)."""
    from financing.ledger.services import merchant_balance

    return merchant_balance(shop_id, currency)


def available_balance(shop_id: int, currency: str) -> Money:
    """The buyer's available balance, its ledger row locked (PostgreSQL) so two payments cannot both spend it."""
    from financing.ledger.chart import MERCHANT_AVAILABLE
    from financing.ledger.models import LedgerAccount
    from financing.ledger.services import account_type, get_account

    account = get_account(MERCHANT_AVAILABLE.code, shop_id, currency)
    raw = db.session.execute(select(LedgerAccount.balance_amount).where(LedgerAccount.id == account.id)
                             .with_for_update()).scalar()
    return Money(account_type(MERCHANT_AVAILABLE.code).shown(raw or 0), currency)


def apply_invoice_payment(invoice_id, method: InvoicePaymentMethod | str, *, user_id: int | None,
                          reference: str | None = None) -> SupplierInvoice:
    """Post a payment and mark the invoice paid, in the caller's transaction (no commit).

    `balance` and `credit` take the money from the buyer's available balance (a credit draw puts it
    there first); `card` takes it from the payment provider's clearing account, so call it only after
    the provider says the charge succeeded.
    """
    from financing.ledger.services import post_entry

    from .services import load_invoice

    method = InvoicePaymentMethod(method)
    invoice = load_invoice(invoice_id, lock=True)
    if invoice.status == InvoiceStatus.paid:
        from .errors import InvoiceAlreadyPaid

        raise InvoiceAlreadyPaid("This invoice is already paid.")
    if invoice.status != InvoiceStatus.open:
        raise Conflict("This invoice was voided: its order was cancelled.", code="invoice_void")
    amount = invoice.money
    buyer, supplier = invoice.buyer_shop_id, invoice.supplier_shop_id
    if method != InvoicePaymentMethod.card:
        balance = available_balance(buyer, amount.currency)
        if balance < amount:
            raise ValidationError(
                f"Your available balance is {balance.format()}, {(amount - balance).format()} short of this invoice.",
                param="method", code="balance_insufficient")
    entry = post_entry(
        "supplier_payment", invoice_payment_legs(buyer, supplier, amount, method),
        shop_id=buyer, reference=invoice.public_id, idempotency_key=payment_key(invoice.public_id),
        description=f"Payment of supplier invoice {invoice.public_id} ({method.value})")
    invoice.mark_paid(method, reference or entry.public_id, user_id)
    order = invoice.order
    if order.status == PurchaseOrderStatus.received:
        order.close()
    return invoice


def pay_invoice(user_id: int, invoice_id, method: str, *, payment_method_id: str | None = None,
                idempotency_key: str | None = None) -> SupplierInvoice:
    """The buyer pays a supplier invoice from its available balance or by card; commits.

    A card is charged through the payment provider first (the provider's idempotency key is derived
    from the invoice and `idempotency_key`, so a retried request charges once); only a succeeded
    charge is posted. A declined card raises CardDeclined and changes nothing here.
    """
    from marketplace.errors import PaymentFailed, PermissionDenied

    from .services import invoice_for_party

    try:
        method = InvoicePaymentMethod(method)
    except ValueError:
        raise ValidationError("Pay by 'card' or from your 'balance'.", param="method") from None
    if method == InvoicePaymentMethod.credit:
        raise ValidationError("Credit-line payments start from the credit offer.", param="method")
    try:
        invoice = invoice_for_party(user_id, invoice_id, lock=True)
        if invoice.buyer_shop.owner_id != user_id:
            raise PermissionDenied("Only the buyer pays its supplier invoices.")
        if invoice.status != InvoiceStatus.open:
            apply_invoice_payment(invoice.id, method, user_id=user_id)  # raises the clear reason
        reference = None
        if method == InvoicePaymentMethod.card:
            if not isinstance(payment_method_id, str) or not payment_method_id.startswith("pm_"):
                raise ValidationError("Choose a card to pay with.", param="payment_method_id")
            from marketplace.payments.client import payment_client

            intent = payment_client().create_payment_intent(
                invoice.money, payment_method=payment_method_id, confirm=True,
                idempotency_key=f"pay:{invoice.public_id}:{idempotency_key or 'once'}"[:255],
                metadata={"supplier_invoice": invoice.public_id, "shop_id": str(invoice.buyer_shop_id)})
            if intent.get("status") != "succeeded":
                raise PaymentFailed("The card needs another step before it can pay; try another card or pay "
                                    "from your balance.", param="payment_method_id")
            reference = intent.get("id")
        apply_invoice_payment(invoice.id, method, user_id=user_id, reference=reference)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return invoice
