"""Partners' documents in a real browser: upload for three partners, see the ranked words with
examples, put one on a meeting's agenda; check a pasted text and see the marks. Saves screenshots
in docs/screenshots/ (1920×1080 and 390×844)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from glossary import partnerships
from glossary.entries import editing
from tests.e2e.helpers import log_in, new_page
from tests.e2e.test_accessibility import AXE, BLOCKING, RUN_AXE
from tests.server import ROOT

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs" / "screenshots"
CORPUS = ROOT / "bench" / "data" / "terms_corpus"
WIDE = {"viewport": {"width": 1920, "height": 1080}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
UPLOADS = {"Gemeente Oostdam": "Gemeente", "Waterschap Rivierenland": "Netbeheerder", "Zorggroep De Linde": "Woningcorporatie"}
DRAFT = ("Convenant. De partners leggen de kwaliteitseisen vast in afspraken. "
         "Elke partner houdt de regie over de eigen participatie, en de begroting volgt in het najaar.")


def serious_problems(page) -> list[dict]:
    """axe-core's serious and critical findings on the page (none expected)."""
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def test_find_confusing_words_put_one_on_the_agenda_and_check_a_draft(browser, db, world, live_server):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "begroting", "definition": "Het financiële plan voor het komende jaar.", "status": "vastgesteld"})
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "afspraak", "definition": "Wat de partners samen schriftelijk vastleggen.", "status": "vastgesteld"})
    DOCS.mkdir(parents=True, exist_ok=True)
    url = live_server.url
    page = new_page(browser, WIDE)
    log_in(page, url)
    page.goto(f"{url}/partnerships/{world.partnership_id}")
    page.click("#documents-link")
    for partner, folder in UPLOADS.items():
        page.select_option("#partner_id", label=partner)
        page.set_input_files("#files", [str(p) for p in sorted((CORPUS / folder).glob("*.txt"))])
        page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#documents li")).to_have_count(9)

    page.click("#analyse")
    expect(page.locator("#terms > li").first).to_be_visible(timeout=120_000)
    terms = page.locator("#terms > li h3")
    first_terms = [t.split(" ")[0] for t in terms.all_inner_texts()[:6]]
    assert {"regie", "participatie", "eigenaarschap", "kwaliteit"} & set(first_terms), first_terms
    regie = page.locator("#terms > li", has=page.locator("h3", has_text="regie")).first
    expect(regie.locator(".partner-use")).to_have_count(3)
    expect(regie.locator("q.kwic mark").first).to_have_text("regie", ignore_case=True)
    assert serious_problems(page) == []
    page.evaluate("document.getElementById('terms-h').scrollIntoView()")
    page.screenshot(path=str(DOCS / "documents-terms-wide.png"))

    regie.get_by_role("button", name="Op de agenda").click()
    expect(regie.get_by_role("button", name="Op de agenda gezet")).to_be_disabled()
    meeting = partnerships.require_meeting(db, world.meeting_id)
    db.refresh(meeting)
    assert "regie" in [t.text for t in meeting.terms]

    phone = new_page(browser, PHONE)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{url}/partnerships/{world.partnership_id}/documents")
    expect(phone.locator("#terms > li").first).to_be_visible()
    phone.evaluate("document.getElementById('terms-h').scrollIntoView()")
    phone.screenshot(path=str(DOCS / "documents-terms-phone.png"))

    page.goto(f"{url}/partnerships/{world.partnership_id}")
    page.click("#check-link")
    page.fill("#text", DRAFT)
    page.get_by_role("button", name="Controleren").click()
    marks = page.locator("#checked mark")
    expect(marks.filter(has_text="kwaliteitseisen")).to_have_class("unsettled")  # on the meeting's list, not agreed
    expect(marks.filter(has_text="afspraken")).to_have_attribute("title", "Wat de partners samen schriftelijk vastleggen.")
    expect(marks.filter(has_text="begroting")).to_have_class("agreed")
    expect(marks.filter(has_text="regie")).to_have_class("unsettled")
    page.screenshot(path=str(DOCS / "check-text-wide.png"))
    assert serious_problems(page) == []
    phone.goto(f"{url}/partnerships/{world.partnership_id}/check")
    phone.fill("#text", DRAFT)
    phone.get_by_role("button", name="Controleren").click()
    expect(phone.locator("#checked mark").first).to_be_visible()
    phone.screenshot(path=str(DOCS / "check-text-phone.png"), full_page=True)
