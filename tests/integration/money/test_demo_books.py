"""The demo town's books: after the town is generated, `flask ledger reconcile` finds nothing wrong."""
from datetime import date

from sqlalchemy import func, select

from financing.ledger.models import JournalEntry
from marketplace.demo.generator import TownSpec, seed_town
from marketplace.extensions import db

TOWN = TownSpec(merchants=12, suppliers=3, residents=120, months=2, seed=5, end=date(2026, 3, 1),
                orders_per_resident_month=3.0)


def test_the_books_of_a_freshly_generated_demo_town_reconcile(app, runner):
    seed_town(TOWN, echo=lambda _msg: None, show_progress=False)
    kinds = dict(db.session.execute(select(JournalEntry.kind, func.count()).group_by(JournalEntry.kind)).all())
    assert kinds.get("sale", 0) > 100 and kinds.get("settlement", 0) > 0  # a town with real money in it

    # Seeded history has no card payments at a provider, so the provider is left out (as after `make demo`).
    result = runner.invoke(args=["ledger", "reconcile", "--no-provider"])
    assert result.exit_code == 0, result.output
