"""`flask ledger ...`: reconcile the books, settle due orders, pay merchants out."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

ledger_cli = AppGroup("ledger", help="The double-entry ledger: reconcile, settle, pay out.")


@ledger_cli.command("reconcile")
@click.option("--provider/--no-provider", default=True,
              help="Also ask the payment provider about every card payment (default: yes).")
def reconcile_command(provider: bool) -> None:
    """Print every disagreement in the books; exit 1 if there is any."""
    from .reconcile import check_books

    problems = check_books()
    if provider:
        from marketplace.payments.reconcile import provider_disagreements

        problems += provider_disagreements()
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("The books balance: every entry, every account and every paid order agree.")


@ledger_cli.command("settle")
def settle_command() -> None:
    """Make the pending money of orders completed more than SETTLEMENT_DELAY_DAYS ago available."""
    from .services import settle_due_orders

    result = settle_due_orders()
    amounts = ", ".join(f"{amount} {cur}" for cur, amount in sorted(result["amounts"].items())) or "nothing"
    click.echo(f"Settled {result['orders']} order(s): {amounts} (minor units).")


def register(app: Flask) -> None:
    if "ledger" not in app.cli.commands:
        app.cli.add_command(ledger_cli)
