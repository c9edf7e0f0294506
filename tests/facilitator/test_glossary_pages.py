"""The glossary pages: list, search, entry, edit with conflict, history, framework, import,
exports, share links — and who may see or change what."""

from __future__ import annotations

import io
import json
import re

import pytest

from glossary import accounts, partnerships
from glossary.entries import editing
from tests import adoption
from tests.conftest import PASSWORD
from tests.facilitator.conftest import login

QUALITY = {"term": "kwaliteit", "definition": "Werk **zonder fouten** dat de procedures volgt.", "condition_ids": ["1.3"],
           "examples": ["Checklist afgevinkt."], "status": "vastgesteld"}


@pytest.fixture
def glossary(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "regie", "definition": "Wie de leiding neemt."})
    world.entry_id = entry.id
    return world


def page(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def base(world):
    return f"/partnerships/{world.partnership_id}/glossary"


def test_the_partnership_page_links_to_its_glossary(facilitator_http, world):
    assert f'href="{base(world)}"' in page(facilitator_http.get(f"/partnerships/{world.partnership_id}"))


def test_the_list_shows_entries_alphabetically_by_condition_and_by_status(facilitator_http, glossary):
    html = page(facilitator_http.get(base(glossary)))
    assert html.index(">kwaliteit<") < html.index(">regie<")
    assert "Werk zonder fouten dat de procedures volgt." in html  # the snippet, without markup
    by_condition = page(facilitator_http.get(base(glossary) + "?by=framework"))
    assert "1.3 Samenwerkingscultuur" in by_condition and "Zonder voorwaarde" in by_condition
    agreed = page(facilitator_http.get(base(glossary) + "?status=vastgesteld"))
    assert ">kwaliteit<" in agreed and ">regie<" not in agreed


def test_search_finds_inflected_forms_and_serves_a_fragment_for_live_search(facilitator_http, glossary):
    html = page(facilitator_http.get(base(glossary) + "?q=procedure"))
    assert ">kwaliteit<" in html and ">regie<" not in html and "1 begrip gevonden" in html
    fragment = page(facilitator_http.get(base(glossary) + "?q=leiding&partial=1"))
    assert fragment.lstrip().startswith('<div id="results"') and ">regie<" in fragment and "<html" not in fragment


def test_the_entry_page_shows_the_sanitised_definition_history_and_comments(facilitator_http, glossary, db):
    editing.add_comment(db, glossary.facilitator_id, glossary.entry_id, "Zie <script>alert(1)</script>**ook** regie")
    html = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}"))
    assert "<strong>zonder fouten</strong>" in html and "<strong>ook</strong>" in html
    assert "<script>alert" not in html
    assert "Versie 1" in html and "Checklist afgevinkt." in html and "1.3 Samenwerkingscultuur" in html


def test_editing_adds_a_version_and_the_diff_shows_what_changed(facilitator_http, glossary):
    form = {**QUALITY, "definition": "Werk zonder fouten, op tijd.", "condition_ids": ["1.3", "3.3"], "examples": "Checklist afgevinkt.",
            "base_version": "1", "change_note": "op tijd erbij"}
    response = facilitator_http.post(f"{base(glossary)}/{glossary.entry_id}/edit", data=form)
    assert response.status_code == 302
    html = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}"))
    assert "Versie 2" in html and "op tijd erbij" in html and "3.3 Lerend vermogen" in html
    diff = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}/diff?from=1&to=2"))
    assert "<ins>op tijd.</ins>" in diff or re.search(r"<ins>[^<]*tijd", diff)
    assert re.search(r"<del>[^<]*procedures", diff)


def test_the_edit_form_of_an_adopted_entry_says_a_content_edit_needs_revision(facilitator_http, glossary):
    form_html = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}/edit"))
    assert 'id="status-agreed-hint"' in form_html and "te herzien" in form_html
    form = {**QUALITY, "definition": "Werk zonder fouten, op tijd.", "examples": "Checklist afgevinkt.", "base_version": "1"}
    assert facilitator_http.post(f"{base(glossary)}/{glossary.entry_id}/edit", data=form).status_code == 302
    entry = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}/edit"))
    assert 'id="status-agreed-hint"' not in entry and '<option value="te_herzien" selected>' in entry


