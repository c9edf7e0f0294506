"""Samenspraak's web layer: the Flask app factory, pages, JSON API and Socket.IO events.

Everything here is thin: it validates input, calls one function of the ``glossary`` domain
package and renders or emits the result.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from facilitator import cores
from facilitator.settings import load_settings
from glossary.db import make_engine, make_session_factory

ROOT = Path(__file__).resolve().parent.parent
MAX_SOCKET_MESSAGE = 64 * 1024  # bytes per Socket.IO message (docs/protocol.md)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides settings from the environment (used by tests)."""
    instance_path = Path(
        (config or {}).get("INSTANCE_PATH") or os.environ.get("SAMENSPRAAK_INSTANCE") or ROOT / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_settings(instance_path, config))
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # The English catalogue lives at the top level (compiled by `make install`), whatever the cwd.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))

    engine = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=app.config["DATABASE_BUSY_TIMEOUT_MS"],
                         pool_size=app.config["DATABASE_POOL_SIZE"])
    app.extensions["samenspraak.engine"] = engine
    app.extensions["samenspraak.sessions"] = make_session_factory(engine)
    cores.record_every_core(app)

    from facilitator import i18n

    CSRFProtect(app)
    Babel(app, locale_selector=i18n.select_locale)
    from facilitator.message_queue import client_manager

    queue = client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"], app.config["SOCKETIO_CHANNEL"])
    socketio = SocketIO(
        app,
        **({"client_manager": queue} if queue else {}),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "threading"),
        max_http_buffer_size=MAX_SOCKET_MESSAGE,
        ping_interval=10,
        ping_timeout=10,
    )
    from facilitator.web import SocketPostLimit

    app.wsgi_app = SocketPostLimit(app.wsgi_app, MAX_SOCKET_MESSAGE)

    from facilitator import (
        api,
        auth,
        broadcast,
        cli,
        documents,
        events,
        glossary_api,
        glossary_views,
        meetings,
        pages,
        web,
    )
    from facilitator.background import BackgroundWork
    from facilitator.gate import HandlerGate
    from facilitator.pacing import AnnouncementPacer
    from facilitator.ratelimit import Limits

    app.extensions["samenspraak.limits"] = Limits(app.config)
    app.extensions["samenspraak.announcing"] = threading.Lock()  # see broadcast.announce_discussion
    app.extensions["samenspraak.handling"] = HandlerGate(app.config["SOCKET_HANDLERS_AT_ONCE"])
    app.extensions["samenspraak.pacer"] = AnnouncementPacer(
        app, broadcast.send_totals,
        {"staff": app.config["ANNOUNCE_TO_STAFF_EVERY"], "people": app.config["ANNOUNCE_TO_PEOPLE_EVERY"]},
        screens=broadcast.phones_connected,
        per_second={"staff": app.config["ANNOUNCE_STAFF_NAMES_PER_SECOND"], "people": app.config["ANNOUNCE_PHONE_MESSAGES_PER_SECOND"]},
    )
    if app.config["JOB_QUEUE_URL"]:
        # Several processes: the jobs go to worker processes (docs/operations.md, "Job workers").
        from facilitator.job_queue import QueuedWork

        background = QueuedWork(app)
    else:
        background = BackgroundWork(app)
    app.extensions["samenspraak.background"] = background
    if app.config["WARM_UP_MODELS"]:
        # Not now: every `flask --app run …` command builds the app too, and loading the encoders
        # and spaCy then cost each command seconds. Serving starts it: run.py before listening,
        # and any server (gunicorn) on its first request.
        app.before_request(background.warm_up_once)

    web.init_app(app)
    for blueprint in (pages.blueprint, auth.blueprint, meetings.blueprint, api.blueprint, glossary_views.blueprint, glossary_api.blueprint, documents.blueprint):
        app.register_blueprint(blueprint)
    api.init_app(app)
    events.register(socketio)
    cli.register(app)
    return app


#: What `python run.py` says instead of Werkzeug's generic "do not use it in a production deployment".
BUILT_IN_SERVER_NOTE = (
    "Samenspraak uses Python's built-in web server here: fine for one meeting room served from this "
    "computer. For several rooms or a server that others rely on, run gunicorn behind a proxy as "
    "described in docs/operations.md."
)


#: Werkzeug's and Flask-SocketIO's generic warnings, replaced by BUILT_IN_SERVER_NOTE.
_GENERIC_WARNINGS = ("This is a development server", "appears to be used in a production deployment")


class _WithoutGenericWarnings(logging.Filter):
    """Takes the generic server warnings out of the start-up messages, keeping the addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(warning in message for warning in _GENERIC_WARNINGS):
            kept = [line for line in message.splitlines() if not any(w in line for w in _GENERIC_WARNINGS)]
            if not kept:
                return False
            record.msg, record.args = "\n".join(kept), ()
        return True


def serve(app: Flask, host: str, port: int) -> None:
    """The local server of ``python run.py`` / ``make run``: starts loading the models, then listens."""
    if app.config["WARM_UP_MODELS"]:
        app.extensions["samenspraak.background"].warm_up_once()
    cores.prepare_serving_process(app)
    logging.getLogger("werkzeug").addFilter(_WithoutGenericWarnings())
    print(BUILT_IN_SERVER_NOTE, flush=True)
    app.extensions["socketio"].run(app, host=host, port=port, allow_unsafe_werkzeug=True)
