"""What each screen sees: the snapshot a phone, the facilitator's screen or the projector gets on
(re)connect, and the discussion as the room and each participant see it.

Privacy rule: a definition's text leaves the server only to its own author until the round is
revealed. ``meeting_state`` and ``rounds.revealed_definitions`` / ``rounds.revealed_page`` are the
only places that turn definitions into payloads, so this rule lives there and nowhere else.

Called by the web layer (socket events, broadcasts, pages and the JSON API). Reads only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from glossary.entries.views import word_diff
from glossary.errors import InvalidInput, NotFound, _
from glossary.meeting.consent import (
    consent_results,
    open_proposal,
    proposal_payload,
    proposals_of,
)
from glossary.meeting.discussion import VERDICTS, current_check, my_restatement
from glossary.meeting.meanings import (
    analysis_payload,
    analysis_result,
    meaning_of,
    require_meaning,
    screen_payload,
)
from glossary.meeting.rounds import (
    Phase,
    definition_count,
    is_revealed,
    participant_count,
    participant_payload,
    progress,
    revealed_definitions,
    revealed_page,
    roster,
    shows_all_definitions,
)
from glossary.meeting.sorting import my_sorting, sorting_progress
from glossary.models import (
    Definition,
    DefinitionQuestion,
    Meeting,
    Participant,
    Partnership,
    Proposal,
    Reaction,
    Restatement,
    Round,
    RoundAnalysis,
    Vote,
    utcnow,
)
from glossary.partnerships import require_meeting
from glossary.validation import is_id

# A guest has the code but has not joined yet: it sees the meeting, never anyone's text.
Role = Literal["facilitator", "participant", "projector", "guest"]


@dataclass(frozen=True)
class Viewer:
    """Who is looking: decides what a state snapshot may contain."""

    role: Role
    participant_id: int | None = None
    facilitator_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in ("facilitator", "projector")


def timer_payload(round_: Round) -> dict | None:
    """The countdown of the round's current phase; ``remaining`` lets screens ignore their clocks."""
    if round_.timer_ends_at is None or round_.timer_phase != round_.phase:
        return None
    remaining = max(0.0, (round_.timer_ends_at - utcnow()).total_seconds())
    return {"phase": round_.timer_phase, "seconds": round_.timer_seconds,
            "ends_at": round_.timer_ends_at.isoformat(), "remaining": round(remaining, 1)}


def round_payload(round_: Round) -> dict:
    return {
        "id": round_.id,
        "term": round_.term,
        "term_id": round_.term_id,
        "phase": round_.phase,
        "anonymity": round_.anonymity,
        "revealed": is_revealed(round_),
        "locked": round_.locked_at is not None,
        "restarted": round_.restarted_at is not None,
        "timer": timer_payload(round_),
        "nudged_at": round_.nudged_at.isoformat() if round_.nudged_at else None,
    }


def own_definition_payload(definition: Definition) -> dict:
    """A definition as its own author sees it (always allowed)."""
    return {
        "id": definition.id,
        "round_id": definition.round_id,
        "text": definition.text,
        "example": definition.example,
        "observable": definition.observable,
        "updated_at": definition.updated_at.isoformat(),
    }


def meeting_payload(meeting: Meeting) -> dict:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "code": meeting.join_code,
        "partnership": meeting.partnership.name,
        "partners": [p.name for p in meeting.partnership.partners],
        "terms": [{"id": t.id, "text": t.text, "position": t.position} for t in meeting.terms],
    }


def snapshot(session: Session, meeting_id: int, viewer: Viewer) -> dict:
    """``meeting_state`` of meeting ``meeting_id``; called by the socket events (``get_state`` and
    after a join). The meeting, its partnership, partners and terms come in three queries instead
    of four: every phone of a plenary asks for this snapshot twice when it joins."""
    meeting = require_meeting(session, meeting_id, options=(
        joinedload(Meeting.partnership).selectinload(Partnership.partners), selectinload(Meeting.terms)))
    return meeting_state(session, meeting, viewer)