def test_the_entry_page_writes_every_date_in_one_style(facilitator_http, glossary, db):
    editing.add_comment(db, glossary.facilitator_id, glossary.entry_id, "Goed zo.")
    html = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}"))
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    long_dates = re.findall(rf"\b\d{{1,2}} (?:{months}) \d{{4}}\b", html)
    assert len(long_dates) >= 3  # updated, the version in the history, the comment
    # No other style: no short numeric dates, no abbreviated months, no times.
    assert not re.search(r"\b\d{1,2}-\d{1,2}-\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b", html)
    assert not re.search(r"\b\d{1,2} (?:jan|feb|mrt|apr|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}", html)


def test_the_print_view_counts_one_term_as_one(facilitator_http, world, db):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    assert "· 1 begrip ·" in page(facilitator_http.get(base(world) + "/print"))


def test_the_glossary_offers_an_excel_export_that_the_import_page_takes_back(facilitator_http, glossary, db, world):
    listing = page(facilitator_http.get(base(glossary)))
    assert f'href="{base(glossary)}/export.xlsx"' in listing
    workbook = facilitator_http.get(f"{base(glossary)}/export.xlsx")
    assert workbook.status_code == 200 and workbook.get_data()[:2] == b"PK"
    assert facilitator_http.get(f"{base(glossary)}/export.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    url = f"/partnerships/{other.id}/glossary/import"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(facilitator_http.get(url))).group(1)
    html = page(facilitator_http.post(url, data={"csrf_token": token, "action": "preview",
                                                 "file": (io.BytesIO(workbook.get_data()), "woordenlijst.xlsx")},
                                      content_type="multipart/form-data"))
    assert 'id="apply-import"' in html and 'name="format" value="xlsx"' in html
    content = re.search(r'<textarea name="content" hidden>([^<]*)</textarea>', html).group(1)
    done = facilitator_http.post(url, data={"csrf_token": token, "action": "apply", "format": "xlsx", "content": content})
    assert done.status_code == 302
    assert sorted(e.term for e in editing.entries_of(db, other.id)) == ["kwaliteit", "regie"]


def test_a_lapsed_entry_takes_it_off_the_list_and_out_of_exports_with_its_history_kept(facilitator_http, glossary):
    form = {**QUALITY, "condition_ids": ["1.3"], "examples": "Checklist afgevinkt.", "base_version": "1",
            "status": "vervallen", "change_note": "vervangen door regie"}
    assert facilitator_http.post(f"{base(glossary)}/{glossary.entry_id}/edit", data=form).status_code == 302
    listed = page(facilitator_http.get(base(glossary)))
    assert ">kwaliteit<" not in listed and ">regie<" in listed and "vervallen (1)" in listed
    assert ">kwaliteit<" in page(facilitator_http.get(base(glossary) + "?status=vervallen"))
    assert "## kwaliteit" not in page(facilitator_http.get(base(glossary) + "/export.md"))
    entry = page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}"))
    assert 'id="lapsed-note"' in entry and "Versie 2" in entry and "vervangen door regie" in entry


def test_a_stale_edit_shows_both_texts_and_saves_nothing(facilitator_http, glossary, db):
    editing.update_entry(db, glossary.facilitator_id, glossary.entry_id, 1, {**QUALITY, "definition": "Tekst van Joost."})
    form = {**QUALITY, "definition": "Tekst van Fien.", "condition_ids": ["1.3"], "examples": "", "base_version": "1"}
    html = page(facilitator_http.post(f"{base(glossary)}/{glossary.entry_id}/edit", data=form), 409)
    assert "Iemand anders was je voor" in html
    saved = html[html.index('id="conflict-saved"'):html.index('id="conflict-mine"')]
    mine = html[html.index('id="conflict-mine"'):]
    assert "Tekst van Joost." in saved and "Tekst van Fien." in mine
    # The form keeps Fien's text and now builds on version 2, so saving again is a deliberate choice.
    assert 'name="base_version" value="2"' in html and ">Tekst van Fien.</textarea>" in html
    db.expire_all()
    assert editing.require_entry(db, glossary.partnership_id, glossary.entry_id).current.definition == "Tekst van Joost."


