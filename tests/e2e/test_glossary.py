"""The glossary in a real browser: search while typing, edit, a clear conflict, the framework grid,
and a partner reading through a share link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from glossary.entries import editing
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.browser



def test_search_edit_conflict_framework_and_share_link(browser, db, world, live_server, screenshot):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {
        "term": "kwaliteit", "definition": "Werk **zonder fouten** dat de afgesproken procedures volgt.",
        "condition_ids": ["1.3"], "examples": ["Elke stap afgevinkt op de checklist."], "status": "vastgesteld"})
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "regie", "definition": "Wie de leiding neemt."})
    url = live_server.url
    fien = browser.new_context(viewport={"width": 1280, "height": 900})
    page = fien.new_page()
    log_in(page, url)
    page.goto(f"{url}/partnerships/{world.partnership_id}")
    page.click("#glossary-link")
    expect(page.locator(".entry-term")).to_have_text(["kwaliteit", "regie"])

    # Search while typing, with an inflected form.
    page.fill("#q", "procedure")
    expect(page.locator(".entry-term")).to_have_text(["kwaliteit"])
    expect(page.locator("#result-count")).to_contain_text("1 begrip gevonden")
    screenshot(page, "glossary-search")

    page.locator(".entry-term", has_text="kwaliteit").click()
    expect(page.locator("#definition strong")).to_have_text("zonder fouten")
    edit_url = page.locator("#edit-link").get_attribute("href")

    # Two tabs edit the same version; the second save gets a conflict with both texts.
    other = fien.new_page()
    other.goto(url + edit_url)
    page.click("#edit-link")
    page.fill("#definition", "Werk zonder fouten, en op tijd.")
    page.click("#save-entry")
    expect(page.locator(".flash.success")).to_have_text("Opgeslagen.")
    expect(page.locator("#history")).to_contain_text("Versie 2")
    other.fill("#definition", "Werk dat de bewoners echt verder helpt.")
    other.click("#save-entry")
    expect(other.locator("#conflict")).to_contain_text("Iemand anders was je voor")
    expect(other.locator("#conflict-saved")).to_contain_text("Werk zonder fouten, en op tijd.")
    expect(other.locator("#conflict-mine")).to_contain_text("Werk dat de bewoners echt verder helpt.")
    expect(other.locator("#definition")).to_have_value("Werk dat de bewoners echt verder helpt.")
    screenshot(other, "glossary-conflict")
    page.reload()
    expect(page.locator("#definition")).to_contain_text("Werk zonder fouten, en op tijd.")

    # The framework grid places the term under its condition.
    page.get_by_role("link", name="Raamwerk").click()
    expect(page.locator(".framework-cell.heat")).to_have_count(12)
    expect(page.locator("#condition-1-3")).to_contain_text("kwaliteit")
    screenshot(page, "glossary-framework")

    # A read-only share link for the partners.
    page.get_by_role("link", name="Delen").click()
    page.fill("#share-label", "alle partners")
    page.get_by_role("button", name="Deellink maken").click()
    link = page.locator("#new-share-link").inner_text()
    partner = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    partner.goto(link)
    expect(partner.locator(".entry-term")).to_have_text(["kwaliteit"])  # "regie" is a draft: not shared
    partner.locator(".entry-term", has_text="kwaliteit").click()
    expect(partner.locator("#definition")).to_contain_text("op tijd")
    expect(partner.locator("#edit-link")).to_have_count(0)
    screenshot(partner, "glossary-shared-entry")
    assert re.search(r"/g/[A-Za-z0-9_-]{40,}", link)
