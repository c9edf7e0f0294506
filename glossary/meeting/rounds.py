"""Definition rounds: the phases, private submissions, the reveal (the rules of a meeting).

Called by the meeting's socket events, the facilitator's pages and the JSON API. Every function
here that changes something is one use case: it commits once or raises a ``DomainError``.

Privacy rule: a definition's text leaves the server only to its own author, until the round is
revealed. ``revealed_definitions`` and ``revealed_page`` (here, one gate) and
``meeting.state.meeting_state`` are the only places that turn definitions into payloads, so this
rule lives there and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from glossary.db import begin_write
from glossary.errors import Conflict, InvalidInput, NotFound, _, ngettext
from glossary.models import (
    Definition,
    Meeting,
    Participant,
    Partner,
    Round,
    SubmissionReceipt,
    Term,
    utcnow,
)
from glossary.partnerships import require_facilitator_of_meeting
from glossary.validation import clean_text, is_id

ANONYMITY = ("named", "hide_people", "hide_all")
MAX_DEFINITION_LENGTH = 1000
MAX_EXTRA_LENGTH = 1000
MAX_CLIENT_ID_LENGTH = 64
MAX_TIMER_SECONDS = 60 * 60
# Up to this many definitions a reveal sends every text to every screen; above it (a plenary)
# screens get the meanings with their representatives and page through the rest. Tests patch it.
FULL_REVEAL_LIMIT = 60


class Phase(StrEnum):
    """A round's phases, in order. A round is created collecting; the consent *draft* is a text,
    not a phase. Stored as the plain strings, which is also what screens receive."""

    COLLECT = "collect"
    REVEAL = "reveal"
    SORT = "sort"  # the room sorts the revealed definitions (meeting.sorting); back to reveal after
    DISCUSS = "discuss"
    CONSENT = "consent"
    CLOSED = "closed"


OPEN_PHASES = tuple(p for p in Phase if p is not Phase.CLOSED)
# A reminder is gentle: one every half minute at most, however often the button is pressed.
NUDGE_SPACING = timedelta(seconds=30)


@dataclass(frozen=True)
class Submission:
    """Result of ``submit_definition``: the stored definition and whether this call changed anything."""

    definition: Definition
    round: Round
    stored: bool = field(default=True)


def current_round(session: Session, meeting_id: int) -> Round | None:
    """The meeting's open round (any phase but closed), or None between rounds."""
    return session.scalar(
        select(Round)
        .where(Round.meeting_id == meeting_id, Round.phase != Phase.CLOSED)
        .order_by(Round.id.desc())
        .limit(1)
    )


def _lock_meeting(session: Session, meeting_id: int) -> None:
    # Serialises phase changes per meeting on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
    session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())


def start_round(
    session: Session, facilitator_id: int, meeting_id: int, *, term_id: object = None, term: object = None
) -> Round:
    """Start collecting definitions for a term of the meeting (by id, or a new term by text).

    A new term text is appended to the meeting's term list. Only one round is open at a time.
    """
    if term_id is not None and (not isinstance(term_id, int) or isinstance(term_id, bool)):
        raise InvalidInput(_("Kies een term uit de lijst."))
    text = clean_text(term, _("term"), max_length=120, required=False) if term_id is None else ""
    if term_id is None and not text:
        raise InvalidInput(_("Kies een term uit de lijst of typ een nieuwe term."))
    begin_write(session)
    meeting = require_facilitator_of_meeting(session, facilitator_id, meeting_id)
    _lock_meeting(session, meeting.id)
    open_round = current_round(session, meeting.id)
    if open_round is not None:
        raise Conflict(
            _("De ronde over ‘%(term)s’ loopt nog. Sluit die eerst af."), term=open_round.term
        )
    if term_id is not None:
        chosen = next((t for t in meeting.terms if t.id == term_id), None)
        if chosen is None:
            raise NotFound(_("Die term staat niet (meer) op de lijst van deze bijeenkomst."))
    else:
        chosen = next((t for t in meeting.terms if t.text.casefold() == text.casefold()), None)
        if chosen is None:
            chosen = Term(text=text, position=len(meeting.terms))
            meeting.terms.append(chosen)
            session.flush()
    round_ = Round(meeting_id=meeting.id, term_id=chosen.id, term=chosen.text, phase=Phase.COLLECT)
    session.add(round_)
    session.commit()
    return round_


