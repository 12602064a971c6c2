"""`flask payments ...`: converge payment state with the provider."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Card payments through the Stripe-compatible provider.")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Ask the provider about unfinished payments, apply what changed, then report disagreements."""
    from .reconcile import provider_disagreements, sync_pending_payments

    changed = sync_pending_payments()
    click.echo(f"{changed} payment(s) brought up to date from the provider.")
    problems = provider_disagreements()
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)


def register(app: Flask) -> None:
    if "payments" not in app.cli.commands:
        app.cli.add_command(payments_cli)
