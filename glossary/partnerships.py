"""Partnerships, their partners, meetings with their terms, and joining a meeting.

Called by the facilitator's pages, the JSON API, the join page and the ``join`` socket event.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from glossary.accounts import hash_secret
from glossary.db import begin_write
from glossary.errors import Conflict, Forbidden, InvalidInput, NotFound, _
from glossary.models import (
    Meeting,
    Participant,
    Partner,
    Partnership,
    PartnershipFacilitator,
    Round,
    Term,
)
from glossary.validation import clean_text, collapse_spaces, is_id, name_key

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a projector across the room must not be misread.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
MAX_TERMS = 30
MAX_PARTNERS = 50


def normalise_join_code(code: object) -> str:
    """Uppercase, drop spaces and dashes, and map look-alikes people type (o→0 is not in the alphabet)."""
    if not isinstance(code, str):
        return ""
    return "".join(c for c in code.upper() if c not in " -_.")[:20]


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def _clean_names(values: object, field: str, *, max_items: int, max_length: int) -> list[str]:
    """Clean a list of names: trimmed, empty ones dropped, duplicates (case-insensitive) removed."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(_("Het veld ‘%(field)s’ moet een lijst zijn."), field=field)
    seen: set[str] = set()
    names: list[str] = []
    for value in values:
        name = collapse_spaces(clean_text(value, field, max_length=max_length, required=False))
        if name and name_key(name) not in seen:
            seen.add(name_key(name))
            names.append(name)
    if len(names) > max_items:
        raise InvalidInput(_("Te veel items in ‘%(field)s’: maximaal %(max)s."), field=field, max=max_items)
    return names


def create_partnership(session: Session, facilitator_id: int, name: object, partners: object = ()) -> Partnership:
    """Create a partnership led by the facilitator, with its partner organisations."""
    name = clean_text(name, _("naam van het samenwerkingsverband"), max_length=200)
    partner_names = _clean_names(partners, _("partnerorganisaties"), max_items=MAX_PARTNERS, max_length=120)
    begin_write(session)
    partnership = Partnership(name=name, partners=[Partner(name=p) for p in partner_names])
    session.add(partnership)
    session.flush()
    session.add(PartnershipFacilitator(partnership_id=partnership.id, facilitator_id=facilitator_id))
    session.commit()
    return partnership


def partnerships_of(session: Session, facilitator_id: int) -> list[Partnership]:
    return list(
        session.scalars(
            select(Partnership)
            .join(PartnershipFacilitator)
            .where(PartnershipFacilitator.facilitator_id == facilitator_id)
            .order_by(Partnership.name, Partnership.id)
        )
    )


def is_partnership_facilitator(session: Session, facilitator_id: int | None, partnership_id: int) -> bool:
    if facilitator_id is None:
        return False
    return session.get(PartnershipFacilitator, (partnership_id, facilitator_id)) is not None


def require_partnership(session: Session, facilitator_id: int, partnership_id: int) -> Partnership:
    """The partnership if this facilitator leads it; otherwise NotFound (others' partnerships stay unseen)."""
    partnership = session.get(Partnership, partnership_id)
    if partnership is None or not is_partnership_facilitator(session, facilitator_id, partnership_id):
        raise NotFound(_("Dit samenwerkingsverband bestaat niet of is niet van jou."))
    return partnership


def add_partner(session: Session, facilitator_id: int, partnership_id: int, name: object) -> Partner:
    """Add a partner organisation to a partnership the facilitator leads."""
    name = collapse_spaces(clean_text(name, _("partnerorganisatie"), max_length=120))
    begin_write(session)
    partnership = require_partnership(session, facilitator_id, partnership_id)
    existing = _find_partner(session, partnership_id, name)
    if existing:
        raise Conflict(_("‘%(name)s’ staat al in de lijst met partners."), name=existing.name)
    partner = Partner(name=name)
    partnership.partners.append(partner)
    session.commit()
    return partner


def _find_partner(session: Session, partnership_id: int, name: str) -> Partner | None:
    """The partner whose name matches ``name`` up to case, Unicode form and white space (a
    partnership has at most ``MAX_PARTNERS``, so comparing in Python is cheap and the same on every
    database); the existing partner keeps its own spelling."""
    key = name_key(name)
    partners = session.scalars(select(Partner).where(Partner.partnership_id == partnership_id).order_by(Partner.id))
    return next((partner for partner in partners if name_key(partner.name) == key), None)


