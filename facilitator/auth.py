"""First-run setup, login/logout and the facilitator's account page with API tokens."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext

from facilitator import broadcast
from facilitator.i18n import error_message
from facilitator.web import LOGIN_KEY, current_facilitator, current_login_session_id, db
from glossary import accounts
from glossary.errors import DomainError

blueprint = Blueprint("auth", __name__)


def login_required(view):
    """Page decorator: sends visitors who are not signed in to the login page, then back."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_facilitator() is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login would help phishing.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("pages.index")


def _sign_in(facilitator) -> None:
    session.clear()
    session[LOGIN_KEY] = accounts.start_login_session(db(), facilitator)
    session.permanent = True


@blueprint.route("/setup", methods=["GET", "POST"])
def setup():
    if accounts.has_facilitators(db()):
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        if request.form.get("password") != request.form.get("password_again"):
            flash(gettext("De twee wachtwoorden zijn niet gelijk."), "error")
            return render_template("setup.html", form=request.form), 400
        try:
            facilitator = accounts.create_facilitator(
                db(), request.form.get("username"), request.form.get("password"),
                request.form.get("display_name"), first_only=True,
            )
        except DomainError as error:
            flash(error_message(error), "error")
            return render_template("setup.html", form=request.form), error.status
        _sign_in(facilitator)
        flash(gettext("Welkom! Maak nu je eerste samenwerkingsverband aan."), "success")
        return redirect(url_for("meetings.new_partnership"))
    return render_template("setup.html", form={})


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if not accounts.has_facilitators(db()):
        return redirect(url_for("auth.setup"))
    if request.method == "POST":
        limits = current_app.extensions["samenspraak.limits"]
        username = request.form.get("username")
        account = "u:" + (username.strip().lower()[:64] if isinstance(username, str) else "")
        address = request.remote_addr or "unknown"
        wait = max(limits.login_per_account.wait_seconds(account), limits.login_per_address.wait_seconds(address))
        if wait:
            flash(gettext("Te veel mislukte pogingen om in te loggen. Probeer het over %(seconds)s seconden opnieuw.",
                          seconds=wait), "error")
            return render_template("login.html", form=request.form), 429, {"Retry-After": str(wait)}
        facilitator = accounts.authenticate(db(), username, request.form.get("password"))
        if facilitator is None:
            limits.login_per_account.allow(account)
            limits.login_per_address.allow(address)
            flash(gettext("Onbekende gebruikersnaam of verkeerd wachtwoord."), "error")
            return render_template("login.html", form=request.form), 401
        _sign_in(facilitator)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", form={})


@blueprint.post("/logout")
def logout():
    ended = current_login_session_id()
    accounts.end_login_session(db(), session.get(LOGIN_KEY))
    session.clear()
    if ended is not None:
        broadcast.end_connections(broadcast.credential_room(login_session_id=ended))
    flash(gettext("Je bent uitgelogd."), "success")
    return redirect(url_for("pages.index"))


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def account():
    new_token = None
    if request.method == "POST":
        try:
            _token, new_token = accounts.create_api_token(db(), current_facilitator().username, request.form.get("label", ""))
        except DomainError as error:
            flash(error_message(error), "error")
    tokens = accounts.list_api_tokens(db(), current_facilitator().id)
    return render_template("account.html", tokens=tokens, new_token=new_token)


@blueprint.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    accounts.revoke_api_token(db(), current_facilitator().id, token_id)
    broadcast.end_connections(broadcast.credential_room(api_token_id=token_id))
    flash(gettext("Het token is ingetrokken."), "success")
    return redirect(url_for("auth.account"))
