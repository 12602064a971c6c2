"""`flask demo seed`: write the demo town."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from . import calibration

demo_cli = AppGroup("demo", help="The demo town.")


@demo_cli.command("seed")
@click.option("--merchants", default=200, show_default=True, type=click.IntRange(1), help="Retail shops.")
@click.option("--suppliers", default=20, show_default=True, type=click.IntRange(1), help="Wholesalers.")
@click.option("--residents", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60), help="Months of history.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Same seed and end date, same town.")
@click.option("--end", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The town's today (history stops at 00:00 UTC that day). Default: today.")
@click.option("--orders-per-resident", default=calibration.DEFAULT_ORDERS_PER_RESIDENT_MONTH, show_default=True,
              type=click.FloatRange(0), help="Orders a resident places a month (the seed platform: 0.33).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has shops.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def seed(merchants, suppliers, residents, months, seed, end, orders_per_resident, if_empty, quiet):
    """Write a demo town in Taizhou: shops, suppliers, residents and months of orders."""
    from .generator import DEMO_ACCOUNTS, DEMO_PASSWORD, TownSpec, demo_accounts_exist, seed_town, town_exists

    if if_empty and town_exists():
        click.echo("The database already holds shops: no demo town written.")
        return
    if demo_accounts_exist():
        raise click.ClickException("The demo accounts already exist: seed into an empty database.")
    spec = TownSpec(merchants=merchants, suppliers=suppliers, residents=residents, months=months, seed=seed,
                    end=end.date() if end else None, orders_per_resident_month=orders_per_resident)
    summary = seed_town(spec, echo=click.echo, show_progress=not quiet)
    click.echo(f"Demo town written in {summary.seconds:.1f} s "
               f"({summary.start:%Y-%m-%d} to {summary.end:%Y-%m-%d}):")
    for table, count in sorted(summary.counts.items()):
        click.echo(f"  {table:<24} {count:>10,}")
    if summary.hooks:
        click.echo("Seed hooks run: " + ", ".join(summary.hooks))
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}):")
    for role, email in DEMO_ACCOUNTS.items():
        click.echo(f"  {role:<9} {email}")