def submit_definition(
    session: Session,
    participant_id: int,
    *,
    client_id: object,
    text: object,
    example: object = "",
    observable: object = "",
    round_id: object = None,
) -> Submission:
    """Store (or change) the participant's definition in the meeting's collecting round.

    Idempotent per ``client_id``: sending the same one again stores nothing and returns the
    definition it stored first.
    """
    if not isinstance(client_id, str) or not (1 <= len(client_id) <= MAX_CLIENT_ID_LENGTH):
        raise InvalidInput(_("Elke inzending heeft een client_id (tekst van 1 tot %(max)s tekens)."), max=MAX_CLIENT_ID_LENGTH)
    if round_id is not None and (not isinstance(round_id, int) or isinstance(round_id, bool)):
        raise InvalidInput(_("round_id moet een getal zijn."))
    text = clean_text(text, _("definitie"), max_length=MAX_DEFINITION_LENGTH, multiline=True)
    example = clean_text(example, _("voorbeeld"), max_length=MAX_EXTRA_LENGTH, required=False, multiline=True)
    observable = clean_text(
        observable, _("hoe merk je het in de praktijk"), max_length=MAX_EXTRA_LENGTH, required=False, multiline=True
    )
    begin_write(session)
    participant = session.execute(
        select(Participant).where(Participant.id == participant_id).with_for_update()
    ).scalar_one_or_none()
    if participant is None:
        raise NotFound(_("Je deelname is niet (meer) bekend. Meld je opnieuw aan met de code."))
    receipt = session.scalar(
        select(SubmissionReceipt).where(
            SubmissionReceipt.participant_id == participant.id, SubmissionReceipt.client_id == client_id
        )
    )
    if receipt is not None:
        definition = session.get(Definition, receipt.definition_id)
        current = current_round(session, participant.meeting_id)
        meant = round_id if round_id is not None else (current.id if current is not None else None)
        if definition.round_id != meant:
            # Not a resend: the id was used in an earlier round, and this text would be lost silently.
            session.rollback()
            raise Conflict(_("Deze inzending heeft hetzelfde client_id als je definitie in een eerdere ronde; er is niets opgeslagen. Stuur haar opnieuw met een nieuw client_id (herlaad de pagina)."))
        session.commit()
        return Submission(definition=definition, round=definition.round, stored=False)
    round_ = current_round(session, participant.meeting_id)
    if round_ is None or (round_id is not None and round_.id != round_id):
        raise Conflict(_("Deze ronde is afgesloten; je definitie is niet opgeslagen."))
    if round_.phase != Phase.COLLECT:
        raise Conflict(_("De definities zijn al onthuld; wijzigen kan niet meer, tenzij de facilitator het inzamelen heropent."))
    if round_.locked_at is not None:
        raise Conflict(_("De facilitator heeft het inzenden gesloten; je tekst is niet opgeslagen."))
    definition = session.scalar(
        select(Definition).where(Definition.round_id == round_.id, Definition.participant_id == participant.id)
    )
    if definition is None:
        definition = Definition(round_id=round_.id, participant_id=participant.id, text=text)
        session.add(definition)
    elif definition.text != text:
        # A changed text needs a new sentence vector; the background encoder fills it again.
        definition.vector = None
        definition.vector_engine = None
    definition.text = text
    definition.example = example
    definition.observable = observable
    definition.updated_at = utcnow()
    session.flush()
    session.add(SubmissionReceipt(participant_id=participant.id, client_id=client_id, definition_id=definition.id))
    session.commit()
    return Submission(definition=definition, round=round_)


