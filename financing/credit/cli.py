"""`flask credit ...`: train the scorecard, re-score every merchant, back-test, age the loan book."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import click
from flask.cli import AppGroup

credit_cli = AppGroup("credit", help="Credit: scorecard, offers, loans.")


def _progress(desc: str, quiet: bool):
    from marketplace.demo.bulk import progress

    return lambda items: progress(items, total=len(items), desc=desc, enabled=not quiet)


def _as_of(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value else None


@credit_cli.command("train")
@click.option("--label", default="town", show_default=True, help="Prefix of the model version.")
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Folder for the model file (default: the scorecards shipped with the code).")
@click.option("--demo-town", "demo_town", is_flag=True,
              help="Fit on a fresh demo town in a scratch database (how the shipped scorecard is made) "
                   "instead of this database's history.")
@click.option("--quiet", is_flag=True)
def train_command(label, output, demo_town, quiet):
    """Fit the scorecard on the platform's order history and save it as a versioned file."""
    from .scorecard import model_directory
    from .training import DEMO_TOWN_LABEL, save_model, train, train_on_demo_town

    try:
        if demo_town:
            doc = train_on_demo_town(label=label if label != "town" else DEMO_TOWN_LABEL,
                                     progress=_progress("features", quiet))
        else:
            doc = train(label=label, progress=_progress("features", quiet))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    path = save_model(doc, output or model_directory())
    click.echo(f"Model {doc['version']} written to {path}")
    click.echo(json.dumps(doc["report"], indent=1))


@credit_cli.command("rescore")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Score history up to this day (default: now).")
@click.option("--quiet", is_flag=True)
def rescore_command(as_of, quiet):
    """Re-score every merchant and refresh its offer."""
    from .services import rescore_all

    counts = rescore_all(as_of=_as_of(as_of), progress=_progress("rescore", quiet))
    click.echo(f"Scored {counts['shops']} merchants; {counts['offers']} have a live offer.")


@credit_cli.command("age")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Age the book as of this day (default: now).")
@click.option("--quiet", is_flag=True)
def age_command(as_of, quiet):
    """The daily job: days past due, delinquency buckets, line freezes and write-offs by policy."""
    from .lending import age_loans

    counts = age_loans(now=_as_of(as_of), progress=_progress("age", quiet))
    click.echo(f"Aged the loans of {counts['shops']} merchants: {counts['delinquent']} delinquent, "
               f"{counts['charged_off']} charged off.")


@credit_cli.command("backtest")
@click.option("--cutoff", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Score at this past day only (default: every monthly cut-off the history allows).")
@click.option("--quiet", is_flag=True)
def backtest_command(cutoff, quiet):
    """Score every merchant at a past cut-off, follow what happened next, compare with a naive policy."""
    from .training import backtest

    try:
        result = backtest(cutoff=_as_of(cutoff), progress=_progress("back-test", quiet))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    sc, nv = result["scorecard"], result["naive"]
    click.echo(f"Cut-offs {result['cutoff']}, horizon {result['horizon_days']} days, model {result['model']} "
               f"(fitted on the other half of the merchants), policy v{result['policy_version']}")
    click.echo(f"Merchant-cut-offs tested: {result['merchants_tested']}, of whom failed or collapsed: {result['bads']}")
    click.echo(f"AUC {result['auc']:.3f}   KS {result['ks']:.3f}")
    click.echo(f"{'policy':<12}{'approved':>10}{'approval':>10}{'bad rate':>10}{'loss rate':>11}")
    for name, r in (("scorecard", sc), ("naive", nv)):
        click.echo(f"{name:<12}{r['approved']:>10}{r['approval_rate']:>10.1%}{r['bad_rate']:>10.1%}"
                   f"{r['loss_rate']:>11.1%}")


def register(app) -> None:
    app.cli.add_command(credit_cli)
