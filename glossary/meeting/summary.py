"""The summary of a meeting, to send to the partners afterwards: per revealed term the meanings
found, how far apart they lay, the questions to the authors, the listening check, the agreed
definition (or the last proposal and its open objections), every reservation, and the history of
the objections: who objected to which proposal, why, and how it was resolved (an amended proposal,
or adoption with the facilitator's recorded reason).

``meeting_summary`` builds it as plain data; ``summary_document`` turns it into a neutral outline
of headings, paragraphs, quotes and lists that ``to_markdown`` (here) and
``meeting.summary_pdf.to_pdf`` write out, so both files say the same in the same words.
Called by the facilitator's summary page, its downloads and the JSON API (facilitator/meetings.py,
facilitator/api.py). Reads only; access is checked here: only facilitators of the partnership.

Anonymity: a round revealed with ``hide_people`` shows partners but no names, ``hide_all``
neither, in the meanings and in the votes alike. The reveal promised that, so the summary keeps it.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from glossary.entries.exports import Export, slug
from glossary.entries.framework import framework_for
from glossary.errors import InvalidInput, _
from glossary.markdown import escape, plain
from glossary.meeting.consent import CHOICES
from glossary.meeting.outline import (
    Block,
    Heading,
    Item,
    ItemList,
    Paragraph,
    Quote,
    Span,
)
from glossary.meeting.rounds import Phase, participants_of, shows_names, shows_partners
from glossary.meeting.state import listening_summary
from glossary.meeting.summary_pdf import to_pdf
from glossary.models import (
    Definition,
    DefinitionQuestion,
    EntryVersion,
    Participant,
    Proposal,
    Round,
    RoundAnalysis,
    Vote,
    utcnow,
)
from glossary.partnerships import require_meeting_of_facilitator
from glossary.readings import READING_LABELS, reading

OUTCOMES = ("adopted", "not_adopted", "in_progress")
FORMATS = {"md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Meaning:
    """One meaning found in a round, as the facilitator left it after any corrections."""

    label: str
    definition_count: int
    # None when the round hid partners too (anonymity hide_all).
    partners: list[str] | None
    representative: str


@dataclass(frozen=True)
class Remark:
    """A vote that is not a plain yes: 'kan ermee leven' (``leven``) or 'bezwaar', with its reason.
    ``partner`` and ``name`` are None where the round's anonymity hides them."""

    choice: str
    reason: str
    partner: str | None
    name: str | None


@dataclass(frozen=True)
class Objection:
    """An objection (bezwaar) to one proposal and what became of it: ``resolution`` is ``amended``
    (proposal ``amended_by`` was put to the room after it), ``overridden`` (the proposal was adopted
    anyway, with ``override_reason``) or ``open``. Who objected as the round's anonymity allows."""

    proposal: int
    reason: str
    partner: str | None
    name: str | None
    resolution: str
    amended_by: int | None
    override_reason: str | None


@dataclass(frozen=True)
class Question:
    """A question to the author of a definition and the answer, if any (askers stay unnamed)."""

    text: str
    answer: str | None
    definition: str


@dataclass(frozen=True)
class ProposalText:
    number: int
    text: str
    scope: str
    examples: list[str]


@dataclass(frozen=True)
class Condition:
    id: str
    label: str


@dataclass(frozen=True)
class Adopted:
    """The definition as adopted into the glossary (that version, even if edited since)."""

    text: str
    scope: str
    examples: list[str]
    not_to_confuse_with: list[str]
    conditions: list[Condition]
    partnership_id: int
    entry_id: int
    version: int
    current_version: int


@dataclass(frozen=True)
class RoundSummary:
    round_id: int
    term: str
    anonymity: str
    revealed_at: datetime
    closed_at: datetime | None
    outcome: str  # one of OUTCOMES
    definition_count: int
    meanings: list[Meaning]
    # None until the meaning analysis is stored (or when it failed).
    divergence: float | None
    reading: str | None
    corrected: bool
    adopted: Adopted | None
    # The proposal voted on last: the adopted one, or the last one put to the room.
    proposal: ProposalText | None
    votes: dict[str, int]
    voted: int
    reservations: list[Remark]
    objections: list[Remark]
    override_reason: str | None
    # Every objection to every proposal of the round, oldest first, with how it was resolved.
    objection_history: list[Objection] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    # The latest listening check as the screens show it (glossary.meeting.state.listening_summary).
    listening: dict | None = None


