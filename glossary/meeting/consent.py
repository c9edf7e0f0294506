"""From meanings to agreement: the shared draft, proposals, consent (akkoord, kan ermee leven,
bezwaar) and adoption into the glossary (the consent phase of a round, and the way back to discuss).

Called by the meeting's socket events and the JSON API. Each writing function is one use case:
it commits once or raises a ``DomainError``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from glossary import semantics
from glossary.db import begin_write
from glossary.entries.editing import stage_adoption
from glossary.entries.framework import framework_for
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.meeting import vectors
from glossary.meeting.discussion import MAX_TEXT, participant_round
from glossary.meeting.meanings import analysis_result, meaning_of
from glossary.meeting.rounds import (
    Phase,
    facilitated_round,
    lock_facilitated_round,
    shows_names,
    shows_partners,
)
from glossary.models import (
    Definition,
    Meeting,
    Participant,
    Proposal,
    Round,
    Vote,
    utcnow,
)
from glossary.validation import clean_text, is_id

CHOICES = ("akkoord", "leven", "bezwaar")
MAX_PROPOSAL = 2000


# --- phases ---------------------------------------------------------------------------------


def start_discussion(session: Session, facilitator_id: int, round_id: object) -> Round:
    """Move a revealed round (also straight from sorting, or one whose consent is withdrawn) into
    the discuss phase."""
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.REVEAL, Phase.SORT, Phase.CONSENT)
    if round_.phase == Phase.CONSENT:
        for proposal in _proposals(session, round_.id, status="open"):
            proposal.status = "superseded"
    round_.phase = Phase.DISCUSS
    session.commit()
    return round_


def propose(session: Session, facilitator_id: int, round_id: object, text: object, scope: object = "", examples: object = ()) -> Proposal:
    """Put a proposed shared definition to consent (from discuss), or amend it and ask again
    (in consent): earlier votes then belong to the earlier proposal."""
    text = clean_text(text, _("voorstel"), max_length=MAX_PROPOSAL, multiline=True)
    scope = clean_text(scope, _("reikwijdte"), max_length=MAX_TEXT, required=False, multiline=True)
    if not isinstance(examples, (list, tuple)):
        raise InvalidInput(_("Voorbeelden moeten een lijst zijn."))
    examples = [e for e in (clean_text(x, _("voorbeeld"), max_length=MAX_TEXT, required=False) for x in examples) if e][:20]
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.DISCUSS, Phase.CONSENT)
    previous = _proposals(session, round_.id)
    for proposal in previous:
        if proposal.status == "open":
            proposal.status = "superseded"
    proposal = Proposal(round_id=round_.id, number=len(previous) + 1, text=text, scope=scope, examples=examples)
    session.add(proposal)
    round_.phase = Phase.CONSENT
    session.commit()
    return proposal


def _proposals(session: Session, round_id: int, status: str | None = None) -> list[Proposal]:
    query = select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.number)
    if status:
        query = query.where(Proposal.status == status)
    return list(session.scalars(query))


def proposals_of(session: Session, round_id: int) -> list[dict]:
    """Every proposal of a round with its consent results, oldest first (for the record)."""
    return [{**proposal_payload(p), "override_reason": p.override_reason, "consent": consent_results(session, p)}
            for p in _proposals(session, round_id)]


def open_proposal(session: Session, round_id: int) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.round_id == round_id, Proposal.status == "open"))


# --- participants' actions -------------------------------------------------------------------


# --- listening check -----------------------------------------------------------------------


# --- the picture for the room ----------------------------------------------------------------


# --- draft ---------------------------------------------------------------------------------


def assemble_draft(session: Session, round_: Round, *, pattern: str = "{term} is {parts}.", joiner: str = " en ") -> str:
    """A one-sentence skeleton for the shared definition that the group fills in: one "…" per
    meaning, named after it — "Kwaliteit is … (foutloos werken) en … (inzet)." ``pattern`` and
    ``joiner`` come in the facilitator's language."""
    analysis = analysis_result(session, round_.id)
    if not analysis or not analysis["meanings"]:
        raise Conflict(_("Er zijn nog geen betekenissen om een concept uit samen te stellen."))
    parts = [f"… ({meaning['label']})" for meaning in analysis["meanings"]]
    listed = ", ".join(parts[:-1]) + joiner + parts[-1] if len(parts) > 1 else parts[0]
    term = round_.term[:1].upper() + round_.term[1:]
    return pattern.replace("{term}", term).replace("{parts}", listed)


def share_draft(session: Session, facilitator_id: int, round_id: object, text: object) -> tuple[Round, str]:
    """The draft as the facilitator is writing it, for the projector: checked, never stored."""
    if not isinstance(text, str):
        raise InvalidInput(_("Het concept moet tekst zijn."))
    text = clean_text(text, _("voorstel"), max_length=MAX_PROPOSAL, required=False, multiline=True)
    round_ = facilitated_round(session, facilitator_id, round_id)
    if round_.phase not in (Phase.DISCUSS, Phase.CONSENT):
        raise Conflict(_("Een concept delen kan tijdens het bespreken en besluiten."))
    return round_, text


