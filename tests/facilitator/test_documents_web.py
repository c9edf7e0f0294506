"""Partner documents and the text check over HTTP: the API check, the pages, and who may see what."""

from __future__ import annotations

from glossary import accounts
from glossary.entries import editing, sharing
from glossary.models import Partner


def test_api_check_marks_inflections_and_compounds(app, db, world):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "kwaliteit", "definition": "Werk zonder fouten.", "status": "vastgesteld"})
    secret = accounts.create_api_token(db, "fien", "tests")[1]
    client = app.test_client()
    r = client.post(f"/api/partnerships/{world.partnership_id}/glossary/check", json={"text": "De kwaliteitseisen en kwaliteiten."}, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200
    assert [(s["text"], s["term"], s["definition"]) for s in r.json["spans"]] == [("kwaliteitseisen", "kwaliteit", "Werk zonder fouten."), ("kwaliteiten", "kwaliteit", "Werk zonder fouten.")]
    assert client.post(f"/api/partnerships/{world.partnership_id}/glossary/check", json={"text": ""}, headers={"Authorization": f"Bearer {secret}"}).status_code == 400


def test_documents_stay_with_the_partnerships_facilitators(app, db, world, facilitator_http):
    partner = db.query(Partner).filter_by(partnership_id=world.partnership_id).first()
    from io import BytesIO

    r = facilitator_http.post(f"/partnerships/{world.partnership_id}/documents", data={"partner_id": partner.id, "files": (BytesIO(b"Vertrouwelijke regie van de gemeente."), "nota.txt")}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert "Vertrouwelijke" not in facilitator_http.get(f"/partnerships/{world.partnership_id}/documents").get_data(as_text=True)
    assert "nota.txt" in facilitator_http.get(f"/partnerships/{world.partnership_id}/documents").get_data(as_text=True)
    accounts.create_facilitator(db, "otto", "een-lang-wachtwoord-123", "Otto")
    other = app.test_client()
    other.post("/login", data={"username": "otto", "password": "een-lang-wachtwoord-123"})
    assert other.get(f"/partnerships/{world.partnership_id}/documents").status_code == 404
    token = sharing.create_share_link(db, world.facilitator_id, world.partnership_id, "p").token
    reader = app.test_client()
    page = reader.get(f"/g/{token}/check")
    assert page.status_code == 200 and "nota.txt" not in page.get_data(as_text=True)
    assert reader.get(f"/partnerships/{world.partnership_id}/documents").status_code in (302, 404)


def test_a_share_reader_checks_a_text_as_json_against_the_shared_glossary(app, db, world):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "kwaliteit", "definition": "Werk zonder fouten.", "status": "vastgesteld"})
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "regie", "definition": "Nog een concept."})
    token = sharing.create_share_link(db, world.facilitator_id, world.partnership_id, "p").token
    reader = app.test_client()
    r = reader.post(f"/g/{token}/check", json={"text": "Zorgkwaliteit en regie."})
    assert r.status_code == 200 and [s["term"] for s in r.json["spans"]] == ["kwaliteit"]
    assert reader.post("/g/niet-geldig/check", json={"text": "kwaliteit"}).status_code == 404


def test_refusals_on_the_json_routes_are_json(app, db, world, facilitator_http):
    r = facilitator_http.post(f"/partnerships/{world.partnership_id}/documents/analyse")
    assert r.status_code == 400 and r.json["ok"] is False and "twee partners" in r.json["error"]
    r = facilitator_http.post(f"/partnerships/{world.partnership_id}/documents/agenda", json={"meeting_id": 999, "term": "regie"})
    assert r.status_code == 404 and r.json["ok"] is False


def test_a_bad_file_is_refused_on_the_page_with_its_name(app, db, world, facilitator_http):
    from io import BytesIO

    partner = db.query(Partner).filter_by(partnership_id=world.partnership_id).first()
    r = facilitator_http.post(f"/partnerships/{world.partnership_id}/documents", data={"partner_id": partner.id, "files": (BytesIO(b"x"), "foto.png")},
                              content_type="multipart/form-data", follow_redirects=True)
    assert "foto.png" in r.get_data(as_text=True) and "gebruik .txt, .md, .pdf of .docx" in r.get_data(as_text=True)


