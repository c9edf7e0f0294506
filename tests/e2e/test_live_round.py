"""A facilitator and participants run a round in real browsers, phones included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_setup_meeting_join_define_and_reveal(browser, live_server, screenshot):
    url = live_server.url
    facilitator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    facilitator.goto(url)
    expect(facilitator).to_have_url(re.compile("/setup$"))
    facilitator.fill("#display_name", "Fien de Vries")
    facilitator.fill("#username", "fien")
    facilitator.fill("#password", PASSWORD)
    facilitator.fill("#password_again", PASSWORD)
    facilitator.get_by_role("button", name="Account aanmaken").click()
    facilitator.fill("#name", "Energieregio Oost")
    facilitator.fill("#partners", "Netbeheerder Oost\nProvincie\nGemeente Deventer")
    facilitator.get_by_role("button", name="Aanmaken").click()
    facilitator.fill("#title", "Startsessie")
    facilitator.fill("#terms", "kwaliteit\nregie")
    facilitator.get_by_role("button", name="Bijeenkomst aanmaken").click()
    code = facilitator.locator("#join-code").inner_text()
    expect(facilitator.locator("#connection-status")).to_have_text("Verbonden")

    phones = []
    for name, partner in [("Ans", "Netbeheerder Oost"), ("Bram", "Provincie")]:
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(url + "/join")
        phone.fill("#code", code.lower())
        phone.get_by_role("button", name="Verder").click()
        phone.fill("#name", name)
        phone.select_option("#partner", partner)
        phone.get_by_role("button", name="Meedoen").click()
        expect(phone.locator("#connection-status")).to_have_text("Verbonden")
        phones.append(phone)
    expect(facilitator.locator("#participant-count")).to_have_text("2 deelnemers")
    screenshot(phones[0], "participant-waiting")

    facilitator.get_by_role("button", name="Start ronde voor kwaliteit").click()
    for phone in phones:
        expect(phone.locator("#term")).to_have_text("kwaliteit")
    phones[0].fill("#text", "Foutloos werken volgens de afgesproken procedures.")
    phones[0].get_by_text("Voorbeeld en praktijk toevoegen").click()  # the optional fields are folded
    phones[0].fill("#example", "Elke stap afgevinkt op de checklist.")
    phones[0].click("#save-button")
    expect(phones[0].locator("#save-status")).to_contain_text("Opgeslagen om")
    screenshot(phones[0], "participant-saved")
    expect(facilitator.locator("#progress-text")).to_have_text("1 van 2 ingestuurd")
    expect(facilitator.locator("#waiting")).to_contain_text("Bram")
    # Nobody sees Ans's text before the reveal.
    assert "Foutloos" not in facilitator.content() and "Foutloos" not in phones[1].content()

    # A reload keeps Ans's saved text; Bram's typed text survives a reload too.
    phones[1].fill("#text", "Je uiterste best doen, ook als het extra tijd kost.")
    phones[1].reload()
    expect(phones[1].locator("#text")).to_have_value("Je uiterste best doen, ook als het extra tijd kost.")
    expect(phones[1].locator("#save-status")).to_have_text("Nog niet opgeslagen")
    phones[1].click("#save-button")
    expect(phones[1].locator("#save-status")).to_contain_text("Opgeslagen om")
    expect(facilitator.locator("#progress-text")).to_have_text("2 van 2 ingestuurd")
    screenshot(facilitator, "facilitator-collecting")

    projector = facilitator.context.new_page()
    projector.goto(facilitator.url + "/projector")
    expect(projector.locator("#progress-count")).to_have_text("2 / 2")

    facilitator.click("#reveal-button")
    for page in (*phones, projector, facilitator):
        expect(page.locator("#definitions .definition")).to_have_count(2)
    expect(phones[1].locator("#definitions")).to_contain_text("Ans · Netbeheerder Oost")
    screenshot(phones[1], "participant-revealed")
    screenshot(projector, "projector-revealed")
    facilitator.click("#close-button")
    facilitator.click("#close-confirm")  # closing asks first
    expect(phones[0].locator("#phase")).to_have_text("afgesloten")


def test_open_pages_survive_a_server_restart(browser, live_server, sessions):
    """Kill the server mid-round: the phone shows that the connection is gone, keeps the typed
    text, and resumes by itself when the server is back — with the saved definition intact."""
    from glossary import accounts, partnerships
    from glossary.meeting import rounds

    with sessions() as db:
        facilitator = accounts.create_facilitator(db, "fien", PASSWORD)
        partnership = partnerships.create_partnership(db, facilitator.id, "Regio", ["Provincie"])
        meeting = partnerships.create_meeting(db, facilitator.id, partnership.id, "Sessie", ["regie"])
        rounds.start_round(db, facilitator.id, meeting.id, term="regie")
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{live_server.url}/j/{meeting.join_code}")
    phone.fill("#name", "Ans")
    phone.select_option("#partner", "Provincie")
    phone.get_by_role("button", name="Meedoen").click()
    phone.fill("#text", "Wie de regie heeft, neemt de besluiten.")
    phone.click("#save-button")
    expect(phone.locator("#save-status")).to_contain_text("Opgeslagen om")

    live_server.kill()
    expect(phone.locator("#connection-banner")).to_be_visible(timeout=15000)
    expect(phone.locator("#connection-status")).to_have_text("Niet verbonden")
    phone.get_by_text("Voorbeeld en praktijk toevoegen").click()
    phone.fill("#example", "De provincie beslist over de planning.")
    live_server.start()
    expect(phone.locator("#connection-status")).to_have_text("Verbonden", timeout=20000)
    expect(phone.locator("#connection-banner")).to_be_hidden()
    expect(phone.locator("#text")).to_have_value("Wie de regie heeft, neemt de besluiten.")
    expect(phone.locator("#example")).to_have_value("De provincie beslist over de planning.")
    expect(phone.locator("#save-status")).to_have_text("Nog niet opgeslagen")
    phone.click("#save-button")
    expect(phone.locator("#save-status")).to_contain_text("Opgeslagen om")
