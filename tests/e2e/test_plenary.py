"""A plenary in real browsers: a round of many definitions reaches the phone as meanings with
their representatives; the phone opens a meaning's definitions page by page and searches them all;
the projector shows the meanings and never a wall of definitions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from glossary.models import Participant
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.helpers import PHONE, join, log_in, new_page
from tests.plenary import seed_plenary

pytestmark = pytest.mark.browser

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
OWN_TEXT = "Dat het klopt voor de mensen om wie het gaat, niet alleen op papier."


def open_screens(browser, url, world, db, count):
    """Facilitator (laptop), projector (1920×1080, same login) and one phone; then the plenary is
    seeded in the database with the phone's own definition among them, and every screen reloads."""
    fien = new_page(browser)
    log_in(fien, url)
    projector = new_page(browser, PROJECTOR)
    log_in(projector, url)
    phone = new_page(browser, PHONE)
    join(phone, url, world.code, "Zoë", "Gemeente Oostdam")
    zoe = db.scalar(select(Participant).where(Participant.name == "Zoë"))
    seed_plenary(db, world, count, also={zoe.id: OWN_TEXT})
    fien.goto(f"{url}/meetings/{world.meeting_id}")
    projector.goto(f"{url}/meetings/{world.meeting_id}/projector")
    phone.reload()
    for page in (fien, projector, phone):
        expect(page.locator("#connection-status")).to_have_text("Verbonden")
    return fien, projector, phone


def test_a_plenary_on_phone_projector_and_facilitator(browser, live_server, world, db, screenshot):
    fien, projector, phone = open_screens(browser, live_server.url, world, db, 120)

    # The phone: eight meanings summarised, its own in the open one, no list of all definitions.
    meanings = phone.locator("#analysis details.meaning")
    expect(meanings).to_have_count(8)
    expect(phone.locator("#all-definitions")).to_be_hidden()
    expect(phone.locator("#analysis")).to_contain_text("8 betekenissen in 121 definities")
    mine = phone.locator("details.meaning[open]")
    expect(mine).to_have_count(1)
    expect(mine.locator(":scope > summary")).to_contain_text("jouw definitie staat hier")
    expect(mine.locator(".meaning-definition.mine")).to_contain_text(OWN_TEXT)
    expect(phone.locator("figure.map figcaption")).to_contain_text("Steekproef van 121 van de 121 definities.")

    # Another meaning: its representative at once, the others behind "Toon definities (15)".
    other = meanings.nth(1) if meanings.nth(0).get_attribute("open") is not None else meanings.nth(0)
    other.locator(":scope > summary").click()
    expect(other.locator(".meaning-definition.representative")).to_have_count(1)
    fold = other.locator("details.paged-definitions")
    expect(fold.locator("summary")).to_have_text(re.compile(r"Toon definities \(1[56]\)"))
    fold.locator("summary").click()
    expect(fold.locator(".page-status")).to_have_text(re.compile(r"1[45] van 1[56] getoond"))
    assert fold.locator(".meaning-definition").count() >= 14

    # Search over all 121: 60 contain "kwaliteit"; a page of 50, then "Meer".
    phone.fill("#definition-search", "KWALITEIT")
    results = phone.locator(".definition-search")
    expect(results.locator(".page-status")).to_have_text("50 van 60 getoond")
    results.get_by_role("button", name="Meer").click()
    expect(results.locator(".page-status")).to_have_text("60 van 60 getoond")
    expect(results.locator(".meaning-definition")).to_have_count(60)
    phone.fill("#definition-search", "nr. 117)")
    expect(results.locator(".meaning-definition")).to_have_count(1)
    expect(results.locator(".meaning-definition")).to_contain_text("Deelnemer 0117")

    # The projector: meanings with representative and partners, never a list of definitions.
    expect(projector.locator("#analysis .meaning")).to_have_count(8)
    expect(projector.locator("#analysis .meaning .representative")).to_have_count(8)
    expect(projector.locator("#analysis .meaning .holders").first).to_be_visible()
    expect(projector.locator("#definitions li")).to_have_count(0)
    expect(projector.locator("details.paged-definitions, .definition-search, .more-button")).to_have_count(0)

    # The facilitator: a meaning's page loads and a rename reaches the phone.
    card = fien.locator("#analysis article.meaning").first
    card.locator("details.paged-definitions summary").click()
    expect(card.locator(".paged .meaning-definition").first).to_be_visible()
    expect(card.locator(".paged .meaning-definition select").first).to_be_visible()  # move it elsewhere
    label = card.locator(".corrections input").first
    label.fill("Protocol en checklist")
    card.get_by_role("button", name="Hernoem").click()
    expect(phone.locator("#analysis")).to_contain_text("Protocol en checklist")
    # The phone kept its search and what it had opened through the new version of the meanings.
    expect(phone.locator("#definition-search")).to_have_value("nr. 117)")
    expect(fold.locator(".page-status")).to_have_text(re.compile(r"1[45] van 1[56] getoond"))


def test_a_thousand_definitions_fit_the_screens(browser, live_server, world, db, screenshot):
    fien, projector, phone = open_screens(browser, live_server.url, world, db, 1000)
    expect(projector.locator("#analysis .meaning")).to_have_count(8)
    expect(projector.locator("#analysis img, #analysis .partner-table:visible")).to_have_count(0)  # meanings only
    # Eight meanings fit the projector's screen: nothing to scroll.
    screenshot(projector, "plenary-projector-1000")
    height = projector.evaluate("document.documentElement.scrollHeight")
    assert height <= 1080, height
    expect(phone.locator("#analysis")).to_contain_text("1001 definities")
    expect(phone.locator("figure.map figcaption")).to_contain_text("Steekproef van 200 van de 1001 definities.")
    screenshot(phone, "plenary-phone-1000")
    fien.locator("#analysis article.meaning").first.locator("details.paged-definitions summary").click()
    expect(fien.locator(".paged .meaning-definition")).to_have_count(50)
    fien.set_viewport_size({"width": 1920, "height": 1080})
    fien.locator("#analysis .meanings").scroll_into_view_if_needed()
    fien.screenshot(path=str(SCREENSHOTS / "plenary-facilitator-1000.png"))  # the screen as seen, not the whole page
