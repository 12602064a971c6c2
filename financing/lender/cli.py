"""`flask lender ...`: run the early-warning scan and the model back-test."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import AppGroup

from . import early_warning, monitoring

lender_cli = AppGroup("lender", help="Lender console: early warning and model monitoring.")


def _as_of(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None


@lender_cli.command("scan")
@click.option("--as-of", help="Scan as on this day (YYYY-MM-DD); default now.")
def scan_command(as_of: str | None) -> None:
    """Raise, refresh and resolve early-warning alerts."""
    result = early_warning.scan(_as_of(as_of))
    click.echo(f"Alerts raised {result.raised}, refreshed {result.refreshed}, resolved {result.resolved}.")


@lender_cli.command("backtest")
def backtest_command() -> None:
    """Back-test the scorecard and keep the figures for the monitoring page."""
    report = monitoring.run_backtest()
    f = report.figures
    click.echo(f"Back-test at {f['cutoff']}: AUC {f['auc']:.3f}, KS {f['ks']:.3f}, "
               f"loss rate {f['scorecard']['loss_rate']:.2%} (naive {f['naive']['loss_rate']:.2%}).")
