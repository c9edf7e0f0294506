"""The discuss phase of a round: reactions to definitions, questions to their authors, and the
listening check (retelling another partner's definition in one's own words).

Called by the meeting's socket events and the JSON API. Each writing function is one use case:
it commits once or raises a ``DomainError``. What the room sees of all this is ``meeting.state``.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from glossary import semantics
from glossary.db import begin_write
from glossary.errors import Conflict, Forbidden, InvalidInput, NotFound, _
from glossary.meeting import vectors
from glossary.meeting.rounds import Phase, current_round, facilitated_round, lock_facilitated_round
from glossary.models import (
    Definition,
    DefinitionQuestion,
    Participant,
    Reaction,
    Restatement,
    Round,
    utcnow,
)
from glossary.validation import clean_text, is_id

REACTIONS = ("herken", "eens", "oneens", "pas")


VERDICTS = ("klopt", "deels", "nee")


MAX_TEXT = 1000


def participant_round(session: Session, participant_id: int, *phases: str) -> tuple[Participant, Round]:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound(_("Je deelname is niet (meer) bekend. Meld je opnieuw aan met de code."))
    round_ = current_round(session, participant.meeting_id)
    if round_ is None or round_.phase not in phases:
        raise Conflict(_("Dat kan nu niet: de ronde is niet (meer) in de fase waarin dit kan."))
    return participant, round_


def _definition_in(session: Session, round_: Round, definition_id: object) -> Definition:
    definition = session.get(Definition, definition_id) if is_id(definition_id) else None
    if definition is None or definition.round_id != round_.id:
        raise NotFound(_("Deze definitie hoort niet bij de huidige ronde."))
    return definition


def react(session: Session, participant_id: int, definition_id: object, kind: object) -> Reaction | None:
    """Mark a definition (herken / eens / oneens / pas) or clear the mark with ``kind=None``.
    One mark per person per definition: marking again changes it."""
    if kind is not None and kind not in REACTIONS:
        raise InvalidInput(_("Kies herken, eens, oneens of pas."))
    begin_write(session)
    participant, round_ = participant_round(session, participant_id, Phase.DISCUSS)
    definition = _definition_in(session, round_, definition_id)
    if definition.participant_id == participant.id:
        raise InvalidInput(_("Dit is je eigen definitie; reageer op die van de anderen."))
    reaction = session.scalar(
        select(Reaction).where(Reaction.definition_id == definition.id, Reaction.participant_id == participant.id)
    )
    if kind is None:
        if reaction is not None:
            session.delete(reaction)
        session.commit()
        return None
    if reaction is None:
        reaction = Reaction(round_id=round_.id, definition_id=definition.id, participant_id=participant.id, kind=kind)
        session.add(reaction)
    reaction.kind = kind
    reaction.updated_at = utcnow()
    session.commit()
    return reaction


def show_questions(session: Session, facilitator_id: int, round_id: object, shown: object) -> tuple[Round, bool]:
    """The facilitator shows (or hides) the questions and answers on the projector. Nothing is
    stored: a projector that reloads starts with them hidden."""
    if not isinstance(shown, bool):
        raise InvalidInput(_("Geef met waar of onwaar aan of de vragen getoond worden."))
    round_ = facilitated_round(session, facilitator_id, round_id)
    if round_.phase not in (Phase.DISCUSS, Phase.CONSENT):
        raise Conflict(_("Vragen tonen kan tijdens het bespreken en besluiten."))
    return round_, shown


def ask_question(session: Session, participant_id: int, definition_id: object, text: object) -> DefinitionQuestion:
    """Ask the author of a definition what they mean; only they can answer it."""
    text = clean_text(text, _("vraag"), max_length=MAX_TEXT, multiline=True)
    begin_write(session)
    participant, round_ = participant_round(session, participant_id, Phase.DISCUSS)
    definition = _definition_in(session, round_, definition_id)
    if definition.participant_id == participant.id:
        raise InvalidInput(_("Dit is je eigen definitie; licht hem toe in het gesprek."))
    question = DefinitionQuestion(round_id=round_.id, definition_id=definition.id, asker_id=participant.id, text=text)
    session.add(question)
    session.commit()
    return question


def answer_question(session: Session, participant_id: int, question_id: object, text: object) -> DefinitionQuestion:
    """The author of the definition answers a question about it."""
    text = clean_text(text, _("antwoord"), max_length=MAX_TEXT, multiline=True)
    begin_write(session)
    participant, round_ = participant_round(session, participant_id, Phase.DISCUSS, Phase.CONSENT)
    question = session.get(DefinitionQuestion, question_id) if is_id(question_id) else None
    if question is None or question.round_id != round_.id:
        raise NotFound(_("Deze vraag bestaat niet (meer)."))
    if session.get(Definition, question.definition_id).participant_id != participant.id:
        raise Forbidden(_("Alleen wie de definitie schreef, kan deze vraag beantwoorden."))
    question.answer = text
    question.answered_at = utcnow()
    session.commit()
    return question


def assign_restatements(definitions: list[tuple[int, int]], people: list[tuple[int, int]]) -> dict[int, int]:
    """Who restates which definition: ``definitions`` and ``people`` are (id, partner id) pairs.

    Nobody restates a definition written for their own partner. First a maximum matching between
    definitions and people (augmenting paths), so that every definition is restated whenever the
    room makes that possible, whatever the order in which people joined or submitted; then the
    people left over get the definitions restated least so far. Deterministic.
    """
    definitions = sorted(definitions)
    people = sorted(people)
    partner_of_definition = dict(definitions)
    assignment: dict[int, int] = {}  # person id -> definition id

    def augment(definition_id: int, seen: set[int]) -> bool:
        # Find a person for this definition, moving people already matched to another of their options.
        for person_id, partner in people:
            if partner == partner_of_definition[definition_id] or person_id in seen:
                continue
            seen.add(person_id)
            if person_id not in assignment or augment(assignment[person_id], seen):
                assignment[person_id] = definition_id
                return True
        return False

    for definition_id, _partner in definitions:
        augment(definition_id, set())

    load: Counter[int] = Counter(assignment.values())
    for person_id, partner in people:
        if person_id in assignment:
            continue
        options = [d for d, author_partner in definitions if author_partner != partner]
        if options:
            choice = min(options, key=lambda d: (load[d], d))
            assignment[person_id] = choice
            load[choice] += 1
    return assignment


def start_listening_check(session: Session, facilitator_id: int, round_id: object) -> int:
    """Give every participant another partner's definition to restate; returns the check number."""
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.DISCUSS)
    definitions = session.execute(
        select(Definition.id, Participant.partner_id).join(Participant).where(Definition.round_id == round_.id)
    ).all()
    people = session.execute(
        select(Participant.id, Participant.partner_id).where(Participant.meeting_id == round_.meeting_id)
    ).all()
    assignment = assign_restatements([tuple(d) for d in definitions], [tuple(p) for p in people])
    if not assignment:
        raise Conflict(_("Een luistercheck heeft definities van minstens twee verschillende partners nodig."))
    number = (session.scalar(select(func.max(Restatement.check_number)).where(Restatement.round_id == round_.id)) or 0) + 1
    for participant_id, definition_id in assignment.items():
        session.add(Restatement(round_id=round_.id, check_number=number, participant_id=participant_id, definition_id=definition_id))
    session.commit()
    return number


