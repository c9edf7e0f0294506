"""Discussion and consent over sockets, with participants of several partners in one room."""

from __future__ import annotations

import pytest

TEXTS = [
    ("Ans", "Gemeente Oostdam", "Foutloos werken volgens de vastgelegde procedures."),
    ("Bram", "Waterschap Rivierenland", "Elke stap afvinken op de checklist, zonder fouten."),
    ("Cor", "Zorggroep De Linde", "Je uiterste best doen om iets zo goed mogelijk te maken."),
    ("Dirk", "Gemeente Oostdam", "Met toewijding blijven schaven tot je er trots op bent."),
]


@pytest.fixture
def room(connect, app):
    """A revealed round in the discuss phase; the analysis runs in the background and is not
    awaited here (these rules do not depend on it)."""
    facilitator = connect("facilitator")
    projector = connect("projector")
    people = [connect("participant", name, partner) for name, partner, _ in TEXTS]
    round_id = facilitator.emit("start_round", {"term": "kwaliteit"})["round"]["id"]
    ids = [p.emit("submit_definition", {"client_id": f"c{i}", "text": text})["definition"]["id"] for i, (p, (_, _, text)) in enumerate(zip(people, TEXTS))]
    assert facilitator.emit("reveal", {"round_id": round_id})["ok"]
    app.extensions["samenspraak.background"].shutdown()  # let the analysis finish first
    assert facilitator.emit("start_discussion", {"round_id": round_id})["ok"]
    for screen in (facilitator, projector, *people):
        assert screen.last("round")["round"]["phase"] == "discuss"
        screen.clear()
    return facilitator, projector, people, round_id, ids


def test_reactions_are_counted_once_per_person(room):
    facilitator, _projector, people, _round_id, ids = room
    assert people[1].emit("react", {"definition_id": ids[0], "kind": "eens"})["ok"]
    assert people[1].emit("react", {"definition_id": ids[0], "kind": "herken"})["ok"]
    assert people[2].emit("react", {"definition_id": ids[0], "kind": "oneens"})["ok"]
    support = facilitator.last("discussion")["support"]
    assert support["by_definition"][str(ids[0])] == {"herken": 1, "oneens": 1}
    assert "Zorggroep De Linde" in support["by_partner"]
    # Participants see the discussion, but not who supports what.
    assert "support" not in people[3].last("discussion")


def test_rejected_actions_are_not_broadcast(room):
    facilitator, projector, people, round_id, ids = room
    assert people[0].emit("react", {"definition_id": 99999, "kind": "eens"})["ok"] is False
    assert people[0].emit("react", {"definition_id": ids[1], "kind": "super"})["ok"] is False
    assert people[0].emit("start_listening_check", {"round_id": round_id})["ok"] is False
    assert people[0].emit("propose", {"round_id": round_id, "text": "x"})["ok"] is False
    assert people[0].emit("adopt", {"round_id": round_id})["ok"] is False
    assert projector.emit("propose", {"round_id": round_id, "text": "x"})["ok"] is False
    for screen in (facilitator, projector, *people[1:]):
        assert screen.events("discussion") == [] and screen.events("round") == []


def test_questions_reach_the_room_and_only_the_author_answers(room):
    facilitator, _projector, people, _round_id, ids = room
    asked = people[2].emit("ask_question", {"definition_id": ids[0], "text": "Welke procedures?"})
    assert asked["ok"]
    assert people[0].last("discussion")["questions"][0]["text"] == "Welke procedures?"
    assert people[1].emit("answer_question", {"question_id": asked["question_id"], "text": "Weet ik niet"})["ok"] is False
    assert people[0].emit("answer_question", {"question_id": asked["question_id"], "text": "Ons kwaliteitshandboek."})["ok"]
    assert facilitator.last("discussion")["questions"][0]["answer"] == "Ons kwaliteitshandboek."


def test_listening_check_assigns_across_partners(room):
    facilitator, _projector, people, round_id, ids = room
    assert facilitator.emit("start_listening_check", {"round_id": round_id})["ok"]
    authors = dict(zip(ids, [partner for _, partner, _ in TEXTS]))
    restated = set()
    for person, (_name, partner, _text) in zip(people, TEXTS):
        task = person.last("my_discussion")["my_restatement"]
        assert authors[task["definition_id"]] != partner
        restated.add(task["definition_id"])
    assert restated == set(ids)


