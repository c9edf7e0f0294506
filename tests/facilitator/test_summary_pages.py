"""The meeting summary over HTTP: the print-friendly page, the Markdown and PDF downloads, the JSON
API, and that nobody but the partnership's facilitators gets to see it."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup

from glossary import accounts
from tests.conftest import PASSWORD
from tests.facilitator.conftest import join_http, login
from tests.summary_data import summarised_meeting

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")


@pytest.fixture
def meeting(db, world):
    return summarised_meeting(db, world)


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_summary_page_shows_each_term_with_its_outcome(facilitator_http, world, meeting):
    response = facilitator_http.get(f"/meetings/{world.meeting_id}/summary")
    assert response.status_code == 200
    html = page(response)
    assert html.select_one("#summary-title").get_text() == "Samenvatting: Startbijeenkomst"
    assert [t.get_text() for t in html.select(".summary-term")] == ["kwaliteit", "regie", "vertrouwen"]
    assert [t.get_text() for t in html.select(".summary-outcome")] == ["(vastgesteld)", "(niet vastgesteld)", "(vastgesteld)"]
    kwaliteit, regie, vertrouwen = html.select(".summary-round")
    assert [m.get_text() for m in kwaliteit.select(".meaning-label")] == ["Foutloos volgens protocol", "Inzet en vakmanschap"]
    assert kwaliteit.select_one(".summary-adopted").get_text(strip=True) == "Kwaliteit is foutloos werken, met inzet."
    assert "1.3 Samenwerkingscultuur" in kwaliteit.get_text()
    assert kwaliteit.select_one(".entry-link")["href"].startswith(f"/partnerships/{world.partnership_id}/glossary/")
    remarks = [li.get_text(" ", strip=True) for li in kwaliteit.select(".summary-remarks li")]
    assert remarks == ["bezwaar — Cor · Zorggroep De Linde: Inzet telt ook mee.",
                       "kan ermee leven — Bram · Waterschap Rivierenland: Mits we het meten."]
    assert "Tijdsdruk; volgend kwartaal herzien." in kwaliteit.select_one(".summary-override").get_text()
    assert " ".join(kwaliteit.select_one(".summary-votes").get_text().split()) == "Stemmen: akkoord: 2, kan ermee leven: 1, bezwaar: 1"
    assert "Regie is overzicht houden en beslissen." in regie.select_one(".summary-proposal").get_text()
    assert "Ans" not in regie.get_text() and "Gemeente Oostdam: Te vaag over het geld." in regie.get_text()
    assert "anoniem: Alleen binnen het project." in vertrouwen.get_text()
    assert "Zorggroep" not in vertrouwen.get_text()
    assert "samenwerking" not in html.get_text()
    # Print-friendly: the controls are left off paper, and the page says how to make a PDF.
    assert "no-print" in html.select_one("#download-md").find_parent("div")["class"]
    assert "Opslaan als PDF" in html.get_text()


def test_the_summary_is_in_english_when_chosen(facilitator_http, world, meeting):
    facilitator_http.set_cookie("lang", "en")
    html = page(facilitator_http.get(f"/meetings/{world.meeting_id}/summary"))
    assert html.select_one("#summary-title").get_text() == "Summary: Startbijeenkomst"
    assert "(agreed)" in html.get_text() and "objection — Cor · Zorggroep De Linde" in html.get_text()
    assert "Votes: agree: 2, can live with it: 1, objection: 1" in " ".join(html.get_text().split())
    markdown = facilitator_http.get(f"/meetings/{world.meeting_id}/summary.md").get_data(as_text=True)
    assert markdown.startswith("# Summary: Startbijeenkomst") and "**Outcome:** agreed" in markdown


def test_markdown_download_is_an_attachment_named_after_the_meeting(facilitator_http, world, meeting):
    response = facilitator_http.get(f"/meetings/{world.meeting_id}/summary.md")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="samenvatting-startbijeenkomst-20')
    assert disposition.endswith('.md"')
    text = response.get_data(as_text=True)
    assert "## kwaliteit" in text and "> Kwaliteit is foutloos werken, met inzet." in text
    assert "- **kan ermee leven** — Bram · Waterschap Rivierenland: Mits we het meten." in text
    # Dates in words, and the glossary entry as a full link for the facilitators who receive it.
    assert "**Datum:** " in text and "-11-" not in text.split("**Datum:** ")[1].split("\n")[0]
    assert f"(<http://localhost/partnerships/{world.partnership_id}/glossary/" in text


def test_pdf_download_says_the_same(facilitator_http, world, meeting):
    pypdf = pytest.importorskip("pypdf")
    response = facilitator_http.get(f"/meetings/{world.meeting_id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].endswith('.pdf"')
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Samenvatting: Startbijeenkomst" in text
    assert "Kwaliteit is foutloos werken, met inzet." in text
    assert "kan ermee leven — Bram · Waterschap Rivierenland: Mits we het meten." in text
    assert "Tijdsdruk; volgend kwartaal herzien." in text


def test_the_summary_page_keeps_questions_the_listening_check_and_the_objection_history(facilitator_http, world, meeting):
    kwaliteit, regie, _vertrouwen = page(facilitator_http.get(f"/meetings/{world.meeting_id}/summary")).select(".summary-round")
    questions = [" ".join(li.get_text(" ", strip=True).split()) for li in kwaliteit.select(".summary-questions li")]
    assert questions[0].startswith("Wat bedoel je met procedures? — De werkwijze die we samen vastlegden.")
    assert questions[1].startswith("Wie houdt de checklist bij? — (niet beantwoord)")
    assert kwaliteit.select_one(".summary-listening").get_text().startswith("Luistercheck 1: 1 van 4 naverteld, 1 beoordeeld")
    history = [" ".join(li.get_text(" ", strip=True).split()) for li in regie.select(".summary-objection-history li")]
    assert history == ["Voorstel 1 — Gemeente Oostdam: Een eerdere zorg. → aangepast in voorstel 2",
                       "Voorstel 2 — Gemeente Oostdam: Te vaag over het geld. → nog open"]
    overridden = kwaliteit.select_one(".summary-objection-history .objection-overridden").get_text(" ", strip=True)
    assert "vastgesteld ondanks het bezwaar; reden: Tijdsdruk; volgend kwartaal herzien." in overridden


def test_with_a_share_link_the_summary_links_to_pages_the_partners_can_open(facilitator_http, db, world, meeting):
    from glossary.entries import sharing

    url = f"/meetings/{world.meeting_id}/summary"
    assert page(facilitator_http.get(url)).select_one("#share-form") is None  # no share link yet: nothing to offer
    token = sharing.create_share_link(db, world.facilitator_id, world.partnership_id, "partners").token
    offered = page(facilitator_http.get(url))
    assert offered.select_one("#share-form") is not None
    assert offered.select_one(".entry-link")["href"].startswith(f"/partnerships/{world.partnership_id}/glossary/")
    shared = page(facilitator_http.get(url, query_string={"share": f"http://localhost/g/{token}"}))
    assert shared.select_one(".entry-link")["href"].startswith(f"/g/{token}/")
    assert shared.select_one("#share-in-use") is not None and shared.select_one("#share-form") is None
    assert f"share={token}" in shared.select_one("#download-md")["href"]
    markdown = facilitator_http.get(f"{url}.md", query_string={"share": token}).get_data(as_text=True)
    assert f"(<http://localhost/g/{token}/" in markdown and "/partnerships/" not in markdown
    # The link opens the entry for anyone who has it.
    entry_path = shared.select_one(".entry-link")["href"]
    assert db is not None and facilitator_http.application.test_client().get(entry_path).status_code == 200
    # A wrong or revoked link is refused, and the summary falls back to the facilitator's pages.
    sharing.revoke_share_link(db, world.facilitator_id, world.partnership_id,
                              sharing.share_links_of(db, world.facilitator_id, world.partnership_id)[0].id)
    refused = facilitator_http.get(url, query_string={"share": token}).get_data(as_text=True)
    assert "Deze deellink hoort niet bij dit samenwerkingsverband" in refused
    assert f'href="/g/{token}/' not in refused


def test_an_unknown_format_is_refused(facilitator_http, world, meeting):
    assert facilitator_http.get(f"/meetings/{world.meeting_id}/summary.docx").status_code == 400


def test_links_to_the_summary_from_the_meeting_and_the_partnership(facilitator_http, world):
    meeting_page = page(facilitator_http.get(f"/meetings/{world.meeting_id}"))
    assert meeting_page.select_one("#summary-link")["href"] == f"/meetings/{world.meeting_id}/summary"
    partnership_page = page(facilitator_http.get(f"/partnerships/{world.partnership_id}"))
    assert partnership_page.find("a", href=f"/meetings/{world.meeting_id}/summary") is not None


@pytest.mark.parametrize("path", ["summary", "summary.md", "summary.pdf"])
def test_participants_and_other_facilitators_do_not_get_it(app, db, world, meeting, path):
    participant = join_http(app, world.code, "Eve", "Gemeente Oostdam")
    response = participant.get(f"/meetings/{world.meeting_id}/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    accounts.create_facilitator(db, "otto", PASSWORD)
    otto = login(app.test_client(), "otto")
    response = otto.get(f"/meetings/{world.meeting_id}/{path}")
    assert response.status_code == 404
    assert "Mits we het meten" not in response.get_data(as_text=True)


def test_the_json_api_gives_the_summary_to_its_facilitators_only(app, db, world, meeting):
    client = app.test_client()
    token = accounts.create_api_token(db, "fien", "tests")[1]
    response = client.get(f"/api/meetings/{world.meeting_id}/summary", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["ok"]
    data = response.json["summary"]
    assert [r["term"] for r in data["rounds"]] == ["kwaliteit", "regie", "vertrouwen"]
    assert data["rounds"][0]["reservations"] == [
        {"choice": "leven", "reason": "Mits we het meten.", "partner": "Waterschap Rivierenland", "name": "Bram"}]
    assert data["rounds"][0]["adopted"]["conditions"] == [{"id": "1.3", "label": "1.3 Samenwerkingscultuur"}]
    assert len(data["dates"][0]) == 10 and data["rounds"][0]["revealed_at"].startswith(data["dates"][0])
    assert client.get(f"/api/meetings/{world.meeting_id}/summary").status_code == 401
    accounts.create_facilitator(db, "otto", PASSWORD)
    otto = accounts.create_api_token(db, "otto")[1]
    refused = client.get(f"/api/meetings/{world.meeting_id}/summary", headers={"Authorization": f"Bearer {otto}"})
    assert refused.status_code == 404 and "Mits" not in refused.get_data(as_text=True)
