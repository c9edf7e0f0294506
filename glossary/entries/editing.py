"""Glossary entries: reading, writing and editing them, their versions and provenance, comments
and revisits.

Called by the glossary pages and JSON API (facilitator/glossary_views.py, glossary_api.py), by a
meeting's adoption (``stage_adoption``, from ``glossary.meeting.consent.adopt``), by imports
(``entries.exports``) and by the drift (``glossary.meeting.drift``). Every function that changes
something is one use case: it commits once or raises a ``DomainError``; access is checked here,
not in the web layer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from glossary.db import begin_write
from glossary.entries import search
from glossary.entries.framework import Framework, framework_for
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.markdown import plain
from glossary.models import (
    EntryComment,
    EntryVersion,
    Facilitator,
    GlossaryEntry,
    Meeting,
    Round,
    Term,
    utcnow,
)
from glossary.partnerships import (
    MAX_TERMS,
    require_meeting_of_facilitator,
    require_partnership,
    is_partnership_facilitator,
    stage_meeting,
)
from glossary.validation import clean_text, is_id

STATUSES = ("concept", "vastgesteld", "te_herzien", "vervallen")
# A lapsed entry is no longer in use: kept with its history, left out of lists and exports.
LAPSED = "vervallen"
# What a share link shows: the agreed glossary (drafts and lapsed entries stay inside).
SHARED_STATUSES = ("vastgesteld", "te_herzien")
SOURCES = ("edit", "meeting", "import", "revisit")
MAX_TERM_LENGTH = 120
MAX_DEFINITION_LENGTH = 5000
MAX_SCOPE_LENGTH = 2000
MAX_NOTES_LENGTH = 5000
MAX_ITEM_LENGTH = 1000
MAX_ITEMS = 20
MAX_CHANGE_NOTE_LENGTH = 500
MAX_COMMENT_LENGTH = 5000
MAX_PROVENANCE_BYTES = 500_000
LIST_FIELDS = ("not_to_confuse_with", "examples", "synonyms", "condition_ids")
CONTENT_FIELDS = ("term", "definition", "scope", "not_to_confuse_with", "examples", "synonyms", "condition_ids", "notes", "status")


class EditConflict(Conflict):
    """A stale edit: someone saved a newer version first. Carries both texts; nothing was saved."""

    def __init__(self, *, base_version: int, current_version: int, current: dict, attempted: dict) -> None:
        super().__init__(
            _("Iemand anders heeft dit begrip intussen opgeslagen (versie %(current)s; jij begon bij versie %(base)s). "
              "Er is niets overschreven. Vergelijk beide teksten en sla daarna opnieuw op."),
            current=current_version,
            base=base_version,
        )
        self.base_version = base_version
        self.current_version = current_version
        self.current = current
        self.attempted = attempted


# --- validation ---------------------------------------------------------------------------------


def _clean_list(value: object, field_name: str, *, max_length: int = MAX_ITEM_LENGTH) -> list[str]:
    """A list of short texts, given as a list or as text with one item per line; empty ones dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        # Only real line breaks separate items: ``splitlines`` would also split at U+2028/U+2029
        # (and U+0085, U+000B...), which an item may contain, so an export would not import back.
        value = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(_("Het veld ‘%(field)s’ moet een lijst zijn."), field=field_name)
    items: list[str] = []
    for item in value:
        cleaned = clean_text(item, field_name, max_length=max_length, required=False)
        if cleaned and cleaned not in items:
            items.append(cleaned)
    if len(items) > MAX_ITEMS:
        raise InvalidInput(_("Te veel items in ‘%(field)s’: maximaal %(max)s."), field=field_name, max=MAX_ITEMS)
    return items