def test_objection_blocks_adoption_override_is_recorded_and_entry_has_provenance(room, app, world):
    facilitator, projector, people, round_id, ids = room
    proposal = facilitator.emit("propose", {"round_id": round_id, "text": "Kwaliteit is foutloos en met toewijding werken.", "scope": "In gezamenlijke projecten"})
    assert proposal["ok"]
    proposal_id = proposal["proposal"]["id"]
    for screen in (projector, *people):
        assert screen.last("round")["round"]["phase"] == "consent"
    assert people[0].emit("vote", {"proposal_id": proposal_id, "choice": "akkoord"})["ok"]
    assert people[1].emit("vote", {"proposal_id": proposal_id, "choice": "leven", "reason": "Als we het meten."})["ok"]
    refused = people[2].emit("vote", {"proposal_id": proposal_id, "choice": "bezwaar"})
    assert refused["ok"] is False and "reden" in refused["error"]
    assert people[2].emit("vote", {"proposal_id": proposal_id, "choice": "bezwaar", "reason": "Aandacht ontbreekt."})["ok"]
    # A second vote by the same person changes it; it is never counted twice.
    assert people[2].emit("vote", {"proposal_id": proposal_id, "choice": "bezwaar", "reason": "Aandacht van de top ontbreekt."})["ok"]
    results = projector.last("discussion")["consent"]
    assert results["counts"] == {"akkoord": 1, "leven": 1, "bezwaar": 1} and results["blocked"]
    assert results["per_partner"]["Zorggroep De Linde"] == {"akkoord": 0, "leven": 0, "bezwaar": 1}

    blocked = facilitator.emit("adopt", {"round_id": round_id})
    assert blocked["ok"] is False and "bezwaar" in blocked["error"]
    adopted = facilitator.emit("adopt", {"round_id": round_id, "override_reason": "Besluit nodig voor de subsidie-aanvraag."})
    assert adopted["ok"], adopted
    for screen in (projector, *people):
        assert screen.last("round")["round"]["phase"] == "closed"
        assert screen.last("adopted")["term"] == "kwaliteit"
        outcome = screen.last("adopted")["outcome"]
        assert outcome["text"] == "Kwaliteit is foutloos en met toewijding werken."
        assert outcome["counts"] == {"akkoord": 1, "leven": 1, "bezwaar": 1}
        assert {r["text"] for r in outcome["reservations"]} == {"Als we het meten.", "Aandacht van de top ontbreekt."}

    from glossary.entries import editing
    with app.extensions["samenspraak.sessions"]() as db:
        entry = editing.require_entry(db, world.partnership_id, adopted["entry_id"])
        version = entry.current
        provenance = version.provenance
        assert version.definition.startswith("Kwaliteit is foutloos")
        assert provenance["override"]["reason"] == "Besluit nodig voor de subsidie-aanvraag."
        assert len(provenance["definitions"]) == 4 and len(provenance["votes"]) == 3
        assert {r["text"] for r in provenance["reservations"]} == {"Als we het meten.", "Aandacht van de top ontbreekt."}
        assert provenance["meeting"]["title"] == "Startbijeenkomst"


def test_a_participant_cannot_vote_for_someone_else(room):
    facilitator, _projector, people, round_id, _ids = room
    proposal_id = facilitator.emit("propose", {"round_id": round_id, "text": "Voorstel"})["proposal"]["id"]
    # The vote is always the sender's own: a participant_id in the payload is ignored.
    assert people[0].emit("vote", {"proposal_id": proposal_id, "choice": "bezwaar", "reason": "nee", "participant_id": 2})["ok"]
    results = facilitator.last("discussion")["consent"]
    assert results["voted"] == 1 and results["remarks"][0]["participant"] == "Ans"


def test_amending_asks_again_and_old_votes_do_not_count(room):
    facilitator, _projector, people, round_id, _ids = room
    first = facilitator.emit("propose", {"round_id": round_id, "text": "Eerste voorstel"})["proposal"]["id"]
    people[0].emit("vote", {"proposal_id": first, "choice": "bezwaar", "reason": "Te smal"})
    second = facilitator.emit("propose", {"round_id": round_id, "text": "Ruimer voorstel"})["proposal"]
    assert second["number"] == 2
    assert people[3].last("discussion")["proposal"]["text"] == "Ruimer voorstel"
    assert people[0].emit("vote", {"proposal_id": first, "choice": "akkoord"})["ok"] is False
    assert people[0].last("my_discussion")["my_vote"] is None


def test_reconnect_restores_the_consent_phase(room, connect):
    facilitator, _projector, people, round_id, _ids = room
    proposal_id = facilitator.emit("propose", {"round_id": round_id, "text": "Voorstel"})["proposal"]["id"]
    people[1].emit("vote", {"proposal_id": proposal_id, "choice": "leven", "reason": "Mits tijdelijk"})
    again = connect("participant", http=people[1].client.flask_test_client)
    state = again.last("state")
    assert state["round"]["phase"] == "consent"
    assert state["discussion"]["proposal"]["text"] == "Voorstel"
    assert state["my_discussion"]["my_vote"] == {"proposal_id": proposal_id, "choice": "leven", "reason": "Mits tijdelijk"}