def facilitated_round(session: Session, facilitator_id: int, round_id: object) -> Round:
    """A round of a meeting this facilitator leads; for reading (the draft helpers) and as the
    first step of ``lock_facilitated_round``."""
    if not isinstance(round_id, int) or isinstance(round_id, bool):
        raise InvalidInput(_("round_id moet een getal zijn."))
    round_ = session.get(Round, round_id) if is_id(round_id) else None
    if round_ is None:
        raise NotFound(_("Deze ronde bestaat niet."))
    require_facilitator_of_meeting(session, facilitator_id, round_.meeting_id)
    return round_


def lock_facilitated_round(session: Session, facilitator_id: int, round_id: object, *phases: str) -> Round:
    """For a phase change: the facilitator's round, with its meeting locked and its phase one of
    ``phases`` (re-read after the lock, so two clicks at once cannot both pass)."""
    round_ = facilitated_round(session, facilitator_id, round_id)
    _lock_meeting(session, round_.meeting_id)
    session.refresh(round_)
    if round_.phase not in phases:
        raise Conflict(_("Dat kan niet in deze fase van de ronde (nu: %(phase)s)."), phase=round_.phase)
    return round_


def reveal_round(session: Session, facilitator_id: int, round_id: object, anonymity: object = "named") -> Round:
    """Reveal all definitions of a collecting round at once, named or anonymous."""
    if anonymity not in ANONYMITY:
        raise InvalidInput(_("Kies hoe anoniem de onthulling is: named, hide_people of hide_all."))
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.COLLECT)
    if not round_.definitions:
        raise Conflict(_("Er is nog geen enkele definitie ingestuurd; wacht tot de eerste binnen is."))
    round_.phase = Phase.REVEAL
    round_.anonymity = anonymity
    round_.revealed_at = utcnow()
    session.commit()
    return round_


def reopen_collecting(session: Session, facilitator_id: int, round_id: object) -> Round:
    """Go back from the reveal to collecting: texts become private again until the next reveal."""
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.REVEAL)
    round_.phase = Phase.COLLECT
    round_.revealed_at = None
    round_.locked_at = None  # reopening is for changing texts, so a lock from before the reveal goes
    session.commit()
    return round_


def close_round(session: Session, facilitator_id: int, round_id: object) -> Round:
    """Close a round in any phase; a round closed before its reveal keeps its texts private."""
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, *OPEN_PHASES)
    round_.phase = Phase.CLOSED
    round_.closed_at = utcnow()
    session.commit()
    return round_


def lock_collecting(session: Session, facilitator_id: int, round_id: object, locked: object) -> Round:
    """Stop (``locked`` true) or allow again new and changed definitions while collecting.

    Called by the facilitator's ``lock_round`` event; ``submit_definition`` refuses while locked.
    """
    if not isinstance(locked, bool):
        raise InvalidInput(_("locked moet true of false zijn."))
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.COLLECT)
    round_.locked_at = utcnow() if locked else None
    session.commit()
    return round_


def set_timer(session: Session, facilitator_id: int, round_id: object, seconds: object) -> Round:
    """Start a countdown of ``seconds`` for the round's current phase, or stop it with 0.

    Called by the facilitator's ``set_timer`` event (also for "one minute more": the screen sends
    what is left plus sixty). The timer belongs to the phase: after a phase change it is gone.
    """
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_TIMER_SECONDS:
        raise InvalidInput(_("Kies een tijd van 0 tot %(max)s minuten."), max=MAX_TIMER_SECONDS // 60)
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, *OPEN_PHASES)
    if seconds == 0:
        round_.timer_phase = round_.timer_seconds = round_.timer_ends_at = None
    else:
        round_.timer_phase = round_.phase
        round_.timer_seconds = seconds
        round_.timer_ends_at = utcnow() + timedelta(seconds=seconds)
    session.commit()
    return round_


