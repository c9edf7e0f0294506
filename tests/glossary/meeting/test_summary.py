"""The meeting summary, without Flask: what it says about each revealed term (meanings, divergence,
outcome, reservations), what it keeps anonymous, and the Markdown written from it."""

from __future__ import annotations

import json
import re

import pytest

from glossary import accounts, partnerships
from glossary.entries import editing
from glossary.errors import NotFound
from glossary.markdown import render
from glossary.meeting import consent, meanings, summary
from glossary.readings import reading
from tests.conftest import PASSWORD
from tests.summary_data import KWALITEIT, PEOPLE, play_round, summarised_meeting

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")



@pytest.fixture
def meeting(db, world):
    return summarised_meeting(db, world)


def test_every_revealed_term_in_order_with_the_meeting_around_it(db, world, meeting):
    result = summary.meeting_summary(db, world.facilitator_id, world.meeting_id)
    assert result.title == "Startbijeenkomst" and result.partnership == "Regio Oost"
    assert result.partners == ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"]
    assert result.participant_count == 4 and len(result.dates) == 1
    # 'samenwerking' was closed before anyone saw the texts: it is not in the summary.
    assert [r.term for r in result.rounds] == ["kwaliteit", "regie", "vertrouwen"]
    assert [r.outcome for r in result.rounds] == ["adopted", "not_adopted", "adopted"]


def test_meanings_follow_the_facilitators_corrections(db, world, meeting):
    kwaliteit = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds[0]
    assert kwaliteit.corrected
    assert [(m.label, m.definition_count, m.partners) for m in kwaliteit.meanings] == [
        ("Foutloos volgens protocol", 2, ["Gemeente Oostdam", "Waterschap Rivierenland"]),
        ("Inzet en vakmanschap", 2, ["Zorggroep De Linde"]),
    ]
    assert kwaliteit.meanings[0].representative in KWALITEIT[:2]
    assert kwaliteit.meanings[1].representative in KWALITEIT[2:]
    stored = meanings.find_analysis(db, kwaliteit.round_id).result
    assert kwaliteit.divergence == stored["divergence"]
    assert kwaliteit.reading == reading(stored["divergence"])


def test_adopted_definition_with_its_reservations_objection_and_override(db, world, meeting):
    kwaliteit = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds[0]
    adopted = kwaliteit.adopted
    assert adopted.text == "Kwaliteit is foutloos werken, met inzet."
    assert adopted.scope == "In gezamenlijke projecten" and adopted.examples == ["De checklist is afgevinkt."]
    assert [(c.id, c.label) for c in adopted.conditions] == [("1.3", "1.3 Samenwerkingscultuur")]
    entry = editing.require_entry(db, world.partnership_id, adopted.entry_id)
    assert entry.term == "kwaliteit" and adopted.version == entry.version == 1
    assert kwaliteit.votes == {"akkoord": 2, "leven": 1, "bezwaar": 1} and kwaliteit.voted == 4
    assert kwaliteit.reservations == [summary.Remark("leven", "Mits we het meten.", "Waterschap Rivierenland", "Bram")]
    assert kwaliteit.objections == [summary.Remark("bezwaar", "Inzet telt ook mee.", "Zorggroep De Linde", "Cor")]
    assert kwaliteit.override_reason == "Tijdsdruk; volgend kwartaal herzien."


def test_an_edited_entry_still_shows_what_the_meeting_adopted(db, world, meeting):
    adopted = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds[0].adopted
    editing.update_entry(db, world.facilitator_id, adopted.entry_id, 1,
                         {"term": "kwaliteit", "definition": "Later herschreven.", "status": "vastgesteld"})
    again = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds[0].adopted
    assert again.text == "Kwaliteit is foutloos werken, met inzet." and (again.version, again.current_version) == (1, 2)


def test_a_term_without_agreement_shows_the_last_proposal_and_its_open_objections(db, world, meeting):
    regie = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds[1]
    assert regie.adopted is None
    assert regie.proposal.number == 2 and regie.proposal.text == "Regie is overzicht houden en beslissen."
    # Partners, not names: the round was revealed with hide_people. Only the last proposal's votes count.
    assert regie.objections == [summary.Remark("bezwaar", "Te vaag over het geld.", "Gemeente Oostdam", None)]
    assert regie.reservations == [summary.Remark("leven", "", "Waterschap Rivierenland", None)]
    assert all(m.partners for m in regie.meanings)


def test_a_fully_anonymous_round_names_neither_people_nor_partners(db, world, meeting):
    result = summary.meeting_summary(db, world.facilitator_id, world.meeting_id)
    vertrouwen = result.rounds[2]
    assert vertrouwen.reservations == [summary.Remark("leven", "Alleen binnen het project.", None, None)]
    assert all(m.partners is None for m in vertrouwen.meanings)
    payload = json.dumps(summary.summary_payload(result)["rounds"][2], ensure_ascii=False)
    assert not any(name in payload for name, _partner in PEOPLE)
    assert not any(partner in payload for _name, partner in PEOPLE)
    section = summary.summary_markdown(result).split("## vertrouwen")[1]
    assert "Alleen binnen het project." in section
    assert not any(word in section for person in PEOPLE for word in person)


