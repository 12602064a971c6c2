"""Paying a supplier invoice from the credit line: one draw of the invoice's amount, straight to the supplier.

The draw is an ordinary draw (a signed contract, its fee, repaid by withholding like any other);
purchasing's `apply_invoice_payment(..., method=credit)` then moves the money from the buyer's balance
to the supplier in the same transaction, so the buyer's available balance ends where it started and
the ledger shows both steps:

    credit_draw        debit loans_receivable (buyer)  principal + fee
                       credit merchant_available (buyer)  principal
                       credit credit_fee_income            fee
    supplier_payment   debit merchant_available (buyer)   principal
                       credit merchant_available (supplier)
                       (and the payable and receivable cleared)
"""
from __future__ import annotations

from sqlalchemy import select

from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.money import Money

from .errors import NotYourLine, ValidationError
from .lending import draw
from .models import Loan

PURPOSE = "supplier_invoice"


def payable_invoice(user_id: int, invoice_id):
    """An open invoice the user's shop owes (by public id or key); another merchant's is not found."""
    from merchants.purchasing.errors import InvoiceAlreadyPaid
    from merchants.purchasing.models import InvoiceStatus
    from merchants.purchasing.services import invoice_for_party

    invoice = invoice_for_party(user_id, invoice_id)  # another merchant's invoice is not found
    if invoice.buyer_shop.owner_id != user_id:
        raise NotYourLine("Only the buying shop pays its supplier invoices.", param="supplier_invoice")
    if invoice.status == InvoiceStatus.paid:
        raise InvoiceAlreadyPaid("This invoice is already paid.")
    if invoice.status != InvoiceStatus.open:
        raise Conflict("This invoice was voided: its order was cancelled.", param="supplier_invoice",
                       code="invoice_void")
    return invoice


def open_invoices_payable(shop_id: int) -> list:
    """The shop's open supplier invoices, oldest due first (what the credit page offers to pay)."""
    from merchants.purchasing.models import InvoiceStatus, SupplierInvoice

    return list(db.session.execute(
        select(SupplierInvoice).where(SupplierInvoice.buyer_shop_id == shop_id,
                                      SupplierInvoice.status == InvoiceStatus.open)
        .order_by(SupplierInvoice.due_at, SupplierInvoice.id).limit(50)).scalars())


def pay_supplier_invoice(user_id: int, invoice_id, *, accept_terms, signature_name, amount=None,
                         ip: str = "", user_agent: str = "", request_key: str | None = None) -> Loan:
    """Draw the invoice's amount on the merchant's offer or line and pay the supplier with it. Commits.

    Everything a draw refuses is refused here too (no offer, a frozen line, past due, above the undrawn
    limit, no agreement or signature), as is an invoice that is not the merchant's, already paid or
    voided, or an `amount` other than the invoice's; nothing moves then. A repeated `request_key`
    returns the first draw and pays nothing twice.
    """
    from merchants.purchasing.models import InvoicePaymentMethod
    from merchants.purchasing.payments import apply_invoice_payment

    try:
        if request_key:
            earlier = db.session.execute(select(Loan).where(Loan.request_key == request_key,
                                                            Loan.purpose == PURPOSE)).scalar()
            if earlier is not None and earlier.shop.owner_id == user_id:
                return earlier
        invoice = payable_invoice(user_id, invoice_id)
        if amount is not None:
            given = amount.amount if isinstance(amount, Money) else amount
            if given != invoice.amount:
                raise ValidationError(f"A supplier invoice is paid in full: {invoice.money}.", param="amount")
        loan = draw(user_id, invoice.money, accept_terms=accept_terms, signature_name=signature_name,
                    shop_id=invoice.buyer_shop_id, ip=ip, user_agent=user_agent, request_key=request_key,
                    purpose=PURPOSE, supplier_invoice_id=invoice.id, commit=False)
        apply_invoice_payment(invoice.id, InvoicePaymentMethod.credit, user_id=user_id, reference=loan.public_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return loan
