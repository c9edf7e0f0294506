"""The work that must not block a socket handler, one function per job.

Each function runs inside an app context, wherever it runs: on this process's background threads
(``facilitator.background.BackgroundWork``, as with `make run`), or in a job worker process
(``facilitator.job_queue``) when JOB_QUEUE_URL is set. Their announcements go through
``broadcast``, so with SOCKETIO_MESSAGE_QUEUE set they reach the screens of every server process.

Every job may run twice: a job whose worker died is retried from the start. That is safe because
each one reads what it needs from the database and writes its result in one transaction: a second
encoding finds the vector stored and skips, a second analysis or regroup simply replaces the first.
"""

from __future__ import annotations

import logging

from flask import current_app

from facilitator import broadcast
from glossary.errors import DomainError
from glossary.meeting import meanings, sorting, vectors

log = logging.getLogger("samenspraak.jobs")


def _sessions():
    return current_app.extensions["samenspraak.sessions"]()


def warm_up() -> None:
    """Load the sentence encoders and search tables once, before the first person needs them."""
    from glossary.entries import search
    from glossary.semantics import warm_up as load_models

    load_models()
    search.variants("kwaliteit")  # loads the lemma tables that glossary search uses


def encode_definition(definition_id: int, text: str) -> None:
    """Compute and store the vector of a just-submitted definition (about 45 ms of CPU); it only
    saves the reveal's analysis that work later, so a failure is logged and otherwise ignored."""
    from glossary.semantics import ENGINE, encode

    try:
        with _sessions() as session:
            if not vectors.needs_vector(session, definition_id, text, ENGINE):
                return  # a reveal's analysis (or an earlier run of this job) got there first, or the text changed
            vector = encode([text])[0]
            vectors.store_vector(session, definition_id, text, vector, ENGINE)
    except Exception:  # noqa: BLE001 - the reveal computes a missing vector itself
        log.exception("could not encode definition %s", definition_id)


def analyse_and_announce(round_id: int, meeting_id: int) -> None:
    """Find the meanings of a revealed round, store them and send them to everyone in the meeting."""
    try:
        with _sessions() as session:
            analysis = meanings.analyse_round(session, round_id)
            payload = meanings.screen_payload(session, analysis)
    except DomainError:
        return  # reopened or closed meanwhile: the next reveal analyses again
    except Exception:  # noqa: BLE001 - screens show that the grouping is unavailable
        log.exception("analysis of round %s failed", round_id)
        payload = {"round_id": round_id, "error": True}
    else:
        log.info("round %s: %s meanings found and announced", round_id, len(payload["meanings"]))
    broadcast.announce_analysis(meeting_id, payload)


def regroup_and_announce(round_id: int, meeting_id: int) -> None:
    """Group a sorting round again with all answers so far and send the new meanings to everyone."""
    try:
        with _sessions() as session:
            analysis = sorting.regroup(session, round_id)
            payload = meanings.screen_payload(session, analysis)
    except DomainError:
        return  # closed or reopened meanwhile
    except Exception:  # noqa: BLE001 - the grouping on the screens simply stays as it was
        log.exception("regrouping round %s with the room's answers failed", round_id)
        return
    if payload is not None:  # None: nothing changed, or the facilitator's corrections stand
        broadcast.announce_analysis(meeting_id, payload)


def find_terms(analysis_id: int) -> None:
    """Run a term analysis of partners' documents (`glossary.documents.library.run_analysis`,
    seconds to a minute); its progress is stored on the way, and the page polls it."""
    from glossary.documents import library

    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.05 or fraction >= 1.0:
            last[0] = fraction
            with _sessions() as session:
                library.record_progress(session, analysis_id, fraction, message)

    try:
        with _sessions() as session:
            library.run_analysis(session, analysis_id, progress)
    except Exception:  # noqa: BLE001 - the page shows that the analysis failed
        log.exception("term analysis %s failed", analysis_id)
        with _sessions() as session:
            library.fail_analysis(session, analysis_id)
