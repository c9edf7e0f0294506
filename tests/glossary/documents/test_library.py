"""Keeping partners' documents: upload, limits, delete, access, the analysis and the agenda."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary import accounts
from glossary.documents import library, reading
from glossary.entries import editing
from glossary.errors import DomainError, InvalidInput, NotFound
from glossary.models import Partner
from tests.conftest import PASSWORD

CORPUS = Path(__file__).resolve().parents[3] / "bench" / "data" / "terms_corpus"


def partner_ids(db, world):
    return {p.name: p.id for p in db.query(Partner).filter_by(partnership_id=world.partnership_id)}


def test_upload_list_and_delete_removes_the_text_and_the_analyses(db, world):
    ids = partner_ids(db, world)
    doc = library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "nota.txt", (CORPUS / "Gemeente/jaarplan.txt").read_bytes())
    library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Zorggroep De Linde"], "plan.md", (CORPUS / "Zorgverzekeraar/jaarplan.txt").read_bytes())
    assert [d.filename for d in library.documents_of(db, world.facilitator_id, world.partnership_id)] == ["nota.txt", "plan.md"]
    analysis = library.start_analysis(db, world.facilitator_id, world.partnership_id)
    library.run_analysis(db, analysis.id)
    done = library.analysis_of(db, world.facilitator_id, world.partnership_id)
    assert done.status == "done" and done.result["terms"]
    library.delete_document(db, world.facilitator_id, world.partnership_id, doc.id)
    assert [d.filename for d in library.documents_of(db, world.facilitator_id, world.partnership_id)] == ["plan.md"]
    assert library.analysis_of(db, world.facilitator_id, world.partnership_id) is None  # its snippets are gone too


def test_another_partnerships_facilitator_sees_no_documents(db, world):
    ids = partner_ids(db, world)
    doc = library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "nota.txt", b"Vertrouwelijke regie van de gemeente.")
    other = accounts.create_facilitator(db, "otto", PASSWORD, "Otto")
    for call in (
        lambda: library.documents_of(db, other.id, world.partnership_id),
        lambda: library.delete_document(db, other.id, world.partnership_id, doc.id),
        lambda: library.start_analysis(db, other.id, world.partnership_id),
        lambda: library.analysis_of(db, other.id, world.partnership_id),
        lambda: library.upload_document(db, other.id, world.partnership_id, ids["Gemeente Oostdam"], "x.txt", b"tekst hier"),
    ):
        with pytest.raises(NotFound):
            call()


def test_refusals_say_what_to_do(db, world):
    ids = partner_ids(db, world)
    with pytest.raises(InvalidInput, match="gebruik .txt"):
        library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "foto.png", b"x")
    with pytest.raises(InvalidInput, match="20 MB"):
        library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "groot.txt", b"a " * (reading.MAX_FILE_BYTES // 2 + 1))
    library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "nota.txt", b"Een tekst over regie.")
    with pytest.raises(InvalidInput, match="twee partners"):
        library.start_analysis(db, world.facilitator_id, world.partnership_id)


def test_fifty_files_per_analysis(db, world, monkeypatch):
    monkeypatch.setattr(reading, "MAX_FILES", 2)
    ids = partner_ids(db, world)
    for i in range(2):
        library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], f"n{i}.txt", b"Een tekst over regie.")
    with pytest.raises(DomainError, match="Verwijder er eerst een paar"):
        library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "n3.txt", b"Een tekst over regie.")


def test_put_on_agenda_adds_the_term_once(db, world):
    library.put_on_agenda(db, world.facilitator_id, world.partnership_id, world.meeting_id, "participatie")
    meeting = library.put_on_agenda(db, world.facilitator_id, world.partnership_id, world.meeting_id, "Participatie")
    assert [t.text for t in meeting.terms] == ["kwaliteit", "regie", "participatie"]


def test_terms_already_in_the_glossary_are_marked_with_their_definition(db, world):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "Regie", "definition": "Wie de knopen doorhakt.", "status": "vastgesteld"})
    ids = partner_ids(db, world)
    library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Gemeente Oostdam"], "a.txt", (CORPUS / "Gemeente/jaarplan.txt").read_bytes())
    library.upload_document(db, world.facilitator_id, world.partnership_id, ids["Zorggroep De Linde"], "b.txt", (CORPUS / "Woningcorporatie/jaarplan.txt").read_bytes())
    library.run_analysis(db, library.start_analysis(db, world.facilitator_id, world.partnership_id).id)
    terms = {t["term"]: t for t in library.analysis_of(db, world.facilitator_id, world.partnership_id).result["terms"]}
    assert terms["regie"]["entry"]["definition"] == "Wie de knopen doorhakt." and terms["regie"]["entry"]["status"] == "vastgesteld"
    assert all(t["entry"] is None for name, t in terms.items() if name != "regie")
