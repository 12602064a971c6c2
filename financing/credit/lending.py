"""Draws, repayments and ageing: the money side of the credit line, all through the ledger.

Each use case runs in one transaction and commits once; any refusal raises before anything moves.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from marketplace.catalog.models import Shop, ShopKind
from marketplace.extensions import db
from marketplace.money import Money, largest_remainder
from marketplace.statemachine import utcnow

from . import ledger_accounts as books
from .errors import (LimitExceeded, LineUnavailable, NoOffer, NothingOwed, NotYourLine, OfferExpired,
                     ValidationError)
from .models import (CreditContract, CreditLine, CreditOffer, LineStatus, Loan, LoanStatus, OfferStatus, Repayment,
                     RepaymentSource, aware)
from .policy import active_policy
from .services import active_offer, disclose, open_line, open_loans, outstanding_principal

MAX_SIGNATURE = 120


def merchant_shop(user_id: int, shop_id: int | None = None) -> Shop:
    """The retail shop the user owns (the one named, or its first)."""
    stmt = select(Shop).where(Shop.owner_id == user_id, Shop.kind == ShopKind.retail).order_by(Shop.id)
    shops = db.session.execute(stmt).scalars().all()
    if shop_id is not None:
        for shop in shops:
            if shop.id == shop_id:
                return shop
        raise NotYourLine("That shop is not yours.", param="shop")
    if not shops:
        raise NoOffer("You have no shop to borrow for.")
    return shops[0]


def _amount(value, currency: str) -> Money:
    if isinstance(value, Money):
        amount = value
    else:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("The amount must be a whole number of minor units.", param="amount")
        amount = Money(value, currency)
    if amount.amount <= 0:
        raise ValidationError("The amount must be above zero.", param="amount")
    return amount


def _check_consent(accept_terms, signature_name) -> str:
    if accept_terms is not True:
        raise ValidationError("Tick the box to accept the agreement.", param="accept_terms")
    name = (signature_name or "").strip() if isinstance(signature_name, str) else ""
    if not name:
        raise ValidationError("Sign by typing your full name.", param="signature_name")
    if len(name) > MAX_SIGNATURE:
        raise ValidationError(f"A signature is at most {MAX_SIGNATURE} characters.", param="signature_name")
    return name


def _line_for_draw(shop: Shop, now: datetime) -> tuple[CreditLine, CreditOffer | None]:
    """The line to draw on: a live offer is accepted into a new line first (the old line closes)."""
    offer = active_offer(shop.id, now=now)
    line = open_line(shop.id)
    if offer is not None:
        return None, offer
    if line is None:
        expired = db.session.execute(
            select(CreditOffer.id).where(CreditOffer.shop_id == shop.id, CreditOffer.status == OfferStatus.expired)
            .limit(1)).scalar()
        if expired is not None:
            raise OfferExpired("Your offer has expired; open your dashboard for a fresh one.")
        raise NoOffer("There is no credit offer for your shop.")
    return line, None


def _has_terms(shop_id: int) -> bool:
    return open_line(shop_id) is not None or db.session.execute(
        select(CreditOffer.id).where(CreditOffer.shop_id == shop_id).limit(1)).scalar() is not None


def _open_from_offer(offer: CreditOffer, now: datetime) -> CreditLine:
    offer.accept()
    old = open_line(offer.shop_id)
    if old is not None:
        old.close()
    line = CreditLine(
        shop_id=offer.shop_id, offer_id=offer.id, limit_amount=offer.limit_amount, currency=offer.currency,
        fee_rate=offer.fee_rate, withhold_rate=offer.withhold_rate, max_term_days=offer.max_term_days,
        minimum_period_days=offer.minimum_period_days, minimum_period_share=offer.minimum_period_share,
        opened_at=now)
    db.session.add(line)
    db.session.flush()
    return line


def render_terms(shop: Shop, terms, amount: Money, daily_sales: int, signer: str, now: datetime,
                 use_of_funds: str | None = None) -> str:
    """The agreement as the merchant signs it: plain text, so its hash can be checked by anyone."""
    d = disclose(terms, amount, daily_sales)
    lines = [
        "SALES-BASED FINANCING AGREEMENT",
        f"Merchant: {shop.name} ({shop.public_id})",
        f"Date: {now.strftime('%Y-%m-%d %H:%M:%S')} UTC",
        "",
        f"Funds provided: {d.funds_provided}",
        f"Use of funds: {use_of_funds or 'paid into your available balance'}",
        f"Finance charge (fixed fee, {d.fee_rate * 100:.2f}% of the funds): {d.finance_charge}",
        f"Total repayment amount: {d.total_repayment}",
        f"Estimated annual percentage rate (APR): {d.estimated_apr}%",
        f"Withhold rate: {d.withhold_rate * 100:.2f}% of each settlement of your sales, oldest draw first",
        f"Estimated daily sales (last 90 days): {d.estimated_daily_sales}",
        f"Estimated daily payment: {d.estimated_daily_payment}",
        f"Estimated term: {d.estimated_term_days} days",
        f"Minimum payment: at least {d.minimum_period_payment} in each {d.minimum_period_days}-day period; "
        f"the whole amount within {d.max_term_days} days",
        "Prepayment: you may repay any amount at any time; the fee is fixed and is neither reduced nor increased.",
        "The estimated APR, daily payment and term depend on your future sales and may differ.",
        "",
        f"Signed: {signer}",
    ]
    return "\n".join(lines) + "\n"


def draw(user_id: int, amount, *, accept_terms, signature_name, shop_id: int | None = None,
         ip: str = "", user_agent: str = "", request_key: str | None = None, purpose: str = "balance",
         supplier_invoice_id: int | None = None, commit: bool = True) -> Loan:
    """Take `amount` from the merchant's offer or line into its balance, with a signed contract.

    Refused, with nothing moved: no offer or an expired one, a frozen or closed line, any loan past
    due, more than the undrawn limit, a zero or negative amount, missing consent or signature.
    A repeated `request_key` (a double submit) returns the loan the first request made.
    """
    shop = merchant_shop(user_id, shop_id)
    if request_key:
        earlier = db.session.execute(select(Loan).where(Loan.request_key == request_key,
                                                        Loan.shop_id == shop.id)).scalar()
        if earlier is not None:
            return earlier
    money = _amount(amount, shop.currency)
    signer = _check_consent(accept_terms, signature_name)
    if not _has_terms(shop.id):
        from .services import refresh_offer

        refresh_offer(shop.id)  # a merchant who never opened the dashboard is scored now
    now = utcnow()
    line, offer = _line_for_draw(shop, now)
    terms = offer or line
    if line is not None and line.status != LineStatus.open:
        raise LineUnavailable("Your credit line is frozen: no new draws for now. Repayments go on as agreed.")
    if any(loan.days_past_due > 0 or loan.status == LoanStatus.delinquent for loan in open_loans(shop.id)):
        raise LineUnavailable("A repayment is past due: bring it up to date before drawing again.")
    available = terms.limit_amount - outstanding_principal(shop.id)
    if money.amount > available:
        raise LimitExceeded(f"You can draw up to {Money(max(0, available), shop.currency)} now.", param="amount")
    if offer is not None:
        daily = offer.estimated_daily_sales
        line = _open_from_offer(offer, now)
    else:
        daily = offer_daily_sales(shop.id)
    text = render_terms(shop, line, money, daily, signer, now, use_of_funds=_use_of_funds(supplier_invoice_id))
    contract = CreditContract(shop_id=shop.id, line_id=line.id, terms_text=text,
                              terms_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                              signature_name=signer, signed_by_id=user_id, signed_at=now,
                              signed_from_ip=(ip or "")[:64], user_agent=(user_agent or "")[:255])
    db.session.add(contract)
    db.session.flush()
    fee = money.apply_rate(Decimal(line.fee_rate))
    total = money + fee
    policy = active_policy()
    loan = Loan(shop_id=shop.id, line_id=line.id, contract_id=contract.id, currency=shop.currency,
                principal_amount=money.amount, fee_amount=fee.amount, total_amount=total.amount,
                fee_rate=line.fee_rate, withhold_rate=line.withhold_rate,
                minimum_period_days=line.minimum_period_days,
                minimum_period_amount=total.apply_rate(Decimal(line.minimum_period_share), rounding="ROUND_CEILING").amount,
                max_term_days=min(line.max_term_days, policy.max_term_days), drawn_at=now, purpose=purpose,
                supplier_invoice_id=supplier_invoice_id, request_key=request_key or secrets.token_hex(16))
    db.session.add(loan)
    db.session.flush()
    loan.ledger_entry_id = str(books.post_draw(loan))
    if commit:
        db.session.commit()
    return loan


def _use_of_funds(supplier_invoice_id: int | None) -> str | None:
    if supplier_invoice_id is None:
        return None
    from merchants.purchasing.models import SupplierInvoice

    invoice = db.session.get(SupplierInvoice, supplier_invoice_id)
    return f"paid directly to {invoice.supplier_shop.name} for supplier invoice {invoice.public_id}"


def offer_daily_sales(shop_id: int) -> int:
    from .services import latest_decision

    decision = latest_decision(shop_id)
    return decision.features["sales_90"] // 90 if decision else 0


# -- repayment ------------------------------------------------------------------------------------


def _apply(loan: Loan, amount: int, source: RepaymentSource, reference: str, settled: int | None,
           now: datetime) -> Repayment:
    """Apply `amount` to one loan, split pro rata between what is left of principal and of fee."""
    left_principal = loan.principal_amount - loan.repaid_principal_amount
    left_fee = loan.fee_amount - loan.repaid_fee_amount
    if amount == left_principal + left_fee:
        principal_part, fee_part = left_principal, left_fee
    else:
        principal_part, fee_part = largest_remainder(amount, [left_principal, left_fee])
    loan.repaid_amount += amount
    loan.repaid_principal_amount += principal_part
    loan.repaid_fee_amount += fee_part
    repayment = Repayment(loan_id=loan.id, shop_id=loan.shop_id, source=source, reference=reference, amount=amount,
                          principal_amount=principal_part, fee_amount=fee_part, currency=loan.currency,
                          settled_amount=settled, created_at=now)
    db.session.add(repayment)
    if loan.outstanding_amount == 0:
        loan.mark_repaid(at=now)
        loan.days_past_due = 0
    return repayment


def _spread(shop_id: int, amount: int, source: RepaymentSource, reference: str, settled: int | None,
            now: datetime) -> list[Repayment]:
    """Oldest draw first, until the amount is used or nothing is owed."""
    made = []
    for loan in open_loans(shop_id):
        if amount <= 0:
            break
        part = min(amount, loan.outstanding_amount)
        if part > 0:
            made.append(_apply(loan, part, source, reference, settled, now))
            amount -= part
    db.session.flush()
    _refresh_status(shop_id, now)
    return made


def withhold_from_settlement(shop_id: int, settled: Money, *, reference: str) -> Money:
    """Withhold the agreed share of a settlement for the shop's loans (no commit: the caller's
    transaction, so the settlement and the withholding stand or fall together). Returns what was kept."""
    if settled.amount <= 0:
        return Money.zero(settled.currency)
    loans = open_loans(shop_id)
    if not loans:
        return Money.zero(settled.currency)
    rate = Decimal(loans[0].withhold_rate)  # the oldest draw's agreed share
    share = int((Decimal(settled.amount) * rate).to_integral_value(rounding=ROUND_DOWN))
    share = min(share, sum(loan.outstanding_amount for loan in loans))
    if share <= 0:
        return Money.zero(settled.currency)
    key = f"credit:withhold:{reference}"
    from financing.ledger.models import JournalEntry

    if db.session.execute(select(JournalEntry.id).where(JournalEntry.idempotency_key == key)).scalar():
        return Money.zero(settled.currency)  # this settlement was already withheld from
    now = utcnow()
    kept = Money(share, settled.currency)
    entry_id = books.post_repayment(shop_id, kept, key=key, reference=reference,
                                    description=f"Credit repayment withheld from settlement {reference}")
    for repayment in _spread(shop_id, share, RepaymentSource.withholding, reference, settled.amount, now):
        repayment.ledger_entry_id = str(entry_id)
    return kept


def on_sale_settled(sender, *, shop_id: int, order_id: int, amount: Money, entry_id=None, **_):
    """Receiver of `financing.signals.sale_settled`."""
    withhold_from_settlement(shop_id, amount, reference=f"settlement:{entry_id or order_id}")


def repay(user_id: int, amount, *, shop_id: int | None = None, commit: bool = True) -> list[Repayment]:
    """Repay early from the merchant's available balance: any amount up to what is owed."""
    shop = merchant_shop(user_id, shop_id)
    money = _amount(amount, shop.currency)
    owed = sum(loan.outstanding_amount for loan in open_loans(shop.id))
    if owed == 0:
        raise NothingOwed("You owe nothing on your credit line.")
    if money.amount > owed:
        raise ValidationError(f"You owe {Money(owed, shop.currency)}; repay at most that.", param="amount")
    balance = books.merchant_available(shop.id)
    if money > balance:
        raise ValidationError(f"Your available balance is {balance}; repay at most that.", param="amount")
    reference = "manual:" + secrets.token_hex(8)
    now = utcnow()
    entry_id = books.post_repayment(shop.id, money, key=f"credit:{reference}", reference=reference,
                                    description="Early credit repayment")
    made = _spread(shop.id, money.amount, RepaymentSource.manual, reference, None, now)
    for repayment in made:
        repayment.ledger_entry_id = str(entry_id)
    if commit:
        db.session.commit()
    return made