@dataclass(frozen=True)
class MeetingSummary:
    meeting_id: int
    title: str
    partnership_id: int
    partnership: str
    dates: list[date]
    partners: list[str]
    participant_count: int
    rounds: list[RoundSummary]
    made_at: datetime = field(default_factory=utcnow)


# --- building the summary ------------------------------------------------------------------------


def meeting_summary(
    session: Session, facilitator_id: int, meeting_id: int, *, lang: str = "nl", timezone: str = "UTC"
) -> MeetingSummary:
    """The summary of a meeting this facilitator leads (anyone else: NotFound, like its other pages).

    Covers every round that was revealed, in the order of their reveal; rounds closed before a
    reveal kept their texts private and are left out, and so are rounds started afresh. ``lang`` picks the framework's wording of
    the conditions linked to adopted definitions; the meeting's dates are days in ``timezone``
    (a meeting that runs past midnight UTC is still on the day people were in the room).
    """
    zone = ZoneInfo(timezone)
    meeting = require_meeting_of_facilitator(session, facilitator_id, meeting_id)
    people = participants_of(session, meeting.id)
    revealed = session.scalars(
        select(Round)
        .where(Round.meeting_id == meeting.id, Round.revealed_at.is_not(None), Round.restarted_at.is_(None))
        .order_by(Round.revealed_at, Round.id)
    ).all()
    framework = framework_for(session, meeting.partnership_id)
    rounds = [_round_summary(session, round_, framework, lang, zone) for round_ in revealed]
    days = sorted({moment.date() for r in rounds for moment in (r.revealed_at, r.closed_at) if moment is not None})
    return MeetingSummary(
        meeting_id=meeting.id,
        title=meeting.title,
        partnership_id=meeting.partnership_id,
        partnership=meeting.partnership.name,
        dates=days or [meeting.created_at.astimezone(zone).date()],
        partners=sorted({p.partner.name for p in people}, key=str.casefold),
        participant_count=len(people),
        rounds=rounds,
    )


def _who(round_: Round, participant: Participant) -> tuple[str | None, str | None]:
    """(partner, name) of a person as the round's anonymity allows."""
    partner = participant.partner.name if shows_partners(round_) else None
    name = participant.name if shows_names(round_) else None
    return partner, name


def _meanings(round_: Round, analysis: dict | None, definitions: list[Definition]) -> list[Meaning]:
    by_id = {str(d.id): d for d in definitions}
    found = []
    for meaning in (analysis or {}).get("meanings", []):
        members = [by_id[i] for i in map(str, meaning["definition_ids"]) if i in by_id]
        if not members:
            continue
        representative = by_id.get(str(meaning.get("representative_id")), members[0])
        partners = None
        if shows_partners(round_):
            partners = sorted({d.participant.partner.name for d in members}, key=str.casefold)
        found.append(Meaning(meaning["label"], len(members), partners, representative.text))
    return found


def _adopted(session: Session, round_: Round, framework, lang: str) -> Adopted | None:
    version = session.scalars(
        select(EntryVersion).options(selectinload(EntryVersion.entry))
        .where(EntryVersion.round_id == round_.id, EntryVersion.source == "meeting")
        .order_by(EntryVersion.id.desc()).limit(1)
    ).first()
    if version is None:
        return None
    conditions = [
        Condition(cid, framework.condition(cid).label(lang) if framework.condition(cid) else cid) for cid in version.condition_ids
    ]
    return Adopted(
        text=version.definition, scope=version.scope, examples=list(version.examples),
        not_to_confuse_with=list(version.not_to_confuse_with), conditions=conditions,
        partnership_id=version.entry.partnership_id, entry_id=version.entry_id,
        version=version.number, current_version=version.entry.version,
    )


def _objection_history(session: Session, round_: Round, proposals: list[Proposal]) -> list[Objection]:
    history = []
    for index, proposal in enumerate(proposals):
        later = proposals[index + 1] if index + 1 < len(proposals) else None
        if proposal.status == "adopted":
            resolution, amended_by, reason = "overridden", None, proposal.override_reason
        elif later is not None:
            resolution, amended_by, reason = "amended", later.number, None
        else:
            resolution, amended_by, reason = "open", None, None
        objections = session.execute(
            select(Vote, Participant).join(Participant, Participant.id == Vote.participant_id)
            .options(selectinload(Participant.partner))
            .where(Vote.proposal_id == proposal.id, Vote.choice == "bezwaar").order_by(Vote.id)
        ).all()
        history += [Objection(proposal.number, vote.reason, *_who(round_, person), resolution, amended_by, reason)
                    for vote, person in objections]
    return history


