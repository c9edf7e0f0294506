"""Sorting: after the reveal the room sorts the meanings. Each author is dealt a few other
definitions (those the analysis is least sure about) and answers, card by card, whether each
means the same as their own; the answers regroup the meanings live, and the facilitator's
corrections still have the last word (``meanings.regroup_with_judgements``).

Called by the meeting's socket events (``start_sorting``, ``judge``, ``end_sorting``), the
analysis thread (``regroup``) and ``meeting.state`` (``sorting_progress``, ``my_sorting``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from glossary.db import begin_write
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.meeting import meanings, vectors
from glossary.meeting.rounds import (
    Phase,
    current_round,
    facilitated_round,
    lock_facilitated_round,
    revealed_definitions,
)
from glossary.models import Definition, Participant, Round, RoundAnalysis, RoundSorting, SortJudgement, utcnow
from glossary.semantics import sorting as semantic_sorting
from glossary.validation import is_id

#: How many other definitions each author is asked about.
CARDS_PER_PERSON = 6
VERDICTS = ("same", "different", "unsure")


def _in_meeting(round_: Round, meeting_id: int | None) -> Round:
    if meeting_id is not None and round_.meeting_id != meeting_id:
        raise NotFound(_("Deze ronde hoort niet bij deze bijeenkomst."))
    return round_


def start_sorting(session: Session, facilitator_id: int, round_id: object, *, meeting_id: int | None = None) -> Round:
    """Let the room sort a revealed round: deal each author their cards (once: starting again
    later keeps the cards and the answers, so nothing shifts under anyone's thumb)."""
    round_ = _in_meeting(facilitated_round(session, facilitator_id, round_id), meeting_id)
    definitions = meanings.round_definitions(session, round_)
    if len(definitions) < 2:
        raise Conflict(_("Sorteren kan pas met minstens twee definities; ga meteen door naar het gesprek."))
    dealt = session.get(RoundSorting, round_.id)
    cards = dealt.cards if dealt else None
    found = None
    if cards is None:
        found = vectors.of_definitions(definitions)  # cached by the reveal's analysis, so quick
        cards = semantic_sorting.cards_for(round_.term, meanings.analysis_input(round_, definitions), found.by_id, [],
                                           per_author=CARDS_PER_PERSON)
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_.id, Phase.REVEAL)
    if found is not None:
        vectors.stage(session, definitions, found.fresh)
    dealt = session.get(RoundSorting, round_.id)
    if dealt is None:
        session.add(RoundSorting(round_id=round_.id, cards={str(k): [str(i) for i in v] for k, v in cards.items()}))
    else:
        dealt.ended_at = None
    round_.phase = Phase.SORT
    session.commit()
    return round_


def end_sorting(session: Session, facilitator_id: int, round_id: object, *, meeting_id: int | None = None) -> Round:
    """The facilitator ends the sorting: the round is back in the reveal (the discussion can start)."""
    _in_meeting(facilitated_round(session, facilitator_id, round_id), meeting_id)
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.SORT)
    round_.phase = Phase.REVEAL
    dealt = session.get(RoundSorting, round_.id)
    if dealt is not None:
        dealt.ended_at = utcnow()
    session.commit()
    return round_


