"""Work that must not block a socket handler: sentence vectors after each submission and the
analysis after a reveal.

Two worker threads per app, each doing one thing at a time so that the CPU-heavy encoders cannot
starve the handlers of a 2-core machine:
- the *analysis* thread: warm-up, then the meanings of each revealed round (people wait for it);
- the *encoder* thread: a vector for each submitted definition, at a lower CPU priority. Those
  vectors only save the analysis some work later, so under a burst of submissions (about 45 ms of
  CPU each) they wait for idle CPU instead of delaying acknowledgements, and an analysis never
  queues behind them: it computes (and stores) the vectors still missing itself.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask

from facilitator import broadcast
from glossary.errors import DomainError
from glossary.meeting import meanings, sorting, vectors

log = logging.getLogger("samenspraak.background")

#: How much nicer than the handlers the encoder thread is (Linux gives each thread its own niceness).
ENCODER_NICENESS = 15


def _lower_encoder_priority() -> None:
    # Linux applies setpriority to one thread when given its thread id; elsewhere that call would
    # address a process, so the encoder simply keeps the normal priority there.
    if sys.platform.startswith("linux"):
        try:
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + ENCODER_NICENESS))
        except OSError:
            log.warning("could not lower the encoder thread's priority", exc_info=True)


class BackgroundWork:
    """Owned by the app (``app.extensions["samenspraak.background"]``); called by event handlers."""

    def __init__(self, app: Flask):
        self.app = app
        self.analysis = ThreadPoolExecutor(max_workers=1, thread_name_prefix="samenspraak-analysis")
        self.encoder = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="samenspraak-encoder", initializer=_lower_encoder_priority
        )
        # Rounds with a regroup queued that has not started yet: answers arriving meanwhile ride along.
        self._regroups_waiting: set[int] = set()
        self._regroups_lock = threading.Lock()
        self.warming: Future | None = None  # the warm-up, once serving has started it

    def drain(self, timeout: float = 180) -> None:
        """Called by tests: wait until all work submitted so far is done."""
        for executor in (self.analysis, self.encoder):
            executor.submit(lambda: None).result(timeout=timeout)

    def shutdown(self) -> None:
        """Finish the queued work and stop both threads (the app is going away)."""
        self.analysis.shutdown(wait=True)
        self.encoder.shutdown(wait=True)

    def _sessions(self):
        return self.app.extensions["samenspraak.sessions"]()

    def warm_up_once(self) -> None:
        """Start the warm-up unless it has started already (called when serving begins)."""
        with self._regroups_lock:
            if self.warming is None:
                self.warming = self.warm_up()

    def warm_up(self) -> Future:
        """Load the sentence encoders and search tables once, before the first person needs them."""
        return self.analysis.submit(self._warm_up)

    def _warm_up(self) -> None:
        from glossary.entries import search
        from glossary.semantics import warm_up

        warm_up()
        search.variants("kwaliteit")  # loads the lemma tables that glossary search uses

    def encode_definition(self, definition_id: int, text: str) -> Future | None:
        """Compute and cache the vector of a just-submitted definition."""
        if not self.app.config["ENCODE_DEFINITIONS"]:
            return None
        return self.encoder.submit(self._encode, definition_id, text)

    def _encode(self, definition_id: int, text: str) -> None:
        from glossary.semantics import ENGINE, encode

        try:
            with self._sessions() as session:
                if not vectors.needs_vector(session, definition_id, text, ENGINE):
                    return  # a reveal's analysis got there first, or the text changed since
                vector = encode([text])[0]
                vectors.store_vector(session, definition_id, text, vector, ENGINE)
        except Exception:  # noqa: BLE001 - the reveal computes a missing vector itself
            log.exception("could not encode definition %s", definition_id)

    def analyse_and_announce(self, round_id: int, meeting_id: int) -> Future:
        """Find the meanings of a revealed round and send them to everyone in the meeting."""
        return self.analysis.submit(self._analyse, round_id, meeting_id)

    def _analyse(self, round_id: int, meeting_id: int) -> None:
        with self.app.app_context():
            try:
                with self._sessions() as session:
                    analysis = meanings.analyse_round(session, round_id)
                    payload = meanings.screen_payload(session, analysis)
            except DomainError:
                return  # reopened or closed meanwhile: the next reveal analyses again
            except Exception:  # noqa: BLE001 - screens show that the grouping is unavailable
                log.exception("analysis of round %s failed", round_id)
                payload = {"round_id": round_id, "error": True}
            broadcast.announce_analysis(meeting_id, payload)

    def regroup_and_announce(self, round_id: int, meeting_id: int) -> Future | None:
        """Group a sorting round again with all answers so far and send the new meanings to everyone.

        Coalesced: while one regroup of the round waits in the queue, later answers add nothing
        (it will read them all); answers that arrive while one runs queue exactly one more.
        Returns None when it rode along with a waiting one.
        """
        with self._regroups_lock:
            if round_id in self._regroups_waiting:
                return None
            self._regroups_waiting.add(round_id)
        return self.analysis.submit(self._regroup, round_id, meeting_id)

    def _regroup(self, round_id: int, meeting_id: int) -> None:
        with self._regroups_lock:
            self._regroups_waiting.discard(round_id)  # answers from now on need another run
        with self.app.app_context():
            try:
                with self._sessions() as session:
                    analysis = sorting.regroup(session, round_id)
                    payload = meanings.screen_payload(session, analysis)
            except DomainError:
                return  # closed or reopened meanwhile
            except Exception:  # noqa: BLE001 - the grouping on the screens simply stays as it was
                log.exception("regrouping round %s with the room's answers failed", round_id)
                return
            if payload is not None:  # None: nothing changed, or the facilitator's corrections stand
                broadcast.announce_analysis(meeting_id, payload)

    def find_terms(self, analysis_id: int) -> Future:
        """Run a term analysis of partners' documents (`glossary.documents.library.run_analysis`);
        its progress is stored on the way, and the page polls it.

        It runs on the encoder thread, at its lower CPU priority: an analysis of 1 MB of text takes
        up to a minute, and a live meeting's reveal (on the analysis thread) must never queue
        behind it. Definition vectors meanwhile wait, which costs a reveal nothing (it computes
        missing vectors itself)."""
        return self.encoder.submit(self._find_terms, analysis_id)

    def _find_terms(self, analysis_id: int) -> None:
        from glossary.documents import library

        last = [0.0]

        def progress(fraction: float, message: str) -> None:
            if fraction - last[0] >= 0.05 or fraction >= 1.0:
                last[0] = fraction
                with self._sessions() as session:
                    library.record_progress(session, analysis_id, fraction, message)

        try:
            with self._sessions() as session:
                library.run_analysis(session, analysis_id, progress)
        except Exception:  # noqa: BLE001 - the page shows that the analysis failed
            log.exception("term analysis %s failed", analysis_id)
            with self._sessions() as session:
                library.fail_analysis(session, analysis_id)
