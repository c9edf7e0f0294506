"""The room sorts: judgements in `analyse`, certainty, the reading rule, phrase labels and `cards_for`."""

from __future__ import annotations

import json

import pytest

from glossary.readings import READINGS, reading, reading_of_grouping, split_between_partners

from .conftest import defs

# The issue's example: five clearly different definitions of kwaliteit; intended 1+4 / 2+5 / 3.
ISSUE = [
    {"id": "1", "partner": "Gemeente Utrecht", "text": "Kwaliteit is dat we doen wat we hebben afgesproken en dat het aantoonbaar foutloos gaat: dossiers compleet, termijnen gehaald en geen bevindingen van de inspectie."},
    {"id": "2", "partner": "Woonstad", "text": "Kwaliteit is wat de huurder ervaart: dat hij zich gehoord voelt, dat de monteur op het afgesproken tijdstip komt en dat een reparatie in één keer goed gaat."},
    {"id": "3", "partner": "Zorggroep Noord", "text": "Kwaliteit zit in de aandacht van de medewerker: de tijd nemen voor een bewoner, echt luisteren en met collega's blijven leren van wat misgaat."},
    {"id": "4", "partner": "Netbeheer Midden", "text": "Kwaliteit betekent dat we voldoen aan de normen die we samen hebben vastgelegd: de storingsduur blijft onder de afgesproken grens en we meten dat elk kwartaal."},
    {"id": "5", "partner": "Gemeente Utrecht", "text": "Voor mij is kwaliteit als de inwoner merkt dat het klopt: één aanspreekpunt, niet van loket naar loket gestuurd worden en achteraf een tevreden gevoel."},
]

# Written for these tests only: two clear meanings of "planning" (a time schedule / staff rosters).
PLANNING = [
    "Een tijdschema met mijlpalen: wanneer welk deel van het project af moet zijn.",
    "De volgorde van de stappen en de data waarop we ze opleveren.",
    "Een overzicht van deadlines en tussenproducten per kwartaal.",
    "Het roosteren van medewerkers: wie welke dienst draait.",
    "Zorgen dat er elke dag genoeg mensen ingeroosterd staan op de afdeling.",
    "Het dienstrooster van het team, met vakanties en ziekte erin verwerkt.",
]


def by_members(result):
    return {frozenset(m["definition_ids"]) for m in result["meanings"]}


def test_the_issue_example_gives_several_meanings_and_not_same(semantics):
    r = semantics.analyse("kwaliteit", ISSUE)
    assert len(r["meanings"]) >= 2
    assert r["reading"] != "same" and r["divergence"] >= READINGS[0][0]
    where = {i: m["id"] for m in r["meanings"] for i in m["definition_ids"]}
    assert where["1"] == where["4"] and where["1"] != where["2"] and where["3"] != where["1"]


def test_facilitator_groups_never_read_same(semantics):
    # Hand-split into four meanings: however close they lie, the gauge must not say "same".
    r = semantics.analyse("kwaliteit", ISSUE, groups=[["1", "4"], ["2"], ["3"], ["5"]])
    assert r["method"] == "groups" and len(r["meanings"]) == 4
    assert r["reading"] != "same" and r["divergence"] >= 0.2
    one = semantics.analyse("kwaliteit", ISSUE, groups=[["1", "2", "3", "4", "5"]])
    assert one["divergence"] == 0.0 and one["reading"] == "same"


def test_one_partner_alone_may_read_same(semantics):
    d = defs(*PLANNING, partners=("Gemeente",) * len(PLANNING))
    r = semantics.analyse("planning", d, groups=[["d1", "d2", "d3"], ["d4", "d5", "d6"]])
    # one partner holds both meanings: the floor does not apply (its own words still may)
    assert 0.0 <= r["divergence"] <= 1.0


def test_reading_rule():
    assert split_between_partners([["A"], ["B"]])
    assert split_between_partners([["A", "B"], ["A"]])
    assert not split_between_partners([["A"], ["A"]])
    assert not split_between_partners([["A", "B"], []])
    assert reading_of_grouping(0.05, [["A"], ["B"]]) == "small"
    assert reading_of_grouping(0.05, [["A", "B"]]) == "same"
    assert reading_of_grouping(0.7, [["A"], ["B"]]) == reading(0.7) == "large"
    assert reading_of_grouping(None, []) is None


def test_certainty_field(semantics):
    r = semantics.analyse("planning", defs(*PLANNING))
    assert r["certainty"] in ("sure", "unsure")
    if r["certainty"] == "sure":
        assert r["uncertainty"] is None
    issue = semantics.analyse("kwaliteit", ISSUE)
    # the encoders find these five alike while the tree shows two camps: said, not hidden
    assert issue["certainty"] == "unsure"
    assert issue["uncertainty"]["about"] in ("several_meanings", "one_meaning", "meanings")
    assert set(issue["uncertainty"]["meaning_ids"]) <= {m["id"] for m in issue["meanings"]}
    same = semantics.analyse("samenwerking", defs(*["Heldere afspraken over wie wat doet."] * 5))
    assert same["certainty"] == "sure" and len(same["meanings"]) == 1
    assert semantics.analyse("kwaliteit", ISSUE, groups=[["1", "4"], ["2", "5"], ["3"]])["certainty"] == "sure"
    json.dumps(issue)


