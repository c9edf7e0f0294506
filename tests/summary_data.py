"""A meeting prepared through the domain functions for the summary tests (domain, pages, browser):
four rounds that show every kind of outcome a summary has to describe."""

from __future__ import annotations

from glossary import partnerships
from glossary.meeting import consent, discussion, meanings, rounds

PEOPLE = [("Ans", "Gemeente Oostdam"), ("Bram", "Waterschap Rivierenland"),
          ("Cor", "Zorggroep De Linde"), ("Dirk", "Zorggroep De Linde")]
KWALITEIT = ["Foutloos werken volgens de vastgelegde procedures.", "Alles volgens protocol afvinken op de checklist.",
             "Je uiterste best doen, met vakmanschap en toewijding.", "De moeite die je erin steekt om het mooiste resultaat te halen."]


def play_round(db, world, people, term, texts, anonymity="named"):
    """Start, collect, reveal and analyse a round; returns it in the discuss phase."""
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term=term)
    for person, text in zip(people, texts):
        rounds.submit_definition(db, person.id, client_id=f"{term}-{person.id}", text=text)
    rounds.reveal_round(db, world.facilitator_id, round_.id, anonymity)
    meanings.analyse_round(db, round_.id)
    consent.start_discussion(db, world.facilitator_id, round_.id)
    return round_


def group_as(db, world, round_, first: list[int], second: list[int], labels: tuple[str, str]):
    """Correct the meanings into two known groups with names the facilitator chose."""
    analysis = meanings.find_analysis(db, round_.id).result
    ids = [m["id"] for m in analysis["meanings"]]
    if len(ids) > 1:
        meanings.correct_meanings(db, world.facilitator_id, round_.id, "merge", {"meaning_ids": ids})
    whole = meanings.find_analysis(db, round_.id).result["meanings"][0]["id"]
    meanings.correct_meanings(db, world.facilitator_id, round_.id, "split", {"meaning_id": whole, "definition_ids": second})
    for meaning in meanings.find_analysis(db, round_.id).result["meanings"]:
        label = labels[0] if str(first[0]) in meaning["definition_ids"] else labels[1]
        meanings.correct_meanings(db, world.facilitator_id, round_.id, "rename", {"meaning_id": meaning["id"], "label": label})


def summarised_meeting(db, world):
    """A meeting with four rounds: 'kwaliteit' (two questions, a listening check) adopted over an objection, 'regie' (partners
    shown, names hidden) closed without agreement, 'samenwerking' closed before its reveal,
    and 'vertrouwen' (fully anonymous) adopted with a reservation."""
    people = [partnerships.join_meeting(db, world.meeting_id, name, partner).participant for name, partner in PEOPLE]
    kwaliteit = play_round(db, world, people, "kwaliteit", KWALITEIT)
    ids = [d.id for d in kwaliteit.definitions]
    group_as(db, world, kwaliteit, ids[:2], ids[2:], ("Foutloos volgens protocol", "Inzet en vakmanschap"))
    question = discussion.ask_question(db, people[2].id, ids[0], "Wat bedoel je met procedures?")
    discussion.answer_question(db, people[0].id, question.id, "De werkwijze die we samen vastlegden.")
    discussion.ask_question(db, people[3].id, ids[1], "Wie houdt de checklist bij?")
    discussion.start_listening_check(db, world.facilitator_id, kwaliteit.id)
    task = discussion.my_restatement(db, kwaliteit, people[1].id)
    discussion.restate(db, people[1].id, "Je werkt zoals het is afgesproken.")
    discussion.judge_restatement(db, discussion.author_of_restated(db, task), task.id, "klopt")
    proposal = consent.propose(db, world.facilitator_id, kwaliteit.id, "Kwaliteit is foutloos werken, met inzet.",
                               scope="In gezamenlijke projecten", examples=["De checklist is afgevinkt."])
    consent.vote(db, people[0].id, proposal.id, "akkoord")
    consent.vote(db, people[1].id, proposal.id, "leven", "Mits we het meten.")
    consent.vote(db, people[2].id, proposal.id, "bezwaar", "Inzet telt ook mee.")
    consent.vote(db, people[3].id, proposal.id, "akkoord")
    consent.adopt(db, world.facilitator_id, kwaliteit.id, override_reason="Tijdsdruk; volgend kwartaal herzien.", condition_ids=["1.3"])

    regie = play_round(db, world, people, "regie", ["Wie de leiding neemt.", "Wie het overzicht houdt.",
                                                    "Wie beslist over het geld.", "Wie de eindverantwoordelijkheid draagt."],
                       anonymity="hide_people")
    first = consent.propose(db, world.facilitator_id, regie.id, "Regie is de leiding nemen.")
    consent.vote(db, people[0].id, first.id, "bezwaar", "Een eerdere zorg.")
    last = consent.propose(db, world.facilitator_id, regie.id, "Regie is overzicht houden en beslissen.")
    consent.vote(db, people[0].id, last.id, "bezwaar", "Te vaag over het geld.")
    consent.vote(db, people[1].id, last.id, "leven")
    rounds.close_round(db, world.facilitator_id, regie.id)

    unrevealed = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="samenwerking")
    rounds.submit_definition(db, people[0].id, client_id="geheim", text="Een geheime tekst die niemand zag.")
    rounds.close_round(db, world.facilitator_id, unrevealed.id)

    vertrouwen = play_round(db, world, people, "vertrouwen", ["Elkaar op je woord geloven.", "Afspraken nakomen.",
                                                              "Fouten mogen maken.", "Open zijn over belangen."],
                            anonymity="hide_all")
    proposal = consent.propose(db, world.facilitator_id, vertrouwen.id, "Vertrouwen is afspraken nakomen en open zijn.")
    consent.vote(db, people[2].id, proposal.id, "leven", "Alleen binnen het project.")
    consent.vote(db, people[3].id, proposal.id, "akkoord")
    consent.adopt(db, world.facilitator_id, vertrouwen.id)
    return people
