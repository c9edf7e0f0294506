"""Request plumbing shared by pages, API and events: database sessions, the signed-in
facilitator, security headers and error pages.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import format_date, format_datetime, get_locale, gettext
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from glossary import accounts
from glossary.entries.editing import STATUSES
from glossary.errors import DomainError
from glossary.models import Facilitator
from glossary.readings import READING_LABELS
from glossary.validation import MAX_ID

log = logging.getLogger("samenspraak")

# The messages below as tests compare them; the gettext calls in ``unexpected_error_message`` carry
# the same literal text, so that extraction finds them.
DATABASE_BUSY = "De database is even bezet; er is niets opgeslagen. Probeer het zo opnieuw."
SERVER_ERROR = "Er ging iets mis op de server; er is niets opgeslagen. Probeer het opnieuw."
SAVED_NOT_SHOWN = (
    "Opgeslagen, maar nog niet bij iedereen: daarna ging er iets mis op de server. "
    "Wie het niet ziet, kan de pagina herladen; opnieuw versturen is niet nodig."
)


def db() -> Session:
    """The database session of the current request or socket event, closed when it ends."""
    if "db" not in g:
        g.db = current_app.extensions["samenspraak.sessions"]()
        event.listen(g.db, "after_flush", _note_write)
        event.listen(g.db, "do_orm_execute", _note_statement)
        event.listen(g.db, "after_commit", _note_commit)
        event.listen(g.db, "after_soft_rollback", _forget_write)
    return g.db


# A commit that wrote something (``begin_write`` also commits an open read transaction, which saves
# nothing) is noted in the session's info, so an error after it can say that the action was saved.
def _note_write(session_: Session, _context) -> None:
    session_.info["writing"] = True


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["writing"] = True


def _note_commit(session_: Session) -> None:
    if session_.info.pop("writing", False):
        session_.info["committed"] = True


def _forget_write(session_: Session, _previous) -> None:
    session_.info.pop("writing", None)


def committed_since_reset(session_: Session) -> bool:
    """True when ``session_`` committed since the last ``reset_commit_note`` (an action was saved)."""
    return bool(session_.info.get("committed"))


def reset_commit_note(session_: Session) -> None:
    session_.info.pop("committed", None)


LOGIN_KEY = "login"


def current_facilitator() -> Facilitator | None:
    """The facilitator signed in through the session cookie, if any.

    The cookie names a login session on the server (``accounts.start_login_session``); once that
    has ended (logout, password change) the cookie, or any copy of it, signs in nobody."""
    if "facilitator" not in g:
        login = accounts.login_session_for_key(db(), session.get(LOGIN_KEY))
        g.login_session_id = login.id if login else None
        g.facilitator = accounts.find_facilitator(db(), login.facilitator_id) if login else None
    return g.facilitator


def current_login_session_id() -> int | None:
    """The id of the login session behind ``current_facilitator`` (None when signed out)."""
    current_facilitator()
    return g.login_session_id


def unexpected_error_message(error: Exception, *, saved: bool = False) -> str:
    """What a person is told when something other than a domain rule went wrong; ``saved`` when
    it went wrong after the action was committed (announcing it, say): then it *was* stored."""
    if saved:
        log.exception("error after the action was saved", exc_info=error)
        return gettext("Opgeslagen, maar nog niet bij iedereen: daarna ging er iets mis op de server. "
                       "Wie het niet ziet, kan de pagina herladen; opnieuw versturen is niet nodig.")
    if isinstance(error, OperationalError):
        log.warning("database unavailable or busy: %s", error)
        return gettext("De database is even bezet; er is niets opgeslagen. Probeer het zo opnieuw.")
    log.exception("unexpected error", exc_info=error)
    return gettext("Er ging iets mis op de server; er is niets opgeslagen. Probeer het opnieuw.")


def is_api_request() -> bool:
    """Whether the request is for the JSON API (including addresses no route matched)."""
    return request.path.startswith("/api/")


def api_error(message: str, status: int, headers: dict | None = None, **extra) -> tuple:
    """The JSON API's one error shape: ``{"ok": false, "error": message, ...extra}`` with its status.
    Used by the error handlers below and by api.py and glossary_api.py."""
    return {"ok": False, "error": message, **extra}, status, headers or {}


def error_answer(message: str, status: int, headers: dict | None = None):
    """An error as the asker reads it: JSON for the API, the site's error page for everything else."""
    if is_api_request():
        return api_error(message, status, headers)
    return render_template("error.html", message=message), status, headers or {}