def test_only_the_partnerships_facilitators_get_a_summary(db, world, meeting):
    otto = accounts.create_facilitator(db, "otto", PASSWORD)
    with pytest.raises(NotFound):
        summary.meeting_summary(db, otto.id, world.meeting_id)
    with pytest.raises(NotFound):
        summary.meeting_summary(db, world.facilitator_id, world.meeting_id + 99)


def test_markdown_says_it_all_in_dutch(db, world, meeting):
    text = summary.summary_markdown(summary.meeting_summary(db, world.facilitator_id, world.meeting_id))
    assert text.startswith("# Samenvatting: Startbijeenkomst\n")
    assert "**Samenwerkingsverband:** Regio Oost" in text
    assert "**Partners:** Gemeente Oostdam, Waterschap Rivierenland, Zorggroep De Linde" in text
    kwaliteit = text.split("## kwaliteit")[1].split("## regie")[0]
    assert "1. **Foutloos volgens protocol** — 2 definities · Gemeente Oostdam, Waterschap Rivierenland" in kwaliteit
    assert "### Vastgestelde definitie\n\n> Kwaliteit is foutloos werken, met inzet." in kwaliteit
    assert "**Voorwaarden:** 1.3 Samenwerkingscultuur" in kwaliteit
    assert "**Stemmen:** akkoord: 2, kan ermee leven: 1, bezwaar: 1" in kwaliteit
    assert "- **bezwaar** — Cor · Zorggroep De Linde: Inzet telt ook mee." in kwaliteit
    assert "- **kan ermee leven** — Bram · Waterschap Rivierenland: Mits we het meten." in kwaliteit
    assert "**Vastgesteld ondanks bezwaar. Reden:** Tijdsdruk; volgend kwartaal herzien." in kwaliteit
    assert re.search(r"\*\*Verschil tussen de betekenissen:\*\* [A-Z][a-z ]+ \(afstand \d+%\)", kwaliteit)
    regie = text.split("## regie")[1].split("## vertrouwen")[0]
    assert "### Laatste voorstel (2), niet vastgesteld\n\n> Regie is overzicht houden en beslissen." in regie
    assert "### Voorbehouden en open bezwaren" in regie and "Gemeente Oostdam: Te vaag over het geld." in regie
    # The objection to proposal 1 is in the history, with how it was resolved; names stay hidden.
    assert "Ans" not in regie
    assert "- **Voorstel 1** — Gemeente Oostdam: Een eerdere zorg. → aangepast in voorstel 2" in regie
    assert "samenwerking" not in text and "geheime tekst" not in text


def test_the_objection_history_says_who_objected_why_and_how_it_was_resolved(db, world, meeting):
    kwaliteit, regie, vertrouwen = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds
    assert kwaliteit.objection_history == [summary.Objection(
        1, "Inzet telt ook mee.", "Zorggroep De Linde", "Cor", "overridden", None, "Tijdsdruk; volgend kwartaal herzien.")]
    assert regie.objection_history == [
        summary.Objection(1, "Een eerdere zorg.", "Gemeente Oostdam", None, "amended", 2, None),
        summary.Objection(2, "Te vaag over het geld.", "Gemeente Oostdam", None, "open", None, None),
    ]
    assert vertrouwen.objection_history == []
    text = summary.summary_markdown(summary.meeting_summary(db, world.facilitator_id, world.meeting_id))
    history = text.split("## regie")[1].split("### Bezwaren en hoe ze zijn opgelost")[1].split("## vertrouwen")[0]
    assert "- **Voorstel 2** — Gemeente Oostdam: Te vaag over het geld. → nog open" in history
    kwaliteit_text = text.split("## kwaliteit")[1].split("## regie")[0]
    assert ("- **Voorstel 1** — Cor · Zorggroep De Linde: Inzet telt ook mee. → vastgesteld ondanks het bezwaar; "
            "reden: Tijdsdruk; volgend kwartaal herzien.") in kwaliteit_text


def test_the_summary_keeps_the_questions_and_the_listening_check(db, world, meeting):
    kwaliteit = summary.meeting_summary(db, world.facilitator_id, world.meeting_id).rounds[0]
    assert [(q.text, q.answer, q.definition) for q in kwaliteit.questions] == [
        ("Wat bedoel je met procedures?", "De werkwijze die we samen vastlegden.", KWALITEIT[0]),
        ("Wie houdt de checklist bij?", None, KWALITEIT[1]),
    ]
    listening = kwaliteit.listening
    assert (listening["check"], listening["assigned"], listening["written"], listening["judged"]) == (1, 4, 1, 1)
    assert listening["verdicts"] == {"klopt": 1, "deels": 0, "nee": 0} and 0 <= listening["mean_closeness"] <= 1
    text = summary.summary_markdown(summary.meeting_summary(db, world.facilitator_id, world.meeting_id))
    section = text.split("## kwaliteit")[1].split("## regie")[0]
    assert "### Vragen aan de schrijvers" in section
    assert "- **Wat bedoel je met procedures?** — De werkwijze die we samen vastlegden." in section
    assert "- **Wie houdt de checklist bij?** — (niet beantwoord)" in section
    assert "### Luistercheck" in section
    assert "Luistercheck 1: 1 van 4 naverteld, 1 beoordeeld (klopt: 1, deels: 0, nee: 0). Gemiddeld" in section


