"""Configuration from the environment, with safe development defaults.

Called once by ``create_app``. Production (``SAMENSPRAAK_ENV=production``) refuses to start
without a real secret key or with debug on; development generates a secret once and keeps it
in ``instance/secret_key`` so sessions survive restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DB_FILE = "samenspraak.db"


class ConfigurationError(RuntimeError):
    """The app cannot start safely with this configuration; the message says what to set."""


def _dev_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # Created with owner-only permissions: the key signs every session cookie.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


#: Socket events handled at the same moment in one process (facilitator/gate.py).
SOCKET_HANDLERS_AT_ONCE = 8


def _whole_number(env, name: str, default: int, least: int = 1) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise ConfigurationError(f"{name}={value!r}: use a whole number of {least} or more (default {default}).")
    return int(value)


def load_settings(instance_path: Path, overrides: dict | None = None) -> dict:
    """Merge environment variables and ``overrides`` (tests) into the app's configuration."""
    overrides = dict(overrides or {})
    env = os.environ
    production = overrides.get("ENV", env.get("SAMENSPRAAK_ENV", "development")) == "production"
    debug = overrides.get("DEBUG", env.get("FLASK_DEBUG", "") in ("1", "true", "yes"))
    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if production:
        if not secret or len(secret) < 32:
            raise ConfigurationError(
                "SAMENSPRAAK_ENV=production needs SECRET_KEY: a random value of at least 32 characters "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if debug:
            raise ConfigurationError("Debug mode must be off in production: unset FLASK_DEBUG.")
    elif not secret:
        secret = _dev_secret(instance_path)

    settings = {
        "ENV": "production" if production else "development",
        "DEBUG": debug,
        "SECRET_KEY": secret,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance_path / DEFAULT_DB_FILE}",
        # How long a write waits for another writer's lock before "busy, nothing saved".
        "DATABASE_BUSY_TIMEOUT_MS": _whole_number(env, "DATABASE_BUSY_TIMEOUT_MS", 10000, least=0),
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # Processes of one deployment share a channel; another deployment on the same Redis must not.
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL", "samenspraak"),
        # Several processes: encoding and analysis run as jobs in worker processes
        # (`flask --app run jobs-worker`, docs/operations.md) instead of on each process's threads.
        "JOB_QUEUE_URL": env.get("JOB_QUEUE_URL") or None,
        # After how many seconds without a sign of life a worker's job is retried by another worker.
        "JOB_ABANDONED_AFTER": _whole_number(env, "JOB_ABANDONED_AFTER", 20),
        "PUBLIC_URL": env.get("PUBLIC_URL", "").rstrip("/") or None,
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host. Without it
        # every participant would share the proxy's address (and its join-code limit).
        "PROXY_HOPS": _whole_number(env, "PROXY_HOPS", 0, least=0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PARTICIPANT_COOKIE_DAYS": 30,
        "BABEL_DEFAULT_LOCALE": "nl",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Sentence vectors are computed in the background after each submission; the models
        # are loaded at start so the first definition of a meeting is not slow.
        "ENCODE_DEFINITIONS": True,
        "WARM_UP_MODELS": env.get("SAMENSPRAAK_WARM_UP", "1") != "0",
        # Guessing join codes: a few typos are fine, a script trying codes is not.
        "JOIN_ATTEMPTS_BURST": 10,
        "JOIN_ATTEMPTS_PER_MINUTE": 10,
        # ... but a correct code still works after those, so what stops a script is this:
        "JOIN_GUESSES_PER_HOUR": 100,
        "SHARED_CHECKS_PER_MINUTE": 20,
        "SHARED_CHECKS_BURST": 20,
        # Wrong passwords: a person mistypes a few times; a script trying passwords gets a wait.
        "LOGIN_FAILURES_BURST": 5,
        "LOGIN_FAILURES_PER_MINUTE": 5,
        "LOGIN_FAILURES_PER_ADDRESS_BURST": 20,
        "LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE": 20,
        # A person clicks and types; a person sending more than this is flooding.
        "EVENTS_PER_SECOND": 10,
        "EVENTS_BURST": 30,
        # Guests at one address together (a room of phones on one Wi-Fi joins at once; bench/load.py
        # joins 500 guests from one address within 10 s).
        "GUEST_EVENTS_PER_SECOND": 100,
        "GUEST_EVENTS_BURST": 500,
        # Running totals (who joined, how many submitted) per meeting at most every so many seconds
        # (facilitator/pacing.py): the facilitator's screen follows closely, phones once a second.
        "ANNOUNCE_TO_STAFF_EVERY": 0.25,
        "ANNOUNCE_TO_PEOPLE_EVERY": 1.0,
        # ... and less often in a plenary, where one announcement means a message to every phone and
        # a roster of every name: at most this many a second (1,000 phones: counts every 5 s, the
        # staff's roster every second).
        "ANNOUNCE_PHONE_MESSAGES_PER_SECOND": 200,
        "ANNOUNCE_STAFF_NAMES_PER_SECOND": 1000,
        # Socket events handled at the same moment in one process (facilitator/gate.py): more
        # only queue for the interpreter and the database connections (see docs/operations.md §8).
        "SOCKET_HANDLERS_AT_ONCE": SOCKET_HANDLERS_AT_ONCE,
        # Database connections a process keeps open: one per event handled at once, and some for the
        # analysis and encoder threads, the paced announcements and page requests. With SQLAlchemy's
        # default of 5, every burst opened PostgreSQL connections and closed them again: when 20 people
        # pressed Opslaan at once, the acknowledgements waited 188 ms (p95) instead of 121 ms.
        "DATABASE_POOL_SIZE": _whole_number(env, "DATABASE_POOL_SIZE", SOCKET_HANDLERS_AT_ONCE + 4),
        # The core a serving process's socket threads stay on (facilitator/cores.py): "auto" picks one
        # by process id, a number picks that core (several processes on one machine: one each), "off"
        # lets them run anywhere. Encoding and analysis use every core either way.
        "SOCKET_CORE": (env.get("SOCKET_CORE") or "auto").strip().lower(),
    }
    settings.update(overrides)
    # Times are stored in UTC and shown in the organisation's time zone (pages, summary dates).
    settings.setdefault("TIMEZONE", env.get("TIMEZONE", "Europe/Amsterdam"))
    try:
        ZoneInfo(settings["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"Unknown TIMEZONE {settings['TIMEZONE']!r}: use a name such as Europe/Amsterdam or UTC."
        ) from None
    settings["BABEL_DEFAULT_TIMEZONE"] = settings["TIMEZONE"]
    core = str(settings["SOCKET_CORE"])
    if core not in ("auto", "off") and not (core.isdigit() and int(core) < 4096):
        raise ConfigurationError(
            f"SOCKET_CORE={core!r}: use auto, off, or the number of a processor core (0, 1, ...)."
        )
    return settings
