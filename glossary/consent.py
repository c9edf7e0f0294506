"""From meanings to agreement: reactions and questions, the listening check, the shared draft,
consent and adoption into the glossary (the discuss and consent phases of a round).

Called by the meeting's socket events and the JSON API. Each writing function is one use case:
it commits once or raises a ``DomainError``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from glossary import entries
from glossary.db import begin_write
from glossary.errors import Conflict, Forbidden, InvalidInput, NotFound, _
from glossary.framework import framework_for
from glossary.models import (
    Definition,
    DefinitionQuestion,
    Meeting,
    Participant,
    Proposal,
    Reaction,
    Restatement,
    Round,
    RoundAnalysis,
    Vote,
    utcnow,
)
from glossary.rounds import current_round, lock_facilitated_round, shows_names, shows_partners
from glossary.validation import clean_text, is_id

REACTIONS = ("herken", "eens", "oneens", "pas")
VERDICTS = ("klopt", "deels", "nee")
CHOICES = ("akkoord", "leven", "bezwaar")
MAX_TEXT = 1000
MAX_PROPOSAL = 2000


# --- phases ---------------------------------------------------------------------------------


def start_discussion(session: Session, facilitator_id: int, round_id: object) -> Round:
    """Move a revealed round (or one whose consent is withdrawn) into the discuss phase."""
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, "reveal", "consent")
    if round_.phase == "consent":
        for proposal in _proposals(session, round_.id, status="open"):
            proposal.status = "superseded"
    round_.phase = "discuss"
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
    round_ = lock_facilitated_round(session, facilitator_id, round_id, "discuss", "consent")
    previous = _proposals(session, round_.id)
    for proposal in previous:
        if proposal.status == "open":
            proposal.status = "superseded"
    proposal = Proposal(round_id=round_.id, number=len(previous) + 1, text=text, scope=scope, examples=examples)
    session.add(proposal)
    round_.phase = "consent"
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


def _participant_round(session: Session, participant_id: int, *phases: str) -> tuple[Participant, Round]:
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
    participant, round_ = _participant_round(session, participant_id, "discuss")
    definition = _definition_in(session, round_, definition_id)
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


def ask_question(session: Session, participant_id: int, definition_id: object, text: object) -> DefinitionQuestion:
    """Ask the author of a definition what they mean; only they can answer it."""
    text = clean_text(text, _("vraag"), max_length=MAX_TEXT, multiline=True)
    begin_write(session)
    participant, round_ = _participant_round(session, participant_id, "discuss")
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
    participant, round_ = _participant_round(session, participant_id, "discuss", "consent")
    question = session.get(DefinitionQuestion, question_id) if is_id(question_id) else None
    if question is None or question.round_id != round_.id:
        raise NotFound(_("Deze vraag bestaat niet (meer)."))
    if session.get(Definition, question.definition_id).participant_id != participant.id:
        raise Forbidden(_("Alleen wie de definitie schreef, kan deze vraag beantwoorden."))
    question.answer = text
    question.answered_at = utcnow()
    session.commit()
    return question


# --- listening check -----------------------------------------------------------------------


def assign_restatements(definitions: list[tuple[int, int]], people: list[tuple[int, int]]) -> dict[int, int]:
    """Who restates which definition: ``definitions`` and ``people`` are (id, partner id) pairs.

    Each person gets a definition written for another partner, preferring the definitions restated
    least so far, so that every definition is restated once there are enough people. Deterministic.
    """
    load: Counter[int] = Counter()
    assignment: dict[int, int] = {}
    # People whose partner wrote most of the definitions have the fewest choices: place them first.
    own_count = Counter(partner for _d, partner in definitions)
    for person_id, partner in sorted(people, key=lambda p: (-own_count[p[1]], p[0])):
        options = [d for d, author_partner in definitions if author_partner != partner]
        if options:
            choice = min(options, key=lambda d: (load[d], d))
            assignment[person_id] = choice
            load[choice] += 1
    return assignment


def start_listening_check(session: Session, facilitator_id: int, round_id: object) -> int:
    """Give every participant another partner's definition to restate; returns the check number."""
    begin_write(session)
    round_ = lock_facilitated_round(session, facilitator_id, round_id, "discuss")
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
    from glossary.meanings import vector_from_bytes
    from glossary.semantics import ENGINE, encode, similarity

    if definition.vector is not None and definition.vector_engine == ENGINE:
        original = vector_from_bytes(definition.vector)
        restated = encode([text])[0]
    else:
        restated, original = encode([text, definition.text])
    return float(similarity(restated, original))


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
    participant, round_ = _participant_round(session, participant_id, "discuss")
    restatement = _my_restatement(session, round_, participant.id)
    if restatement is None:
        raise Conflict(_("Je hebt in deze luistercheck geen definitie om na te vertellen."))
    return restatement


def _my_restatement(session: Session, round_: Round, participant_id: int) -> Restatement | None:
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
    participant, round_ = _participant_round(session, participant_id, "discuss")
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


# --- the picture for the room ----------------------------------------------------------------


def _analysis(session: Session, round_id: int) -> dict | None:
    analysis = session.get(RoundAnalysis, round_id)
    return analysis.result if analysis else None


def _meaning_of(analysis: dict | None) -> dict[int, str]:
    if not analysis:
        return {}
    return {int(d): m["id"] for m in analysis["meanings"] for d in m["definition_ids"]}