# -- ageing ---------------------------------------------------------------------------------------


def days_past_due(loan: Loan, now: datetime) -> int:
    """Days since the earliest minimum the loan has not met (each period's minimum is cumulative),
    or since the end of the term when anything is left then."""
    if loan.outstanding_amount <= 0:
        return 0
    drawn = aware(loan.drawn_at)
    elapsed = (now - drawn).days
    worst = 0
    periods = elapsed // loan.minimum_period_days
    for k in range(1, periods + 1):
        required = min(loan.total_amount, k * loan.minimum_period_amount)
        if loan.repaid_amount < required:
            worst = (now - (drawn + timedelta(days=k * loan.minimum_period_days))).days
            break
    if elapsed > loan.max_term_days:
        worst = max(worst, elapsed - loan.max_term_days)
    return max(0, worst)


def _refresh_status(shop_id: int, now: datetime) -> None:
    """Move each open loan between current and delinquent, and freeze or free the line to match."""
    policy = active_policy()
    worst = 0
    for loan in open_loans(shop_id):
        loan.days_past_due = days_past_due(loan, now)
        worst = max(worst, loan.days_past_due)
        if loan.days_past_due > 0 and loan.status == LoanStatus.current:
            loan.mark_delinquent(at=now)
        elif loan.days_past_due == 0 and loan.status == LoanStatus.delinquent:
            loan.mark_current(at=now)
    line = open_line(shop_id)
    if line is not None:
        if worst >= policy.freeze_days_past_due and line.status == LineStatus.open:
            line.freeze(f"A repayment is {worst} days past due.")
        elif worst == 0 and line.status == LineStatus.frozen and (line.freeze_reason or "").startswith("A repayment"):
            line.unfreeze()