def test_the_analysis_runs_in_the_background_and_reports_its_result(app, db, world, facilitator_http):
    from io import BytesIO
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2] / "bench" / "data" / "terms_corpus"
    partners = db.query(Partner).filter_by(partnership_id=world.partnership_id).all()
    for partner, folder in zip(partners, ("Gemeente", "Netbeheerder", "Woningcorporatie")):
        files = [(BytesIO(p.read_bytes()), p.name) for p in sorted((corpus / folder).glob("*.txt"))]
        facilitator_http.post(f"/partnerships/{world.partnership_id}/documents", data={"partner_id": partner.id, "files": files}, content_type="multipart/form-data")
    started = facilitator_http.post(f"/partnerships/{world.partnership_id}/documents/analyse").json
    assert started["ok"] and started["analysis"]["status"] == "queued"
    app.extensions["samenspraak.background"].drain()
    analysis = facilitator_http.get(f"/partnerships/{world.partnership_id}/documents/analysis").json["analysis"]
    assert analysis["status"] == "done" and analysis["progress"] == 1.0
    terms = [t["term"] for t in analysis["result"]["terms"]]
    assert "regie" in terms[:8]


def test_an_uploaded_word_draft_is_checked_and_a_share_reader_finds_the_check(app, db, world, facilitator_http):
    from io import BytesIO

    from docx import Document

    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "afspraak", "definition": "Wat we samen vastleggen.", "status": "vastgesteld"})
    document = Document()
    document.add_paragraph("Convenant: de afspraken over zorgkwaliteit.")
    data = BytesIO()
    document.save(data)
    r = facilitator_http.post(f"/partnerships/{world.partnership_id}/check", data={"file": (BytesIO(data.getvalue()), "convenant.docx")},
                              content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'title="Wat we samen vastleggen."' in page and ">afspraken<" in page
    token = sharing.create_share_link(db, world.facilitator_id, world.partnership_id, "p").token
    listing = app.test_client().get(f"/g/{token}").get_data(as_text=True)
    assert f"/g/{token}/check" in listing


def test_the_score_in_words_follows_the_interface_language(app, db, world, facilitator_http):
    from pathlib import Path

    from glossary.documents import library

    corpus = Path(__file__).resolve().parents[2] / "bench" / "data" / "terms_corpus"
    partners = db.query(Partner).filter_by(partnership_id=world.partnership_id).all()
    for partner, folder in zip(partners, ("Gemeente", "Netbeheerder")):
        library.upload_document(db, world.facilitator_id, world.partnership_id, partner.id, "a.txt", (corpus / folder / "jaarplan.txt").read_bytes())
    library.run_analysis(db, library.start_analysis(db, world.facilitator_id, world.partnership_id).id)
    facilitator_http.set_cookie("lang", "en")
    terms = facilitator_http.get(f"/partnerships/{world.partnership_id}/documents/analysis").json["analysis"]["result"]["terms"]
    assert {t["reading_text"] for t in terms} <= {"shared", "slightly different", "possibly confusing", "probably confusing"}


def test_checks_through_a_share_link_are_limited_per_address(app, db, world):
    """A share link needs no login, so one address cannot keep the server checking texts."""
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "kwaliteit", "definition": "Werk zonder fouten.", "status": "vastgesteld"})
    token = sharing.create_share_link(db, world.facilitator_id, world.partnership_id, "p").token
    reader = app.test_client()
    allowed = app.config["SHARED_CHECKS_BURST"]
    answers = [reader.post(f"/g/{token}/check", json={"text": "kwaliteit"}) for _ in range(allowed + 1)]
    assert [a.status_code for a in answers[:allowed]] == [200] * allowed
    assert answers[-1].status_code == 429 and "Te veel controles" in answers[-1].json["error"]
    page = reader.post(f"/g/{token}/check", data={"text": "kwaliteit"})
    assert page.status_code == 200 and "Te veel controles" in page.get_data(as_text=True)  # said on the page itself
    other = app.test_client().post(f"/g/{token}/check", json={"text": "kwaliteit"}, environ_base={"REMOTE_ADDR": "10.9.0.2"})
    assert other.status_code == 200
