"""Use cases around partners' documents: keep them, find the confusing terms, check a text.

Only the partnership's facilitators see documents and analyses (`partnerships.require_partnership`
answers NotFound to anyone else); a share link can only check a text against the shared glossary
(`check_for_share_link`), never reach a document. Deleting a document deletes its text and every
analysis of the partnership (their example sentences quote it).

Called by `facilitator.documents` (pages and JSON) and its background worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from glossary import partnerships
from glossary.db import begin_write
from glossary.documents import check, reading, terms
from glossary.entries import editing, sharing
from glossary.entries.search import variants
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.models import Meeting, Partner, PartnerDocument, Partnership, Term, TermAnalysis, utcnow
from glossary.validation import clean_text, is_id

#: Results at or above this score mark a term "nog niet afgesproken" in the text check.
UNSETTLED_SCORE = 0.4
TOP_TERMS = 25


def _partner_of(session: Session, partnership_id: int, partner_id: object) -> Partner:
    partner = session.get(Partner, partner_id) if is_id(partner_id) else None
    if partner is None or partner.partnership_id != partnership_id:
        raise NotFound(_("Deze partner hoort niet bij dit samenwerkingsverband."))
    return partner


def documents_of(session: Session, facilitator_id: int, partnership_id: int) -> list[PartnerDocument]:
    """The partnership's documents, by partner and name (facilitators of the partnership only)."""
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    return list(session.scalars(
        select(PartnerDocument).join(Partner).where(PartnerDocument.partnership_id == partnership_id)
        .order_by(Partner.name, PartnerDocument.filename, PartnerDocument.id)
    ))


def upload_documents(
    session: Session, facilitator_id: int, partnership_id: int, partner_id: object, files: list[tuple[object, bytes]]
) -> list[PartnerDocument]:
    """Keep the text of a partner's files: .txt, .md, .pdf or .docx up to 20 MB each, 50 per
    partnership. Every file is read first; one bad file stores none of them."""
    if not files:
        raise InvalidInput(_("Kies eerst een of meer bestanden."))
    texts = []
    for filename, data in files:
        filename = clean_text(filename, _("bestandsnaam"), max_length=255)
        texts.append((filename, reading.text_of(filename, data)))  # refuses type, size, encryption, empty files
    begin_write(session)
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    partner = _partner_of(session, partnership_id, partner_id)
    count = session.scalar(select(func.count()).select_from(PartnerDocument).where(PartnerDocument.partnership_id == partnership_id))
    if count + len(texts) > reading.MAX_FILES:
        raise Conflict(_("Er passen maximaal %(max)s documenten in een analyse; er staan er al %(count)s. Verwijder er eerst een paar."),
                       max=reading.MAX_FILES, count=count)
    documents = [
        PartnerDocument(partnership_id=partnership_id, partner_id=partner.id, filename=name, text=text, word_count=len(text.split()))
        for name, text in texts
    ]
    session.add_all(documents)
    # An analysis without these documents would be stale: the page asks for a new one instead.
    session.execute(delete(TermAnalysis).where(TermAnalysis.partnership_id == partnership_id))
    session.commit()
    return documents


def upload_document(
    session: Session, facilitator_id: int, partnership_id: int, partner_id: object, filename: object, data: bytes
) -> PartnerDocument:
    """One file; see `upload_documents`."""
    return upload_documents(session, facilitator_id, partnership_id, partner_id, [(filename, data)])[0]


@dataclass(frozen=True)
class DocumentsPage:
    partnership: Partnership
    documents: list[PartnerDocument]
    analysis: TermAnalysis | None
    meetings: list[Meeting]


def documents_page(session: Session, facilitator_id: int, partnership_id: int) -> DocumentsPage:
    """What the documents page shows: the documents, the newest analysis, the meetings to add terms to."""
    return DocumentsPage(
        partnership=partnerships.require_partnership(session, facilitator_id, partnership_id),
        documents=documents_of(session, facilitator_id, partnership_id),
        analysis=analysis_of(session, facilitator_id, partnership_id),
        meetings=partnerships.meetings_of_partnership(session, partnership_id),
    )