def test_a_new_entry_with_a_bad_condition_keeps_the_form_and_says_why(facilitator_http, world):
    html = page(facilitator_http.post(f"{base(world)}/new", data={"term": "regie", "definition": "x", "condition_ids": ["9.9"]}), 400)
    assert "Onbekende voorwaarde(n): 9.9" in html and 'value="regie"' in html
    response = facilitator_http.post(f"{base(world)}/new", data={"term": "regie", "definition": "Wie leidt.", "status": "concept"})
    assert response.status_code == 302 and re.search(rf"{base(world)}/\d+$", response.headers["Location"])


def test_comment_and_revisit_from_the_entry_page(facilitator_http, glossary, db):
    entry_url = f"{base(glossary)}/{glossary.entry_id}"
    facilitator_http.post(entry_url + "/comments", data={"body": "Goed *gesprek*"})
    facilitator_http.post(entry_url + "/revisit", data={"meeting_id": "new", "new_meeting_title": "Voorjaar"})
    html = page(facilitator_http.get(entry_url))
    assert "<em>gesprek</em>" in html and "Opnieuw bespreken in ‘Voorjaar’." in html and "te herzien" in html
    meeting = partnerships.meetings_of_partnership(db, glossary.partnership_id)[0]
    assert meeting.title == "Voorjaar" and [t.text for t in meeting.terms] == ["kwaliteit"]


def test_the_framework_page_shows_twelve_conditions_with_their_terms(facilitator_http, glossary):
    html = page(facilitator_http.get(f"{base(glossary)}/framework"))
    assert html.count('class="framework-cell heat') == 12
    culture = html[html.index('id="condition-1-3"'):html.index('id="condition-2-1"')]
    assert ">kwaliteit<" in culture and "Nog niet verkend" in culture
    assert ">regie<" in html[html.index("Nog aan geen voorwaarde gekoppeld"):]


def test_uploading_a_framework_file(facilitator_http, world):
    own = {"id": "eigen", "name": "Ons model", "domains": [{"id": "A", "name": "Mensen", "conditions": [{"id": "A1", "name": "Vertrouwen"}]}]}
    facilitator_http.post(f"{base(world)}/framework", data={"file": (io.BytesIO(json.dumps(own).encode()), "model.json")},
                          content_type="multipart/form-data")
    html = page(facilitator_http.get(f"{base(world)}/framework"))
    assert "Ons model" in html and html.count('class="framework-cell heat') == 1
    facilitator_http.post(f"{base(world)}/framework", data={"file": (io.BytesIO(b"{kapot"), "model.json")}, content_type="multipart/form-data")
    assert "geen geldige JSON" in page(facilitator_http.get(f"{base(world)}/framework"))


def test_import_previews_then_applies_in_one_go(facilitator_http, world, db):
    csv_text = "term,definition,conditions\nregie,Wie de leiding neemt.,1.1\nfout,Tekst,9.9\n"
    upload = {"file": (io.BytesIO(csv_text.encode()), "lijst.csv")}
    html = page(facilitator_http.post(f"{base(world)}/import", data=upload, content_type="multipart/form-data"))
    assert "Onbekende voorwaarde(n): 9.9" in html and 'id="apply-import"' not in html
    good = "term,definition,conditions\nregie,Wie de leiding neemt.,1.1\n"
    html = page(facilitator_http.post(f"{base(world)}/import", data={"file": (io.BytesIO(good.encode()), "lijst.csv")},
                                      content_type="multipart/form-data"))
    assert 'id="apply-import"' in html and editing.entries_of(db, world.partnership_id) == []
    response = facilitator_http.post(f"{base(world)}/import", data={"action": "apply", "format": "csv", "content": good})
    assert response.status_code == 302
    db.rollback()  # end this session's earlier read, to see what the request committed
    assert [e.term for e in editing.entries_of(db, world.partnership_id)] == ["regie"]


@pytest.mark.parametrize(("fmt", "marker"), [("md", "## kwaliteit"), ("csv", "term,definition"), ("json", '"format": "samenspraak-glossary"'),
                                             ("ttl", "skos:prefLabel")])
def test_exports_download_as_files(facilitator_http, glossary, fmt, marker):
    response = facilitator_http.get(f"{base(glossary)}/export.{fmt}")
    assert response.status_code == 200 and marker in response.get_data(as_text=True)
    assert f'filename="woordenlijst-regio-oost.{fmt}"' in response.headers["Content-Disposition"]
    assert facilitator_http.get(f"{base(glossary)}/export.exe").status_code == 400


