"""The room sorts in real browsers: five phones answer card by card, the projector's meanings
regroup live and the facilitator ends the step. Saves the README's screenshots (docs/screenshots/ with UPDATE_DOC_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import LAPTOP, PASSWORD, PHONE, join, log_in, new_page
from tests.server import ROOT

pytestmark = pytest.mark.browser

# The README's pictures are rewritten only when asked (UPDATE_DOC_SCREENSHOTS=1), so that a test
# run leaves the checkout as it found it; otherwise they go with the other test screenshots.
DOCS = ROOT / ("docs" if os.environ.get("UPDATE_DOC_SCREENSHOTS") else "test-artifacts") / "screenshots"
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
PARTNERS = ["Netbeheerder Oost", "Provincie", "Gemeente Deventer"]
# name, partner, family (what the author means), text
PEOPLE = [
    ("Ans", PARTNERS[0], "foutloos", "Foutloos werken volgens de afgesproken procedures."),
    ("Bram", PARTNERS[1], "foutloos", "Alles volgens protocol afvinken op de checklist, zodat er geen fouten zijn."),
    ("Cor", PARTNERS[2], "moeite", "Je uiterste best doen om iets zo mooi mogelijk te maken, met toewijding."),
    ("Dirk", PARTNERS[0], "moeite", "Zo goed mogelijk werk afleveren met vakmanschap, ook als het extra uren kost."),
    ("Eva", PARTNERS[1], "aandacht", "Hoeveel aandacht en prioriteit het bestuur eraan geeft, in tijd en geld."),
]
FAMILY = {text: family for _n, _p, family, text in PEOPLE}
ANSWER = {"same": "Betekent hetzelfde als de mijne", "different": "Iets anders", "unsure": "Weet ik niet"}


def shot(page, name):
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / name))  # the viewport: what the room (or the thumb) sees


def answer_all_cards(phone, family, name):
    expect(phone.locator(".sort-own-text")).to_be_visible()
    total = int(re.search(r"van (\d+)", phone.locator(".sort-progress").inner_text()).group(1))
    for number in range(1, total + 1):
        expect(phone.locator(".sort-progress")).to_have_text(f"{number} van {total}")
        other = phone.locator(".sort-card.other .sort-text").inner_text()
        verdict = "same" if FAMILY[other] == family else "different"
        if name == "Eva" and number == 1:
            verdict = "unsure"  # one honest "weet ik niet": counted, but left out of the grouping
        phone.get_by_role("button", name=ANSWER[verdict]).click()
    expect(phone.locator(".sort-done")).to_be_visible()
    return total


def authors_by_meaning(page):
    """The authors' names per meaning card on a screen (the projector folds all but the
    representative definition behind "meer", so the text counts, not only what is shown)."""
    return [
        {name for name, *_rest in PEOPLE if f"{name} ·" in card.text_content()}
        for card in page.locator("#analysis article.meaning").all()
    ]


def test_the_room_sorts_and_the_projector_regroups_live(browser, live_server, sessions, screenshot):
    from glossary import accounts, partnerships

    with sessions() as db:
        fien = accounts.create_facilitator(db, "fien", PASSWORD, "Fien de Vries")
        partnership = partnerships.create_partnership(db, fien.id, "Energieregio Oost", PARTNERS)
        meeting = partnerships.create_meeting(db, fien.id, partnership.id, "Startsessie", ["kwaliteit"])
    url = live_server.url
    lead = new_page(browser, LAPTOP)
    log_in(lead, url)
    lead.goto(f"{url}/meetings/{meeting.id}")
    expect(lead.locator("#connection-status")).to_have_text("Verbonden")
    projector = new_page(browser, PROJECTOR)
    log_in(projector, url)
    projector.goto(f"{url}/meetings/{meeting.id}/projector")

    phones = []
    for name, partner, _family, _text in PEOPLE:
        phone = new_page(browser, PHONE)
        join(phone, url, meeting.join_code, name, partner)
        phones.append(phone)
    onlooker = new_page(browser, PHONE)
    join(onlooker, url, meeting.join_code, "Fleur", PARTNERS[2])

    lead.get_by_role("button", name="Start ronde voor kwaliteit").click()
    for phone, (_name, _partner, _family, text) in zip(phones, PEOPLE):
        phone.fill("#text", text)
        phone.click("#save-button")
        expect(phone.locator("#save-status")).to_contain_text("Opgeslagen om")
    lead.click("#reveal-button")
    expect(projector.locator("#analysis article.meaning").first).to_be_visible(timeout=90_000)
    first_version = int(projector.locator("#analysis").get_attribute("data-version"))
    shot(projector, "reveal-projector.png")

    # Sorting is the main next step; skipping it is possible.
    expect(lead.get_by_role("button", name="Sorteren starten")).to_be_visible()
    expect(lead.get_by_role("button", name="Overslaan: meteen bespreken")).to_be_visible()
    lead.get_by_role("button", name="Sorteren starten").click()
    expect(lead.get_by_role("button", name="Sorteren afronden")).to_be_visible()
    expect(projector.locator("#sorting-count")).to_have_text("0 antwoorden van 0 mensen")
    expect(onlooker.locator("#sorting")).to_contain_text("geen definitie ingestuurd")

    expect(phones[0].locator(".sort-progress")).to_have_text("1 van 4")
    shot(phones[0], "sorting-phone.png")
    screenshot(onlooker, "sorting-phone-without-definition")
    answers = 0
    for index, (phone, (name, _partner, family, _text)) in enumerate(zip(phones, PEOPLE)):
        answers += answer_all_cards(phone, family, name)
        people = index + 1
        expected = f"{answers} antwoorden van {people} {'persoon' if people == 1 else 'mensen'}"
        expect(projector.locator("#sorting-count")).to_have_text(expected)
        expect(lead.locator("#sorting-count")).to_have_text(expected)
        if index == 2:
            shot(projector, "sorting-projector.png")
            screenshot(lead, "sorting-facilitator")
    # A reload resumes where the phone was: all answered.
    phones[1].reload()
    expect(phones[1].locator(".sort-done")).to_be_visible()
    screenshot(phones[1], "sorting-phone-done")

    # The meanings follow the room: every author's family together, and nothing else with it.
    families = [{n for n, _p, f, _t in PEOPLE if f == family} for family in ("foutloos", "moeite", "aandacht")]
    expect(projector.locator("#analysis")).not_to_have_attribute("data-version", str(first_version), timeout=60_000)
    for _attempt in range(60):
        if sorted(map(sorted, authors_by_meaning(projector))) == sorted(map(sorted, families)):
            break
        projector.wait_for_timeout(500)
    assert sorted(map(sorted, authors_by_meaning(projector))) == sorted(map(sorted, families))
    assert sorted(map(sorted, authors_by_meaning(lead))) == sorted(map(sorted, families))

    lead.get_by_role("button", name="Sorteren afronden").click()
    expect(projector.locator("#phase")).to_have_text("onthuld")
    expect(projector.locator("#sorting-box")).to_be_hidden()
    expect(phones[0].locator("#sorting")).to_be_hidden()
    expect(lead.get_by_role("button", name="Bespreken starten")).to_be_visible()
    shot(projector, "meanings-final-projector.png")
