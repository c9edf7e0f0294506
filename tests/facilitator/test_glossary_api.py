"""The glossary's JSON API: entries, optimistic locking, history, revisit, framework, export and
import, share links — each for its main path and its access rules."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from glossary import accounts, partnerships
from tests.conftest import PASSWORD


@pytest.fixture
def api(app, db, world):
    secret = accounts.create_api_token(db, "fien", "tests")[1]
    client = app.test_client()

    def call(method, path, json=None, token=secret, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(f"/api/partnerships/{world.partnership_id}/glossary{path}", method=method, json=json, headers=headers, **kwargs)

    return call


QUALITY = {"term": "kwaliteit", "definition": "Werk zonder fouten.", "condition_ids": ["1.3"], "examples": ["Checklist."], "status": "vastgesteld"}


def test_create_list_search_read_and_edit_an_entry(api):
    created = api("POST", "", QUALITY)
    assert created.status_code == 201 and created.json["entry"]["version"] == 1
    entry_id = created.json["entry"]["id"]
    assert [e["term"] for e in api("GET", "?q=fout").json["entries"]] == ["kwaliteit"]
    assert api("GET", "?status=concept").json["entries"] == []
    edited = api("PUT", f"/{entry_id}", {**QUALITY, "definition": "Werk zonder fouten, op tijd.", "base_version": 1, "change_note": "tijd"})
    assert edited.status_code == 200 and edited.json["entry"]["version"] == 2
    full = api("GET", f"/{entry_id}").json["entry"]
    assert [v["number"] for v in full["versions"]] == [1, 2] and full["versions"][1]["change_note"] == "tijd"
    diff = api("GET", f"/{entry_id}/diff?from=1&to=2").json["fields"]
    assert next(f for f in diff if f["field"] == "definition")["changed"]


def test_a_stale_edit_answers_409_with_both_texts(api):
    entry_id = api("POST", "", QUALITY).json["entry"]["id"]
    api("PUT", f"/{entry_id}", {**QUALITY, "definition": "Eerste.", "base_version": 1})
    stale = api("PUT", f"/{entry_id}", {**QUALITY, "definition": "Tweede.", "base_version": 1})
    assert stale.status_code == 409 and stale.json["ok"] is False
    conflict = stale.json["conflict"]
    assert (conflict["current"]["definition"], conflict["attempted"]["definition"]) == ("Eerste.", "Tweede.")
    assert conflict["current_version"] == 2
    assert api("GET", f"/{entry_id}").json["entry"]["definition"] == "Eerste."


def test_bad_input_is_refused_with_a_message(api):
    refused = api("POST", "", {**QUALITY, "condition_ids": ["7.7"]})
    assert refused.status_code == 400 and "7.7" in refused.json["error"]
    assert api("POST", "", None, data="nee", content_type="text/plain").status_code == 400


def test_comment_revisit_and_drift(api, world):
    entry_id = api("POST", "", QUALITY).json["entry"]["id"]
    assert api("POST", f"/{entry_id}/comments", {"body": "Mooi."}).status_code == 201
    revisit = api("POST", f"/{entry_id}/revisit", {"meeting_id": world.meeting_id})
    assert revisit.status_code == 200 and revisit.json["entry"]["status"] == "te_herzien" and revisit.json["term_added"] is False
    assert api("GET", f"/{entry_id}/drift").json["drift"] is None  # no round on it revealed yet
    assert api("GET", f"/{entry_id}").json["entry"]["comments"][0]["body"] == "Mooi."


def test_framework_read_and_choose(api):
    api("POST", "", QUALITY)
    body = api("GET", "/framework").json
    assert len(body["cells"]) == 12 and body["framework"]["id"] == "pcm"
    assert next(c for c in body["cells"] if c["condition"] == "1.3")["agreed"] == ["kwaliteit"]
    own = {"id": "klein", "name": "Klein", "domains": [{"id": "A", "name": "A", "conditions": [{"id": "A1", "name": "Een"}]}]}
    assert api("PUT", "/framework", {"framework": own}).json["framework"]["id"] == "klein"
    assert api("PUT", "/framework", {"key": "bestaat-niet"}).status_code == 404


def test_export_and_import_round_trip_with_dry_run(api, app, db, world):
    api("POST", "", QUALITY)
    api("POST", "", {"term": "regie", "definition": "Wie leidt."})
    exported = api("GET", "/export?format=json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    turtle = api("GET", "/export?format=ttl").get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    assert len(set(graph.subjects(RDF.type, SKOS.ConceptScheme))) == 2
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    secret = accounts.create_api_token(db, "fien", "import")[1]
    client = app.test_client()
    url = f"/api/partnerships/{other.id}/glossary/import"
    headers = {"Authorization": f"Bearer {secret}"}
    payload = {"format": "json", "content": exported.get_data(as_text=True)}
    dry = client.post(url + "?dry_run=1", json=payload, headers=headers).json
    assert dry["dry_run"] and dry["preview"]["counts"]["create"] == 2
    assert client.get(f"/api/partnerships/{other.id}/glossary", headers=headers).json["entries"] == []
    done = client.post(url, json=payload, headers=headers).json
    assert done["ok"] and done["preview"]["counts"]["create"] == 2
    theirs = client.get(f"/api/partnerships/{other.id}/glossary", headers=headers).json["entries"]
    ours = api("GET", "").json["entries"]
    fields = ("term", "definition", "scope", "examples", "synonyms", "condition_ids", "not_to_confuse_with", "notes", "status")
    assert [{k: e[k] for k in fields} for e in theirs] == [{k: e[k] for k in fields} for e in ours]
    bad = client.post(url, json={"format": "csv", "content": "term,definition\n,leeg\n"}, headers=headers)
    assert bad.status_code == 400 and bad.json["preview"]["rows"][0]["errors"]


def test_spreadsheet_exports_have_one_charset_and_the_excel_file_imports_through_the_api(api, app, db, world):
    import base64

    api("POST", "", QUALITY)
    csv_file = api("GET", "/export?format=csv")
    assert csv_file.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file.get_data().startswith(b"\xef\xbb\xbfterm,definition")
    assert api("GET", "/export?format=ttl").headers["Content-Type"] == "text/turtle; charset=utf-8"
    workbook = api("GET", "/export?format=xlsx")
    assert workbook.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert workbook.headers["Content-Disposition"].endswith('.xlsx"') and workbook.get_data()[:2] == b"PK"
    payload = {"format": "xlsx", "content": base64.b64encode(workbook.get_data()).decode()}
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    secret = accounts.create_api_token(db, "fien", "import")[1]
    url = f"/api/partnerships/{other.id}/glossary/import"
    dry = app.test_client().post(url + "?dry_run=1", json=payload, headers={"Authorization": f"Bearer {secret}"}).json
    assert dry == {"ok": True, "dry_run": True, "preview": {"ok": True, "file_error": None,
                   "counts": {"create": 1, "update": 0, "unchanged": 0},
                   "rows": [{"row": 2, "term": "kwaliteit", "action": "create", "errors": []}]}}


def test_the_import_dry_run_answers_as_docs_api_md_shows(api):
    dry = api("POST", "/import?dry_run=1", {"format": "csv", "content": "term,definition\nkwaliteit,Foutloos werk.\n,leeg\n"})
    assert dry.status_code == 200
    assert dry.json == {"ok": True, "dry_run": True,
                        "preview": {"ok": False, "file_error": None,
                                    "counts": {"create": 1, "update": 0, "unchanged": 0},
                                    "rows": [{"row": 2, "term": "kwaliteit", "action": "create", "errors": []},
                                             {"row": 3, "term": "", "action": "error", "errors": ["Vul het veld ‘term’ in."]}]}}
    unreadable = api("POST", "/import?dry_run=1", {"format": "json", "content": "{"}).json["preview"]
    assert unreadable["file_error"].startswith("Geen geldige JSON") and unreadable["rows"] == []


def test_share_links_create_list_revoke(api, app):
    api("POST", "", QUALITY)
    created = api("POST", "/share-links", {"label": "partners"})
    assert created.status_code == 201
    url = created.json["share_link"]["url"]
    reader = app.test_client()
    assert reader.get(url.replace("http://localhost", "")).status_code == 200
    link_id = created.json["share_link"]["id"]
    assert [link["label"] for link in api("GET", "/share-links").json["share_links"]] == ["partners"]
    assert api("DELETE", f"/share-links/{link_id}").json["share_link"]["revoked"] is True
    assert reader.get(url.replace("http://localhost", "")).status_code == 404


def test_without_a_token_or_for_another_facilitator_nothing_is_reachable(api, db):
    entry_id = api("POST", "", QUALITY).json["entry"]["id"]
    assert api("GET", "", token=None).status_code == 401
    accounts.create_facilitator(db, "olga", PASSWORD, "Olga")
    olga = accounts.create_api_token(db, "olga", "x")[1]
    for method, path, body in [("GET", "", None), ("POST", "", QUALITY), ("GET", f"/{entry_id}", None),
                               ("PUT", f"/{entry_id}", {**QUALITY, "base_version": 1}), ("POST", f"/{entry_id}/comments", {"body": "x"}),
                               ("POST", f"/{entry_id}/revisit", {"new_meeting_title": "x"}), ("GET", "/framework", None),
                               ("GET", "/export?format=csv", None), ("POST", "/import?dry_run=1", {"format": "csv", "content": "a"}),
                               ("GET", "/share-links", None), ("POST", "/share-links", {})]:
        response = api(method, path, body, token=olga)
        assert response.status_code == 404, (method, path, response.json)
    assert api("GET", f"/{entry_id}").json["entry"]["version"] == 1


def test_a_csv_cell_too_long_for_the_csv_reader_is_a_json_refusal(api):
    huge = "term,definition\nregie,\"" + "x" * 131_073 + "\"\n"
    response = api("POST", "/import", json={"format": "csv", "content": huge})
    assert response.status_code == 400 and "een cel is te lang" in response.json["error"]
