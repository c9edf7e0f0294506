"""A whole meeting in real browsers: a facilitator and four participants (two on phones) join by
code, define, reveal, correct a grouping, react, consent and adopt — then the facilitator finds
the entry in the glossary and exports it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import LAPTOP, PASSWORD, PHONE, log_in, open_meanings

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")
pytestmark = pytest.mark.browser

PEOPLE = [
    ("Ans", "Gemeente Oostdam", PHONE, "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen."),
    ("Bram", "Waterschap Rivierenland", LAPTOP, "Elke stap gaat volgens protocol en wordt afgevinkt op de checklist; er mogen geen fouten in zitten."),
    ("Cor", "Zorggroep De Linde", PHONE, "Je uiterste best doen om iets zo goed mogelijk te maken, met vakmanschap en toewijding."),
    ("Dirk", "Hogeschool Noord", LAPTOP, "De moeite en energie die je erin steekt om het mooiste resultaat neer te zetten, ook als het extra uren kost."),
]


def test_whole_meeting_from_join_to_glossary(browser, live_server, sessions, screenshot):
    from glossary import accounts, partnerships

    with sessions() as db:
        facilitator_account = accounts.create_facilitator(db, "fien", PASSWORD, "Fien de Vries")
        partnership = partnerships.create_partnership(db, facilitator_account.id, "Zorgregio Oost",
                                                      [p[1] for p in PEOPLE[:3]])
        meeting = partnerships.create_meeting(db, facilitator_account.id, partnership.id, "Startsessie", ["kwaliteit"])
    url = live_server.url
    lead = browser.new_context(**LAPTOP).new_page()
    log_in(lead, url)
    lead.goto(f"{url}/meetings/{meeting.id}")
    expect(lead.locator("#connection-status")).to_have_text("Verbonden")

    pages = []
    for name, partner, device, _text in PEOPLE:
        page = browser.new_context(**device).new_page()
        page.goto(f"{url}/join")
        page.fill("#code", meeting.join_code)
        page.get_by_role("button", name="Verder").click()
        page.fill("#name", name)
        if partner in [p[1] for p in PEOPLE[:3]]:
            page.select_option("#partner", partner)
        else:
            page.fill("#partner_new", partner)
        page.get_by_role("button", name="Meedoen").click()
        expect(page.locator("#connection-status")).to_have_text("Verbonden")
        pages.append(page)
    expect(lead.locator("#participant-count")).to_have_text("4 deelnemers")

    lead.get_by_role("button", name="Start ronde voor kwaliteit").click()
    for page, (_name, _partner, _device, text) in zip(pages, PEOPLE):
        page.fill("#text", text)
        page.click("#save-button")
        expect(page.locator("#save-status")).to_contain_text("Opgeslagen om")
    expect(lead.locator("#progress-text")).to_have_text("4 van 4 ingestuurd")

    lead.click("#reveal-button")
    expect(lead.locator(".meaning").first).to_be_visible(timeout=30000)
    for page in pages:
        expect(page.locator(".meaning").first).to_be_visible(timeout=30000)
        expect(page.locator(".gauge")).to_be_visible()
    screenshot(pages[0], "whole-participant-meanings")
    screenshot(lead, "whole-facilitator-meanings")

    # Correct a grouping: put definition 4 into a meaning of its own and give it a name.
    meanings_before = lead.locator(".meaning").count()
    lead.locator(".meaning-definition").filter(has_text="De moeite en energie").locator("select").select_option("new")
    expect(lead.locator(".meaning")).to_have_count(meanings_before + 1 if meanings_before < 4 else meanings_before)
    last_card = lead.locator(".meaning").filter(has_text="De moeite en energie")
    last_card.locator(".corrections input").fill("Inzet en toewijding")
    last_card.get_by_role("button", name="Hernoem").click()
    for page in pages:
        expect(page.locator(".meaning h3").filter(has_text="Inzet en toewijding")).to_be_visible()
    # Or drag a definition onto another meaning (the menu stays the keyboard's way).
    moving = lead.locator(".meaning-definition").filter(has_text="De moeite en energie")
    target = lead.locator(".meaning").filter(has_text="Je uiterste best")
    # The drag's events themselves, not a mouse path: a mouse drag races the re-rendering that the
    # rename above announces to every screen (the dragged element may be replaced mid-drag).
    carried = lead.evaluate_handle("() => new DataTransfer()")
    moving.dispatch_event("dragstart", {"dataTransfer": carried})
    target.dispatch_event("dragover", {"dataTransfer": carried})
    target.dispatch_event("drop", {"dataTransfer": carried})
    expect(lead.locator(".meaning").filter(has_text="Je uiterste best").filter(has_text="De moeite en energie")).to_have_count(1)

    # Discuss: reactions.
    lead.click("#discuss-button")
    for page in pages:
        expect(page.locator("#phase")).to_have_text("bespreken")
    open_meanings(pages[1])
    pages[1].locator(".meaning-definition").filter(has_text="Je uiterste best").get_by_role("button", name="herken ik").click()
    expect(pages[1].locator(".meaning-definition").filter(has_text="Je uiterste best").get_by_role("button", name="herken ik")).to_have_attribute("aria-pressed", "true")
    expect(lead.locator(".partner-table").filter(has_text="Steun per betekenis")).to_contain_text("1")

    # Draft, consent, adopt.
    lead.click("#assemble-button")
    expect(lead.locator("#draft")).not_to_have_value("")
    lead.fill("#draft", "Kwaliteit is foutloos werken volgens afspraken, met inzet en toewijding voor het beste resultaat.")
    expect(lead.locator("#coverage")).to_contain_text("gedekt", timeout=20000)
    lead.click("#propose-button")
    for page in pages:
        expect(page.locator("#consent")).to_be_visible()
    screenshot(pages[2], "whole-participant-consent")
    for index, page in enumerate(pages):
        if index == 3:
            page.fill("#consent textarea", "Meten kan nog beter.")
            page.get_by_role("button", name="kan ermee leven").click()
        else:
            page.get_by_role("button", name="akkoord").click()
        expect(page.locator("#consent .saved")).to_be_visible()
    expect(lead.locator("#discussion-live")).to_contain_text("4 van 4 hebben gereageerd")
    screenshot(lead, "whole-facilitator-consent")
    lead.click("#adopt-button")
    expect(lead.locator("#adopted-note")).to_contain_text("staat in de woordenlijst", timeout=20_000)  # writes the entry and its provenance
    for page in pages:
        expect(page.locator("#phase")).to_have_text("afgesloten")

    # The entry is in the glossary, with its provenance, and can be exported.
    lead.locator("#adopted-note a").click()
    expect(lead.locator("body")).to_contain_text("Kwaliteit is foutloos werken volgens afspraken")
    expect(lead.locator("body")).to_contain_text("Meten kan nog beter.")
    screenshot(lead, "whole-glossary-entry")
    exported = lead.request.get(f"{url}/partnerships/{partnership.id}/glossary/export.md").text()
    assert "kwaliteit" in exported.lower() and "foutloos werken volgens afspraken" in exported