def test_what_people_wrote_cannot_add_markup_to_the_file(db, world):
    people = [partnerships.join_meeting(db, world.meeting_id, "<b>Eve</b>", "Gemeente Oostdam").participant,
              partnerships.join_meeting(db, world.meeting_id, "Bob", "Zorggroep De Linde").participant]
    hostile = ["# Kop\n<script>alert(1)</script> [klik](javascript:alert(1)) **vet**", "- lijst\n> citaat &amp; `code`"]
    round_ = play_round(db, world, people, "kwaliteit", hostile)
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Tekst")
    consent.vote(db, people[0].id, proposal.id, "bezwaar", "![img](http://x/y.png) <img src=x onerror=alert(1)>")
    text = summary.summary_markdown(summary.meeting_summary(db, world.facilitator_id, world.meeting_id))
    html = render(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "javascript:" not in re.sub(r"\[klik\]\(javascript:alert\(1\)\)", "", html.replace("\\", ""))
    assert "<h3>Kop" not in html and "<strong>vet" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_file_name_has_the_title_and_the_date(db, world, meeting):
    result = summary.meeting_summary(db, world.facilitator_id, world.meeting_id)
    assert summary.filename(result, "md") == f"samenvatting-startbijeenkomst-{result.dates[0].isoformat()}.md"


def test_a_meeting_before_any_reveal(db, world):
    result = summary.meeting_summary(db, world.facilitator_id, world.meeting_id)
    assert result.rounds == [] and result.participant_count == 0
    assert "In deze bijeenkomst is (nog) geen term onthuld." in summary.summary_markdown(result)


def test_a_round_started_afresh_after_its_reveal_is_left_out(db, world):
    from glossary.meeting import rounds

    people = [partnerships.join_meeting(db, world.meeting_id, name, partner).participant for name, partner in PEOPLE]
    first = play_round(db, world, people, "kwaliteit", ["Een misverstand."] * 4)
    rounds.restart_round(db, world.facilitator_id, first.id)
    again = rounds.current_round(db, world.meeting_id)
    for person, text in zip(people, KWALITEIT):
        rounds.submit_definition(db, person.id, client_id=f"again-{person.id}", text=text)
    rounds.reveal_round(db, world.facilitator_id, again.id)
    result = summary.meeting_summary(db, world.facilitator_id, world.meeting_id)
    assert [r.term for r in result.rounds] == ["kwaliteit"]
    assert "misverstand" not in summary.summary_markdown(result)


def test_the_dates_are_the_days_in_the_organisations_time_zone(db, world):
    """Revealed at 00:40 and closed at 01:30 Amsterdam summer time: that is 1 July there, while
    UTC still says 30 June."""
    from datetime import date, datetime, timezone

    people = [partnerships.join_meeting(db, world.meeting_id, name, partner).participant for name, partner in PEOPLE]
    played = play_round(db, world, people, "kwaliteit", KWALITEIT)
    played.revealed_at = datetime(2026, 6, 30, 22, 40, tzinfo=timezone.utc)  # 00:40 in Amsterdam
    played.closed_at = datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)
    db.commit()

    in_amsterdam = summary.meeting_summary(db, world.facilitator_id, world.meeting_id, timezone="Europe/Amsterdam")
    assert in_amsterdam.dates == [date(2026, 7, 1)]
    assert summary.meeting_summary(db, world.facilitator_id, world.meeting_id, timezone="UTC").dates == [date(2026, 6, 30)]
    # The API gives the times in that zone too, so a reader sees the same day in both.
    payload = summary.summary_payload(in_amsterdam)
    assert payload["dates"] == ["2026-07-01"]
    assert payload["rounds"][0]["revealed_at"] == "2026-07-01T00:40:00+02:00"
    assert payload["rounds"][0]["closed_at"] == "2026-07-01T01:30:00+02:00"


def test_a_definition_longer_than_a_page_still_makes_a_pdf():
    """A quote of 55 short lines (under 1,000 characters) inside a list item is taller than a page."""
    import io

    pypdf = pytest.importorskip("pypdf")
    from glossary.meeting.outline import Item, ItemList, Span
    from glossary.meeting.summary_pdf import to_pdf

    text = "\n".join(f"regel {i}" for i in range(55))
    assert len(text) <= 1000
    blocks = [ItemList([Item([Span("Ans")], quote=text), Item([Span("Bram")], quote="kort")], ordered=True),
              ItemList([Item([Span("Cor")], quote=text * 3)])]
    reader = pypdf.PdfReader(io.BytesIO(to_pdf(blocks, title="t")))
    words = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and "regel 54" in words and "Bram" in words and "kort" in words
