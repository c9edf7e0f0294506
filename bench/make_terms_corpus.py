"""Writes bench/data/terms_corpus/: four partners of a regional partnership, three documents each.

    .venv/bin/python bench/make_terms_corpus.py

Planted terms (each partner uses them often, in its own sense): kwaliteit, regie, participatie,
eigenaarschap. Controls (every partner uses them often, in one shared sense): begroting, wijk.
The sentences are written for this bench (templates with slots, a fixed random seed); `truth.json`
records what was planted. bench/terms_quality.py reads it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "terms_corpus"

PLANTED = ["kwaliteit", "regie", "participatie", "eigenaarschap"]
CONTROLS = ["begroting", "wijk"]

# Sentences per partner: its own topic (filler), its sense of each planted term, and the shared sense
# of the controls. {x} slots are filled from the partner's list of objects.
PARTNERS = {
    "Gemeente": {
        "objects": ["de jeugdhulp", "het sociaal domein", "de Wmo", "het armoedebeleid", "de schuldhulp", "het jongerenwerk"],
        "filler": [
            "Het college legt in het voorjaar verantwoording af aan de raad over {x}.",
            "De wethouder bespreekt {x} met de raadscommissie.",
            "Ambtenaren schrijven een raadsvoorstel over {x}.",
            "De raad heeft een motie aangenomen over {x}.",
            "Inwoners kunnen bij het loket terecht met vragen over {x}.",
            "De gemeente voert {x} uit binnen de kaders van de wet.",
            "Het coalitieakkoord noemt {x} een speerpunt.",
        ],
        "kwaliteit": [
            "Kwaliteit betekent voor ons dat het college {x} bovenaan de agenda zet.",
            "Wie kwaliteit wil, geeft {x} voorrang en maakt er tijd voor vrij in het college.",
            "De raad vraagt meer aandacht voor de kwaliteit van {x}: het onderwerp moet prioriteit krijgen.",
            "Kwaliteit zit in de aandacht die de wethouder aan {x} besteedt.",
            "Zonder bestuurlijke aandacht geen kwaliteit: {x} verdient een plek op elke agenda.",
            "De kwaliteitsagenda bepaalt welke onderwerpen voorrang krijgen, te beginnen met {x}.",
        ],
        "regie": [
            "De gemeente houdt de regie over {x}: wij beslissen wie wat doet.",
            "Regie voeren betekent dat de gemeente de opdracht geeft en partners daarop aanspreekt.",
            "Bij {x} ligt de regie bij het college, dat de kaders stelt en de uitvoering stuurt.",
            "De raad wil dat de gemeente steviger regie neemt en zelf de knopen doorhakt over {x}.",
            "Als regisseur bepaalt de gemeente de volgorde van de stappen in {x}.",
        ],
        "participatie": [
            "Bij participatie praten inwoners mee over de plannen voor {x} voordat de raad besluit.",
            "De participatieavond gaf bewoners de kans hun mening te geven over {x}.",
            "Participatie is voor ons dat inwoners vroeg invloed hebben op beleid over {x}.",
            "Het participatietraject over {x} leverde veel reacties van inwoners op.",
            "We organiseren participatie via enquetes, inloopavonden en een burgerpanel.",
        ],
        "eigenaarschap": [
            "Eigenaarschap betekent dat de wethouder zich verantwoordelijk voelt voor {x}.",
            "Wij vragen eigenaarschap van ambtenaren: wie een taak heeft, maakt hem ook af.",
            "Met eigenaarschap bedoelen we dat iemand zich aanspreekbaar opstelt over {x}.",
            "Het team toont eigenaarschap door zelf initiatief te nemen bij {x}.",
        ],
    },
    "Netbeheerder": {
        "objects": ["het middenspanningsnet", "de transformatorstations", "de aansluitingen", "het gasnet", "de netcapaciteit", "de kabels"],
        "filler": [
            "Onze monteurs onderhouden {x} volgens een vast schema.",
            "De toezichthouder controleert de tarieven voor {x}.",
            "Congestie dwingt ons om {x} sneller uit te breiden.",
            "Het investeringsplan beschrijft de vervanging van {x}.",
            "Storingen aan {x} worden binnen vier uur verholpen.",
            "We meten de belasting van {x} elke vijf minuten.",
            "De energietransitie vraagt veel van {x}.",
        ],
        "kwaliteit": [
            "Kwaliteit meten wij aan het aantal storingen in {x}.",
            "De kwaliteitseisen schrijven voor dat {x} aan de norm voor spanning voldoet.",
            "Kwaliteit betekent foutloos werken volgens het protocol bij {x}.",
            "Een audit toetst de kwaliteit: zijn alle procedures voor {x} gevolgd?",
            "De kwaliteit van {x} daalt als de uitvaltijd boven de norm komt.",
            "Kwaliteitsborging bij {x} gebeurt met checklists en certificering.",
        ],
        "regie": [
            "De regie over de planning van {x} ligt bij het projectbureau, dat alle werkzaamheden op elkaar afstemt.",
            "Regie betekent voor ons dat de volgorde van graafwerk en aansluitingen klopt.",
            "De regisseur coordineert de aannemers die aan {x} werken.",
            "Zonder regie op de uitvoering lopen de werkzaamheden aan {x} door elkaar.",
            "Het regieteam stemt de werkplanning van {x} af met de aannemers.",
        ],
        "participatie": [
            "Bij participatie krijgen omwonenden een financieel aandeel in het zonnepark bij {x}.",
            "Participatie betekent dat een energiecooperatie mede-eigenaar wordt van het project.",
            "Financiele participatie laat bewoners meeprofiteren van de opbrengst van {x}.",
            "De participatieregeling bepaalt hoeveel aandelen de lokale cooperatie koopt.",
            "Door participatie vloeit een deel van de winst terug naar de omgeving van {x}.",
        ],
        "eigenaarschap": [
            "Eigenaarschap van {x} ligt juridisch bij de netbeheerder.",
            "Het eigenaarschap van de kabels gaat bij overdracht over naar de nieuwe eigenaar.",
            "Wie het eigenaarschap van {x} heeft, draagt de kosten van onderhoud en vervanging.",
            "Het kadaster registreert het eigenaarschap van {x} en de bijbehorende grond.",
        ],
    },
    "Zorgverzekeraar": {
        "objects": ["de wijkverpleging", "de huisartsenzorg", "de ggz", "de ziekenhuiszorg", "de fysiotherapie", "de ouderenzorg"],
        "filler": [
            "De zorgverzekeraar koopt {x} in bij regionale aanbieders.",
            "Verzekerden hebben recht op {x} uit het basispakket.",
            "Het contract voor {x} loopt drie jaar.",
            "De premie stijgt omdat de kosten van {x} toenemen.",
            "Wij vergelijken aanbieders van {x} met landelijke cijfers.",
            "De wachtlijsten voor {x} worden elke maand gepubliceerd.",
            "Zorgverleners declareren {x} via een vast tarief.",
        ],
        "kwaliteit": [
            "Kwaliteit zien wij in de uitkomst voor de patient na {x}.",
            "De kwaliteit van {x} blijkt uit hoe tevreden patienten zijn en hoe snel ze herstellen.",
            "Kwaliteitsindicatoren voor {x} meten gezondheidswinst en ervaren kwaliteit van leven.",
            "Wij belonen aanbieders van {x} die betere uitkomsten voor patienten halen.",
            "Kwaliteit betekent dat {x} de patient echt verder helpt.",
            "Patientervaringen laten zien waar de kwaliteit van {x} tekortschiet.",
        ],
        "regie": [
            "De patient houdt zelf de regie over zijn behandeling in {x}.",
            "Regie betekent dat de verzekerde zelf kiest welke zorg bij zijn leven past.",
            "Wij versterken de eigen regie van ouderen, zodat zij zelf beslissen over {x}.",
            "Met een persoonsgebonden budget neemt de verzekerde de regie over {x} in eigen hand.",
            "Samen beslissen geeft de patient regie over de keuzes in {x}.",
        ],
        "participatie": [
            "Participatie betekent voor ons dat mensen na ziekte weer aan het werk gaan.",
            "Wij steunen participatie van chronisch zieken op de arbeidsmarkt naast {x}.",
            "Door participatie in werk of vrijwilligerswerk herstellen clienten van {x} sneller.",
            "Het participatiedoel is dat een client binnen een jaar weer een baan heeft.",
            "Participatie op de arbeidsmarkt voorkomt dat mensen opnieuw {x} nodig hebben.",
        ],
        "eigenaarschap": [
            "Eigenaarschap betekent dat de patient zich verantwoordelijk voelt voor zijn eigen gezondheid.",
            "Wij stimuleren eigenaarschap door verzekerden inzicht te geven in hun gebruik van {x}.",
            "Met eigenaarschap neemt de verzekerde zelf stappen om gezond te blijven.",
            "Eigenaarschap van de eigen gezondheid vermindert het gebruik van {x}.",
        ],
    },
    "Woningcorporatie": {
        "objects": ["de sociale huurwoningen", "de portiekflats", "de nieuwbouw", "de verduurzaming", "het onderhoud", "de woningtoewijzing"],
        "filler": [
            "De corporatie investeert dit jaar fors in {x}.",
            "Huurders merken de gevolgen van {x} direct in hun woning.",
            "De prestatieafspraken met de gemeente gaan over {x}.",
            "Onze opzichters inspecteren {x} twee keer per jaar.",
            "De wachttijd voor {x} is opgelopen tot acht jaar.",
            "Het ondernemingsplan geeft richting aan {x}.",
            "De huurdersvereniging is nauw betrokken bij {x}.",
        ],
        "kwaliteit": [
            "Kwaliteit is voor ons de moeite die we doen om {x} zo goed mogelijk te maken.",
            "Wij streven naar kwaliteit door extra zorg en vakmanschap te steken in {x}.",
            "Kwaliteit betekent dat onze vakmensen hun best doen voor elke huurder van {x}.",
            "De kwaliteit van {x} hangt af van de inzet en het vakmanschap van ons team.",
            "We leveren kwaliteit als we de extra stap zetten bij {x}.",
            "Kwaliteit ontstaat door toewijding en zorg voor het ambacht in {x}.",
        ],
        "regie": [
            "Bij {x} nemen huurders zelf de regie over hun woning en kiezen ze hun eigen keuken.",
            "Regie betekent voor ons dat de huurder zelf bepaalt hoe zijn woning eruitziet.",
            "Met eigen regie kiezen bewoners de kleur en de indeling van {x}.",
            "De huurder houdt de regie: hij beslist zelf of hij meedoet aan {x}.",
            "Wij geven bewoners regie over de planning van {x} in hun eigen woning.",
        ],
        "participatie": [
            "Participatie betekent dat de huurdersvereniging meebeslist over {x}.",
            "Bij participatie hebben huurders adviesrecht over {x}.",
            "De participatieraad van huurders geeft advies over {x} voordat we besluiten.",
            "Participatie is voor ons dat huurders mee ontwerpen aan {x}.",
            "Dankzij participatie sluiten {x} beter aan bij de wensen van huurders.",
        ],
        "eigenaarschap": [
            "Eigenaarschap betekent dat huurders zich verantwoordelijk voelen voor hun portiek en tuin.",
            "Wij stimuleren eigenaarschap zodat bewoners zelf zorgen voor {x} en hun straat.",
            "Met eigenaarschap bedoelen we dat bewoners de gemeenschappelijke ruimte als van hen zien.",
            "Eigenaarschap groeit als bewoners zelf iets mogen doen aan {x}.",
        ],
    },
}

# Shared senses: every partner uses these the same way.
SHARED = {
    "begroting": [
        "De begroting voor {x} telt volgend jaar enkele miljoenen euro.",
        "In de begroting is geld gereserveerd voor {x}.",
        "De begroting laat een tekort zien door hogere kosten voor {x}.",
        "Bij de begroting van {x} houden we rekening met inflatie.",
        "De begroting wordt in het najaar vastgesteld en daarna per kwartaal bijgesteld.",
        "Een meevaller in de begroting geeft ruimte voor extra uitgaven aan {x}.",
    ],
    "wijk": [
        "In de wijk wonen veel ouderen die gebruikmaken van {x}.",
        "De wijk Zuid krijgt als eerste aandacht bij {x}.",
        "In elke wijk is een aanspreekpunt voor {x}.",
        "De wijken in het oosten van de stad hebben de meeste vraag naar {x}.",
        "Bewoners van de wijk vertelden hoe {x} hun straat verandert.",
        "We starten in twee wijken met een proef voor {x}.",
    ],
}

DOCS = ["beleidsnota", "jaarplan", "verslag"]
# Tails that make sentences unique for the speed bench (the quality corpus does not use them).
TAILS = ["in {y}", "volgens de planning van {y}", "zoals afgesproken in {m}", "met {n} collega's", "na overleg in {m}",
         "in het kwartaal na {m}", "voor {n} locaties", "sinds {y}", "tot eind {y}", "met hulp van {n} vrijwilligers"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]


def _vary(sentence: str, rnd: random.Random) -> str:
    tail = rnd.choice(TAILS).format(y=rnd.randint(2015, 2035), m=rnd.choice(MONTHS), n=rnd.randint(2, 400))
    return sentence[:-1] + ", " + tail + "."


def write(out: Path = OUT, *, seed: int = 7, docs: list[str] = DOCS, filler: int = 55, planted: int = 6, shared: int = 5,
          vary: bool = False) -> None:
    """Write one folder per partner with `docs` documents; `vary` adds tails so that (almost) no
    sentence repeats (for timing, where repeated sentences would be encoded once)."""
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, p in PARTNERS.items():
        folder = out / name
        folder.mkdir(exist_ok=True)
        for doc in docs:
            sentences = []
            pools = [(p["filler"], filler)] + [(p[t], planted) for t in PLANTED] + [(SHARED[t], shared) for t in CONTROLS]
            for pool, n in pools:
                for _ in range(n):
                    sentence = rnd.choice(pool).format(x=rnd.choice(p["objects"]))
                    sentences.append(_vary(sentence, rnd) if vary else sentence)
            rnd.shuffle(sentences)
            paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
            title = f"{doc.capitalize()} {name}"
            (folder / f"{doc}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (out / "truth.json").write_text(json.dumps({"planted": PLANTED, "controls": CONTROLS}, indent=1) + "\n")


if __name__ == "__main__":
    write()