def _questions(session: Session, round_: Round) -> list[Question]:
    rows = session.execute(
        select(DefinitionQuestion, Definition.text).join(Definition, Definition.id == DefinitionQuestion.definition_id)
        .where(DefinitionQuestion.round_id == round_.id).order_by(DefinitionQuestion.id)
    ).all()
    return [Question(question.text, question.answer, definition) for question, definition in rows]


def _round_summary(session: Session, round_: Round, framework, lang: str, zone: ZoneInfo) -> RoundSummary:
    definitions = session.scalars(
        select(Definition).options(selectinload(Definition.participant).selectinload(Participant.partner))
        .where(Definition.round_id == round_.id).order_by(Definition.id)
    ).all()
    stored = session.get(RoundAnalysis, round_.id)
    analysis = stored.result if stored else None
    divergence = analysis.get("divergence") if analysis and not analysis.get("error") else None
    proposals = session.scalars(select(Proposal).where(Proposal.round_id == round_.id).order_by(Proposal.number)).all()
    chosen = next((p for p in proposals if p.status == "adopted"), proposals[-1] if proposals else None)
    ballots = session.execute(
        select(Vote, Participant).join(Participant, Participant.id == Vote.participant_id)
        .options(selectinload(Participant.partner)).where(Vote.proposal_id == chosen.id).order_by(Vote.id)
    ).all() if chosen else []
    remarks = [Remark(v.choice, v.reason, *_who(round_, p)) for v, p in ballots if v.choice != "akkoord"]
    counts = Counter(v.choice for v, _p in ballots)
    was_adopted = chosen is not None and chosen.status == "adopted"
    if was_adopted:
        outcome = "adopted"
    else:
        # Closed without adoption (or started afresh); a round still open may yet agree.
        outcome = "not_adopted" if round_.phase == Phase.CLOSED else "in_progress"
    return RoundSummary(
        round_id=round_.id,
        term=round_.term,
        anonymity=round_.anonymity,
        # Local times, so that a reader of the API sees the same day as the summary's dates.
        revealed_at=round_.revealed_at.astimezone(zone),
        closed_at=round_.closed_at.astimezone(zone) if round_.closed_at else None,
        outcome=outcome,
        definition_count=len(definitions),
        meanings=_meanings(round_, analysis, definitions),
        divergence=divergence,
        reading=reading(divergence),
        corrected=bool(stored and stored.corrected),
        adopted=_adopted(session, round_, framework, lang) if was_adopted else None,
        proposal=ProposalText(chosen.number, chosen.text, chosen.scope, list(chosen.examples or [])) if chosen else None,
        votes={c: counts[c] for c in CHOICES},
        voted=len(ballots),
        reservations=[r for r in remarks if r.choice == "leven"],
        objections=[r for r in remarks if r.choice == "bezwaar"],
        override_reason=chosen.override_reason if chosen else None,
        objection_history=_objection_history(session, round_, list(proposals)),
        questions=_questions(session, round_),
        listening=listening_summary(session, round_),
    )


def summary_payload(summary: MeetingSummary) -> dict:
    """The summary as JSON-ready data (dates as ISO 8601), for the JSON API."""

    def iso(value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: iso(v) for k, v in value.items()}
        if isinstance(value, list):
            return [iso(v) for v in value]
        return value

    return iso(asdict(summary))


def filename(summary: MeetingSummary, extension: str) -> str:
    """``samenvatting-<title>-<first day>.<extension>``, ASCII only (safe in any download header)."""
    return f"samenvatting-{slug(summary.title)}-{summary.dates[0].isoformat()}.{extension}"


# --- the outline both files are written from ---------------------------------------------------


def _label(spans_text: str, value: str) -> list[Span]:
    return [Span(spans_text, strong=True), Span(" " + value)]


