"""Meanings of a revealed round as stored for the room: analysis, corrections and drift."""

from __future__ import annotations

import pytest

from glossary import partnerships
from glossary.errors import Conflict, InvalidInput, NotFound
from glossary.meeting import meanings, rounds, vectors
from tests import adoption

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")

TEXTS = [
    ("Ans", "Gemeente Oostdam", "Foutloos werken volgens de vastgelegde procedures."),
    ("Bram", "Waterschap Rivierenland", "Alles volgens protocol afvinken op de checklist."),
    ("Cor", "Zorggroep De Linde", "Je uiterste best doen, met vakmanschap en toewijding."),
    ("Dirk", "Gemeente Oostdam", "De moeite die je erin steekt om het mooiste resultaat te halen."),
]


def revealed_round(db, world, term="kwaliteit"):
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term=term)
    for name, partner, text in TEXTS:
        person = partnerships.join_meeting(db, world.meeting_id, f"{name}-{round_.id}", partner).participant
        rounds.submit_definition(db, person.id, client_id=f"{name}-{round_.id}", text=text)
    return rounds.reveal_round(db, world.facilitator_id, round_.id)


def test_analysis_is_stored_with_every_definition_in_one_meaning(db, world):
    round_ = revealed_round(db, world)
    analysis = meanings.analyse_round(db, round_.id)
    ids = [d for m in analysis.result["meanings"] for d in m["definition_ids"]]
    assert sorted(ids) == sorted(str(d.id) for d in round_.definitions)
    assert analysis.version == 1 and analysis.result["drift"] is None


def test_the_analysis_keeps_the_vectors_it_computed_so_corrections_need_not_encode_again(db, world, monkeypatch):
    from glossary import semantics
    from glossary.semantics import round_analysis

    round_ = revealed_round(db, world)  # no background encoder here: every vector is missing
    first = meanings.analyse_round(db, round_.id).result
    assert {d.vector_engine for d in round_.definitions} == {semantics.ENGINE}
    assert all(vectors.needs_vector(db, d.id, d.text, semantics.ENGINE) is False for d in round_.definitions)

    def no_encoding(*_args, **_kwargs):
        raise AssertionError("encoded a text again")

    monkeypatch.setattr(semantics, "encode", no_encoding)
    monkeypatch.setattr(round_analysis, "encode", no_encoding)
    definition = first["meanings"][0]["definition_ids"][0]
    moved = meanings.correct_meanings(db, world.facilitator_id, round_.id, "move", {"definition_id": int(definition), "meaning_id": "new"})
    assert [definition] in [m["definition_ids"] for m in moved.result["meanings"]]


def test_analysis_waits_for_the_reveal(db, world):
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    with pytest.raises(Conflict):
        meanings.analyse_round(db, round_.id)


def test_corrections_keep_ids_and_names_and_count_versions(db, world):
    round_ = revealed_round(db, world)
    first = meanings.analyse_round(db, round_.id).result
    definition = first["meanings"][0]["definition_ids"][0]
    moved = meanings.correct_meanings(db, world.facilitator_id, round_.id, "move", {"definition_id": int(definition), "meaning_id": "new"})
    new_id = next(m["id"] for m in moved.result["meanings"] if m["definition_ids"] == [definition])
    renamed = meanings.correct_meanings(db, world.facilitator_id, round_.id, "rename", {"meaning_id": new_id, "label": "Apart"})
    assert renamed.version == 3 and renamed.corrected
    assert next(m for m in renamed.result["meanings"] if m["id"] == new_id)["label"] == "Apart"
    reset = meanings.correct_meanings(db, world.facilitator_id, round_.id, "rename", {"meaning_id": new_id, "label": ""})
    meaning = next(m for m in reset.result["meanings"] if m["id"] == new_id)
    assert meaning["label"] == meaning["suggested_label"]
    with pytest.raises(NotFound):
        meanings.correct_meanings(db, world.facilitator_id, round_.id, "merge", {"meaning_ids": [new_id, "m99"]})
    with pytest.raises(InvalidInput):
        meanings.correct_meanings(db, world.facilitator_id, round_.id, "split", {"meaning_id": new_id, "definition_ids": [int(definition)]})


def test_a_revisited_term_shows_drift_from_the_agreed_definition(db, world):
    adoption.agree(db, world.facilitator_id, world.partnership_id, "kwaliteit",
                             "Kwaliteit is foutloos werken volgens de afgesproken procedures.")
    round_ = revealed_round(db, world)
    drift = meanings.analyse_round(db, round_.id).result["drift"]
    assert drift["agreed_version"] == 1 and len(drift["definitions"]) == 4
    by_text = {d["text"]: d["distance"] for d in drift["definitions"]}
    assert by_text[TEXTS[0][2]] < by_text[TEXTS[3][2]]
    assert {p["partner"] for p in drift["partners"]} == {"Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"}
