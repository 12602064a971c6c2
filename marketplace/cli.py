"""Core commands: `flask users create-lender` and `flask users grant-role`."""
import click
from flask import Flask
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create-lender")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_lender(email: str, name: str, password: str) -> None:
    """Create a lender (the bank's credit staff). Nobody can sign up as one."""
    from .accounts.services import create_lender as create
    from .errors import DomainError

    try:
        user = create(email, password, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created lender {user.email} ({user.public_id}).")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