def _clean_conditions(value: object, framework: Framework) -> list[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[\s,;]+", value) if v]
    ids = _clean_list(value, _("voorwaarden"), max_length=16)
    unknown = [c for c in ids if framework.condition(c) is None]
    if unknown:
        raise InvalidInput(
            _("Onbekende voorwaarde(n): %(ids)s. Kies uit de voorwaarden van het raamwerk (zoals 1.1 … 4.3)."),
            ids=", ".join(unknown),
        )
    order = [c.id for c in framework.conditions]
    return sorted(ids, key=order.index)


def clean_content(data: Mapping, framework: Framework, *, default_status: str = "concept") -> dict:
    """Validate an entry's content (from a form, the API or an import row) into a plain dict."""
    status = data.get("status") or default_status
    if isinstance(status, str):
        status = status.strip().lower().replace(" ", "_")
    if status not in STATUSES:
        raise InvalidInput(_("Kies een status: concept, vastgesteld, te herzien of vervallen."))
    return {
        "term": clean_text(data.get("term"), _("term"), max_length=MAX_TERM_LENGTH),
        "definition": clean_text(data.get("definition"), _("definitie"), max_length=MAX_DEFINITION_LENGTH, multiline=True),
        "scope": clean_text(data.get("scope"), _("reikwijdte"), max_length=MAX_SCOPE_LENGTH, required=False, multiline=True),
        "not_to_confuse_with": _clean_list(data.get("not_to_confuse_with"), _("niet te verwarren met")),
        "examples": _clean_list(data.get("examples"), _("voorbeelden")),
        "synonyms": _clean_list(data.get("synonyms"), _("ook genoemd"), max_length=MAX_TERM_LENGTH),
        "condition_ids": _clean_conditions(data.get("condition_ids"), framework),
        "notes": clean_text(data.get("notes"), _("toelichting"), max_length=MAX_NOTES_LENGTH, required=False, multiline=True),
        "status": status,
    }


def _clean_version_number(value: object, field_name: str) -> int:
    # ASCII digits only: "²" is a digit to str.isdigit but not to int().
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,10}", value.strip()):
        value = int(value.strip())
    if not is_id(value):
        raise InvalidInput(_("Het veld ‘%(field)s’ moet een versienummer zijn."), field=field_name)
    return value


def term_key(term: str) -> str:
    return term.casefold()


def content_of(version: EntryVersion) -> dict:
    """The content fields of a version as a plain dict (for payloads, diffs and conflicts)."""
    return {name: (list(getattr(version, name)) if name in LIST_FIELDS else getattr(version, name)) for name in CONTENT_FIELDS}


# --- reading -----------------------------------------------------------------------------------


def entry_for_facilitator(session: Session, facilitator_id: int | None, entry_id: object, *, lock: bool = False) -> GlossaryEntry:
    """The entry if the facilitator leads its partnership; otherwise NotFound (never a hint it exists)."""
    if not is_id(entry_id):
        raise NotFound(_("Dit begrip bestaat niet (meer)."))
    query = select(GlossaryEntry).where(GlossaryEntry.id == entry_id)
    entry = session.scalar(query.with_for_update() if lock else query)
    if entry is None or not is_partnership_facilitator(session, facilitator_id, entry.partnership_id):
        raise NotFound(_("Dit begrip bestaat niet (meer)."))
    return entry


def require_entry(session: Session, partnership_id: int, entry_id: int) -> GlossaryEntry:
    """An entry of the given partnership (already authorised by the caller), or NotFound."""
    entry = session.get(GlossaryEntry, entry_id)
    if entry is None or entry.partnership_id != partnership_id:
        raise NotFound(_("Dit begrip bestaat niet (meer)."))
    return entry


def entries_of(
    session: Session, partnership_id: int, *, status: str | None = None, ids: list[int] | None = None,
    lapsed: bool = False, shared: bool = False,
) -> list[GlossaryEntry]:
    """The partnership's entries with their current version, alphabetical (or in ``ids`` order).

    Lapsed entries only when asked for: by ``status``, by ``ids`` or with ``lapsed``.
    """
    query = (
        select(GlossaryEntry)
        .options(selectinload(GlossaryEntry.current))
        .where(GlossaryEntry.partnership_id == partnership_id)
    )
    if status in STATUSES:
        query = query.where(GlossaryEntry.status == status)
    elif ids is None and not lapsed:
        query = query.where(GlossaryEntry.status != LAPSED)
    if ids is not None:
        query = query.where(GlossaryEntry.id.in_(ids))
    if shared:
        query = query.where(GlossaryEntry.status.in_(SHARED_STATUSES))
    entries = list(session.scalars(query))
    if ids is not None:
        position = {entry_id: i for i, entry_id in enumerate(ids)}
        return sorted(entries, key=lambda e: position[e.id])
    return sorted(entries, key=lambda e: (e.term_key, e.id))