def meeting_state(session: Session, meeting: Meeting, viewer: Viewer) -> dict:
    """The snapshot a screen needs on (re)connect, fitted to who is looking.

    Participants get their own definition and counts; staff get names of who has not yet
    submitted; everyone gets the definitions only once the round is revealed.
    """
    state: dict = {"role": viewer.role, "meeting": meeting_payload(meeting), "round": None}
    # Only staff get the list of names; a phone's snapshot reads counts, so that a join in a
    # plenary of 1,000 does not read a thousand rows.
    everyone = roster(session, meeting.id) if viewer.is_staff else None
    state["participant_count"] = len(everyone) if everyone is not None else participant_count(session, meeting.id)
    # One read of the meeting's rounds serves the staff's list, the history and the open round.
    all_rounds = session.scalars(select(Round).where(Round.meeting_id == meeting.id).order_by(Round.id)).all()
    if viewer.is_staff:
        state["participants"] = everyone
        state["rounds"] = [round_payload(r) for r in all_rounds]
    if viewer.role == "participant":
        me = session.get(Participant, viewer.participant_id)
        state["me"] = participant_payload(me) if me is not None and me.meeting_id == meeting.id else None
    if viewer.role != "guest":
        state["history"] = [round_outcome(session, r) for r in _outcomes(all_rounds)]
    round_ = next((r for r in reversed(all_rounds) if r.phase != Phase.CLOSED), None)  # as rounds.current_round
    if round_ is None:
        return state
    state["round"] = round_payload(round_)
    state["progress"] = progress(session, round_, with_names=viewer.is_staff, everyone=everyone, total=state["participant_count"])
    if viewer.role == "participant":
        mine = session.scalar(
            select(Definition).where(
                Definition.round_id == round_.id, Definition.participant_id == viewer.participant_id
            )
        )
        state["my_definition"] = own_definition_payload(mine) if mine else None
    if is_revealed(round_) and viewer.role != "guest":
        state.update(revealed_round(session, round_))
        state["analysis"] = screen_payload(session, session.get(RoundAnalysis, round_.id))
    if round_.phase in (Phase.REVEAL, Phase.SORT) and viewer.role != "guest":
        # The room's count for everyone; a participant also gets their cards and answers (a reload resumes).
        state["sorting"] = sorting_progress(session, round_)
        if viewer.role == "participant" and round_.phase == Phase.SORT:
            state["my_sorting"] = my_sorting(session, round_, viewer.participant_id)
    if round_.phase in (Phase.DISCUSS, Phase.CONSENT) and viewer.role != "guest":
        state["discussion"] = discussion_state(session, round_, staff=viewer.is_staff)
        if viewer.role == "participant":
            state["my_discussion"] = personal_discussion(session, round_, viewer.participant_id)
    return state


def revealed_round(session: Session, round_: Round) -> dict:
    """The definitions part of a revealed round for the screens (the reveal's announcement and
    the snapshot): every definition up to ``rounds.FULL_REVEAL_LIMIT``; above it none, with
    ``definitions_paged`` and their count (screens fetch pages with ``definitions_page``)."""
    count = definition_count(session, round_)
    if shows_all_definitions(count):
        return {"definitions": revealed_definitions(session, round_)}
    return {"definitions": None, "definitions_paged": True, "definition_count": count}


MAX_QUERY_LENGTH = 100
MAX_PAGE = 100


def _count(value: object, name: str, default: int, low: int, high: int | None) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        if high is None:
            raise InvalidInput(_("%(name)s moet een geheel getal van %(low)s of meer zijn."), name=name, low=low)
        raise InvalidInput(_("%(name)s moet een geheel getal van %(low)s tot en met %(high)s zijn."), name=name, low=low, high=high)
    return value


def definitions_page(session: Session, round_id: object, *, meaning_id: object = None, query: object = None,
                     offset: object = None, limit: object = None) -> dict:
    """A page of a revealed round's definitions for a screen of the meeting (``get_definitions``):
    one meaning's (``meaning_id``), or those matching ``query``, or all; ``offset`` and ``limit``
    (1 to ``MAX_PAGE``, 50 if not given) page through them, ``total`` says how many match. Called
    by the socket event after it checked the round belongs to the connection's meeting; refuses
    before the reveal (``rounds.revealed_page`` is the gate). Reads only."""
    if not isinstance(round_id, int) or isinstance(round_id, bool):
        raise InvalidInput(_("round_id moet een getal zijn."))
    if meaning_id is not None and not isinstance(meaning_id, str):
        raise InvalidInput(_("meaning_id moet de naam van een betekenis zijn (zoals \"m1\")."))
    if query is not None and not isinstance(query, str):
        raise InvalidInput(_("Zoek met een tekst."))
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(_("Zoek met hoogstens %(max)s tekens."), max=MAX_QUERY_LENGTH)
    offset = _count(offset, "offset", 0, 0, None)
    limit = _count(limit, "limit", 50, 1, MAX_PAGE)
    round_ = session.get(Round, round_id) if is_id(round_id) else None
    if round_ is None:
        raise NotFound(_("Deze ronde bestaat niet."))
    ids = None
    if meaning_id is not None and is_revealed(round_):  # before the reveal revealed_page refuses
        meaning = require_meaning((analysis_result(session, round_.id) or {}).get("meanings", []), meaning_id)
        ids = [int(i) for i in meaning["definition_ids"]]
    definitions, total = revealed_page(session, round_, ids=ids, query=query, offset=offset, limit=limit)
    return {"round_id": round_.id, "meaning_id": meaning_id, "query": query, "definitions": definitions,
            "total": total, "offset": offset, "limit": limit}


