"""Payouts: each day, a merchant's available balance goes to its bank account.

A payout posts one entry (available -> payouts in transit) and is written to the day's
settlement file, a CSV the bank's core system loads. When the bank confirms, a second entry
moves it out of transit (-> platform clearing: the money left the platform's account); when
the bank returns it, the money goes back to the merchant's available balance.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import current_app
from sqlalchemy import select

from marketplace.errors import NotFound, ValidationError
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.payments.errors import translate as _

from .chart import MERCHANT_AVAILABLE, PAYOUTS_IN_TRANSIT, PLATFORM_CLEARING
from .errors import NoBankAccount
from .models import BankAccount, LedgerAccount, Payout, PayoutStatus
from .posting import credit, debit, post_entry

SETTLEMENT_FILE_COLUMNS = ("payout_id", "run_date", "shop_id", "holder_name", "bank_name", "branch_code",
                           "account_number", "amount", "currency", "reference")


def save_bank_account(shop_id: int, *, holder_name: str, bank_name: str, account_number: str,
                      branch_code: str = "") -> BankAccount:
    """Create or replace the shop's bank account. Commits."""
    holder_name, bank_name = (holder_name or "").strip(), (bank_name or "").strip()
    number = "".join((account_number or "").split()).upper()
    branch_code = "".join((branch_code or "").split())
    if not holder_name:
        raise ValidationError(_("Give the account holder's name."), param="holder_name")
    if not bank_name:
        raise ValidationError(_("Give the bank's name."), param="bank_name")
    if not (8 <= len(number) <= 34) or not number.isalnum():
        raise ValidationError(_("An account number is 8 to 34 letters and digits."), param="account_number")
    if branch_code and (not branch_code.isdigit() or len(branch_code) > 20):
        raise ValidationError(_("A bank code is digits only."), param="branch_code")
    account = db.session.execute(select(BankAccount).where(BankAccount.shop_id == shop_id)).scalar_one_or_none()
    if account is None:
        account = BankAccount(shop_id=shop_id)
        db.session.add(account)
    account.holder_name, account.bank_name = holder_name[:120], bank_name[:120]
    account.account_number, account.branch_code = number, branch_code
    db.session.commit()
    return account


def bank_account_of(shop_id: int) -> BankAccount | None:
    return db.session.execute(select(BankAccount).where(BankAccount.shop_id == shop_id)).scalar_one_or_none()


def pay_out_shop(shop_id: int, currency: str, run_date: date) -> Payout | None:
    """Send the shop's whole available balance (above the minimum) to its bank; None when nothing goes."""
    from financing.signals import payout_created

    from .services import merchant_balance

    run_day = run_date.isoformat()
    earlier = db.session.execute(select(Payout).where(Payout.shop_id == shop_id, Payout.run_date == run_day,
                                                      Payout.currency == currency)).scalars().first()
    if earlier is not None:
        return None  # one payout per shop per day, however often the job runs
    bank = bank_account_of(shop_id)
    if bank is None:
        raise NoBankAccount(_("Add a bank account to receive payouts."), param="bank_account")
    available = merchant_balance(shop_id, currency)
    if available.amount < int(current_app.config.get("PAYOUT_MINIMUM_AMOUNT", 100)):
        return None
    payout = Payout(shop_id=shop_id, amount=available.amount, currency=currency, run_date=run_day,
                    holder_name=bank.holder_name, bank_name=bank.bank_name, account_number=bank.account_number,
                    branch_code=bank.branch_code)
    db.session.add(payout)
    db.session.flush()
    post_entry("payout", [debit(MERCHANT_AVAILABLE.code, available, shop_id), credit(PAYOUTS_IN_TRANSIT.code, available)],
               shop_id=shop_id, reference=payout.public_id, idempotency_key=f"payout:{payout.id}",
               description=f"Payout to {bank.bank_name} {bank.masked_number}")
    if current_app.config.get("PAYOUTS_VIA_PROVIDER"):
        from marketplace.payments.client import payment_client

        sent = payment_client().create_payout(available, idempotency_key=f"payout:{payout.public_id}",
                                              metadata={"payout": payout.public_id, "shop_id": str(shop_id)})
        payout.provider_id = sent.get("id")
    payout_created.send(current_app._get_current_object(), shop_id=shop_id, payout_id=payout.id, amount=available)
    return payout


def run_daily_payouts(run_date: date) -> list[Payout]:
    """Pay out every shop with a bank account and an available balance. Commits per shop."""
    rows = db.session.execute(
        select(LedgerAccount.shop_id, LedgerAccount.currency)
        .join(BankAccount, BankAccount.shop_id == LedgerAccount.shop_id)
        .where(LedgerAccount.type == MERCHANT_AVAILABLE.code, LedgerAccount.balance_amount < 0)
        .order_by(LedgerAccount.shop_id)
    ).all()
    made = []
    for shop_id, currency in rows:
        payout = pay_out_shop(shop_id, currency, run_date)
        db.session.commit()
        if payout is not None:
            made.append(payout)
    return made


def _load(payout_id: str) -> Payout:
    payout = db.session.execute(select(Payout).where(Payout.public_id == payout_id)).scalar_one_or_none()
    if payout is None:
        raise NotFound(_("No such payout."), param="payout")
    return payout


def confirm_payout(payout_id: str) -> Payout:
    """The bank credited the merchant: the money has left the platform's account. Commits."""
    payout = _load(payout_id)
    payout.mark_paid()
    post_entry("payout_paid", [debit(PAYOUTS_IN_TRANSIT.code, payout.money), credit(PLATFORM_CLEARING.code, payout.money)],
               shop_id=payout.shop_id, reference=payout.public_id, idempotency_key=f"payout-paid:{payout.id}",
               description=f"Payout {payout.public_id} received by the bank")
    db.session.commit()
    return payout


def fail_payout(payout_id: str, reason: str) -> Payout:
    """The bank returned the payout (closed account, wrong name): the money is available again. Commits."""
    payout = _load(payout_id)
    payout.mark_failed(reason or "returned by the bank")
    post_entry("payout_returned", [debit(PAYOUTS_IN_TRANSIT.code, payout.money),
                                   credit(MERCHANT_AVAILABLE.code, payout.money, payout.shop_id)],
               shop_id=payout.shop_id, reference=payout.public_id, idempotency_key=f"payout-returned:{payout.id}",
               description=f"Payout {payout.public_id} returned: {payout.failure_reason}")
    db.session.commit()
    return payout


def settlement_file(run_date: date) -> str:
    """The day's payouts as CSV for the bank's core system: one row per payout, amounts in major units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SETTLEMENT_FILE_COLUMNS)
    payouts = db.session.execute(select(Payout).where(Payout.run_date == run_date.isoformat())
                                 .order_by(Payout.id)).scalars()
    for p in payouts:
        writer.writerow([p.public_id, p.run_date, p.shop_id, p.holder_name, p.bank_name, p.branch_code,
                         p.account_number, f"{Money(p.amount, p.currency).major}", p.currency, p.public_id])
    return out.getvalue()


def payouts_of(shop_id: int, limit: int = 20) -> list[Payout]:
    return list(db.session.execute(select(Payout).where(Payout.shop_id == shop_id)
                                   .order_by(Payout.id.desc()).limit(limit)).scalars())


__all__ = ["save_bank_account", "bank_account_of", "pay_out_shop", "run_daily_payouts", "confirm_payout",
           "fail_payout", "settlement_file", "payouts_of", "PayoutStatus"]