def judge(session: Session, participant_id: int, other_definition_id: object, verdict: object) -> SortJudgement:
    """One author's answer about another definition: ``same`` as mine, ``different``, or
    ``unsure``. One answer per person per definition; answering again changes it."""
    if verdict not in VERDICTS:
        raise InvalidInput(_("Kies hetzelfde (same), iets anders (different) of weet ik niet (unsure)."))
    begin_write(session)
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound(_("Je deelname is niet (meer) bekend. Meld je opnieuw aan met de code."))
    round_ = current_round(session, participant.meeting_id)
    if round_ is None or round_.phase != Phase.SORT:
        raise Conflict(_("Er wordt nu niet gesorteerd; je antwoord is niet opgeslagen."))
    other = session.get(Definition, other_definition_id) if is_id(other_definition_id) else None
    if other is None or other.round_id != round_.id:
        raise NotFound(_("Deze definitie hoort niet bij de huidige ronde."))
    own = session.scalar(select(Definition).where(Definition.round_id == round_.id,
                                                  Definition.participant_id == participant_id))
    if own is None:
        raise Conflict(_("Je hebt in deze ronde geen definitie ingestuurd, dus er is niets om mee te vergelijken."))
    if own.id == other.id:
        raise InvalidInput(_("Je eigen definitie hoef je niet te vergelijken; kies een andere."))
    answer = session.scalar(select(SortJudgement).where(SortJudgement.participant_id == participant_id,
                                                        SortJudgement.other_definition_id == other.id))
    if answer is None:
        answer = SortJudgement(round_id=round_.id, participant_id=participant_id, definition_id=own.id,
                               other_definition_id=other.id, verdict=verdict)
        session.add(answer)
    else:
        answer.verdict = verdict
        answer.updated_at = utcnow()
    session.commit()
    return answer


def judgements_of(session: Session, round_id: int) -> list[dict]:
    """The round's answers as the analysis takes them: per judging author's definition the ids
    judged the same and different ("weet ik niet" is left out)."""
    by: dict[str, dict] = {}
    rows = session.execute(
        select(SortJudgement.definition_id, SortJudgement.other_definition_id, SortJudgement.verdict)
        .where(SortJudgement.round_id == round_id, SortJudgement.verdict != "unsure")
        .order_by(SortJudgement.definition_id, SortJudgement.other_definition_id)
    )
    for own, other, verdict in rows:
        entry = by.setdefault(str(own), {"by": str(own), "same": [], "different": []})
        entry[verdict].append(str(other))
    return list(by.values())


def regroup(session: Session, round_id: int) -> RoundAnalysis | None:
    """Group the round again with every answer so far (see ``meanings.regroup_with_judgements``);
    None when nothing changed or the facilitator's corrections stand."""
    return meanings.regroup_with_judgements(session, round_id, judgements_of(session, round_id))


def sorting_progress(session: Session, round_: Round) -> dict:
    """How far the room is: whether sorting ever started for the round, answers given and by how
    many people, and whether the facilitator's corrections stand (staff and projector)."""
    answers, people = session.execute(
        select(func.count(SortJudgement.id), func.count(func.distinct(SortJudgement.participant_id)))
        .where(SortJudgement.round_id == round_.id)
    ).one()
    analysis = session.get(RoundAnalysis, round_.id)
    return {"round_id": round_.id, "started": session.get(RoundSorting, round_.id) is not None,
            "active": round_.phase == Phase.SORT, "answers": answers, "people": people,
            "corrected": bool(analysis and analysis.corrected)}


def my_sorting(session: Session, round_: Round, participant_id: int) -> dict:
    """One participant's part: their own definition, their cards in order (as the reveal shows
    them, anonymity included) and their answers so far, so a reload resumes where they were."""
    own = session.scalar(select(Definition).where(Definition.round_id == round_.id,
                                                  Definition.participant_id == participant_id))
    dealt = session.get(RoundSorting, round_.id)
    if own is None or dealt is None:
        return {"round_id": round_.id, "my_definition": None, "cards": [], "answers": {}}
    dealt_ids = dealt.cards.get(str(own.id), [])
    # Only this person's cards: in a plenary, everyone's sorting at once must not read every text each time.
    shown = {str(d["id"]): d for d in revealed_definitions(session, round_, [int(i) for i in dealt_ids])}
    cards = [shown[i] for i in dealt_ids if i in shown]
    answers = dict(session.execute(
        select(SortJudgement.other_definition_id, SortJudgement.verdict)
        .where(SortJudgement.round_id == round_.id, SortJudgement.participant_id == participant_id)
    ).all())
    return {"round_id": round_.id, "my_definition": {"id": own.id, "text": own.text}, "cards": cards,
            "answers": {str(k): v for k, v in answers.items()}}
