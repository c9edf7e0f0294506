"""One grouping, everywhere: after the room's answers and the facilitator's corrections change the
meanings, every screen and record reads the grouping as it stands now, never an earlier verdict:
the gauge and the partner table (the analysis every screen receives), the map, the meeting
summary, the framework grid, the entry's provenance and the drift."""

from __future__ import annotations

import pytest

from glossary import partnerships
from glossary.entries import editing, views
from glossary.meeting import consent, meanings, rounds, sorting, summary
from glossary.readings import reading
from tests import adoption

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")

# The issue's example: compliance (1, 4), the client's experience (2, 5), the employee's attention (3).
KWALITEIT = [
    ("Ans", "Gemeente Oostdam", "Kwaliteit is dat we doen wat we hebben afgesproken en dat het aantoonbaar foutloos gaat: dossiers compleet, termijnen gehaald en geen bevindingen van de inspectie."),
    ("Bram", "Waterschap Rivierenland", "Kwaliteit is wat de huurder ervaart: dat hij zich gehoord voelt, dat de monteur op het afgesproken tijdstip komt en dat een reparatie in één keer goed gaat."),
    ("Cor", "Zorggroep De Linde", "Kwaliteit zit in de aandacht van de medewerker: de tijd nemen voor een bewoner, echt luisteren en met collega's blijven leren van wat misgaat."),
    ("Dirk", "Waterschap Rivierenland", "Kwaliteit betekent dat we voldoen aan de normen die we samen hebben vastgelegd: de storingsduur blijft onder de afgesproken grens en we meten dat elk kwartaal."),
    ("Eva", "Gemeente Oostdam", "Voor mij is kwaliteit als de inwoner merkt dat het klopt: één aanspreekpunt, niet van loket naar loket gestuurd worden en achteraf een tevreden gevoel."),
]


def grouping(result: dict, number: dict[str, int]) -> set[frozenset[int]]:
    return {frozenset(number[d] for d in m["definition_ids"]) for m in result["meanings"]}


def test_the_issues_example_is_never_one_meaning_and_never_reads_the_same(db, world):
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    for name, partner, text in KWALITEIT:
        person = partnerships.join_meeting(db, world.meeting_id, name, partner).participant
        rounds.submit_definition(db, person.id, client_id=name, text=text)
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    result = meanings.analyse_round(db, round_.id).result
    assert len(result["meanings"]) >= 2 and result["reading"] != "same"


def test_every_place_reads_the_grouping_as_it_stands_now(db, world):
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    people = {}
    for name, partner, text in KWALITEIT:
        person = partnerships.join_meeting(db, world.meeting_id, name, partner).participant
        people[name] = person.id
        rounds.submit_definition(db, person.id, client_id=name, text=text)
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    meanings.analyse_round(db, round_.id)
    ids = sorted(d.id for d in round_.definitions)
    number = {str(d): i + 1 for i, d in enumerate(ids)}
    of = {i + 1: str(d) for i, d in enumerate(ids)}

    # The room sorts: each author says which definitions mean the same as theirs.
    sorting.start_sorting(db, world.facilitator_id, round_.id)
    same = {"Ans": [4], "Dirk": [1], "Bram": [5], "Eva": [2]}
    different = {"Ans": [2, 3, 5], "Bram": [1, 3, 4], "Cor": [1, 2, 4, 5], "Dirk": [2, 3, 5], "Eva": [1, 3, 4]}
    for name, others in same.items():
        for other in others:
            sorting.judge(db, people[name], int(of[other]), "same")
    for name, others in different.items():
        for other in others:
            sorting.judge(db, people[name], int(of[other]), "different")
    sorting.regroup(db, round_.id)  # None when the answers left the grouping as it was
    sorted_result = meanings.find_analysis(db, round_.id).result
    assert grouping(sorted_result, number) == {frozenset({1, 4}), frozenset({2, 5}), frozenset({3})}
    sorting.end_sorting(db, world.facilitator_id, round_.id)

    # The facilitator has the last word: the employee's attention joins the client's experience.
    by_members = {frozenset(number[d] for d in m["definition_ids"]): m["id"] for m in sorted_result["meanings"]}
    keep, gone = by_members[frozenset({2, 5})], by_members[frozenset({3})]
    final = meanings.correct_meanings(db, world.facilitator_id, round_.id, "merge", {"meaning_ids": [keep, gone]}).result
    now = {frozenset({1, 4}), frozenset({2, 3, 5})}
    assert grouping(final, number) == now
    assert keep in {m["id"] for m in final["meanings"]} and gone not in {m["id"] for m in final["meanings"]}

    # The gauge and the partner table: what every screen receives.
    shown = meanings.analysis_payload(meanings.find_analysis(db, round_.id))
    assert shown["reading"] == reading(shown["divergence"]) != "same"  # two meanings held by two partners
    assert {m["id"] for m in shown["meanings"]} == set(shown["partners"]["Gemeente Oostdam"])
    assert shown["partners"]["Gemeente Oostdam"][keep] == 1  # Eva (5) is in the merged meaning now
    # The map: one legend entry and one colour per current meaning.
    drawn, numbers = meanings.map_data(db, world.meeting_id, round_.id)
    assert grouping(drawn, numbers) == now

    # Consent and adoption: the entry's provenance keeps the grouping and divergence as they stand.
    consent.start_discussion(db, world.facilitator_id, round_.id)
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is wat we afspreken en wat de inwoner merkt.")
    for person_id in people.values():
        consent.vote(db, person_id, proposal.id, "akkoord")
    _round, version = consent.adopt(db, world.facilitator_id, round_.id, condition_ids=["1.3"])
    provenance = version.provenance
    assert {frozenset(number[d] for d in m["definition_ids"]) for m in provenance["meanings"]} == now
    assert provenance["divergence"] == shown["divergence"]
    assert {number[str(d["id"])]: d["meaning"] for d in provenance["definitions"]}[3] == keep

    # The framework grid's heat map and the meeting summary say the same.
    culture = views.framework_view(db, world.partnership_id)["domains"][0]["cells"][2]
    assert (culture["divergence"], culture["reading"]) == (shown["divergence"], shown["reading"])
    record = summary.meeting_summary(db, world.facilitator_id, world.meeting_id)
    (kwaliteit,) = record.rounds
    assert sorted(m.definition_count for m in kwaliteit.meanings) == [2, 3]
    assert (kwaliteit.divergence, kwaliteit.reading) == (shown["divergence"], shown["reading"])


def test_drift_reads_the_agreed_entry_whatever_the_grouping(db, world):
    adoption.agree(db, world.facilitator_id, world.partnership_id, "kwaliteit", KWALITEIT[0][2])
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    for name, partner, text in KWALITEIT[:3]:
        person = partnerships.join_meeting(db, world.meeting_id, name, partner).participant
        rounds.submit_definition(db, person.id, client_id=name, text=text)
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    first = meanings.analyse_round(db, round_.id).result
    merged = meanings.correct_meanings(
        db, world.facilitator_id, round_.id, "merge", {"meaning_ids": [m["id"] for m in first["meanings"]]}).result
    assert len(merged["meanings"]) == 1 and merged["drift"] == first["drift"]
    assert merged["drift"]["agreed_version"] == editing.find_entry(db, world.partnership_id, "kwaliteit").version