def summary_document(
    summary: MeetingSummary,
    *,
    translations=None,
    format_date: Callable[[date], str] = date.isoformat,
    entry_url: Callable[[int, int], str] | None = None,
) -> list[Block]:
    """The summary as an outline in the reader's language.

    ``translations`` has ``gettext``/``ngettext`` (the web layer passes Flask-Babel's; default:
    the Dutch message ids as they are); ``entry_url(partnership_id, entry_id)`` links adopted
    definitions to their glossary entry.
    """
    t = translations or stdlib_gettext.NullTranslations()
    choice_labels = {"akkoord": t.gettext("akkoord"), "leven": t.gettext("kan ermee leven"), "bezwaar": t.gettext("bezwaar")}
    blocks: list[Block] = [
        Heading(1, [Span(t.gettext("Samenvatting: %(title)s") % {"title": summary.title})]),
        Paragraph(_label(t.gettext("Samenwerkingsverband:"), summary.partnership)),
        Paragraph(_label(t.gettext("Datum:"), ", ".join(format_date(d) for d in summary.dates))),
        Paragraph(_label(t.gettext("Partners:"), ", ".join(summary.partners) or "–")),
        Paragraph(_label(t.gettext("Deelnemers:"), str(summary.participant_count))),
    ]
    if not summary.rounds:
        blocks.append(Paragraph([Span(t.gettext("In deze bijeenkomst is (nog) geen term onthuld."))]))

    def who(remark: Remark | Objection) -> str:
        return " · ".join(x for x in (remark.name, remark.partner) if x) or t.gettext("anoniem")

    for r in summary.rounds:
        outcome = {"adopted": t.gettext("vastgesteld"), "not_adopted": t.gettext("niet vastgesteld"),
                   "in_progress": t.gettext("nog bezig")}[r.outcome]
        blocks += [Heading(2, [Span(r.term)]), Paragraph(_label(t.gettext("Uitkomst:"), outcome))]
        if r.reading is not None:
            distance = t.gettext("%(reading)s (afstand %(percent)s%%)") % {
                "reading": t.gettext(READING_LABELS[r.reading]), "percent": round(r.divergence * 100)}
            blocks.append(Paragraph(_label(t.gettext("Verschil tussen de betekenissen:"), distance)))
        blocks.append(Heading(3, [Span(t.gettext("Gevonden betekenissen"))]))
        if r.meanings:
            items = []
            for m in r.meanings:
                count = t.ngettext("%(num)s definitie", "%(num)s definities", m.definition_count) % {"num": m.definition_count}
                detail = " · ".join([count, *([", ".join(m.partners)] if m.partners else [])])
                items.append(Item([Span(m.label, strong=True), Span(" — " + detail)], quote=m.representative))
            blocks.append(ItemList(items, ordered=True))
        else:
            blocks.append(Paragraph([Span(t.gettext("De betekenissen zijn niet bepaald."))]))
        if r.questions:
            unanswered = t.gettext("(niet beantwoord)")
            blocks += [Heading(3, [Span(t.gettext("Vragen aan de schrijvers"))]), ItemList([
                Item([Span(q.text, strong=True), Span(" — " + (q.answer or unanswered))], quote=q.definition)
                for q in r.questions])]
        if r.listening is not None:
            blocks += [Heading(3, [Span(t.gettext("Luistercheck"))]), Paragraph([Span(listening_text(r.listening, t))])]

        if r.adopted is not None:
            a = r.adopted
            blocks += [Heading(3, [Span(t.gettext("Vastgestelde definitie"))]), Quote(plain(a.text))]
            if a.scope:
                blocks.append(Paragraph(_label(t.gettext("Reikwijdte:"), plain(a.scope))))
            if a.examples:
                blocks += [Paragraph([Span(t.gettext("Voorbeelden:"), strong=True)]), ItemList([Item([Span(x)]) for x in a.examples])]
            if a.not_to_confuse_with:
                blocks.append(Paragraph(_label(t.gettext("Niet te verwarren met:"), "; ".join(a.not_to_confuse_with))))
            if a.conditions:
                blocks.append(Paragraph(_label(t.gettext("Voorwaarden:"), "; ".join(c.label for c in a.conditions))))
            version = t.gettext("versie %(n)s") % {"n": a.version}
            if a.current_version != a.version:
                version += " " + t.gettext("(nu versie %(n)s)") % {"n": a.current_version}
            link = entry_url(a.partnership_id, a.entry_id) if entry_url else None
            blocks.append(Paragraph([Span(t.gettext("In de woordenlijst:"), strong=True), Span(" "),
                                     Span(f"{r.term}, {version}", href=link)]))
        elif r.proposal is not None:
            blocks += [Heading(3, [Span(t.gettext("Laatste voorstel (%(n)s), niet vastgesteld") % {"n": r.proposal.number})]),
                       Quote(plain(r.proposal.text))]
            if r.proposal.scope:
                blocks.append(Paragraph(_label(t.gettext("Reikwijdte:"), plain(r.proposal.scope))))
        else:
            blocks.append(Paragraph([Span(t.gettext("Er is geen definitie voorgesteld."))]))

        if r.proposal is not None:
            counts = ", ".join(f"{choice_labels[c]}: {r.votes[c]}" for c in CHOICES)
            blocks.append(Paragraph(_label(t.gettext("Stemmen:"), counts)))
        if r.reservations or r.objections:
            heading = t.gettext("Voorbehouden en bezwaren") if r.outcome == "adopted" else t.gettext("Voorbehouden en open bezwaren")
            blocks += [Heading(3, [Span(heading)]), ItemList([
                Item([Span(choice_labels[x.choice], strong=True), Span(f" — {who(x)}" + (f": {x.reason}" if x.reason else ""))])
                for x in [*r.objections, *r.reservations]])]
        if r.override_reason:
            blocks.append(Paragraph(_label(t.gettext("Vastgesteld ondanks bezwaar. Reden:"), r.override_reason)))
        if r.objection_history:
            blocks += [Heading(3, [Span(t.gettext("Bezwaren en hoe ze zijn opgelost"))]), ItemList([
                Item([Span(t.gettext("Voorstel %(n)s") % {"n": o.proposal}, strong=True),
                      Span(" — " + who(o)),
                      Span((f": {o.reason}" if o.reason else "") + " → " + resolution_text(o, t))])
                for o in r.objection_history])]
    return blocks