def test_the_print_view_lists_every_entry(facilitator_http, glossary):
    html = page(facilitator_http.get(f"{base(glossary)}/print"))
    assert "<strong>zonder fouten</strong>" in html and ">regie" in html and "data-print" in html


def test_a_share_link_reads_the_glossary_and_stops_working_when_revoked(app, facilitator_http, glossary, db):
    html = page(facilitator_http.post(f"{base(glossary)}/share", data={"label": "alle partners"}))
    link = re.search(r'id="new-share-link">([^<]+)<', html).group(1)
    path = link.replace("http://localhost", "")
    reader = app.test_client()
    listing = page(reader.get(path))
    assert ">kwaliteit<" in listing and "alleen lezen" in listing
    assert "Nieuw begrip" not in listing and "/edit" not in listing and "Importeren" not in listing
    entry_page = page(reader.get(f"{path}/{glossary.entry_id}"))
    assert "Bewerken" not in entry_page and "Reactie toevoegen" not in entry_page and "Opnieuw bespreken</h2>" not in entry_page
    assert reader.get(f"{path}/{glossary.entry_id}").headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page(reader.get(f"{path}/framework")).count('class="framework-cell heat') == 12
    assert "## kwaliteit" in page(reader.get(f"{path}/export.md"))
    # The share link cannot edit: the editing routes belong to signed-in facilitators only.
    assert reader.post(f"{base(glossary)}/{glossary.entry_id}/edit", data={**QUALITY, "base_version": "1"}).status_code == 302
    link_id = re.search(r"/share/(\d+)/revoke", html).group(1)
    facilitator_http.post(f"{base(glossary)}/share/{link_id}/revoke")
    assert reader.get(path).status_code == 404 and reader.get(f"{path}/{glossary.entry_id}").status_code == 404


def test_a_share_link_never_opens_another_partnerships_entries(app, facilitator_http, glossary, db):
    other = partnerships.create_partnership(db, glossary.facilitator_id, "Regio West", ["A"])
    secret = editing.create_entry(db, glossary.facilitator_id, other.id, {"term": "geheim", "definition": "Alleen voor West."})
    html = page(facilitator_http.post(f"{base(glossary)}/share", data={}))
    path = re.search(r'id="new-share-link">([^<]+)<', html).group(1).replace("http://localhost", "")
    reader = app.test_client()
    assert reader.get(f"{path}/{secret.id}").status_code == 404
    assert reader.get(f"{path}/{secret.id}/diff").status_code == 404
    assert "0 begrippen gevonden" in page(reader.get(f"{path}?q=geheim"))
    assert reader.get("/g/not-a-real-token").status_code == 404


def test_other_facilitators_and_visitors_cannot_reach_a_glossary(app, glossary, db):
    accounts.create_facilitator(db, "olga", PASSWORD, "Olga")
    olga = login(app.test_client(), "olga")
    for path in ("", f"/{glossary.entry_id}", f"/{glossary.entry_id}/edit", "/framework", "/print", "/export.csv", "/import", "/share"):
        assert olga.get(base(glossary) + path).status_code == 404, path
    assert olga.post(f"{base(glossary)}/{glossary.entry_id}/edit", data={**QUALITY, "base_version": "1"}).status_code == 404
    assert olga.post(f"{base(glossary)}/{glossary.entry_id}/comments", data={"body": "hoi"}).status_code == 404
    assert olga.post(f"{base(glossary)}/share", data={}).status_code == 404
    visitor = app.test_client()
    response = visitor.get(base(glossary))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.expire_all()
    assert editing.require_entry(db, glossary.partnership_id, glossary.entry_id).version == 1


