"""Background work after a submission and after a reveal: the submitted text gets its vector
without holding anyone up, and the meanings of a reveal never wait behind those vectors."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from sqlalchemy import select

from facilitator import jobs
from facilitator.background import ENCODER_BACKLOG, ENCODER_NICENESS, ENCODER_QUIET
from glossary.models import Definition

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")

TEXTS = [
    "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen.",
    "Alles gaat volgens protocol en wordt afgevinkt op de checklist; geen fouten.",
    "Je uiterste best doen om iets zo mooi mogelijk te maken, met vakmanschap en toewijding.",
]


def reveal_three_definitions(connect) -> list[dict]:
    """Three people define TEXTS and the facilitator reveals: the meanings as each of the four
    screens received them (each checked to be this round's, without an error)."""
    facilitator = connect("facilitator")
    people = [connect("participant", name, partner) for name, partner in
              [("Ans", "Gemeente Oostdam"), ("Bram", "Waterschap Rivierenland"), ("Cor", "Zorggroep De Linde")]]
    round_id = facilitator.emit("start_round", {"term": "kwaliteit"})["round"]["id"]
    for n, (screen, text) in enumerate(zip(people, TEXTS)):
        assert screen.emit("submit_definition", {"client_id": f"c-{n}", "text": text})["ok"]
    assert facilitator.emit("reveal", {"round_id": round_id})["ok"]
    received = [screen.last("analysis", timeout=90)["analysis"] for screen in (facilitator, *people)]
    for analysis in received:
        assert analysis["round_id"] == round_id and "error" not in analysis
    return received


def stored_vectors(app) -> dict[int, str | None]:
    with app.extensions["samenspraak.sessions"]() as session:
        return {d.id: d.vector_engine for d in session.scalars(select(Definition))}


@pytest.fixture
def encoding_app(app):
    app.config["ENCODE_DEFINITIONS"] = True
    return app


def test_a_submitted_definition_gets_its_vector_in_the_background(encoding_app, connect):
    from glossary.semantics import ENGINE

    facilitator = connect("facilitator")
    ans = connect("participant", "Ans")
    facilitator.emit("start_round", {"term": "kwaliteit"})
    ack = ans.emit("submit_definition", {"client_id": "c-1", "text": TEXTS[0]})
    assert ack["ok"], ack

    encoding_app.extensions["samenspraak.background"].drain()
    assert stored_vectors(encoding_app) == {ack["definition"]["id"]: ENGINE}


def test_the_meanings_of_a_reveal_do_not_wait_for_queued_vectors(encoding_app, connect, monkeypatch):
    from glossary import semantics
    from glossary.semantics import ENGINE

    background = encoding_app.extensions["samenspraak.background"]
    release = threading.Event()
    background.encoder.submit(release.wait, 120)  # the encoder is busy, as under a burst of submissions
    try:
        for analysis in reveal_three_definitions(connect):
            assert sum(len(m["definition_ids"]) for m in analysis["meanings"]) == 3
        # The analysis stored the vectors it computed, so the encoder has nothing left to do.
        assert set(stored_vectors(encoding_app).values()) == {ENGINE}
        encoded, encode = [], semantics.encode
        monkeypatch.setattr(semantics, "encode", lambda texts, **options: encoded.extend(texts) or encode(texts, **options))
    finally:
        release.set()
    background.drain()
    assert encoded == []


def test_a_vector_waits_for_a_quiet_moment_after_a_room_s_burst_but_not_under_a_steady_stream(
        encoding_app, monkeypatch):
    # 20 rooms submitting within the same 10 s never left a quiet moment: the texts piled up and
    # every reveal had to encode its own first (bench/load.py --only one: last meanings 17 s after
    # the reveal instead of 8 s). A room's burst (up to 40 at once) still lets people go first.
    background = encoding_app.extensions["samenspraak.background"]
    quiet_asked: list[float] = []

    class Gate:
        def wait_until_idle(self, timeout, quiet=0.0):
            quiet_asked.append(quiet)
            return True

    monkeypatch.setitem(encoding_app.extensions, "samenspraak.handling", Gate())
    monkeypatch.setattr(jobs, "encode_definition", lambda definition_id, text: None)
    release = threading.Event()
    background.encoder.submit(release.wait, 120)  # the encoder is busy while the texts arrive
    for n in range(ENCODER_BACKLOG + 5):
        background.encode_definition(n + 1, f"tekst {n}")
    release.set()
    background.drain()
    # The first five found more than a room's burst still to do; the other 40 waited for calm.
    assert quiet_asked == [0.0] * 5 + [ENCODER_QUIET] * ENCODER_BACKLOG
    background.encode_definition(99, "nog een")
    background.drain()
    assert quiet_asked[-1] == ENCODER_QUIET


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is a Linux feature")
def test_only_the_encoder_thread_runs_at_a_lower_priority(app):
    background = app.extensions["samenspraak.background"]

    def niceness():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    handlers = niceness()
    assert background.encoder.submit(niceness).result(timeout=10) == min(19, handlers + ENCODER_NICENESS)
    assert background.analysis.submit(niceness).result(timeout=10) == handlers
    assert niceness() == handlers
