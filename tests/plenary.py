"""A plenary for tests: a meeting with hundreds or a thousand definitions, revealed, with a stored
analysis of the shape ``semantics.analyse`` returns (made up here: encoding a thousand texts takes a
minute of CPU, and these tests are about what the screens receive, not about the grouping)."""

from __future__ import annotations

import uuid

from glossary import partnerships
from glossary.accounts import hash_secret
from glossary.meeting import rounds
from glossary.models import Definition, Participant, RoundAnalysis

PARTNERS = ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"]
# Eight readings of "kwaliteit", as a large room writes them: the meanings a plenary finds.
READINGS = [
    ("foutloos volgens protocol", ["protocol", "foutloos", "checklist"],
     "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen, stap voor stap afgevinkt."),
    ("vakmanschap en toewijding", ["vakmanschap", "toewijding", "trots"],
     "Je uiterste best doen om iets zo mooi mogelijk te maken, met vakmanschap en toewijding waar je trots op bent."),
    ("wat de inwoner ervaart", ["inwoner", "ervaring", "tevreden"],
     "Kwaliteit is wat de inwoner ervaart: of die zich gehoord voelt en tevreden de deur uit gaat."),
    ("binnen tijd en budget", ["budget", "planning", "afspraak"],
     "Opleveren wat is afgesproken, binnen de planning en het budget, zonder dat het later opnieuw moet."),
    ("meetbare prestaties", ["indicator", "meten", "norm"],
     "Kwaliteit is dat we aantoonbaar aan de normen voldoen: de indicatoren staan op groen en we meten het elk kwartaal."),
    ("veilig en betrouwbaar", ["veilig", "betrouwbaar", "risico"],
     "Dat iets veilig en betrouwbaar is, ook als het spannend wordt: de dijk houdt en de zorg loopt door."),
    ("samen leren", ["leren", "verbeteren", "feedback"],
     "Kwaliteit is dat je samen blijft leren en verbeteren, en feedback durft te vragen en te geven."),
    ("duurzaam", ["duurzaam", "toekomst", "onderhoud"],
     "Iets maken dat lang meegaat en over twintig jaar nog goed te onderhouden is: duurzaam, niet goedkoop."),
]


def seed_plenary(db, world, count: int, *, anonymity: str = "named", with_analysis: bool = True, also: dict | None = None):
    """A round about 'kwaliteit' in ``world``'s meeting with ``count`` participants who each wrote
    a definition (spread over the partners and the eight readings), revealed; with a stored
    analysis that groups them by reading. ``also`` maps ids of participants who joined already to
    their own texts (numbered first). Returns the round. Inserts in one commit: a thousand joins
    through the use case would take half a minute."""
    meeting = partnerships.require_meeting(db, world.meeting_id)
    partners = {p.name: p for p in meeting.partnership.partners}
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    own = [Definition(round_id=round_.id, participant_id=pid, text=text) for pid, text in (also or {}).items()]
    db.add_all(own)
    db.flush()
    people = []
    for number in range(1, count + 1):
        name = f"Deelnemer {number:04d}"
        people.append(Participant(meeting_id=meeting.id, partner_id=partners[PARTNERS[number % len(PARTNERS)]].id,
                                  name=name, name_key=name.casefold(), token_hash=hash_secret(uuid.uuid4().hex)))
    db.add_all(people)
    db.flush()
    definitions = []
    for number, person in enumerate(people, start=1):
        label, _words, text = READINGS[number % len(READINGS)]
        definitions.append(Definition(round_id=round_.id, participant_id=person.id, text=f"{text} (nr. {number})",
                                      example=f"Voorbeeld {number}: {label}." if number % 5 == 0 else ""))
    db.add_all(definitions)
    db.commit()
    definitions = own + definitions
    people = [db.get(Participant, d.participant_id) for d in own] + people
    rounds.reveal_round(db, world.facilitator_id, round_.id, anonymity)
    if with_analysis:
        db.add(RoundAnalysis(round_id=round_.id, result=fake_analysis(definitions, people), engine="test", version=1, corrected=False))
        db.commit()
    return round_


def fake_analysis(definitions, people) -> dict:
    """A stored analysis of the shape ``semantics.analyse`` returns, grouping by reading."""
    groups: list[list[str]] = [[] for _ in READINGS]
    for definition in definitions:  # by reading; one's own text goes with the first
        groups[next((g for g, r in enumerate(READINGS) if definition.text.startswith(r[2])), 0)].append(str(definition.id))
    order = sorted(range(len(READINGS)), key=lambda g: -len(groups[g]))
    meanings = []
    for position, g in enumerate(order):
        label, words, _text = READINGS[g]
        meanings.append({"id": f"m{position + 1}", "label": label, "suggested_label": label, "terms": words,
                         "words": [{"word": w, "weight": round(1 - i / 10, 2)} for i, w in enumerate(words)],
                         "definition_ids": groups[g], "representative_id": groups[g][len(groups[g]) // 2],
                         "size": len(groups[g])})
    meaning_of = {d: m["id"] for m in meanings for d in m["definition_ids"]}
    partner_of = {p.id: p.partner.name for p in people}
    partners = {name: {m["id"]: 0 for m in meanings} for name in sorted(set(partner_of.values()))}
    for definition in definitions:
        partners[partner_of[definition.participant_id]][meaning_of[str(definition.id)]] += 1
    return {
        "term": "kwaliteit", "meanings": meanings, "divergence": 0.72, "reading": "large", "certainty": "sure",
        "uncertainty": None,
        "coordinates": {str(d.id): [round((i % 37) / 37 + int(meaning_of[str(d.id)][1:]), 4), round((i % 23) / 23, 4)]
                        for i, d in enumerate(definitions)},
        "partners": partners, "shared_terms": ["kwaliteit", "werk"],
        "shared_term_details": [{"term": "werk", "meaning_ids": ["m1", "m2"], "definition_ids": [str(d.id) for d in definitions[::3]]}],
        "languages": {str(d.id): "nl" for d in definitions}, "similarities": [], "method": "clustered",
        "engine": {"name": "test"}, "label_overrides": {}, "drift": None,
    }
