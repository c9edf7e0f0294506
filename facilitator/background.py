"""Work that must not block a socket handler: sentence vectors after each submission and the
analysis after a reveal. One worker thread per app keeps the CPU-heavy encoders from starving
the handlers of a 2-core machine.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask

from facilitator import broadcast
from glossary import meanings
from glossary.errors import DomainError

log = logging.getLogger("samenspraak.background")


class BackgroundWork:
    """Owned by the app (``app.extensions["samenspraak.background"]``); called by event handlers."""

    def __init__(self, app: Flask):
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="samenspraak-analysis")

    def _sessions(self):
        return self.app.extensions["samenspraak.sessions"]()

    def warm_up(self) -> Future:
        """Load the sentence encoders and search tables once, before the first person needs them."""
        return self.executor.submit(self._warm_up)

    def _warm_up(self) -> None:
        from glossary import search
        from glossary.semantics import warm_up

        warm_up()
        search.variants("kwaliteit")  # loads the lemma tables that glossary search uses

    def encode_definition(self, definition_id: int, text: str) -> Future | None:
        """Compute and cache the vector of a just-submitted definition."""
        if not self.app.config["ENCODE_DEFINITIONS"]:
            return None
        return self.executor.submit(self._encode, definition_id, text)

    def _encode(self, definition_id: int, text: str) -> None:
        from glossary.semantics import ENGINE, encode

        try:
            vector = encode([text])[0]
            with self._sessions() as session:
                meanings.store_vector(session, definition_id, text, vector, ENGINE)
        except Exception:  # noqa: BLE001 - the reveal computes a missing vector itself
            log.exception("could not encode definition %s", definition_id)

    def analyse_and_announce(self, round_id: int, meeting_id: int) -> Future:
        """Find the meanings of a revealed round and send them to everyone in the meeting."""
        return self.executor.submit(self._analyse, round_id, meeting_id)

    def _analyse(self, round_id: int, meeting_id: int) -> None:
        with self.app.app_context():
            try:
                with self._sessions() as session:
                    analysis = meanings.analyse_round(session, round_id)
                    payload = meanings.analysis_payload(analysis)
            except DomainError:
                return  # reopened or closed meanwhile: the next reveal analyses again
            except Exception:  # noqa: BLE001 - screens show that the grouping is unavailable
                log.exception("analysis of round %s failed", round_id)
                payload = {"round_id": round_id, "error": True}
            broadcast.announce_analysis(meeting_id, payload)