class SocketPostLimit:
    """WSGI guard in front of Socket.IO: a long-polling POST above ``max_bytes`` gets a 413 at once.

    python-engineio refuses such a POST as well, but first closes the session and waits until the
    client's next poll has fetched the goodbye (``Socket.close(wait=True)``): with no poll under
    way the request hangs and holds a server thread. Here nothing of the body is read.
    """

    def __init__(self, wsgi_app, max_bytes: int, path: str = "/socket.io/"):
        self.wsgi_app, self.max_bytes, self.path = wsgi_app, max_bytes, path

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(self.path):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > self.max_bytes:
                start_response("413 Request Entity Too Large", [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")])
                return [f"A message may be at most {self.max_bytes // 1024} KiB.".encode()]
        return self.wsgi_app(environ, start_response)


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number beyond a row id's range matches no route (404)
    instead of reaching the database, where it is an error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def format_day(value) -> str:
    """The one date style of the glossary pages ("29 november 2026"); takes a date, a datetime or
    an ISO date string (as kept in an adopted version's provenance)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return format_date(value, "long")


def init_app(app: Flask) -> None:
    """Called by ``create_app`` before the blueprints are registered (their routes use IdConverter)."""
    app.url_map.converters["int"] = IdConverter

    @app.teardown_appcontext
    def close_session(_exc):
        session_ = g.pop("db", None)
        if session_ is not None:
            session_.close()

    # Constants go to the environment, not the per-request context, so that macros imported
    # without context (templates/_live.html) see them too.
    app.jinja_env.globals.update(reading_labels=READING_LABELS, entry_statuses=STATUSES)

    @app.context_processor
    def template_globals():
        return {
            "current_facilitator": current_facilitator(),
            "get_locale": get_locale,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "day": format_day,
        }

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        from facilitator.i18n import error_message

        return error_answer(error_message(error), error.status)

    @app.errorhandler(404)
    def not_found(_error):
        return error_answer(gettext("Niet gevonden.") if is_api_request() else gettext("Deze pagina bestaat niet."), 404)

    @app.errorhandler(405)
    @app.errorhandler(413)
    def refused_request(error):
        # Without these, werkzeug answers with its own English HTML page, also on the JSON API.
        if error.code == 413:
            message = gettext("Dit is te groot om te versturen (maximaal %(mb)s MB); er is niets opgeslagen.",
                              mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
        else:
            message = gettext("Dit adres kan dit soort verzoek niet verwerken.")
        headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else {}
        return error_answer(message, error.code, headers)

    @app.errorhandler(OperationalError)
    def database_error(error):
        _forget_database()
        return error_answer(unexpected_error_message(error), 503)

    @app.errorhandler(500)
    def server_error(error):
        # Anything unforeseen: the API still answers JSON, pages the site's own error page.
        original = getattr(error, "original_exception", None) or error
        saved = "db" in g and committed_since_reset(g.db)  # the request's action was stored before it failed
        _forget_database()
        message = unexpected_error_message(original, saved=saved)
        try:
            return error_answer(message, 500)
        except Exception:  # noqa: BLE001 - the error page itself failed: plain text, never a traceback
            return message, 500, {"Content-Type": "text/plain; charset=utf-8"}


def _forget_database() -> None:
    """Before an error page: the session's transaction is given up, and the signed-in facilitator
    is not read again (the page's header would otherwise ask the failing database once more)."""
    session_ = g.pop("db", None)
    if session_ is not None:
        try:
            session_.close()
        except Exception:  # noqa: BLE001 - the database is what failed
            log.warning("closing the database session after an error failed", exc_info=True)
    g.facilitator = None
    g.login_session_id = None
