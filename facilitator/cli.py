"""Commands: ``flask --app run db-upgrade | create-facilitator | create-token``."""

from __future__ import annotations

import click
from flask import Flask, current_app

from facilitator.i18n import error_message
from glossary import accounts, migrate
from glossary.errors import DomainError


def _sessions():
    return current_app.extensions["samenspraak.sessions"]()


def register(app: Flask) -> None:
    @app.cli.command("db-upgrade")
    def db_upgrade():
        """Apply the database migrations (safe to run repeatedly)."""
        done = migrate.upgrade(current_app.config["DATABASE_URL"])
        if not done.applied:
            click.echo(f"Database already up to date (schema {done.after}); nothing to do.")
        elif done.before is None:
            click.echo(f"Created the database tables: applied {len(done.applied)} migrations "
                       f"({done.applied[0]} … {done.applied[-1]}); schema {done.after}.")
        else:
            click.echo(f"Upgraded the database from schema {done.before} to {done.after} "
                       f"({len(done.applied)} migrations: {', '.join(done.applied)}).")

    @app.cli.command("create-facilitator")
    @click.option("--username", prompt=True)
    @click.option("--display-name", default="")
    @click.password_option()
    def create_facilitator(username, display_name, password):
        """Create a facilitator account."""
        with _sessions() as session:
            try:
                facilitator = accounts.create_facilitator(session, username, password, display_name)
            except DomainError as error:
                raise click.ClickException(error_message(error)) from None
            click.echo(f"Facilitator '{facilitator.username}' created.")

    @app.cli.command("create-token")
    @click.argument("username")
    @click.option("--label", default="", help="What the token is for, e.g. 'import script'.")
    def create_token(username, label):
        """Create a personal API token; it is printed once and stored only as a hash."""
        with _sessions() as session:
            try:
                _token, secret = accounts.create_api_token(session, username, label)
            except DomainError as error:
                raise click.ClickException(error_message(error)) from None
        click.echo(secret)