def round_outcome(session: Session, round_: Round) -> dict:
    """How a closed round ended, for every screen: the agreed definition (or none), its votes in
    numbers and the reservations — texts only, never who wrote them — and how many meanings the
    room found."""
    analysis = analysis_result(session, round_.id)
    adopted = session.scalar(select(Proposal).where(Proposal.round_id == round_.id, Proposal.status == "adopted"))
    outcome: dict = {"round_id": round_.id, "term": round_.term, "adopted": adopted is not None,
                     "meanings": len(analysis["meanings"]) if analysis else 0,
                     "text": None, "counts": None, "reservations": []}
    if adopted is not None:
        results = consent_results(session, adopted)
        outcome.update(text=adopted.text, counts=results["counts"],
                       reservations=[{"choice": r["choice"], "text": r["reason"]} for r in results["remarks"]])
    return outcome


def _outcomes(all_rounds: list[Round]) -> list[Round]:
    """The closed rounds among a meeting's rounds, oldest first (a restarted round is not an outcome)."""
    return [r for r in all_rounds if r.phase == Phase.CLOSED and r.restarted_at is None]


def round_overview(session: Session, meeting: Meeting, round_id: int) -> dict:
    """Everything the facilitator may read about one round of their meeting (JSON API): phase,
    progress, and once revealed the definitions, meanings, discussion and consent results."""
    round_ = session.get(Round, round_id)
    if round_ is None or round_.meeting_id != meeting.id:
        raise NotFound(_("Deze ronde hoort niet bij deze bijeenkomst."))
    overview: dict = {"round": round_payload(round_), "progress": progress(session, round_, with_names=True)}
    if is_revealed(round_):
        overview.update(revealed_round(session, round_))  # a plenary's texts come in pages (the definitions route)
        overview["analysis"] = analysis_payload(session.get(RoundAnalysis, round_.id))
        overview["discussion"] = discussion_state(session, round_, staff=True)
        overview["proposals"] = proposals_of(session, round_.id)
    return overview


def support(session: Session, round_: Round) -> dict:
    """Reactions counted per meaning and per partner (of the person reacting), once per person."""
    meaning_by_definition = meaning_of(analysis_result(session, round_.id))
    rows = session.execute(
        select(Reaction.definition_id, Reaction.kind, Participant.partner_id)
        .join(Participant, Participant.id == Reaction.participant_id)
        .where(Reaction.round_id == round_.id)
    ).all()
    partner_names = _partner_names(session, round_.meeting_id)
    by_meaning: dict[str, Counter] = defaultdict(Counter)
    by_partner: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    by_definition: dict[int, Counter] = defaultdict(Counter)
    for definition_id, kind, partner_id in rows:
        meaning = meaning_by_definition.get(definition_id, "?")
        by_meaning[meaning][kind] += 1
        by_partner[partner_names.get(partner_id, "?")][meaning][kind] += 1
        by_definition[definition_id][kind] += 1
    return {
        "by_meaning": {m: dict(c) for m, c in by_meaning.items()},
        "by_partner": {p: {m: dict(c) for m, c in ms.items()} for p, ms in by_partner.items()},
        "by_definition": {str(d): dict(c) for d, c in by_definition.items()},
    }


def _partner_names(session: Session, meeting_id: int) -> dict[int, str]:
    meeting = session.get(Meeting, meeting_id)
    return {p.id: p.name for p in meeting.partnership.partners}