def find_entry(session: Session, partnership_id: int, term: str) -> GlossaryEntry | None:
    return session.scalar(
        select(GlossaryEntry).where(GlossaryEntry.partnership_id == partnership_id, GlossaryEntry.term_key == term_key(term))
    )


def search_entries(session: Session, partnership_id: int, query: str, *, limit: int = 50) -> list[GlossaryEntry]:
    """Entries matching ``query`` (inflection forgiven), best match first; an exact term comes first."""
    ids = search.search(session, partnership_id, query, limit=limit)
    found = entries_of(session, partnership_id, ids=ids)
    exact = term_key(query.strip())
    return sorted(found, key=lambda e: e.term_key != exact)


def _version(entry: GlossaryEntry, number: object) -> EntryVersion:
    number = _clean_version_number(number, _("versie"))
    version = next((v for v in entry.versions if v.number == number), None)
    if version is None:
        raise NotFound(_("Versie %(number)s van dit begrip bestaat niet."), number=number)
    return version


def agreed_version(entry: GlossaryEntry, *, before: datetime | None = None, exclude_round: int | None = None) -> EntryVersion | None:
    """The newest version that was vastgesteld (agreed), optionally made before a moment."""
    for version in reversed(entry.versions):
        if version.status != "vastgesteld" or (exclude_round is not None and version.round_id == exclude_round):
            continue
        if before is None or version.created_at <= before:
            return version
    return None


# --- writing -----------------------------------------------------------------------------------


def author_of(session: Session, facilitator_id: int) -> tuple[int, str]:
    facilitator = session.get(Facilitator, facilitator_id)
    return facilitator_id, facilitator.display_name if facilitator else ""


def _check_term_free(session: Session, partnership_id: int, term: str, entry_id: int | None = None) -> None:
    existing = find_entry(session, partnership_id, term)
    if existing is not None and existing.id != entry_id:
        raise Conflict(_("‘%(term)s’ staat al in de woordenlijst. Bewerk dat begrip in plaats van een tweede te maken."), term=existing.term)


def add_version(
    session: Session,
    entry: GlossaryEntry,
    content: dict,
    *,
    source: str,
    author: tuple[int | None, str],
    change_note: str = "",
    meeting_id: int | None = None,
    round_id: int | None = None,
    provenance: dict | None = None,
    documents: tuple[str, str] | None = None,
) -> EntryVersion:
    """Append a version with ``content``, make it current, and bring the search index in step.

    ``documents`` are ``search_documents(content)`` when the caller worked them out before taking
    the write lock (an import does, for thousands of rows)."""
    number = entry.version + 1 if entry.versions else 1
    version = EntryVersion(
        number=number,
        source=source,
        change_note=change_note,
        author_id=author[0],
        author_name=author[1],
        meeting_id=meeting_id,
        round_id=round_id,
        provenance=provenance,
        created_at=utcnow(),
        **{name: content[name] for name in CONTENT_FIELDS},
    )
    entry.versions.append(version)
    entry.version = number
    entry.term = content["term"]
    entry.term_key = term_key(content["term"])
    entry.status = content["status"]
    entry.updated_at = version.created_at
    entry.search_term, entry.search_body = documents or search_documents(content)
    session.flush()
    search.index_entry(session, entry)
    # The viewonly ``current`` relationship must be read again after the number moved on.
    session.expire(entry, ["current"])
    return version


def search_documents(content: dict) -> tuple[str, str]:
    """The search columns (term with synonyms, and body) for an entry's content: lemmatised and
    stemmed words. Pure and the costliest part of writing a version, so an import computes them
    before it takes the write lock."""
    return (search.document(content["term"], *content["synonyms"]),
            search.document(plain(content["definition"]), plain(content["scope"]), *content["examples"], plain(content["notes"])))


def create_entry(session: Session, facilitator_id: int, partnership_id: int, data: Mapping, *, change_note: object = "") -> GlossaryEntry:
    """A facilitator writes a new entry outside a meeting (status concept unless chosen otherwise)."""
    framework = framework_for(session, partnership_id)
    content = clean_content(data, framework)
    note = clean_text(change_note, _("wijziging"), max_length=MAX_CHANGE_NOTE_LENGTH, required=False)
    begin_write(session)
    require_partnership(session, facilitator_id, partnership_id)
    _check_term_free(session, partnership_id, content["term"])
    entry = GlossaryEntry(partnership_id=partnership_id, term=content["term"], term_key=term_key(content["term"]), status=content["status"], version=0)
    session.add(entry)
    add_version(session, entry, content, source="edit", author=author_of(session, facilitator_id), change_note=note)
    session.commit()
    return entry


