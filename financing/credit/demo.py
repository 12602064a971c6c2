"""Demo town: score every seeded merchant at the town's 'now' so offers and declines are waiting."""
from __future__ import annotations

from sqlalchemy import select

SEED_HOOK_ORDER = 60  # after the ledger and purchasing hooks: features read supplier invoices


def seed_credit(ctx) -> None:
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Shop, ShopKind
    from marketplace.extensions import db

    from .services import active_offer, latest_decision, refresh_offer

    ids = list(db.session.execute(select(Shop.id).where(Shop.kind == ShopKind.retail).order_by(Shop.id)).scalars())
    offers = 0
    for shop_id in ctx.progress(ids, total=len(ids), desc="credit"):
        if refresh_offer(shop_id, as_of=ctx.end, force=True) is not None:
            offers += 1
    demo_shop = db.session.execute(select(Shop.id).join(User, Shop.owner_id == User.id)
                                   .where(User.email == "merchant@demo.local")).scalar()
    if demo_shop is not None and active_offer(demo_shop) is None:
        decision = latest_decision(demo_shop)
        reasons = "; ".join(r["message"] for r in (decision.reasons if decision else []))
        ctx.echo(f"merchant@demo.local has no credit offer: {reasons}")
    ctx.echo(f"Credit: {offers} of {len(ids)} merchants pre-approved; the rest were told why not.")


def register() -> None:
    from marketplace.demo.hooks import register_seed_hook

    register_seed_hook("credit", seed_credit, order=SEED_HOOK_ORDER)
    from .demo_history import register as register_history

    register_history()
