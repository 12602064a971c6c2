"""`flask orders ...`: jobs of the order flow, run from cron."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

orders_cli = AppGroup("orders", help="Residents' orders.")


@orders_cli.command("release-unpaid")
@click.option("--minutes", type=click.IntRange(min=1), default=None,
              help="Unpaid for longer than this (default: UNPAID_CARD_ORDER_MINUTES).")
def release_unpaid_command(minutes: int | None) -> None:
    """Cancel card orders left unpaid (the bank's check abandoned or failed); their goods go back on the shelf."""
    from .services import release_unpaid_card_orders

    minutes = minutes or current_app.config["UNPAID_CARD_ORDER_MINUTES"]
    released = release_unpaid_card_orders(timedelta(minutes=minutes))
    for order_id in released:
        click.echo(f"{order_id}: cancelled, unpaid for more than {minutes} minutes")
    click.echo(f"{len(released)} unpaid card order(s) released.")
