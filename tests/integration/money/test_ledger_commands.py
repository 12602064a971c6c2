"""flask ledger reconcile / settle / payouts: what an operator runs from cron, and what they print."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from financing.ledger import payouts
from marketplace.extensions import db
from marketplace.orders.models import Payment, PaymentMethod, PaymentStatus
from marketplace.payments import services as payments

from .orders import complete, make_order


def test_reconcile_passes_on_agreeing_books_and_names_a_paid_order_without_entries(app, runner):
    order = make_order(total=3000, method="cash")
    payments.record_cash_payment(order)
    db.session.commit()
    ok = runner.invoke(args=["ledger", "reconcile", "--no-provider"])
    assert ok.exit_code == 0, ok.output
    assert "The books balance" in ok.output
    stray = make_order(total=500, method="cash")
    db.session.add(Payment(order=stray, method=PaymentMethod.cash, amount=500, currency="CNY",
                           status=PaymentStatus.succeeded))  # written around the services: no sale entry
    db.session.commit()
    bad = runner.invoke(args=["ledger", "reconcile", "--no-provider"])
    assert bad.exit_code == 1
    assert "has no sale entry" in bad.output


@pytest.mark.unbalanced_books
def test_reconcile_names_an_account_whose_balance_disagrees_with_its_postings(app, runner):
    order = make_order(total=3000, method="cash")
    payments.record_cash_payment(order)
    db.session.commit()
    db.session.execute(text("UPDATE ledger_accounts SET balance_amount = balance_amount + 1 "
                            "WHERE type = 'merchant_pending'"))
    db.session.commit()
    bad = runner.invoke(args=["ledger", "reconcile", "--no-provider"])
    assert bad.exit_code == 1
    assert "merchant_pending" in bad.output and "postings sum to" in bad.output


def test_settle_and_pay_out_from_the_command_line_write_the_bank_file(app, runner, tmp_path):
    order = make_order(total=10000)
    payment = Payment(order=order, method=PaymentMethod.card, amount=10000, currency="CNY")
    db.session.add(payment)
    db.session.flush()
    payments._paid(order, payment)
    db.session.commit()
    complete(order, days_ago=3)
    settled = runner.invoke(args=["ledger", "settle"])
    assert "Settled 1 order(s)" in settled.output
    payouts.save_bank_account(order.shop_id, holder_name="Wang", bank_name="Taizhou Bank",
                              account_number="6230123456789012")
    path = tmp_path / "settlement.csv"
    ran = runner.invoke(args=["ledger", "payouts", "run", "--date", "2026-11-29", "--file", str(path)])
    assert ran.exit_code == 0, ran.output
    assert "1 payout(s) made" in ran.output
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("payout_id,run_date,shop_id") and lines[1].endswith(",99.40,CNY," + lines[1].split(",")[0])
    bad_date = runner.invoke(args=["ledger", "payouts", "run", "--date", "29/11/2026"])
    assert bad_date.exit_code == 2