def create_meeting(
    session: Session, facilitator_id: int, partnership_id: int, title: object, terms: object = ()
) -> Meeting:
    """Create a meeting with an ordered list of terms and a fresh, unique join code."""
    title = clean_text(title, _("titel"), max_length=200)
    term_texts = _clean_names(terms, _("termen"), max_items=MAX_TERMS, max_length=120)
    begin_write(session)
    require_partnership(session, facilitator_id, partnership_id)
    meeting = stage_meeting(session, partnership_id, title, term_texts)
    session.commit()
    return meeting


def stage_meeting(session: Session, partnership_id: int, title: str, term_texts: list[str] = ()) -> Meeting:
    """A new meeting with a free join code, inside the caller's write transaction (it does not commit).

    Called by ``create_meeting`` and by the glossary's "opnieuw bespreken" (a new meeting for a revisit).
    """
    for _attempt in range(20):
        code = new_join_code()
        if session.scalar(select(Meeting.id).where(Meeting.join_code == code)) is None:
            break
    else:  # pragma: no cover - 25^6 codes; only reachable with hundreds of millions of meetings
        raise Conflict(_("Er kon geen vrije deelnamecode worden gemaakt; probeer het opnieuw."))
    meeting = Meeting(
        partnership_id=partnership_id,
        title=title,
        join_code=code,
        terms=[Term(position=i, text=t) for i, t in enumerate(term_texts)],
    )
    session.add(meeting)
    session.flush()
    return meeting


def require_meeting_of_facilitator(session: Session, facilitator_id: int | None, meeting_id: int) -> Meeting:
    """The meeting if the facilitator leads its partnership; otherwise NotFound."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not is_partnership_facilitator(session, facilitator_id, meeting.partnership_id):
        raise NotFound(_("Deze bijeenkomst bestaat niet of is niet van jou."))
    return meeting


def meetings_for_facilitator(session: Session, facilitator_id: int, partnership_id: int) -> list[Meeting]:
    """The partnership's meetings, newest first, for one of its facilitators; otherwise NotFound."""
    require_partnership(session, facilitator_id, partnership_id)
    return meetings_of_partnership(session, partnership_id)


def meetings_of_partnership(session: Session, partnership_id: int) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting).where(Meeting.partnership_id == partnership_id).order_by(Meeting.created_at.desc(), Meeting.id.desc())
        )
    )


def require_meeting_by_code(session: Session, code: object) -> Meeting:
    """Look up a meeting by its join code; a wrong code gets a message saying what to check."""
    normalised = normalise_join_code(code)
    meeting = None
    # Only a code that can exist is looked up: NUL or a lone surrogate would be a database error.
    if len(normalised) == JOIN_CODE_LENGTH and all(c in JOIN_CODE_ALPHABET for c in normalised):
        meeting = session.scalar(select(Meeting).where(Meeting.join_code == normalised))
    if meeting is None:
        raise NotFound(
            _("Geen bijeenkomst met code ‘%(code)s’. Controleer de 6 tekens op het scherm van de facilitator."),
            code=normalised or str(code)[:20],
        )
    return meeting


def update_terms(session: Session, facilitator_id: int, meeting_id: int, terms: object) -> Meeting:
    """Replace a meeting's ordered term list (before or during the meeting).

    Terms keep their identity when their text stays, so rounds already run stay linked.
    """
    term_texts = _clean_names(terms, _("termen"), max_items=MAX_TERMS, max_length=120)
    begin_write(session)
    meeting = require_meeting_of_facilitator(session, facilitator_id, meeting_id)
    by_text = {t.text.casefold(): t for t in meeting.terms}
    new_terms = []
    for position, text in enumerate(term_texts):
        term = by_text.pop(text.casefold(), None) or Term(text=text)
        term.text = text
        term.position = position
        new_terms.append(term)
    meeting.terms = new_terms
    session.commit()
    return meeting


@dataclass(frozen=True)
class Joined:
    """What joining returns: the participant, and the rejoin secret to keep in a cookie (shown once)."""

    participant: Participant
    rejoin_token: str


