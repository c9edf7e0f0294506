"""The JSON API with bearer tokens."""

from __future__ import annotations

import pytest

from glossary import accounts, partnerships
from glossary.meeting import rounds
from tests.conftest import PASSWORD


@pytest.fixture
def token(db, world):
    return accounts.create_api_token(db, "fien", "tests")[1]


@pytest.fixture
def api(app, token):
    client = app.test_client()

    def call(method, path, json=None, secret=token):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return client.open(path, method=method, json=json, headers=headers)

    return call


def test_create_partnership_and_meeting_then_read_state(api):
    created = api("POST", "/api/partnerships", {"name": "Zorg Zuid", "partners": ["Gemeente", "Thuiszorg"]})
    assert created.status_code == 201
    partnership = created.json["partnership"]
    assert partnership["partners"] == ["Gemeente", "Thuiszorg"]
    meeting = api("POST", f"/api/partnerships/{partnership['id']}/meetings", {"title": "Sessie", "terms": ["kwaliteit", "regie"]})
    assert meeting.status_code == 201
    body = meeting.json["meeting"]
    assert len(body["code"]) == 6 and body["join_url"].endswith(f"/j/{body['code']}")
    assert [t["text"] for t in body["terms"]] == ["kwaliteit", "regie"]
    state = api("GET", f"/api/meetings/{body['id']}")
    assert state.status_code == 200 and state.json["state"]["round"] is None
    listed = api("GET", "/api/partnerships").json["partnerships"]
    assert [p["name"] for p in listed] == ["Regio Oost", "Zorg Zuid"]


def test_a_partnership_lists_its_meetings_for_its_facilitators_only(api, db, world):
    url = f"/api/partnerships/{world.partnership_id}/meetings"
    api("POST", url, {"title": "Tweede sessie", "terms": ["regie"]})
    listed = api("GET", url)
    assert listed.status_code == 200 and listed.json["ok"]
    meetings = listed.json["meetings"]
    assert [m["title"] for m in meetings][0] == "Tweede sessie" and world.meeting_id in [m["id"] for m in meetings]
    assert all(m["join_url"].endswith(f"/j/{m['code']}") and m["created_at"] for m in meetings)
    other = accounts.create_facilitator(db, "joost", PASSWORD, "Joost")
    theirs = accounts.create_api_token(db, other.username, "t")[1]
    assert api("GET", url, secret=theirs).status_code == 404
    assert api("GET", url, secret=None).status_code == 401


def test_definitions_only_after_the_reveal(api, db, world):
    ans = partnerships.join_meeting(db, world.meeting_id, "Ans", "Gemeente Oostdam").participant
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    rounds.submit_definition(db, ans.id, client_id="1", text="Foutloos")
    path = f"/api/meetings/{world.meeting_id}/rounds/{round_.id}/definitions"
    early = api("GET", path)
    assert early.status_code == 409 and "nog niet onthuld" in early.json["error"]
    assert "Foutloos" not in api("GET", f"/api/meetings/{world.meeting_id}").get_data(as_text=True)
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    revealed = api("GET", path)
    assert revealed.status_code == 200
    assert revealed.json["definitions"][0] | {"id": 0} == {
        "id": 0, "text": "Foutloos", "example": "", "observable": "", "author": "Ans", "partner": "Gemeente Oostdam"}


@pytest.mark.parametrize("secret", [None, "ssp_wrong", "not-a-token"])
def test_unauthenticated_requests_get_401(api, secret, world):
    response = api("GET", f"/api/meetings/{world.meeting_id}", secret=secret)
    assert response.status_code == 401 and response.json["ok"] is False
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_foreign_meetings_and_partnerships_are_not_found(api, db, world):
    accounts.create_facilitator(db, "otto", PASSWORD)
    otto = accounts.create_api_token(db, "otto")[1]
    assert api("GET", f"/api/meetings/{world.meeting_id}", secret=otto).status_code == 404
    assert api("POST", f"/api/partnerships/{world.partnership_id}/meetings", {"title": "x"}, secret=otto).status_code == 404
    assert api("GET", "/api/meetings/999").status_code == 404


def test_round_of_another_meeting_is_not_found(api, db, world):
    other = partnerships.create_meeting(db, world.facilitator_id, world.partnership_id, "Ander")
    round_ = rounds.start_round(db, world.facilitator_id, other.id, term="x")
    assert api("GET", f"/api/meetings/{world.meeting_id}/rounds/{round_.id}/definitions").status_code == 404


@pytest.mark.parametrize("body", [None, [], "text", {"name": ""}, {"name": 42}, {"name": "x", "partners": "notalist"}, {"name": "x" * 201}])
def test_bad_bodies_get_400_with_a_message(api, body):
    response = api("POST", "/api/partnerships", body)
    assert response.status_code == 400, response.json
    assert response.json["ok"] is False and response.json["error"]


def test_unknown_api_route_is_json_404(api):
    response = api("GET", "/api/nothing")
    assert response.status_code == 404 and response.json["ok"] is False


def test_a_plenary_round_comes_in_pages_and_can_be_searched(api, db, world):
    from tests.plenary import seed_plenary

    round_ = seed_plenary(db, world, 150)
    base = f"/api/meetings/{world.meeting_id}/rounds/{round_.id}"
    overview = api("GET", base).json
    # As on the screens: the overview of a round above the reveal's limit counts its texts ...
    assert overview["definitions"] is None and overview["definitions_paged"] and overview["definition_count"] == 150
    assert len(overview["analysis"]["meanings"]) == 8
    # ... and the definitions route gives them all at once, or a page at a time.
    everything = api("GET", f"{base}/definitions").json
    assert everything["total"] == 150 and len(everything["definitions"]) == 150
    first, second = (api("GET", f"{base}/definitions?offset={offset}&limit=100").json for offset in (0, 100))
    assert first["total"] == 150 and len(first["definitions"]) == 100 and len(second["definitions"]) == 50
    assert {d["id"] for d in first["definitions"]} | {d["id"] for d in second["definitions"]} == {d["id"] for d in everything["definitions"]}
    meaning = overview["analysis"]["meanings"][0]
    one_meaning = api("GET", f"{base}/definitions?meaning={meaning['id']}&limit=100").json
    assert one_meaning["total"] == meaning["size"] and {str(d["id"]) for d in one_meaning["definitions"]} == set(meaning["definition_ids"])
    found = api("GET", f"{base}/definitions?q=nr. 149)").json
    assert found["total"] == 1 and found["definitions"][0]["text"].endswith("(nr. 149)")


@pytest.mark.parametrize(("query", "status", "message"), [
    ("limit=0", 400, "limit moet een geheel getal van 1 tot en met 100 zijn."),
    ("limit=veel", 400, "limit moet een geheel getal van 1 tot en met 100 zijn."),
    ("offset=-1", 400, "offset moet een geheel getal van 0 of meer zijn."),
    ("q=" + "x" * 101, 400, "Zoek met hoogstens 100 tekens."),
    ("meaning=m99", 404, "Deze betekenis bestaat niet (meer)"),
])
def test_bad_paging_is_refused_with_a_reason(api, db, world, query, status, message):
    from tests.plenary import seed_plenary

    round_ = seed_plenary(db, world, 70)
    response = api("GET", f"/api/meetings/{world.meeting_id}/rounds/{round_.id}/definitions?{query}")
    assert response.status_code == status and message in response.json["error"]