def restart_round(session: Session, facilitator_id: int, round_id: object) -> tuple[Round, Round]:
    """Start the round's term afresh: everyone writes again (say, when the question was unclear).

    Called by the facilitator's ``restart_round`` event. Nothing is deleted: the old round is
    closed and marked restarted, so its texts stay in the database but are not shown again.
    Returns the old round and the new collecting one.
    """
    begin_write(session)
    old = lock_facilitated_round(session, facilitator_id, round_id, *OPEN_PHASES)
    old.phase = Phase.CLOSED
    old.closed_at = old.restarted_at = utcnow()
    new = Round(meeting_id=old.meeting_id, term_id=old.term_id, term=old.term, phase=Phase.COLLECT)
    session.add(new)
    session.commit()
    return old, new


def nudge_waiting(session: Session, facilitator_id: int, round_id: object) -> list[Participant]:
    """The participants who have not yet submitted, for a gentle reminder on their screens.

    Called by the facilitator's ``nudge`` event, which sends the reminder; records when, so that
    reminders come at most once per ``NUDGE_SPACING``.
    """
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.COLLECT)
    now = utcnow()
    if round_.nudged_at is not None and now - round_.nudged_at < NUDGE_SPACING:
        wait = int((NUDGE_SPACING - (now - round_.nudged_at)).total_seconds()) + 1
        raise Conflict(ngettext("Er is net een seintje gestuurd; over %(num)s seconde kan het weer.",
                                "Er is net een seintje gestuurd; over %(num)s seconden kan het weer.", wait))
    submitted = set(session.scalars(select(Definition.participant_id).where(Definition.round_id == round_.id)))
    waiting = [p for p in participants_of(session, round_.meeting_id) if p.id not in submitted]
    if not waiting:
        raise Conflict(_("Iedereen heeft al ingestuurd; er is niemand om een seintje te geven."))
    round_.nudged_at = now
    session.commit()
    return waiting


def require_round(session: Session, round_id: int) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_("Deze ronde bestaat niet."))
    return round_


def is_revealed(round_: Round) -> bool:
    return round_.revealed_at is not None


def shows_names(round_: Round) -> bool:
    """Whether the round's anonymity lets others see who wrote what: the reveal, the analysis
    input, the summary and the glossary's provenance all follow this."""
    return round_.anonymity == "named"


def shows_partners(round_: Round) -> bool:
    """Whether the round's anonymity lets others see which partner wrote what."""
    return round_.anonymity in ("named", "hide_people")


def participants_of(session: Session, meeting_id: int) -> list[Participant]:
    return list(
        session.scalars(
            select(Participant)
            .options(joinedload(Participant.partner, innerjoin=True))
            .where(Participant.meeting_id == meeting_id)
            .order_by(Participant.joined_at, Participant.id)
        )
    )


def _person(participant_id: int, name: str, partner: str) -> dict:
    return {"id": participant_id, "name": name, "partner": partner}


def participant_payload(participant: Participant) -> dict:
    return _person(participant.id, participant.name, participant.partner.name)


def participant_count(session: Session, meeting_id: int) -> int:
    return session.scalar(select(func.count(Participant.id)).where(Participant.meeting_id == meeting_id))


def roster(session: Session, meeting_id: int) -> list[dict]:
    """The meeting's participants as ``participant_payload`` dicts, in joining order.

    Called for every join and submission (progress, snapshots, the staff's list), so it reads
    three columns instead of loading ORM objects: under a burst of joins that loading was the
    largest single cost of the server (bench/load.py).
    """
    rows = session.execute(
        select(Participant.id, Participant.name, Partner.name)
        .join(Partner, Participant.partner_id == Partner.id)
        .where(Participant.meeting_id == meeting_id)
        .order_by(Participant.joined_at, Participant.id)
    )
    return [_person(*row) for row in rows]


