"""The ledger: balanced, append-only entries; balances as sums of postings; sales, refunds and settlement."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from financing.ledger import services as ledger
from financing.ledger.errors import LedgerImmutable, UnbalancedEntry
from financing.ledger.models import JournalEntry, Posting
from financing.ledger.reconcile import check_books
from financing.signals import sale_settled
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.payments import services as payments
from tests.factories import make_shop

from .orders import complete, make_order


def cny(amount: int) -> Money:
    return Money(amount, "CNY")


def test_a_balanced_entry_moves_both_balances(app):
    shop = make_shop()
    ledger.post_entry("adjustment", [ledger.debit("platform_clearing", cny(500)),
                                     ledger.credit("merchant_available", cny(500), shop.id)], shop_id=shop.id)
    db.session.commit()
    assert ledger.merchant_balance(shop.id) == cny(500)
    assert ledger.account_balance("platform_clearing", None, "CNY") == cny(500)


def test_an_unbalanced_entry_is_refused_before_anything_is_written(app):
    shop = make_shop()
    with pytest.raises(UnbalancedEntry):
        ledger.post_entry("adjustment", [ledger.debit("platform_clearing", cny(500)),
                                         ledger.credit("merchant_available", cny(499), shop.id)])
    with pytest.raises(UnbalancedEntry):
        ledger.post_entry("adjustment", [ledger.debit("platform_clearing", cny(500))])
    db.session.rollback()
    assert db.session.query(JournalEntry).count() == 0


def _raw_unbalanced_entry():
    db.session.execute(text("INSERT INTO ledger_accounts (public_id, key, type, currency, balance_amount, created_at) "
                            "VALUES ('acct_raw', :key, 'platform_clearing', 'CNY', 0, CURRENT_TIMESTAMP)"),
                       {"key": "platform_clearing:-:CNY"})
    db.session.execute(text("INSERT INTO ledger_entries (public_id, kind, description, sealed, effective_at, "
                            "created_at) VALUES ('je_raw', 'adjustment', '', false, CURRENT_TIMESTAMP, "
                            "CURRENT_TIMESTAMP)"))
    entry = db.session.execute(text("SELECT id FROM ledger_entries WHERE public_id = 'je_raw'")).scalar()
    account = db.session.execute(text("SELECT id FROM ledger_accounts WHERE public_id = 'acct_raw'")).scalar()
    db.session.execute(text("INSERT INTO ledger_postings (entry_id, account_id, amount, currency) "
                            "VALUES (:e, :a, 700, 'CNY'), (:e, :a, -600, 'CNY')"), {"e": entry, "a": account})
    db.session.execute(text("UPDATE ledger_entries SET sealed = true WHERE id = :e"), {"e": entry})
    db.session.commit()


def test_the_database_refuses_an_unbalanced_entry_written_around_the_services(app):
    with pytest.raises((DBAPIError, IntegrityError)) as refused:
        _raw_unbalanced_entry()
    db.session.rollback()
    assert "balance" in str(refused.value)
    assert db.session.query(JournalEntry).count() == 0


def test_postings_and_entries_are_never_edited_or_deleted(app):
    shop = make_shop()
    entry = ledger.post_entry("adjustment", [ledger.debit("platform_clearing", cny(500)),
                                             ledger.credit("merchant_available", cny(500), shop.id)])
    db.session.commit()
    posting = entry.postings[0]
    posting.amount = 1
    with pytest.raises(LedgerImmutable):
        db.session.flush()
    db.session.rollback()
    for statement in ("UPDATE ledger_postings SET amount = 1", "DELETE FROM ledger_postings",
                      "UPDATE ledger_entries SET description = 'edited'", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
    assert db.session.get(Posting, posting.id).amount == 500


def test_a_reversing_entry_undoes_a_mistake_and_keeps_both_on_the_record(app):
    shop = make_shop()
    wrong = ledger.post_entry("adjustment", [ledger.debit("platform_clearing", cny(900)),
                                             ledger.credit("merchant_available", cny(900), shop.id)], shop_id=shop.id)
    reversal = ledger.reverse_entry(wrong.id)
    again = ledger.reverse_entry(wrong.id)
    db.session.commit()
    assert again.id == reversal.id
    assert ledger.merchant_balance(shop.id) == cny(0)
    assert db.session.query(JournalEntry).count() == 2


def test_other_areas_register_their_own_account_types(app):
    ledger.register_account_type("loans_receivable_test", normal_side="debit", per_shop=True, label="Loans")
    shop = make_shop()
    ledger.post_entry("drawdown", [ledger.debit("loans_receivable_test", cny(100_00), shop.id),
                                   ledger.credit("merchant_available", cny(100_00), shop.id)], shop_id=shop.id)
    db.session.commit()
    assert ledger.account_balance("loans_receivable_test", shop.id, "CNY") == cny(100_00)
    assert ledger.merchant_balance(shop.id) == cny(100_00)
    with pytest.raises(ValueError):
        ledger.register_account_type("loans_receivable_test", normal_side="credit", per_shop=True, label="x")


def test_a_cash_sale_is_on_the_record_and_its_commission_is_owed(app):
    order = make_order(total=20000, method="cash")
    payments.record_cash_payment(order)
    payments.record_cash_payment(order)  # handed over once, whatever the clicks
    db.session.commit()
    balances = ledger.merchant_balances(order.shop_id)
    assert balances["pending"] == cny(-120)  # 0.6% of 200.00 owed to the platform
    assert ledger.account_balance("merchant_cash_sales", order.shop_id, "CNY") == cny(20000)
    assert check_books() == []


def test_a_paid_order_settles_after_the_delay_and_subscribers_hear_how_much(app):
    order = make_order(total=10000, method="cash")
    payments.record_cash_payment(order)
    db.session.commit()
    card_order = make_order(total=5000)
    # The sale as the card flow posts it (card charging itself is tested against the provider).
    from marketplace.orders.models import Payment, PaymentMethod

    payment = Payment(order=card_order, method=PaymentMethod.card, amount=5000, currency="CNY")
    db.session.add(payment)
    db.session.flush()
    payments._paid(card_order, payment)
    db.session.commit()
    assert ledger.merchant_balances(card_order.shop_id)["pending"] == cny(5000 - 30)

    heard = []
    sale_settled.connect(lambda _s, **kw: heard.append(kw), weak=False)
    try:
        assert ledger.settle_due_orders()["orders"] == 0  # not completed yet
        complete(card_order, days_ago=0)
        assert ledger.settle_due_orders()["orders"] == 0  # completed, but within the delay
        complete(order, days_ago=2)
        db.session.execute(text("UPDATE orders SET completed_at = :t WHERE id = :id"),
                           {"t": order.completed_at, "id": card_order.id})
        db.session.commit()
        assert ledger.settle_due_orders()["orders"] == 2
        assert ledger.settle_due_orders()["orders"] == 0
    finally:
        sale_settled.receivers.clear()
    assert ledger.merchant_balances(card_order.shop_id) == {"available": cny(4970), "pending": cny(0)}
    assert sorted(h["amount"].amount for h in heard) == [-60, 4970]