def draft_coverage(session: Session, round_: Round, text: object) -> list[dict]:
    """Which meanings a draft covers: its closeness to each meaning's definitions (mean vector)
    and which of the meaning's distinguishing words it uses."""
    text = clean_text(text, _("voorstel"), max_length=MAX_PROPOSAL, multiline=True)
    analysis = analysis_result(session, round_.id)
    if not analysis:
        return []
    by_id = vectors.of_definitions(round_.definitions).by_id
    draft_vector = semantics.encode([text])[0]
    lowered = text.casefold()
    closeness = []
    for meaning in analysis["meanings"]:
        members = [by_id[i] for i in meaning["definition_ids"] if i in by_id]
        centre = np.mean(np.stack(members), axis=0) if members else draft_vector
        closeness.append(float(semantics.similarity(draft_vector, centre)))
    # A meaning counts as covered when the draft is about as close to it as to the closest one,
    # or uses its own words: raw similarities have no fixed scale, so compare within the round.
    best = max(closeness, default=0.0)
    result = []
    for meaning, close in zip(analysis["meanings"], closeness):
        used = [w for w in meaning.get("terms", []) if w.casefold() in lowered]
        result.append({"meaning_id": meaning["id"], "label": meaning["label"], "closeness": round(close, 3),
                       "words_used": used, "covered": bool(used) or close >= best - 0.05})
    return result


def check_draft(session: Session, round_: Round, text: object) -> dict:
    """What the facilitator sees while editing a draft: meanings covered and left out, and the
    framework conditions the text seems to belong to."""
    coverage = draft_coverage(session, round_, text)
    return {"coverage": coverage, "conditions": suggest_conditions(session, round_, str(text))}


def suggest_conditions(session: Session, round_: Round, text: str, limit: int = 3) -> list[dict]:
    """Framework conditions whose description is closest in meaning to the proposed definition."""
    meeting = session.get(Meeting, round_.meeting_id)
    framework = framework_for(session, meeting.partnership_id)
    conditions = list(framework.conditions)
    texts = [f"{c.name.get('nl', '')}: {c.description.get('nl', '')}" for c in conditions]
    encoded = semantics.encode([f"{round_.term}: {text}", *texts])
    scored = sorted(
        ((float(semantics.similarity(encoded[0], v)), c) for v, c in zip(encoded[1:], conditions)), key=lambda p: (-p[0], p[1].id)
    )
    return [{"id": c.id, "label": c.label("nl"), "score": round(s, 3)} for s, c in scored[:limit]]


# --- consent and adoption ---------------------------------------------------------------------


def proposal_payload(proposal: Proposal) -> dict:
    return {"id": proposal.id, "number": proposal.number, "text": proposal.text, "scope": proposal.scope,
            "examples": list(proposal.examples or []), "status": proposal.status}


def vote(session: Session, participant_id: int, proposal_id: object, choice: object, reason: object = "") -> Vote:
    """Answer the open proposal: akkoord, kan ermee leven (optional reservation) or bezwaar
    (reason required). One answer per person; answering again changes it."""
    if choice not in CHOICES:
        raise InvalidInput(_("Kies akkoord, kan ermee leven of bezwaar."))
    reason = clean_text(reason, _("reden"), max_length=MAX_TEXT, required=choice == "bezwaar", multiline=True)
    begin_write(session)
    participant, round_ = participant_round(session, participant_id, Phase.CONSENT)
    proposal = open_proposal(session, round_.id)
    if proposal is None or not is_id(proposal_id) or proposal.id != proposal_id:
        raise Conflict(_("Dit voorstel is aangepast of afgerond; bekijk het nieuwe voorstel en stem opnieuw."))
    ballot = session.scalar(select(Vote).where(Vote.proposal_id == proposal.id, Vote.participant_id == participant.id))
    if ballot is None:
        ballot = Vote(proposal_id=proposal.id, participant_id=participant.id, choice=choice)
        session.add(ballot)
    ballot.choice = choice
    ballot.reason = reason
    ballot.updated_at = utcnow()
    session.commit()
    return ballot


def consent_results(session: Session, proposal: Proposal) -> dict:
    """Votes on a proposal, overall and per partner, with every objection and reservation."""
    rows = session.execute(
        select(Vote, Participant).join(Participant, Participant.id == Vote.participant_id)
        .options(selectinload(Participant.partner)).where(Vote.proposal_id == proposal.id).order_by(Vote.id)
    ).all()
    round_ = session.get(Round, proposal.round_id)
    total = session.scalar(select(func.count(Participant.id)).where(Participant.meeting_id == round_.meeting_id))
    counts = Counter(v.choice for v, _p in rows)
    per_partner: dict[str, Counter] = defaultdict(Counter)
    remarks = []
    for ballot, person in rows:
        per_partner[person.partner.name][ballot.choice] += 1
        if ballot.reason:
            remarks.append({"choice": ballot.choice, "reason": ballot.reason, "participant": person.name, "partner": person.partner.name})
    return {
        "proposal_id": proposal.id,
        "counts": {c: counts[c] for c in CHOICES},
        "voted": len(rows),
        "total": total,
        "per_partner": {p: {c: n[c] for c in CHOICES} for p, n in sorted(per_partner.items())},
        "remarks": remarks,
        "blocked": counts["bezwaar"] > 0,
    }


