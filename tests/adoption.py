"""Agreeing on a definition the way a meeting does, for tests that need an agreed glossary entry.

The glossary takes an agreed definition only from a meeting's consent (``meeting.consent.adopt``),
so tests take the same path: a small meeting on the term, one participant agrees, the facilitator
adopts. ``stage`` is for the tests of ``entries.editing.stage_adoption`` itself.
"""

from __future__ import annotations

from glossary import partnerships
from glossary.db import begin_write
from glossary.entries import editing
from glossary.meeting import consent, rounds
from glossary.models import EntryVersion, Partnership


def agree(db, facilitator_id: int, partnership_id: int, term: str, text: str, *, condition_ids=(), scope: str = "") -> EntryVersion:
    """Adopt ``text`` as the definition of ``term`` through a meeting of its own; returns the new version."""
    partner = db.get(Partnership, partnership_id).partners[0].name
    meeting = partnerships.create_meeting(db, facilitator_id, partnership_id, f"Vaststellen: {term}", [term])
    person = partnerships.join_meeting(db, meeting.id, "Ans", partner).participant
    round_ = rounds.start_round(db, facilitator_id, meeting.id, term=term)
    rounds.submit_definition(db, person.id, client_id="agree", text=text)
    rounds.reveal_round(db, facilitator_id, round_.id)
    consent.start_discussion(db, facilitator_id, round_.id)
    proposal = consent.propose(db, facilitator_id, round_.id, text, scope=scope)
    consent.vote(db, person.id, proposal.id, "akkoord")
    _round, version = consent.adopt(db, facilitator_id, round_.id, condition_ids=list(condition_ids))
    return version


def stage(db, facilitator_id: int, partnership_id: int, term: str, text: str, **fields) -> EntryVersion:
    """``editing.stage_adoption`` in a transaction of its own, as ``consent.adopt`` runs it."""
    begin_write(db)
    version = editing.stage_adoption(db, facilitator_id, partnership_id, term, text, **fields)
    db.commit()
    return version
