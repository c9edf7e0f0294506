"""Shared pieces of the hostile-input tests: hypothesis strategies for junk, and the checks that
an answer to junk is a readable refusal (never a crash, a traceback or exception text)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from facilitator.web import DATABASE_BUSY, SERVER_ERROR

# Function-scoped fixtures (the app, a meeting) are shared by the examples of one test on
# purpose: the meeting must survive every example and still work afterwards.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that have broken layouts, logs, databases or encoders somewhere.
EDGE_TEXTS = [
    "", " ", "\x00", "a\x00b", "\u202eevil\u202c", "\u200f", "\u2066x\u2069", "\ufeff", "\ud800", "x\udfff",
    "\U0001f600", "e\u0301", "\u0085", "\r\n", "\t", "<script>alert(1)</script>", "'\"`", "%s %(x)s {0} %n",
    "\\", "../../etc/passwd", "ǅ", "ß", "İ", "\u00a0", "NaN", "null", "true", "0", "-1", "1e309",
    "SELECT * FROM meetings; --", "${7*7}{{7*7}}",
]
HUGE_INTS = [2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, -(2**31), -(2**63) - 1, -(10**30)]


def texts(max_size: int = 40):
    long_runs = st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "\u202e", "\x00", "😀", "<", " "]),
                          st.sampled_from([81, 121, 201, 1001, 2001, 5001, 20_000]))
    return st.one_of(
        st.sampled_from(EDGE_TEXTS),
        st.text(max_size=max_size),
        st.lists(st.sampled_from(EDGE_TEXTS) | st.text(max_size=4), max_size=6).map("".join),
        long_runs,
    )


def integers():
    return st.one_of(st.integers(-3, 3), st.sampled_from(HUGE_INTS), st.integers())


def scalars(binary: bool = True):
    plain = [st.none(), st.booleans(), integers(), st.floats(allow_nan=True, allow_infinity=True), texts()]
    return st.one_of(*plain, *([st.binary(max_size=8)] if binary else []))


def junk(binary: bool = True):
    """Any JSON-ish value: scalars, nested lists and objects, and a few very long lists
    (``binary``: also bytes, which Socket.IO sends as attachments)."""
    nested = st.recursive(
        scalars(binary),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=10,
    )
    long_lists = st.builds(lambda v, n: [v] * n, st.sampled_from(["x", 1, None, "1.1", "m1", {}]),
                           st.sampled_from([21, 31, 51, 2000]))
    return st.one_of(nested, long_lists)


#: The rate limits (tested on their own in test_rate_limits.py), lifted by `without_limits`.
EVENT_LIMITS = ("EVENTS_PER_SECOND", "EVENTS_BURST", "GUEST_EVENTS_PER_SECOND", "GUEST_EVENTS_BURST")
JOIN_LIMITS = ("JOIN_ATTEMPTS_PER_MINUTE", "JOIN_ATTEMPTS_BURST", "JOIN_GUESSES_PER_HOUR")
LOGIN_LIMITS = ("LOGIN_FAILURES_BURST", "LOGIN_FAILURES_PER_MINUTE",
                "LOGIN_FAILURES_PER_ADDRESS_BURST", "LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE")


def without_limits(app, *settings: str):
    """Called by the hostile tests' ``app`` fixtures: junk and floods must reach the code behind
    the named rate limits. Replaces the app's limits; returns the app."""
    from facilitator.ratelimit import Limits

    app.extensions["samenspraak.limits"] = Limits({**app.config, **{name: 10**6 for name in settings}})
    return app


# An exception's name, a traceback or a library's name in what a person is shown.
LEAK = re.compile(r"Traceback|File \"|\b\w+(Error|Exception)\b|sqlalchemy|sqlite|psycopg|werkzeug|jinja", re.I)


def assert_readable_refusal(message: object, context: object = "") -> None:
    """A refusal a person can act on: text, not the catch-all server error, nothing technical."""
    assert isinstance(message, str) and message.strip(), (message, context)
    assert message not in (SERVER_ERROR, DATABASE_BUSY), (message, context)
    assert not LEAK.search(message), (message, context)


def assert_ack(ack: object, context: object = "") -> None:
    """The documented ack shape: {"ok": true, ...} or {"ok": false, "error": str}."""
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (ack, context)
    if not ack["ok"]:
        assert_readable_refusal(ack.get("error"), context)