def update_entry(
    session: Session, facilitator_id: int, entry_id: object, base_version: object, data: Mapping, *, change_note: object = ""
) -> GlossaryEntry:
    """Save an edit made on top of version ``base_version``.

    Optimistic locking: when someone saved a newer version meanwhile, nothing is written and an
    ``EditConflict`` carries both texts, so the person can merge them and save again. An edit that
    changes nothing adds no version. A missing status keeps the entry's status. When the content of
    an adopted (vastgesteld) entry changes and the edit does not choose another status, the entry
    becomes te_herzien: the agreed text changed without the partners' consent.
    """
    base = _clean_version_number(base_version, _("versie"))
    note = clean_text(change_note, _("wijziging"), max_length=MAX_CHANGE_NOTE_LENGTH, required=False)
    begin_write(session)
    entry = entry_for_facilitator(session, facilitator_id, entry_id, lock=True)
    session.refresh(entry)
    content = clean_content(data, framework_for(session, entry.partnership_id), default_status=entry.status)
    if entry.version != base:
        raise EditConflict(base_version=base, current_version=entry.version, current=content_of(entry.current), attempted=content)
    if content == content_of(entry.current):
        session.commit()
        return entry
    _check_term_free(session, entry.partnership_id, content["term"], entry.id)
    if _agreed_text_changed(content_of(entry.current), content):
        content["status"] = "te_herzien"
    add_version(session, entry, content, source="edit", author=author_of(session, facilitator_id), change_note=note)
    session.commit()
    return entry


def _agreed_text_changed(before: dict, after: dict) -> bool:
    """An adopted entry whose content changes while its status stays "vastgesteld"."""
    if before["status"] != "vastgesteld" or after["status"] != "vastgesteld":
        return False
    return any(before[name] != after[name] for name in before if name != "status")


def _clean_provenance(provenance: object) -> dict:
    if not isinstance(provenance, dict):
        raise InvalidInput(_("De herkomst (provenance) moet een object zijn."))
    for key in ("definitions", "votes", "reservations"):
        if key in provenance and not isinstance(provenance[key], list):
            raise InvalidInput(_("De herkomst: ‘%(key)s’ moet een lijst zijn."), key=key)
    try:
        size = len(json.dumps(provenance, ensure_ascii=False, default=str))
    except (TypeError, ValueError):
        raise InvalidInput(_("De herkomst kan niet als JSON worden bewaard.")) from None
    if size > MAX_PROVENANCE_BYTES:
        raise InvalidInput(_("De herkomst is te groot om te bewaren."))
    return json.loads(json.dumps(provenance, ensure_ascii=False, default=str))