def charge_off_loan(loan_id: int, *, reason: str = "", user_id: int | None = None,
                    now: datetime | None = None) -> int:
    """Write a loan off (policy at 120 days past due, or a lender's decision): what it still owes goes
    to credit losses through the ledger. Runs in the caller's transaction. Returns the amount written off."""
    from .errors import NotFound

    loan = db.session.get(Loan, loan_id)
    if loan is None:
        raise NotFound("No such loan.", param="loan")
    now = aware(now) or utcnow()
    amount = loan.outstanding
    loan.written_off_amount = amount.amount
    loan.charge_off(at=now)
    if amount.amount:
        books.post_write_off(loan, amount)
    line = open_line(loan.shop_id)
    if line is not None and line.status == LineStatus.open:
        line.freeze(f"A loan was written off{': ' + reason if reason else ''}.")
    db.session.flush()
    return amount.amount


def age_loans(*, now: datetime | None = None, progress=None) -> dict:
    """The daily job: days past due, delinquency, freezes and write-offs by policy. Commits."""
    now = aware(now) or utcnow()
    policy = active_policy()
    shop_ids = sorted(set(db.session.execute(
        select(Loan.shop_id).where(Loan.status.in_(LoanStatus.open_states()))).scalars()))
    counts = {"shops": len(shop_ids), "delinquent": 0, "charged_off": 0}
    for shop_id in (progress(shop_ids) if progress else shop_ids):
        _refresh_status(shop_id, now)
        for loan in open_loans(shop_id):
            if loan.days_past_due >= policy.charge_off_days_past_due:
                charge_off_loan(loan.id, reason=f"{loan.days_past_due} days past due", now=now)
                counts["charged_off"] += 1
            elif loan.status == LoanStatus.delinquent:
                counts["delinquent"] += 1
        db.session.commit()
    return counts


def credit_reconcile() -> list[str]:
    """The loan book against the ledger (kept for callers of this name; see `reconcile.credit_disagreements`)."""
    from .reconcile import credit_disagreements

    return credit_disagreements()


def contract_for(user_id: int, public_id: str) -> CreditContract:
    """One of the user's own contracts, or a 404 (another merchant's contract is not found either)."""
    from .errors import NotFound

    contract = db.session.execute(select(CreditContract).where(CreditContract.public_id == public_id)).scalar()
    owned = {s.id for s in db.session.execute(select(Shop).where(Shop.owner_id == user_id)).scalars()}
    if contract is None or contract.shop_id not in owned:
        raise NotFound("No such contract.", param="contract")
    return contract