def listening_text(listening: dict, t) -> str:
    """One sentence on the latest listening check, for the summary's files and page."""
    verdicts = listening["verdicts"]
    text = t.gettext("Luistercheck %(check)s: %(written)s van %(assigned)s naverteld, %(judged)s beoordeeld (klopt: %(klopt)s, deels: %(deels)s, nee: %(nee)s).") % {
        "check": listening["check"], "written": listening["written"], "assigned": listening["assigned"],
        "judged": listening["judged"], "klopt": verdicts["klopt"], "deels": verdicts["deels"], "nee": verdicts["nee"]}
    if listening["mean_closeness"] is not None:
        text += " " + t.gettext("Gemiddeld %(percent)s%% verwant in betekenis.") % {"percent": round(listening["mean_closeness"] * 100)}
    return text


def resolution_text(objection: Objection, t) -> str:
    """How an objection was resolved, in words."""
    if objection.resolution == "amended":
        return t.gettext("aangepast in voorstel %(n)s") % {"n": objection.amended_by}
    if objection.resolution == "overridden":
        return t.gettext("vastgesteld ondanks het bezwaar; reden: %(reason)s") % {"reason": objection.override_reason or "–"}
    return t.gettext("nog open")


# --- Markdown ------------------------------------------------------------------------------------


def _inline(spans: list[Span]) -> str:
    out = []
    for span in spans:
        text = escape(span.text)
        if span.href:
            # The address is ours (url_for), but keep it from closing the link early all the same.
            text = f"[{text}](<{span.href.replace('>', '%3E').replace(' ', '%20')}>)"
        if span.strong and text:
            text = f"**{text}**"
        # escape() trims each line; the spaces between spans are part of the sentence.
        lead = " " if span.text[:1].isspace() else ""
        trail = " " if span.text[-1:].isspace() and text else ""
        out.append(lead + text + trail)
    return "".join(out)


def _quote(text: str, indent: str = "") -> list[str]:
    return [f"{indent}> {line}" for line in escape(text, inline=False).splitlines()] or [f"{indent}>"]


def to_markdown(blocks: list[Block]) -> str:
    """The outline as Markdown; everything people wrote is escaped (glossary.markdown.escape), so a
    definition or a reason cannot add markup, links or HTML to the file."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + _inline(block.spans), ""]
        elif isinstance(block, Paragraph):
            lines += [_inline(block.spans), ""]
        elif isinstance(block, Quote):
            lines += [*_quote(block.text), ""]
        else:
            for number, item in enumerate(block.items, start=1):
                marker = f"{number}. " if block.ordered else "- "
                lines.append(marker + _inline(item.spans))
                if item.quote:
                    lines += _quote(item.quote, " " * len(marker))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_markdown(summary: MeetingSummary, **options) -> str:
    """The summary as a Markdown file; ``options`` as for ``summary_document``."""
    return to_markdown(summary_document(summary, **options))


def export(summary: MeetingSummary, fmt: str, **options) -> Export:
    """The summary as a file to download, ``md`` or ``pdf`` (the facilitator's download links)."""
    if fmt not in FORMATS:
        raise InvalidInput(_("De samenvatting is er als md of pdf."))
    if fmt == "md":
        content: str | bytes = summary_markdown(summary, **options)
    else:
        heading = f"{summary.title} · {summary.partnership}"
        content = to_pdf(summary_document(summary, **options), title=heading, footer=heading)
    return Export(content, FORMATS[fmt], filename(summary, fmt))