def _partner_for_joining(session: Session, meeting: Meeting, partner_name: str) -> Partner:
    """The partner with this name, added if new. Insert-or-get: when people of a new organisation
    join at the same moment (PostgreSQL lets their transactions run side by side), one insert wins
    and the others, refused by the unique key inside a savepoint, read the winner's row."""
    for _attempt in range(3):
        partner = _find_partner(session, meeting.partnership_id, partner_name)
        if partner is not None:
            return partner
        count = session.scalar(select(func.count(Partner.id)).where(Partner.partnership_id == meeting.partnership_id))
        if count >= MAX_PARTNERS:
            raise InvalidInput(_("Dit samenwerkingsverband heeft al het maximum aantal partners; kies er een uit de lijst."))
        try:
            with session.begin_nested():
                partner = Partner(partnership_id=meeting.partnership_id, name=partner_name)
                session.add(partner)
        except IntegrityError:
            continue
        session.expire(meeting.partnership, ["partners"])  # the list shows the new partner too
        return partner
    raise Conflict(_("Deze partnerorganisatie werd net door iemand anders toegevoegd; probeer het nog eens."))


def join_meeting(session: Session, meeting_id: int, name: object, partner_name: object) -> Joined:
    """A participant joins a meeting (found by its code on the join page or the phone's connection)
    with a name and a partner (picked from the list or added).

    The same name twice for one partner in one meeting is refused: that person should rejoin
    from their own device, where the rejoin cookie restores them.
    """
    name = clean_text(name, _("naam"), max_length=80)
    partner_name = collapse_spaces(clean_text(partner_name, _("partnerorganisatie"), max_length=120))
    begin_write(session)
    meeting = require_meeting(session, meeting_id)
    partner = _partner_for_joining(session, meeting, partner_name)
    name_key = name.casefold()
    taken = session.scalar(
        select(Participant.id).where(
            Participant.meeting_id == meeting.id,
            Participant.partner_id == partner.id,
            Participant.name_key == name_key,
        )
    )
    if taken:
        raise Conflict(
            _("‘%(name)s’ van %(partner)s doet al mee. Ben jij dat? Open de bijeenkomst op je eerdere apparaat, of kies een andere naam (bijvoorbeeld met je achternaam)."),
            name=name,
            partner=partner.name,
        )
    token = secrets.token_urlsafe(32)
    participant = Participant(
        meeting_id=meeting.id, partner_id=partner.id, name=name, name_key=name_key, token_hash=hash_secret(token)
    )
    session.add(participant)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(_("‘%(name)s’ doet al mee; kies een andere naam."), name=name) from None
    return Joined(participant=participant, rejoin_token=token)


def participant_for_token(session: Session, meeting_id: int, token: object) -> Participant | None:
    """Restore a participant from their rejoin token (cookie or socket auth), or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    participant = session.scalar(select(Participant).where(Participant.token_hash == hash_secret(token)))
    if participant is None or participant.meeting_id != meeting_id:
        return None
    return participant


def require_facilitator_of_meeting(session: Session, facilitator_id: int | None, meeting_id: int) -> Meeting:
    """Like ``require_meeting_of_facilitator`` but for actions: a non-facilitator gets Forbidden."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("Deze bijeenkomst bestaat niet meer."))
    if not is_partnership_facilitator(session, facilitator_id, meeting.partnership_id):
        raise Forbidden(_("Alleen de facilitator van deze bijeenkomst mag dit doen."))
    return meeting


def require_meeting(session: Session, meeting_id: int, *, options: Sequence = ()) -> Meeting:
    """The meeting, or NotFound; ``options`` load its relations along (``state.snapshot``)."""
    meeting = session.get(Meeting, meeting_id, options=options)
    if meeting is None:
        raise NotFound(_("Deze bijeenkomst bestaat niet meer."))
    return meeting


def require_round_of_meeting(session: Session, round_id: object, meeting_id: int) -> None:
    """Refuse a round id of another meeting sent over a meeting's connection: every action and
    announcement belongs to the round's own meeting. An id that is no round id is left to the
    use case, which says what is wrong with it."""
    if not is_id(round_id):
        return
    round_meeting = session.scalar(select(Round.meeting_id).where(Round.id == round_id))
    if round_meeting is not None and round_meeting != meeting_id:
        raise NotFound(_("Deze ronde hoort niet bij deze bijeenkomst."))