def stage_adoption(
    session: Session,
    facilitator_id: int,
    partnership_id: int,
    term: object,
    definition: object,
    *,
    scope: object = "",
    not_to_confuse_with: object = (),
    examples: object = (),
    condition_ids: object = (),
    provenance: object,
    round_id: int | None = None,
    synonyms: object = None,
    notes: object = None,
) -> EntryVersion:
    """Adopt a definition agreed in a meeting, inside the caller's write transaction: a new entry, or
    a new version of the existing one (the caller has called ``begin_write`` and commits).

    Called by ``glossary.meeting.consent.adopt``. The version gets status vastgesteld, source
    ``meeting``, the round and its meeting, and ``provenance`` as given. Expected provenance keys
    (all optional, unknown keys are kept): ``meeting`` {id, title, date}, ``round`` {id, term},
    ``definitions`` [{id, text, partner, author, meaning}], ``votes`` [{participant, partner, vote,
    reservation}], ``reservations`` [{participant, partner, text}], ``override`` {reason, by},
    ``divergence`` (0..1). Any earlier version stays in the history; a concurrent edit that started
    from the previous version gets a conflict instead of overwriting this one. Raises before
    changing anything.
    """
    require_partnership(session, facilitator_id, partnership_id)
    provenance = _clean_provenance(provenance)
    meeting_id = None
    if round_id is not None:
        round_ = session.get(Round, round_id) if isinstance(round_id, int) and not isinstance(round_id, bool) else None
        meeting = session.get(Meeting, round_.meeting_id) if round_ else None
        if meeting is None or meeting.partnership_id != partnership_id:
            raise NotFound(_("Deze ronde hoort niet bij dit samenwerkingsverband."))
        meeting_id = meeting.id
    entry = find_entry(session, partnership_id, clean_text(term, _("term"), max_length=MAX_TERM_LENGTH))
    previous = content_of(entry.current) if entry else {}
    content = clean_content(
        {
            "term": term,
            "definition": definition,
            "scope": scope,
            "not_to_confuse_with": not_to_confuse_with,
            "examples": examples,
            "condition_ids": condition_ids,
            # Adoption decides on the definition; names and notes written earlier stay unless given.
            "synonyms": previous.get("synonyms", []) if synonyms is None else synonyms,
            "notes": previous.get("notes", "") if notes is None else notes,
            "status": "vastgesteld",
        },
        framework_for(session, partnership_id),
    )
    if entry is None:
        entry = GlossaryEntry(partnership_id=partnership_id, term=content["term"], term_key=term_key(content["term"]), status="vastgesteld", version=0)
        session.add(entry)
    else:
        session.refresh(entry, with_for_update=True)
    entry.revisit_meeting_id = None
    return add_version(
        session, entry, content, source="meeting", author=author_of(session, facilitator_id),
        meeting_id=meeting_id, round_id=round_id, provenance=provenance,
    )


@dataclass(frozen=True)
class Revisit:
    entry: GlossaryEntry
    meeting: Meeting
    term_added: bool


def revisit_entry(
    session: Session, facilitator_id: int, entry_id: object, *, meeting_id: object = None, new_meeting_title: object = None
) -> Revisit:
    """"Opnieuw bespreken": mark the entry te herzien and put its term on a meeting's term list.

    The meeting is an existing one of the same partnership (``meeting_id``) or a new one created
    here (``new_meeting_title``). When the round on that term is revealed, ``meeting.drift`` shows
    how far the new definitions lie from the agreed one.
    """
    title = clean_text(new_meeting_title, _("titel"), max_length=200, required=False)
    if (meeting_id is None) == (not title):
        raise InvalidInput(_("Kies een bijeenkomst of geef de titel van een nieuwe bijeenkomst."))
    if meeting_id is not None:
        meeting_id = _clean_version_number(meeting_id, _("bijeenkomst"))
    begin_write(session)
    entry = entry_for_facilitator(session, facilitator_id, entry_id, lock=True)
    if meeting_id is not None:
        meeting = require_meeting_of_facilitator(session, facilitator_id, meeting_id)
        if meeting.partnership_id != entry.partnership_id:
            raise NotFound(_("Deze bijeenkomst bestaat niet of is niet van jou."))
    else:
        meeting = stage_meeting(session, entry.partnership_id, title)
    term_added = not any(t.text.casefold() == entry.term_key for t in meeting.terms)
    if term_added:
        if len(meeting.terms) >= MAX_TERMS:
            raise Conflict(_("De bijeenkomst ‘%(title)s’ heeft al %(max)s termen; kies een andere."), title=meeting.title, max=MAX_TERMS)
        meeting.terms.append(Term(text=entry.term, position=len(meeting.terms)))
    entry.revisit_meeting_id = meeting.id
    if entry.status != "te_herzien":
        content = {**content_of(entry.current), "status": "te_herzien"}
        add_version(
            session, entry, content, source="revisit", author=author_of(session, facilitator_id),
            change_note=f"→ {meeting.title}", meeting_id=meeting.id,
        )
    session.commit()
    return Revisit(entry=entry, meeting=meeting, term_added=term_added)


def add_comment(session: Session, facilitator_id: int, entry_id: object, body: object) -> EntryComment:
    """A facilitator adds a remark (Markdown) to an entry's comment thread."""
    body = clean_text(body, _("reactie"), max_length=MAX_COMMENT_LENGTH, multiline=True)
    begin_write(session)
    entry = entry_for_facilitator(session, facilitator_id, entry_id)
    author_id, author_name = author_of(session, facilitator_id)
    comment = EntryComment(entry_id=entry.id, author_id=author_id, author_name=author_name, body=body)
    session.add(comment)
    session.commit()
    return comment