def listening_summary(session: Session, round_: Round) -> dict | None:
    """How well the partners understood each other in the latest listening check."""
    number = current_check(session, round_.id)
    if number is None:
        return None
    restatements = session.scalars(
        select(Restatement).where(Restatement.round_id == round_.id, Restatement.check_number == number)
    ).all()
    written = [r for r in restatements if r.text]
    verdicts = Counter(r.verdict for r in written if r.verdict)
    closeness = [r.closeness for r in written if r.closeness is not None]
    judged = sum(verdicts.values())
    understood = (verdicts["klopt"] + 0.5 * verdicts["deels"]) / judged if judged else None
    if understood is None:
        reading = "pending"
    elif understood >= 0.75:
        reading = "good"
    elif understood >= 0.4:
        reading = "mixed"
    else:
        reading = "poor"
    return {
        "check": number,
        "assigned": len(restatements),
        "written": len(written),
        "judged": judged,
        "verdicts": {v: verdicts[v] for v in VERDICTS},
        "mean_closeness": round(float(np.mean(closeness)), 3) if closeness else None,
        "understood": round(understood, 3) if understood is not None else None,
        "reading": reading,
    }


def _restatement_payload(r: Restatement, *, with_text: bool) -> dict:
    payload = {"id": r.id, "definition_id": r.definition_id, "participant_id": r.participant_id,
               "written": bool(r.text), "verdict": r.verdict,
               "closeness": round(r.closeness, 3) if r.closeness is not None else None}
    if with_text:
        payload["text"] = r.text
    return payload


def discussion_state(session: Session, round_: Round, *, staff: bool = False) -> dict:
    """What everyone in the room sees of the discussion: questions and answers, the listening
    check's summary, the open proposal and its votes per partner; staff also see the support
    (reactions) per meaning and per partner."""
    state: dict = {"round_id": round_.id, "listening": listening_summary(session, round_)}
    if staff:
        state["support"] = support(session, round_)
    questions = session.scalars(
        select(DefinitionQuestion).where(DefinitionQuestion.round_id == round_.id).order_by(DefinitionQuestion.id)
    ).all()
    state["questions"] = [
        {"id": q.id, "definition_id": q.definition_id, "text": q.text, "answer": q.answer} for q in questions
    ]
    proposal = open_proposal(session, round_.id)
    state["proposal"] = proposal_payload(proposal) if proposal else None
    if proposal is not None and proposal.number > 1:
        # What changed since the proposal before: the room reads only the difference.
        previous = session.scalar(select(Proposal).where(Proposal.round_id == round_.id, Proposal.number == proposal.number - 1))
        if previous is not None:
            state["proposal"]["previous"] = {"number": previous.number, "text": previous.text,
                                             "diff": [list(segment) for segment in word_diff(previous.text, proposal.text)]}
    state["consent"] = consent_results(session, proposal) if proposal else None
    return state


def personal_discussion(session: Session, round_: Round, participant_id: int) -> dict:
    """One participant's own part: their marks, their listening-check task with its verdict,
    the restatements of their own definitions waiting for their judgement, and their vote."""
    state: dict = {"round_id": round_.id}
    proposal = open_proposal(session, round_.id)
    state["my_reactions"] = {
        str(d): k
        for d, k in session.execute(
            select(Reaction.definition_id, Reaction.kind).where(
                Reaction.round_id == round_.id, Reaction.participant_id == participant_id)
        ).all()
    }
    mine = my_restatement(session, round_, participant_id)
    state["my_restatement"] = (
        {**_restatement_payload(mine, with_text=True), "definition_text": session.get(Definition, mine.definition_id).text}
        if mine else None
    )
    number = current_check(session, round_.id)
    to_judge = session.scalars(
        select(Restatement).join(Definition, Definition.id == Restatement.definition_id).where(
            Restatement.round_id == round_.id, Restatement.check_number == number,
            Definition.participant_id == participant_id, Restatement.text.is_not(None))
    ).all() if number else []
    state["to_judge"] = [_restatement_payload(r, with_text=True) for r in to_judge]
    ballot = session.scalar(
        select(Vote).where(Vote.proposal_id == proposal.id, Vote.participant_id == participant_id)
    ) if proposal else None
    state["my_vote"] = {"proposal_id": proposal.id, "choice": ballot.choice, "reason": ballot.reason} if ballot else None
    return state