def progress(session: Session, round_: Round, *, with_names: bool, everyone: list[dict] | None = None,
             total: int | None = None) -> dict:
    """How many participants have submitted; staff also see who has not yet (never any text).

    ``everyone`` (the meeting's ``roster``) or ``total`` (its ``participant_count``) saves a query
    when the caller already read it. The counts alone are counted by the database: phones in a
    plenary of 1,000 ask for them often.
    """
    if not with_names and everyone is None:
        return {"round_id": round_.id, "submitted": session.scalar(
                    select(func.count(Definition.participant_id.distinct())).where(Definition.round_id == round_.id)),
                "total": total if total is not None else participant_count(session, round_.meeting_id)}
    if everyone is None:
        everyone = roster(session, round_.meeting_id)
    submitted = set(
        session.scalars(select(Definition.participant_id).where(Definition.round_id == round_.id))
    )
    result = {
        "round_id": round_.id,
        "submitted": sum(1 for p in everyone if p["id"] in submitted),
        "total": len(everyone),
    }
    if with_names:
        result["waiting"] = [p for p in everyone if p["id"] not in submitted]
    return result


def shows_all_definitions(count: int) -> bool:
    """Whether a round of ``count`` definitions is revealed in full (every text in the reveal and
    the snapshot) or paged: above ``FULL_REVEAL_LIMIT`` screens get the meanings with their
    representatives and fetch the rest page by page (``revealed_page``)."""
    return count <= FULL_REVEAL_LIMIT


def definition_count(session: Session, round_: Round) -> int:
    return session.scalar(select(func.count(Definition.id)).where(Definition.round_id == round_.id)) or 0


def _require_revealed(round_: Round) -> None:
    if not is_revealed(round_):
        raise Conflict(_("De definities van deze ronde zijn nog niet onthuld."))


def _revealed_rows(round_: Round):
    """The round's definitions as the columns a payload needs (never the stored vectors), with
    each one's ``number`` in reveal order: the number it has on every screen and on the map."""
    return (
        select(
            Definition.id, Definition.text, Definition.example, Definition.observable,
            Participant.name.label("author"), Partner.name.label("partner"),
            func.row_number().over(order_by=Definition.id).label("number"),
        )
        .join(Participant, Participant.id == Definition.participant_id)
        .join(Partner, Partner.id == Participant.partner_id)
        .where(Definition.round_id == round_.id)
    )


def _shown(round_: Round, row) -> dict:
    return {
        "id": row.id,
        "text": row.text,
        "example": row.example,
        "observable": row.observable,
        "author": row.author if shows_names(round_) else None,
        "partner": row.partner if shows_partners(round_) else None,
    }


def revealed_definitions(session: Session, round_: Round, ids: list[int] | None = None) -> list[dict]:
    """All definitions of a revealed round (or only those with ``ids``), with author and partner
    as its anonymity allows.

    Raises Conflict before the reveal: this is the single gate for other people's texts.
    """
    _require_revealed(round_)
    rows = _revealed_rows(round_).subquery()
    query = select(rows).order_by(rows.c.id)
    if ids is not None:
        query = query.where(rows.c.id.in_(ids))
    return [_shown(round_, row) for row in session.execute(query)]


def revealed_page(
    session: Session, round_: Round, *, ids: list[int] | None = None, query: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[dict], int]:
    """One page of a revealed round's definitions (the shown ones only: ``ids``, and with
    ``query`` in a visible text, author or partner, case-insensitively), each with its ``number``
    in the reveal; and how many there are in all. Paged in the database, so a round of a thousand
    definitions costs a page, not a thousand payloads. Same gate as ``revealed_definitions``."""
    _require_revealed(round_)
    rows = _revealed_rows(round_).subquery()
    conditions = []
    if ids is not None:
        conditions.append(rows.c.id.in_(ids))
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        visible = [rows.c.text, rows.c.example, rows.c.observable]
        if shows_names(round_):
            visible.append(rows.c.author)
        if shows_partners(round_):
            visible.append(rows.c.partner)
        conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in visible)))
    total = session.scalar(select(func.count()).select_from(rows).where(*conditions)) or 0
    page = session.execute(select(rows).where(*conditions).order_by(rows.c.id).offset(offset).limit(limit))
    return [{**_shown(round_, row), "number": row.number} for row in page], total
