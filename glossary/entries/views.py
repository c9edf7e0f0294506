"""What the glossary's pages and JSON API show: the list, the entry page, a version's diff, the
framework grid, and the entries as JSON.

Called by facilitator/glossary_views.py and glossary_api.py; the entry page's drift is added by
``glossary.meeting.drift.entry_page``, since it comes from meetings. Reads only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from glossary.entries.editing import (
    CONTENT_FIELDS,
    LAPSED,
    SHARED_STATUSES,
    STATUSES,
    _version,
    content_of,
    entries_of,
    require_entry,
    search_entries,
)
from glossary.entries.framework import Framework, framework_for
from glossary.models import (
    EntryComment,
    EntryVersion,
    GlossaryEntry,
    Meeting,
    RoundAnalysis,
)
from glossary.partnerships import require_partnership
from glossary.readings import reading


@dataclass(frozen=True)
class FieldDiff:
    """One field compared between two versions; ``segments`` are (op, text) with op equal/insert/delete."""

    name: str
    changed: bool
    segments: list[tuple[str, str]] = field(default_factory=list)


def _as_text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences of two texts as (equal | delete | insert, text) segments that read
    as the texts themselves (also used for a round's proposal against the one before it)."""
    # Words with their trailing whitespace, so the joined segments read as the original text.
    a, b = re.findall(r"\S+\s*|\s+", old), re.findall(r"\S+\s*|\s+", new)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def version_diff(entry: GlossaryEntry, from_number: object, to_number: object) -> list[FieldDiff]:
    """A readable, word-level diff of every content field between two versions of an entry."""
    return content_diff(content_of(_version(entry, from_number)), content_of(_version(entry, to_number)))


def content_diff(old: dict, new: dict) -> list[FieldDiff]:
    """Word-level diff of two contents (two versions, or the saved text and a conflicting edit)."""
    diffs = []
    for name in CONTENT_FIELDS:
        old_text, new_text = _as_text(old[name]), _as_text(new[name])
        diffs.append(FieldDiff(name, old_text != new_text, word_diff(old_text, new_text)))
    return diffs


def explored_divergence(session: Session, entries: list[GlossaryEntry]) -> dict[int, float]:
    """For each entry explored in a meeting: how far apart the meanings were in its latest round."""
    if not entries:
        return {}
    versions = session.execute(
        select(EntryVersion.entry_id, EntryVersion.number, EntryVersion.provenance, RoundAnalysis.result)
        .outerjoin(RoundAnalysis, RoundAnalysis.round_id == EntryVersion.round_id)
        .where(EntryVersion.entry_id.in_([e.id for e in entries]), EntryVersion.source == "meeting")
        .order_by(EntryVersion.entry_id, EntryVersion.number)
    )
    found: dict[int, float] = {}
    for entry_id, _number, provenance, result in versions:
        value = (result or {}).get("divergence")
        if value is None:
            value = (provenance or {}).get("divergence")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found[entry_id] = max(0.0, min(1.0, float(value)))
    return found


def framework_view(session: Session, partnership_id: int, *, shared: bool = False) -> dict:
    """The framework grid: per condition its agreed and open terms and how far their meanings lay
    apart when explored (the heat map), plus the entries linked to no condition of this framework."""
    framework = framework_for(session, partnership_id)
    entries = entries_of(session, partnership_id, shared=shared)
    divergence = explored_divergence(session, entries)
    known = {c.id for c in framework.conditions}
    domains = []
    for domain in framework.domains:
        cells = []
        for condition in domain.conditions:
            linked = [e for e in entries if condition.id in e.current.condition_ids]
            values = [divergence[e.id] for e in linked if e.id in divergence]
            mean = round(sum(values) / len(values), 3) if values else None
            cells.append(
                {
                    "condition": condition,
                    "agreed": [e for e in linked if e.status == "vastgesteld"],
                    "open": [e for e in linked if e.status != "vastgesteld"],
                    "divergence": mean,
                    "reading": reading(mean),
                    "explored": len(values),
                }
            )
        domains.append({"domain": domain, "cells": cells})
    unlinked = [e for e in entries if not known.intersection(e.current.condition_ids)]
    return {"framework": framework, "domains": domains, "unlinked": unlinked, "divergence": divergence}