def test_api_reads_the_round_with_its_discussion_and_votes(room, app, db, world):
    from glossary import accounts

    facilitator, _projector, people, round_id, ids = room
    proposal_id = facilitator.emit("propose", {"round_id": round_id, "text": "Voorstel"})["proposal"]["id"]
    people[0].emit("vote", {"proposal_id": proposal_id, "choice": "akkoord"})
    token = accounts.create_api_token(db, "fien")[1]
    meeting_id = world.meeting_id
    answer = app.test_client().get(f"/api/meetings/{meeting_id}/rounds/{round_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json
    assert body["round"]["phase"] == "consent" and len(body["definitions"]) == 4
    assert body["proposals"][0]["consent"]["counts"]["akkoord"] == 1


def test_restatement_is_measured_judged_by_the_author_and_summarised(room):
    pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")
    facilitator, projector, people, round_id, ids = room
    assert facilitator.emit("start_listening_check", {"round_id": round_id})["ok"]
    tasks = {person: person.last("my_discussion")["my_restatement"] for person in people}
    restater = people[2]  # Cor, Zorggroep: restates a definition of another partner
    task = tasks[restater]
    close = restater.emit("restate", {"text": task["definition_text"]})
    assert close["ok"] and close["closeness"] > 0.6
    author_index = ids.index(task["definition_id"])
    author = people[author_index]
    to_judge = author.last("my_discussion")["to_judge"]
    assert [r["text"] for r in to_judge] == [task["definition_text"]]
    # Only the author judges; someone else is refused.
    bystander = next(p for i, p in enumerate(people) if i not in (author_index, 2))
    assert bystander.emit("judge_restatement", {"restatement_id": to_judge[0]["id"], "verdict": "nee"})["ok"] is False
    assert author.emit("judge_restatement", {"restatement_id": to_judge[0]["id"], "verdict": "klopt"})["ok"]
    assert restater.last("my_discussion")["my_restatement"]["verdict"] == "klopt"
    summary = projector.last("discussion")["listening"]
    assert summary["judged"] == 1 and summary["verdicts"]["klopt"] == 1 and summary["reading"] == "good"
    # A restatement that misses the point is measurably further away.
    far = restater.emit("restate", {"text": "Het gaat om de vergaderagenda van de directie."})
    assert far["ok"] and far["closeness"] < close["closeness"]


def test_nobody_reacts_to_their_own_definition_and_nothing_is_announced(room):
    facilitator, projector, people, _round_id, ids = room
    refused = people[0].emit("react", {"definition_id": ids[0], "kind": "eens"})
    assert refused["ok"] is False and "eigen definitie" in refused["error"]
    for screen in (facilitator, projector, *people):
        assert screen.events("discussion") == []


def test_the_draft_being_written_reaches_the_projector_only(room):
    facilitator, projector, people, round_id, _ids = room
    ack = facilitator.emit("share_draft", {"round_id": round_id, "text": "Kwaliteit is … (inzet)."})
    assert ack["ok"], ack
    assert projector.last("draft") == {"round_id": round_id, "text": "Kwaliteit is … (inzet)."}
    assert all(p.events("draft") == [] for p in people)
    assert people[0].emit("share_draft", {"round_id": round_id, "text": "Mijn versie"})["ok"] is False
    assert projector.emit("share_draft", {"round_id": round_id, "text": "Mijn versie"})["ok"] is False
    assert len(projector.events("draft")) == 1


def test_the_closed_rounds_come_back_after_a_reload(room, connect):
    facilitator, _projector, people, round_id, _ids = room
    proposal_id = facilitator.emit("propose", {"round_id": round_id, "text": "Kwaliteit is zorgvuldig werken."})["proposal"]["id"]
    for person in people:
        assert person.emit("vote", {"proposal_id": proposal_id, "choice": "akkoord"})["ok"]
    assert facilitator.emit("adopt", {"round_id": round_id})["ok"]
    for screen in (connect("participant", http=people[1].client.flask_test_client), connect("facilitator")):
        history = screen.last("state")["history"]
        assert history[0]["term"] == "kwaliteit" and history[0]["text"] == "Kwaliteit is zorgvuldig werken."
        assert history[0]["counts"]["akkoord"] == 4


def test_the_facilitator_shows_the_questions_on_the_projector(room):
    facilitator, projector, people, round_id, _ids = room
    assert facilitator.emit("show_questions", {"round_id": round_id, "shown": True}) == {"ok": True, "shown": True}
    assert projector.last("projector_questions") == {"round_id": round_id, "shown": True}
    assert all(p.events("projector_questions") == [] for p in people)
    assert facilitator.emit("show_questions", {"round_id": round_id, "shown": "ja"})["ok"] is False
    assert people[0].emit("show_questions", {"round_id": round_id, "shown": False})["ok"] is False
    assert len(projector.events("projector_questions")) == 1