def test_judged_same_by_both_authors_ends_in_one_meaning(semantics):
    d = defs(*PLANNING)
    # d1 (a schedule) and d4 (a roster) differ; both authors say they mean the same
    r = semantics.analyse("planning", d, judgements=[{"by": "d1", "same": ["d4"]}, {"by": "d4", "same": ["d1"]}])
    where = {i: m["id"] for m in r["meanings"] for i in m["definition_ids"]}
    assert where["d1"] == where["d4"]
    assert r["method"] == "judged" and r["engine"]["judgements"] == 2


def test_a_contradicting_minority_does_not_override_a_strong_signal(semantics):
    texts = PLANNING[:3] + ["Een tijdschema met mijlpalen: wanneer welk deel van het project af moet zijn!"] + PLANNING[3:]
    d = defs(*texts)
    base = semantics.analyse("planning", d)
    wrong = [{"by": "d1", "different": ["d4"]}]  # one author misread a near-identical definition
    r = semantics.analyse("planning", d, judgements=wrong)
    where = {i: m["id"] for m in r["meanings"] for i in m["definition_ids"]}
    assert where["d1"] == where["d4"]
    assert len(r["meanings"]) == len(base["meanings"])


def test_everybody_judging_same_gives_one_meaning(semantics):
    d = defs(*PLANNING)
    ids = [x["id"] for x in d]
    judgements = [{"by": i, "same": [j for j in ids if j != i]} for i in ids]
    r = semantics.analyse("planning", d, judgements=judgements)
    assert len(r["meanings"]) == 1


def test_groups_win_over_judgements(semantics):
    d = defs(*PLANNING)
    groups = [["d1", "d2", "d3"], ["d4", "d5", "d6"]]
    r = semantics.analyse("planning", d, groups=groups, judgements=[{"by": "d1", "same": ["d4"]}])
    assert r["method"] == "groups" and by_members(r) == {frozenset(g) for g in groups}


@pytest.mark.parametrize(
    "judgements",
    [
        "d1",
        {"by": "d1"},
        [["d1", "d2"]],
        [{"by": "zz", "same": ["d2"]}],
        [{"by": "d1", "same": ["zz"]}],
        [{"by": "d1", "same": ["d1"]}],
        [{"by": "d1", "same": "d2"}],
        [{"by": "d1", "different": [2]}],
        [{"by": "d1", "same": ["d2"], "different": ["d2"]}],
        [{"by": "d1", "maybe": ["d2"]}],
        [{"by": 1, "same": ["d2"]}],
    ],
)
def test_bad_judgements_are_refused(semantics, judgements):
    with pytest.raises(semantics.AnalysisInputError) as info:
        semantics.analyse("planning", defs(*PLANNING), judgements=judgements)
    assert "\n" not in str(info.value)


def test_labels_are_short_phrases_from_the_meanings_own_text(semantics):
    from glossary.semantics.contrast import zipf

    for term, d in (("kwaliteit", ISSUE), ("planning", defs(*PLANNING))):
        r = semantics.analyse(term, d)
        texts = {x["id"]: x["text"] for x in d}
        for m in r["meanings"]:
            label = m["suggested_label"]
            assert 2 <= len(label.split()) <= 5, label
            own = " ".join(texts[i] for i in m["definition_ids"])
            if m["terms"]:
                assert label in own, (label, m["definition_ids"])
            for word in m["terms"]:
                assert zipf(word, r["languages"][m["definition_ids"][0]]) > 0
                if m["size"] >= 2:
                    holders = [i for i in m["definition_ids"] if word in semantics_lemmas(semantics, texts[i])]
                    assert len(holders) >= 2, (word, m["definition_ids"])


def semantics_lemmas(semantics, text):
    from glossary.semantics.pipeline import get_nlp

    return {(t.lemma_ or t.lower_).lower() for t in get_nlp("nl")(text)}


def test_misspellings_are_not_distinguishing_words(semantics):
    texts = [
        "Minder enrgie gebruiken in onze gebouwen en isoleren.",
        "Gebouwen isoleren en zonnepanelen op het dak.",
        "Het energieverbruik van gebouwen omlaag brengen.",
        "Eerlijk delen van de lasten tussen bewoners en bedrijven.",
        "Dat de lasten eerlijk verdeeld zijn over bewoners.",
        "Niemand mag de rekening alleen betalen; eerlijk delen.",
    ]
    r = semantics.analyse("duurzaamheid", defs(*texts))
    assert "enrgie" not in {w for m in r["meanings"] for w in m["terms"]}


def test_cards_cover_every_definition_never_own_and_are_deterministic(semantics):
    from glossary.semantics.sorting import cards_for

    d = defs(*PLANNING, *[x["text"] for x in ISSUE])
    vectors = dict(zip([x["id"] for x in d], semantics.encode([x["text"] for x in d])))
    cards = cards_for("planning", d, vectors, [], per_author=6)
    assert set(cards) == {x["id"] for x in d}
    for own, others in cards.items():
        assert own not in others and len(others) == 6 and len(set(others)) == 6
    assert {j for others in cards.values() for j in others} == {x["id"] for x in d}
    assert cards_for("planning", list(reversed(d)), vectors, [], per_author=6) == cards
    judged = [{"by": "d1", "same": cards["d1"][:2], "different": cards["d1"][2:3]}]
    again = cards_for("planning", d, vectors, judged, per_author=6)
    assert not set(again["d1"]) & set(cards["d1"][:3])
    assert cards_for("planning", d[:1], vectors, [], per_author=6) == {"d1": []}
    with pytest.raises(semantics.AnalysisInputError):
        cards_for("planning", d, vectors, [{"by": "d1", "same": ["d1"]}])