def _initial(term: str) -> str:
    first = unicodedata.normalize("NFD", term[:1]).upper()[:1]
    return first if first.isalpha() else "#"


def listing(session: Session, partnership_id: int, *, query: str = "", status: str | None = None, by: str = "alpha",
            shared: bool = False) -> dict:
    """What the glossary list shows: the entries (search results when ``query`` is given, in rank
    order), grouped alphabetically, by status, or by framework condition, plus counts per status."""
    framework = framework_for(session, partnership_id)
    everything = entries_of(session, partnership_id, lapsed=True, shared=shared)
    query = (query or "").strip()
    found = search_entries(session, partnership_id, query) if query else everything
    if shared:  # a share link: only the agreed entries, whatever the query string asks
        found = [e for e in found if e.status in SHARED_STATUSES]
    if status in STATUSES:
        found = [e for e in found if e.status == status]
    else:
        found = [e for e in found if e.status != LAPSED]
    groups: list[dict] = []
    if query:
        groups.append({"kind": "results", "key": "results", "entries": found})
    elif by == "status":
        groups = [{"kind": "status", "key": s, "entries": [e for e in found if e.status == s]} for s in STATUSES]
    elif by == "framework":
        for condition in framework.conditions:
            groups.append({"kind": "condition", "key": condition.id, "condition": condition,
                           "entries": [e for e in found if condition.id in e.current.condition_ids]})
        known = {c.id for c in framework.conditions}
        groups.append({"kind": "none", "key": "none", "entries": [e for e in found if not known.intersection(e.current.condition_ids)]})
    else:
        by = "alpha"
        for entry in found:
            letter = _initial(entry.term)
            if not groups or groups[-1]["key"] != letter:
                groups.append({"kind": "letter", "key": letter, "entries": []})
            groups[-1]["entries"].append(entry)
    return {
        "framework": framework,
        "entries": found,
        "groups": [g for g in groups if g["entries"] or g["kind"] == "results"],
        "by": by,
        "query": query,
        "status": status if status in STATUSES else None,
        "counts": {s: sum(1 for e in everything if e.status == s) for s in STATUSES},
        "total": sum(1 for e in everything if e.status != LAPSED),
    }


@dataclass(frozen=True)
class EntryView:
    """Everything the entry page shows."""

    entry: GlossaryEntry
    framework: Framework
    versions: list[EntryVersion]
    comments: list[EntryComment]
    revisit_meeting: Meeting | None
    drift: dict | None = None


def entry_view(session: Session, partnership_id: int, entry_id: int) -> EntryView:
    """The entry page of an (already authorised) partnership: content, history, comments."""
    entry = require_entry(session, partnership_id, entry_id)
    return EntryView(
        entry=entry,
        framework=framework_for(session, partnership_id),
        versions=list(reversed(entry.versions)),
        comments=list(entry.comments),
        revisit_meeting=entry.revisit_meeting,
    )


def entry_in(session: Session, facilitator_id: int, partnership_id: int, entry_id: int) -> GlossaryEntry:
    """An entry of a partnership the facilitator leads; NotFound otherwise."""
    require_partnership(session, facilitator_id, partnership_id)
    return require_entry(session, partnership_id, entry_id)


def version_payload(version: EntryVersion) -> dict:
    return {
        "number": version.number,
        **content_of(version),
        "source": version.source,
        "change_note": version.change_note,
        "author": version.author_name or None,
        "meeting_id": version.meeting_id,
        "round_id": version.round_id,
        "provenance": version.provenance,
        "created_at": version.created_at.isoformat(),
    }


def entry_payload(entry: GlossaryEntry, *, with_history: bool = False) -> dict:
    """An entry as the JSON API returns it: current content, version number for edits, history."""
    payload = {
        "id": entry.id,
        "version": entry.version,
        **content_of(entry.current),
        "revisit_meeting_id": entry.revisit_meeting_id,
        "updated_at": entry.updated_at.isoformat(),
    }
    if with_history:
        payload["versions"] = [version_payload(v) for v in entry.versions]
        payload["comments"] = [
            {"id": c.id, "author": c.author_name, "body": c.body, "created_at": c.created_at.isoformat()} for c in entry.comments
        ]
    return payload