def delete_document(session: Session, facilitator_id: int, partnership_id: int, document_id: object) -> None:
    """Delete a document's text, and the analyses whose examples may quote it."""
    begin_write(session)
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    document = session.get(PartnerDocument, document_id) if is_id(document_id) else None
    if document is None or document.partnership_id != partnership_id:
        raise NotFound(_("Dit document bestaat niet (meer)."))
    session.delete(document)
    session.execute(delete(TermAnalysis).where(TermAnalysis.partnership_id == partnership_id))
    session.commit()


def start_analysis(session: Session, facilitator_id: int, partnership_id: int) -> TermAnalysis:
    """Queue a term analysis of the partnership's documents (the caller runs `run_analysis`)."""
    begin_write(session)
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    partners = set(session.scalars(select(PartnerDocument.partner_id).where(PartnerDocument.partnership_id == partnership_id)))
    if len(partners) < 2:
        raise InvalidInput(_("Voeg documenten van minstens twee partners toe: verwarring ontstaat tussen partners."))
    running = session.scalar(select(TermAnalysis).where(
        TermAnalysis.partnership_id == partnership_id, TermAnalysis.status.in_(("queued", "running"))
    ))
    if running is not None:
        session.commit()
        return running  # one at a time: a second click follows the one under way
    analysis = TermAnalysis(partnership_id=partnership_id, status="queued", message=_("In de wachtrij"))
    session.add(analysis)
    session.commit()
    return analysis


def record_progress(session: Session, analysis_id: int, fraction: float, message: str) -> None:
    """Store how far a running analysis is (the page polls it); called by the background worker."""
    begin_write(session)
    analysis = session.get(TermAnalysis, analysis_id)
    if analysis is not None:
        analysis.status = "running"
        analysis.progress = round(float(fraction), 3)
        analysis.message = message[:200]
    session.commit()


def run_analysis(session: Session, analysis_id: int, progress=None) -> TermAnalysis | None:
    """Find the confusing terms of the analysis's partnership and store them (background worker).

    Reads the documents, runs `terms.find_terms` (slow: seconds to a minute), marks terms the
    glossary has already agreed, and stores the result once. Returns None when the analysis was
    deleted meanwhile (a document was deleted).
    """
    analysis = session.get(TermAnalysis, analysis_id)
    if analysis is None:
        return None
    partnership_id = analysis.partnership_id
    by_partner: dict[str, list[str]] = {}
    for document in session.scalars(
        select(PartnerDocument).join(Partner).where(PartnerDocument.partnership_id == partnership_id).order_by(Partner.name, PartnerDocument.id)
    ):
        by_partner.setdefault(document.partner.name, []).append(document.text)
    session.commit()  # no transaction stays open during the long computation
    try:
        result = terms.find_terms(by_partner, top=TOP_TERMS, progress=progress)
        error = None
    except InvalidInput as failure:
        result, error = None, str(failure)
    begin_write(session)
    analysis = session.get(TermAnalysis, analysis_id)
    if analysis is None:
        session.commit()
        return None
    if result is not None:
        # An entry matches by its term or an inflection of it ("afspraken" in the glossary, lemma "afspraak").
        entries = {}
        for e in editing.entries_of(session, partnership_id):
            entries.setdefault(editing.term_key(e.term), e)
            if len(e.term.split()) == 1:
                for form in variants(e.term):
                    entries.setdefault(form, e)
        for t in result["terms"]:
            entry = entries.get(editing.term_key(t["term"])) or next(
                (entries[f] for f in variants(t["term"]) if f in entries), None)
            t["entry"] = None if entry is None else {
                "id": entry.id, "term": entry.term, "status": entry.status, "definition": entry.current.definition,
            }
    analysis.result = result
    analysis.error = error
    analysis.status = "done" if result is not None else "failed"
    analysis.progress = 1.0
    analysis.finished_at = utcnow()
    session.commit()
    return analysis


def analysis_of(session: Session, facilitator_id: int, partnership_id: int, analysis_id: object = None) -> TermAnalysis | None:
    """One analysis of the partnership (or its newest when `analysis_id` is None)."""
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    if analysis_id is None:
        return session.scalar(
            select(TermAnalysis).where(TermAnalysis.partnership_id == partnership_id).order_by(TermAnalysis.id.desc()).limit(1)
        )
    analysis = session.get(TermAnalysis, analysis_id) if is_id(analysis_id) else None
    if analysis is None or analysis.partnership_id != partnership_id:
        raise NotFound(_("Deze analyse bestaat niet (meer)."))
    return analysis