def test_the_entry_page_shows_drift_per_partner_after_a_revisit_round(facilitator_http, world, db):
    try:
        from glossary.semantics import encode  # noqa: F401
    except ImportError:
        pytest.skip("the sentence encoders (glossary.semantics) are not installed here")
    from glossary.meeting import rounds

    version = adoption.agree(db, world.facilitator_id, world.partnership_id, "kwaliteit",
                                       "Kwaliteit is dat het werk foutloos is en precies volgens de afgesproken procedures gaat.")
    editing.revisit_entry(db, world.facilitator_id, version.entry.id, meeting_id=world.meeting_id)
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    for name, partner, text in [("Ans", "Gemeente Oostdam", "Kwaliteit is werk zonder fouten dat de afgesproken procedures volgt."),
                                ("Bram", "Zorggroep De Linde", "Kwaliteit is hoeveel aandacht en prioriteit bewoners van ons krijgen.")]:
        participant = partnerships.join_meeting(db, world.meeting_id, name, partner).participant
        rounds.submit_definition(db, participant.id, client_id=name, text=text)
    html = page(facilitator_http.get(f"{base(world)}/{version.entry.id}"))
    assert 'id="drift"' not in html  # texts stay private until the reveal
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    html = page(facilitator_http.get(f"{base(world)}/{version.entry.id}"))
    drift = html[html.index('id="drift"'):html.index('id="revisit-h"')]
    assert "1 definitie is verschoven." in drift
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)%</td>\s*<td><span class=\"(\w+)\">", drift)
    assert {(partner, verdict) for partner, _, verdict in rows} == {("Gemeente Oostdam", "close"), ("Zorggroep De Linde", "drifted")}


def test_a_share_link_shows_only_the_agreed_glossary_without_comments(app, facilitator_http, glossary, db):
    editing.add_comment(db, glossary.facilitator_id, glossary.entry_id, "Intern: partner X ligt dwars")
    lapsed = editing.create_entry(db, glossary.facilitator_id, glossary.partnership_id,
                                  {"term": "vroeger", "definition": "Oude betekenis.", "status": "vervallen"})
    html = page(facilitator_http.post(f"{base(glossary)}/share", data={}))
    path = re.search(r'id="new-share-link">([^<]+)<', html).group(1).replace("http://localhost", "")
    reader = app.test_client()
    assert "ligt dwars" not in page(reader.get(f"{path}/{glossary.entry_id}"))
    for query in ("", "?status=vervallen", "?status=concept", "?q=vroeger", "?by=status"):
        listing = page(reader.get(path + query))
        assert ">vroeger<" not in listing and ">regie<" not in listing, query  # lapsed, and a draft
    assert ">kwaliteit<" in page(reader.get(path))
    assert reader.get(f"{path}/{lapsed.id}").status_code == 404
    assert reader.get(f"{path}/{lapsed.id}/diff").status_code == 404
    for fmt in ("md", "csv", "json", "ttl"):
        exported = page(reader.get(f"{path}/export.{fmt}"))
        assert "kwaliteit" in exported and "vroeger" not in exported and "regie" not in exported, fmt
        assert "ligt dwars" not in exported
    printed = page(reader.get(f"{path}/print"))
    assert "vroeger" not in printed and "regie" not in printed
    assert ">regie<" not in page(reader.get(f"{path}/framework"))
    # The facilitator still sees everything.
    assert "ligt dwars" in page(facilitator_http.get(f"{base(glossary)}/{glossary.entry_id}"))
    assert ">vroeger<" in page(facilitator_http.get(base(glossary) + "?status=vervallen"))


def test_a_csv_cell_too_long_for_the_csv_reader_gets_a_clear_message(facilitator_http, world):
    huge = "term,definition\nregie,\"" + "x" * 131_073 + "\"\n"
    response = facilitator_http.post(f"{base(world)}/import", data={"file": (io.BytesIO(huge.encode()), "lijst.csv")},
                                     content_type="multipart/form-data")
    assert response.status_code < 500 and "een cel is te lang" in response.get_data(as_text=True)


def test_a_share_links_export_is_made_once_per_glossary_version(app, facilitator_http, glossary, db, monkeypatch):
    from glossary.entries import exports

    made = []
    real = exports.to_skos
    monkeypatch.setattr(exports, "to_skos", lambda *a, **k: made.append(1) or real(*a, **k))
    html = page(facilitator_http.post(f"{base(glossary)}/share", data={}))
    path = re.search(r'id="new-share-link">([^<]+)<', html).group(1).replace("http://localhost", "")
    reader = app.test_client()
    first = page(reader.get(f"{path}/export.ttl"))
    assert [page(reader.get(f"{path}/export.ttl")) for _ in range(5)] == [first] * 5
    assert len(made) == 1
    form = {**QUALITY, "definition": "Werk dat klopt.", "condition_ids": ["1.3"], "examples": "Checklist afgevinkt.", "base_version": "1"}
    assert facilitator_http.post(f"{base(glossary)}/{glossary.entry_id}/edit", data=form).status_code == 302
    assert "Werk dat klopt." in page(reader.get(f"{path}/export.ttl")) and len(made) == 2
