"""Commands: ``flask --app run db-upgrade | create-facilitator | create-token | jobs-worker``.

They print plain English: they are for operators' scripts and logs, like Flask's own commands."""

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
    @click.option("--username", prompt=True, help="The login name.")
    @click.option("--display-name", default="", help="The name others see (default: the username).")
    @click.option("--password", default=None,
                  help="The password. Visible to other users of this computer and kept in the shell history: "
                       "prefer --password-stdin in scripts, or leave both out to be asked.")
    @click.option("--password-stdin", is_flag=True,
                  help="Read the password from the first line of standard input (for scripted setups).")
    def create_facilitator(username, display_name, password, password_stdin):
        """Create a facilitator account (asks for the password unless --password-stdin or --password)."""
        if password_stdin and password is not None:
            raise click.UsageError("Use either --password or --password-stdin, not both.")
        if password_stdin:
            password = click.get_text_stream("stdin").readline().rstrip("\r\n")
        elif password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
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

    @app.cli.command("jobs-worker")
    @click.option("--burst", is_flag=True, help="Stop once the queues are empty instead of waiting for more jobs.")
    def jobs_worker(burst):
        """Encode and analyse for the server processes: take jobs from the queue at JOB_QUEUE_URL
        (docs/operations.md, "Job workers"). Loads the sentence encoders first (a few seconds)."""
        if not current_app.config["JOB_QUEUE_URL"]:
            raise click.UsageError("Set JOB_QUEUE_URL (the Redis of the server processes, e.g. redis://localhost:6379/0).")
        from facilitator.job_queue import run_worker  # imports RQ, which no other command needs

        run_worker(current_app._get_current_object(), burst=burst)