def put_on_agenda(session: Session, facilitator_id: int, partnership_id: int, meeting_id: object, term: object) -> Meeting:
    """Add a term to the end of a meeting's term list (unchanged when it is already on it)."""
    term = clean_text(term, _("term"), max_length=120)
    meeting = partnerships.require_meeting_of_facilitator(session, facilitator_id, meeting_id) if is_id(meeting_id) else None
    if meeting is None or meeting.partnership_id != partnership_id:
        raise NotFound(_("Deze bijeenkomst bestaat niet of is niet van jou."))
    current = [t.text for t in meeting.terms]
    if term.casefold() in {t.casefold() for t in current}:
        session.commit()
        return meeting
    return partnerships.update_terms(session, facilitator_id, meeting.id, current + [term])


def _check_terms(session: Session, partnership_id: int, *, shared: bool) -> list[check.CheckTerm]:
    entries = editing.entries_of(session, partnership_id, shared=shared)
    out = []
    keys = set()
    for e in entries:
        keys.add(editing.term_key(e.term))
        out.append(check.CheckTerm(
            term=e.term, entry_id=e.id, definition=e.current.definition, status=e.status,
            unsettled=e.status != "vastgesteld", synonyms=tuple(e.current.synonyms or ()),
        ))
    if shared:
        return out
    unsettled = set()
    for text in session.scalars(select(Term.text).join(Meeting).where(Meeting.partnership_id == partnership_id)):
        unsettled.add(text)
    newest = session.scalar(
        select(TermAnalysis).where(TermAnalysis.partnership_id == partnership_id, TermAnalysis.status == "done")
        .order_by(TermAnalysis.id.desc()).limit(1)
    )
    if newest is not None and newest.result:
        unsettled |= {t["term"] for t in newest.result["terms"] if t["score"] >= UNSETTLED_SCORE}
    for text in sorted(unsettled):
        if editing.term_key(text) not in keys:
            keys.add(editing.term_key(text))
            out.append(check.CheckTerm(term=text, unsettled=True))
    return out


def _clean_check_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(_("Plak of upload een tekst om te controleren."))
    if len(text) > check.MAX_TEXT_LENGTH:
        raise InvalidInput(_("De tekst is te lang om te controleren: maximaal %(max)s tekens."), max=check.MAX_TEXT_LENGTH)
    return text


def check_text(session: Session, facilitator_id: int, partnership_id: int, text: object) -> list[dict]:
    """The glossary terms in a draft, each with its entry, and flagged when not agreed yet."""
    text = _clean_check_text(text)
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    return check.find_spans(text, _check_terms(session, partnership_id, shared=False))


def text_of_upload(filename: object, data: bytes) -> str:
    """The text of an uploaded draft to check (not kept)."""
    return reading.text_of(clean_text(filename, _("bestandsnaam"), max_length=255), data)


def check_file(session: Session, facilitator_id: int, partnership_id: int, filename: object, data: bytes) -> tuple[str, list[dict]]:
    """`check_text` for an uploaded draft (.txt, .md, .pdf, .docx; read, checked, not kept): (text, spans)."""
    partnerships.require_partnership(session, facilitator_id, partnership_id)
    text = text_of_upload(filename, data)
    return text, check_text(session, facilitator_id, partnership_id, text)


def shared_partnership(session: Session, token: object) -> Partnership:
    """The partnership of a live share link (NotFound otherwise); the check page opens with it."""
    return sharing.partnership_for_token(session, token)


def check_for_share_link(session: Session, token: object, text: object) -> tuple[int, list[dict]]:
    """The same check for a share-link reader, against the shared glossary only; (partnership id, spans)."""
    text = _clean_check_text(text)
    partnership = sharing.partnership_for_token(session, token)
    return partnership.id, check.find_spans(text, _check_terms(session, partnership.id, shared=True))


def fail_analysis(session: Session, analysis_id: int) -> None:
    """Mark an analysis that broke off unexpectedly as failed (the page says so)."""
    begin_write(session)
    analysis = session.get(TermAnalysis, analysis_id)
    if analysis is not None:
        analysis.status = "failed"
        analysis.error = _("De analyse is onverwacht gestopt; probeer het opnieuw.")
        analysis.finished_at = utcnow()
    session.commit()
