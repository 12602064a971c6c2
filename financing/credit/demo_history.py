"""Demo town: replay the town's past months of credit through the real services.

Month by month, some merchants look at their offer as of that day and draw part of it; every day
after, the agreed share of each borrower's settled card sales is withheld; a few pay off early; the
daily ageing job marks missed minimums, freezes lines and writes off loans 120 days past due. All
of it runs under `marketplace.clock.as_of`, so loans, contracts, repayments and ledger entries
carry the dates they would have had, and the lender console opens on a book with vintages,
delinquency and losses that follow from the town's own sales (declining shops miss their
minimums because their sales fell, not because a die said so).

The demo accounts' shop is left out, so merchant@demo.local finds a fresh offer waiting.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

SEED_HOOK_ORDER = 55  # after the ledger (settlements) and purchasing; before today's offers (60)
FIRST_ROUND_DAYS = 90  # scores need three months of sales
CONSIDERED_SHARE = 0.3  # of merchants without a loan, the share who open their offer in a month
MAX_CONSIDERED_PER_ROUND = 200  # bounds the replay at the seed's scale (each look is a credit decision)
TAKE_UP_SHARE = 0.6  # of those shown an offer, the share who draw
DRAW_SHARE = (0.3, 1.0)  # of the limit, uniformly
DRAW_STEP = 10_000  # draws in whole hundreds of yuan
EARLY_PAYOFF_SHARE = 0.1  # of borrowers able to, the share who pay the rest off in a given month
SETTLED_AT = time(20, 0)  # withholding runs in the evening
BATCH_DAYS = 7  # settlements withheld from at once (see _replay_days)


def _rounds(start: datetime, end: datetime) -> list[datetime]:
    """Monthly midnights from three months into the history until a month before its end."""
    moment = datetime.combine((start + timedelta(days=FIRST_ROUND_DAYS)).date(), time(0), tzinfo=timezone.utc)
    rounds = []
    while moment < end - timedelta(days=30):
        rounds.append(moment)
        moment += timedelta(days=30)
    return rounds


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def replay_credit_history(ctx) -> dict:
    from financing.credit.lending import age_loans
    from marketplace.clock import as_of
    from marketplace.extensions import db

    rng = ctx.random("credit-history")
    start, end = _utc(ctx.start), _utc(ctx.end)
    rounds = _rounds(start, end)
    left_out = _demo_account_shops(ctx)
    counts = defaultdict(int)
    for i, moment in enumerate(ctx.progress(rounds, total=len(rounds), desc="credit history")):
        with as_of(moment):
            counts["draws"] += _offer_round(rng, moment, left_out)
        until = rounds[i + 1] if i + 1 < len(rounds) else end
        _replay_days(moment, until, counts)
        with as_of(until - timedelta(hours=1)):
            counts["paid_off_early"] += _early_payoffs(rng)
    with as_of(end):
        counts["charged_off"] += age_loans(now=end)["charged_off"]
    db.session.commit()
    ctx.echo(f"Credit history: {counts['draws']} draws over {len(rounds)} months, {counts['withheld']} weeks of "
             f"withholding, {counts['paid_off_early']} paid off early, {counts['charged_off']} written off.")
    return dict(counts)


def _demo_account_shops(ctx) -> set[int]:
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Shop
    from marketplace.extensions import db

    emails = list(ctx.extra.get("demo_accounts", {}).values())
    return set(db.session.scalars(select(Shop.id).join(User, Shop.owner_id == User.id).where(User.email.in_(emails))))


def _candidates(left_out: set[int]) -> list[int]:
    """Retail shops with no open loan and no loan ever written off."""
    from marketplace.catalog.models import Shop, ShopKind
    from marketplace.extensions import db

    from .models import Loan, LoanStatus

    busy = select(Loan.shop_id).where(Loan.status.in_(LoanStatus.open_states() + (LoanStatus.charged_off,)))
    ids = db.session.scalars(select(Shop.id).where(Shop.kind == ShopKind.retail, Shop.id.not_in(busy))
                             .order_by(Shop.id))
    return [shop_id for shop_id in ids if shop_id not in left_out]


def _offer_round(rng, moment: datetime, left_out: set[int]) -> int:
    """Some merchants open their dashboard today; most of those offered credit draw some."""
    from marketplace.catalog.models import Shop
    from marketplace.extensions import db

    from .lending import draw
    from .services import refresh_offer

    pool = _candidates(left_out)
    looking = rng.sample(pool, min(len(pool), MAX_CONSIDERED_PER_ROUND, round(len(pool) * CONSIDERED_SHARE)))
    drawn = 0
    for shop_id in sorted(looking):
        offer = refresh_offer(shop_id, as_of=moment, force=True)
        if offer is None or rng.random() >= TAKE_UP_SHARE:
            continue
        amount = int(offer.limit_amount * rng.uniform(*DRAW_SHARE)) // DRAW_STEP * DRAW_STEP
        amount = min(offer.limit_amount, max(amount, DRAW_STEP))
        shop = db.session.get(Shop, shop_id)
        draw(shop.owner_id, amount, accept_terms=True, signature_name=shop.owner.name, shop_id=shop_id,
             ip="", user_agent="demo", request_key=f"demo:{shop_id}:{moment:%Y%m%d}")
        drawn += 1
    return drawn


def _borrowers() -> dict[int, str]:
    from marketplace.extensions import db

    from .models import Loan, LoanStatus

    return dict(db.session.execute(select(Loan.shop_id, Loan.currency)
                                   .where(Loan.status.in_(LoanStatus.open_states())).distinct()).tuples().all())


def _settled_by_day(shop_ids, since: datetime, until: datetime) -> dict:
    """Card sales settled per day and shop: {date: {shop_id: amount}}."""
    from financing.ledger.models import Settlement
    from marketplace.extensions import db

    by_day: dict = defaultdict(dict)
    rows = db.session.execute(
        select(Settlement.shop_id, Settlement.settled_at, Settlement.amount)
        .where(Settlement.shop_id.in_(list(shop_ids)), Settlement.settled_at >= since, Settlement.settled_at < until,
               Settlement.amount > 0))
    for shop_id, settled_at, amount in rows:
        day = _utc(settled_at).date()
        by_day[day][shop_id] = by_day[day].get(shop_id, 0) + amount
    return by_day


def _replay_days(since: datetime, until: datetime, counts) -> None:
    """Week by week: withhold the agreed share of every borrower's settled card sales, then age the loans.

    The live platform withholds from each settlement as it happens; replaying a year of them one by
    one costs minutes, so the demo withholds a week's settlements at once, on the week's last evening.
    """
    from financing.credit.lending import age_loans, withhold_from_settlement
    from marketplace.clock import as_of
    from marketplace.extensions import db
    from marketplace.money import Money

    borrowers = _borrowers()
    if not borrowers:
        return
    settled = _settled_by_day(borrowers, since, until)
    first = since.date()
    while first < until.date():
        last = min(first + timedelta(days=BATCH_DAYS - 1), (until - timedelta(days=1)).date())
        week: dict[int, int] = defaultdict(int)
        for k in range((last - first).days + 1):
            for shop_id, amount in settled.get(first + timedelta(days=k), {}).items():
                week[shop_id] += amount
        with as_of(datetime.combine(last, SETTLED_AT, tzinfo=timezone.utc)) as moment:
            for shop_id, amount in sorted(week.items()):
                kept = withhold_from_settlement(shop_id, Money(amount, borrowers[shop_id]),
                                                reference=f"settlements:{shop_id}:{first}:{last}")
                counts["withheld"] += kept.amount > 0
            db.session.commit()
            counts["charged_off"] += age_loans(now=moment)["charged_off"]
        first = last + timedelta(days=1)


def _early_payoffs(rng) -> int:
    """A few borrowers whose balance covers what they owe pay it all off."""
    from marketplace.catalog.models import Shop
    from marketplace.extensions import db

    from . import ledger_accounts as books
    from .lending import repay
    from .services import open_loans

    paid = 0
    for shop_id in sorted(_borrowers()):
        owed = sum(loan.outstanding_amount for loan in open_loans(shop_id))
        if owed <= 0 or books.merchant_available(shop_id).amount < owed or rng.random() >= EARLY_PAYOFF_SHARE:
            continue
        repay(db.session.get(Shop, shop_id).owner_id, owed, shop_id=shop_id)
        paid += 1
    return paid


def register() -> None:
    from marketplace.demo.hooks import register_seed_hook

    register_seed_hook("credit_history", replay_credit_history, order=SEED_HOOK_ORDER)