def support(session: Session, round_: Round) -> dict:
    """Reactions counted per meaning and per partner (of the person reacting), once per person."""
    meaning_of = _meaning_of(_analysis(session, round_.id))
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
        meaning = meaning_of.get(definition_id, "?")
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
    mine = _my_restatement(session, round_, participant_id)
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


# --- draft ---------------------------------------------------------------------------------


def assemble_draft(session: Session, round_: Round) -> str:
    """A starting text for the shared definition, from each meaning's representative definition
    and distinguishing words; the facilitator edits it."""
    analysis = _analysis(session, round_.id)
    if not analysis:
        raise Conflict(_("Er zijn nog geen betekenissen om een concept uit samen te stellen."))
    texts = {str(d.id): d.text for d in round_.definitions}
    lines = []
    for meaning in analysis["meanings"]:
        representative = texts.get(str(meaning.get("representative_id")), "")
        words = ", ".join(meaning.get("terms", [])[:4])
        lines.append(f"- {meaning['label']}: {representative}" + (f" ({words})" if words else ""))
    return f"{round_.term}:\n" + "\n".join(lines)


def draft_coverage(session: Session, round_: Round, text: object) -> list[dict]:
    """Which meanings a draft covers: its closeness to each meaning's definitions (mean vector)
    and which of the meaning's distinguishing words it uses."""
    from glossary.meanings import vector_from_bytes
    from glossary.semantics import ENGINE, encode, similarity

    text = clean_text(text, _("voorstel"), max_length=MAX_PROPOSAL, multiline=True)
    analysis = _analysis(session, round_.id)
    if not analysis:
        return []
    definitions = {str(d.id): d for d in round_.definitions}
    missing = [d for d in definitions.values() if d.vector is None or d.vector_engine != ENGINE]
    fresh = dict(zip((str(d.id) for d in missing), encode([d.text for d in missing]))) if missing else {}
    draft_vector = encode([text])[0]
    lowered = text.casefold()
    closeness = []
    for meaning in analysis["meanings"]:
        vectors = [fresh.get(i) if i in fresh else vector_from_bytes(definitions[i].vector)
                   for i in meaning["definition_ids"] if i in definitions]
        centre = np.mean(np.stack(vectors), axis=0) if vectors else draft_vector
        closeness.append(float(similarity(draft_vector, centre)))
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


def author_of_restated(session: Session, restatement: Restatement) -> int:
    """The participant who wrote the definition that ``restatement`` retells."""
    return session.get(Definition, restatement.definition_id).participant_id


def suggest_conditions(session: Session, round_: Round, text: str, limit: int = 3) -> list[dict]:
    """Framework conditions whose description is closest in meaning to the proposed definition."""
    from glossary.semantics import encode, similarity

    meeting = session.get(Meeting, round_.meeting_id)
    framework = framework_for(session, meeting.partnership_id)
    conditions = list(framework.conditions)
    texts = [f"{c.name.get('nl', '')}: {c.description.get('nl', '')}" for c in conditions]
    vectors = encode([f"{round_.term}: {text}", *texts])
    scored = sorted(
        ((float(similarity(vectors[0], v)), c) for v, c in zip(vectors[1:], conditions)), key=lambda p: (-p[0], p[1].id)
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
    participant, round_ = _participant_round(session, participant_id, "consent")
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
    round_ = lock_facilitated_round(session, facilitator_id, round_id, "consent")
    proposal = open_proposal(session, round_.id)
    if proposal is None:
        raise Conflict(_("Er ligt geen voorstel; schrijf eerst een voorstel en vraag om instemming."))
    results = consent_results(session, proposal)
    if results["voted"] == 0:
        raise Conflict(_("Nog niemand heeft op het voorstel gereageerd."))
    if results["blocked"] and not override:
        raise Conflict(_("Er is bezwaar tegen dit voorstel. Pas het aan en vraag opnieuw, of neem het over met een reden die wordt vastgelegd."))
    meeting = session.get(Meeting, round_.meeting_id)
    analysis = _analysis(session, round_.id) or {"meanings": []}
    meanings = {m["id"]: m for m in analysis["meanings"]}
    texts = {str(d.id): d.text for d in round_.definitions}
    excluded = []
    for meaning_id in not_to_confuse_with:
        meaning = meanings.get(meaning_id) if isinstance(meaning_id, str) else None
        if meaning is None:
            raise NotFound(_("Deze betekenis bestaat niet (meer); ververs het scherm."))
        excluded.append(f"{meaning['label']}: {texts.get(str(meaning.get('representative_id')), '')}".strip(": "))
    provenance = _provenance(session, meeting, round_, proposal, results, analysis, override, facilitator_id, timezone)
    version = entries.stage_adoption(
        session, facilitator_id, meeting.partnership_id, round_.term, proposal.text,
        scope=proposal.scope, not_to_confuse_with=excluded, examples=list(proposal.examples or []),
        condition_ids=list(condition_ids), provenance=provenance, round_id=round_.id,
    )
    proposal.status = "adopted"
    proposal.override_reason = override or None
    round_.phase = "closed"
    round_.closed_at = utcnow()
    session.commit()
    return round_, version


def _provenance(session, meeting, round_, proposal, results, analysis, override, facilitator_id, timezone) -> dict:
    meaning_of = _meaning_of(analysis)
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
             "meaning": meaning_of.get(d.id)}
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
