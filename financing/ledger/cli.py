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
    click.echo("The books balance: every entry, every account, every paid order and the loan book agree.")


@ledger_cli.command("settle")
def settle_command() -> None:
    """Make the pending money of orders completed more than SETTLEMENT_DELAY_DAYS ago available."""
    from .services import settle_due_orders

    result = settle_due_orders()
    amounts = ", ".join(f"{amount} {cur}" for cur, amount in sorted(result["amounts"].items())) or "nothing"
    click.echo(f"Settled {result['orders']} order(s): {amounts} (minor units).")


@ledger_cli.group("payouts")
def payouts_group() -> None:
    """Daily payouts to merchants' bank accounts."""


@payouts_group.command("run")
@click.option("--date", "run_date", default=None, help="The batch day, YYYY-MM-DD (default: today, UTC).")
@click.option("--file", "path", default=None, type=click.Path(dir_okay=False),
              help="Where to write the settlement CSV (default: instance/payouts/settlement-<date>.csv).")
def payouts_run(run_date: str | None, path: str | None) -> None:
    """Pay out every available balance and write the day's settlement file for the bank."""
    import os
    from datetime import date, datetime, timezone

    from flask import current_app

    from .payouts import run_daily_payouts, settlement_file

    try:
        day = date.fromisoformat(run_date) if run_date else datetime.now(timezone.utc).date()
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
    made = run_daily_payouts(day)
    path = path or os.path.join(current_app.instance_path, "payouts", f"settlement-{day.isoformat()}.csv")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(settlement_file(day))
    click.echo(f"{len(made)} payout(s) made; settlement file: {path}")


@payouts_group.command("confirm")
@click.argument("payout_ids", nargs=-1, required=True)
def payouts_confirm(payout_ids: tuple[str, ...]) -> None:
    """The bank credited these payouts (payout_... ids from its return file)."""
    from .payouts import confirm_payout

    for payout_id in payout_ids:
        confirm_payout(payout_id)
    click.echo(f"{len(payout_ids)} payout(s) confirmed.")


@payouts_group.command("return")
@click.argument("payout_id")
@click.option("--reason", default="returned by the bank")
def payouts_return(payout_id: str, reason: str) -> None:
    """The bank sent a payout back: its money is available to the merchant again."""
    from .payouts import fail_payout

    fail_payout(payout_id, reason)
    click.echo(f"Payout {payout_id} returned; the money is available again.")


def register(app: Flask) -> None:
    if "ledger" not in app.cli.commands:
        app.cli.add_command(ledger_cli)