def adopt(
    session: Session,
    facilitator_id: int,
    round_id: object,
    *,
    override_reason: object = None,
    not_to_confuse_with: object = (),
    condition_ids: object = (),
    timezone: str = "UTC",
) -> tuple[Round, object]:
    """Adopt the open proposal into the glossary (a new entry or a new version) with its full
    provenance, and close the round. An objection blocks this unless the facilitator overrides it
    with a recorded reason. ``not_to_confuse_with`` are meaning ids that were explicitly not adopted.
    The provenance dates the meeting by the day in ``timezone`` (the organisation's, not UTC's).
    """
    override = clean_text(override_reason, _("reden om het bezwaar te passeren"), max_length=MAX_TEXT, required=False, multiline=True)
    if not isinstance(not_to_confuse_with, (list, tuple)) or not isinstance(condition_ids, (list, tuple)):
        raise InvalidInput(_("Niet te verwarren met en voorwaarden moeten lijsten zijn."))
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, Phase.CONSENT)
    proposal = open_proposal(session, round_.id)
    if proposal is None:
        raise Conflict(_("Er ligt geen voorstel; schrijf eerst een voorstel en vraag om instemming."))
    results = consent_results(session, proposal)
    if results["voted"] == 0:
        raise Conflict(_("Nog niemand heeft op het voorstel gereageerd."))
    if results["blocked"] and not override:
        raise Conflict(_("Er is bezwaar tegen dit voorstel. Pas het aan en vraag opnieuw, of neem het over met een reden die wordt vastgelegd."))
    meeting = session.get(Meeting, round_.meeting_id)
    analysis = analysis_result(session, round_.id) or {"meanings": []}
    meanings = {m["id"]: m for m in analysis["meanings"]}
    texts = {str(d.id): d.text for d in round_.definitions}
    excluded = []
    for meaning_id in not_to_confuse_with:
        meaning = meanings.get(meaning_id) if isinstance(meaning_id, str) else None
        if meaning is None:
            raise NotFound(_("Deze betekenis bestaat niet (meer); ververs het scherm."))
        excluded.append(f"{meaning['label']}: {texts.get(str(meaning.get('representative_id')), '')}".strip(": "))
    provenance = _provenance(session, meeting, round_, proposal, results, analysis, override, facilitator_id, timezone)
    version = stage_adoption(
        session, facilitator_id, meeting.partnership_id, round_.term, proposal.text,
        scope=proposal.scope, not_to_confuse_with=excluded, examples=list(proposal.examples or []),
        condition_ids=list(condition_ids), provenance=provenance, round_id=round_.id,
    )
    proposal.status = "adopted"
    proposal.override_reason = override or None
    round_.phase = Phase.CLOSED
    round_.closed_at = utcnow()
    session.commit()
    return round_, version


def _provenance(session, meeting, round_, proposal, results, analysis, override, facilitator_id, timezone) -> dict:
    meaning_by_definition = meaning_of(analysis)
    definitions = session.scalars(
        select(Definition).options(selectinload(Definition.participant).selectinload(Participant.partner))
        .where(Definition.round_id == round_.id).order_by(Definition.id)
    ).all()
    votes = session.execute(
        select(Vote, Participant).join(Participant, Participant.id == Vote.participant_id)
        .options(selectinload(Participant.partner)).where(Vote.proposal_id == proposal.id).order_by(Vote.id)
    ).all()
    # The glossary keeps who said what only as far as the round's reveal showed it.
    named = shows_names(round_)
    partners_shown = shows_partners(round_)
    return {
        "meeting": {"id": meeting.id, "title": meeting.title, "date": utcnow().astimezone(ZoneInfo(timezone)).date().isoformat()},
        "round": {"id": round_.id, "term": round_.term, "proposal_number": proposal.number},
        "definitions": [
            {"id": d.id, "text": d.text, "partner": d.participant.partner.name if partners_shown else None,
             "author": d.participant.name if named else None,
             "meaning": meaning_by_definition.get(d.id)}
            for d in definitions
        ],
        "meanings": [{"id": m["id"], "label": m["label"], "definition_ids": m["definition_ids"]} for m in analysis["meanings"]],
        "divergence": analysis.get("divergence"),
        "votes": [{"participant": p.name if named else None, "partner": p.partner.name if partners_shown else None,
                   "vote": v.choice, "reservation": v.reason} for v, p in votes],
        "reservations": [{"participant": r["participant"] if named else None, "partner": r["partner"] if partners_shown else None,
                          "text": r["reason"], "vote": r["choice"]} for r in results["remarks"]],
        "override": {"reason": override, "by": facilitator_id} if override else None,
    }