def current_check(session: Session, round_id: int) -> int | None:
    return session.scalar(select(func.max(Restatement.check_number)).where(Restatement.round_id == round_id))


def _closeness(text: str, definition: Definition) -> float:
    original = vectors.of_definitions([definition]).by_id[str(definition.id)]
    restated = semantics.encode([text])[0]
    return float(semantics.similarity(restated, original))


def restate(session: Session, participant_id: int, text: object) -> Restatement:
    """Store a participant's restatement of their assigned definition and how close in meaning it is."""
    text = clean_text(text, _("in je eigen woorden"), max_length=MAX_TEXT, multiline=True)
    task = _restatement_task(session, participant_id)
    # Encoding takes tens of milliseconds: do it before taking the write lock, then check that
    # the task is still the same (a new check may have started meanwhile).
    closeness = _closeness(text, session.get(Definition, task.definition_id))
    begin_write(session)
    restatement = _restatement_task(session, participant_id)
    if restatement.id != task.id:
        raise Conflict(_("Er is net een nieuwe luistercheck gestart; bekijk je nieuwe opdracht."))
    restatement.text = text
    restatement.closeness = closeness
    restatement.verdict = None  # a changed restatement needs a new judgement
    restatement.updated_at = utcnow()
    session.commit()
    return restatement


def _restatement_task(session: Session, participant_id: int) -> Restatement:
    participant, round_ = participant_round(session, participant_id, Phase.DISCUSS)
    restatement = my_restatement(session, round_, participant.id)
    if restatement is None:
        raise Conflict(_("Je hebt in deze luistercheck geen definitie om na te vertellen."))
    return restatement


def my_restatement(session: Session, round_: Round, participant_id: int) -> Restatement | None:
    number = current_check(session, round_.id)
    if number is None:
        return None
    return session.scalar(
        select(Restatement).where(
            Restatement.round_id == round_.id, Restatement.check_number == number, Restatement.participant_id == participant_id
        )
    )


def judge_restatement(session: Session, participant_id: int, restatement_id: object, verdict: object) -> Restatement:
    """The author of the original definition says whether the restatement is right."""
    if verdict not in VERDICTS:
        raise InvalidInput(_("Kies klopt, deels of nee."))
    begin_write(session)
    participant, round_ = participant_round(session, participant_id, Phase.DISCUSS)
    restatement = session.get(Restatement, restatement_id) if is_id(restatement_id) else None
    if restatement is None or restatement.round_id != round_.id:
        raise NotFound(_("Deze navertelling bestaat niet (meer)."))
    if session.get(Definition, restatement.definition_id).participant_id != participant.id:
        raise Forbidden(_("Alleen wie de oorspronkelijke definitie schreef, beoordeelt de navertelling."))
    if not restatement.text:
        raise Conflict(_("Deze navertelling is nog niet geschreven."))
    restatement.verdict = verdict
    restatement.updated_at = utcnow()
    session.commit()
    return restatement


def author_of_restated(session: Session, restatement: Restatement) -> int:
    """The participant who wrote the definition that ``restatement`` retells."""
    return session.get(Definition, restatement.definition_id).participant_id
