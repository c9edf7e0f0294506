"""The meeting summary in a real browser: reached from the meeting, it shows every revealed term
with its meanings, agreed definition and reservations; it prints without its controls, passes axe,
and its Markdown download says the same."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, new_page
from tests.e2e.test_accessibility import Audit, axe_available  # noqa: F401 - fixture
from tests.summary_data import summarised_meeting

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")
pytestmark = pytest.mark.browser


def test_summary_page_print_and_markdown_download(browser, db, world, live_server, screenshot, axe_available):
    summarised_meeting(db, world)
    url = live_server.url
    fien = new_page(browser)
    log_in(fien, url)
    fien.goto(f"{url}/meetings/{world.meeting_id}")
    fien.click("#summary-link")
    expect(fien).to_have_url(f"{url}/meetings/{world.meeting_id}/summary")
    expect(fien.get_by_role("heading", level=1)).to_have_text("Samenvatting: Startbijeenkomst")
    expect(fien.locator(".summary-term")).to_have_text(["kwaliteit", "regie", "vertrouwen"])

    kwaliteit = fien.locator(".summary-round").nth(0)
    expect(kwaliteit.locator(".meaning-label")).to_have_text(["Foutloos volgens protocol", "Inzet en vakmanschap"])
    expect(kwaliteit.locator(".summary-divergence")).to_contain_text(re.compile(r"Verschil tussen de betekenissen:\s+\S.* \(afstand \d+%\)"))
    expect(kwaliteit.get_by_role("heading", name="Vastgestelde definitie")).to_be_visible()
    expect(kwaliteit.locator(".summary-adopted")).to_have_text("Kwaliteit is foutloos werken, met inzet.")
    expect(kwaliteit.locator(".summary-remarks li")).to_have_text([
        "bezwaar — Cor · Zorggroep De Linde: Inzet telt ook mee.",
        "kan ermee leven — Bram · Waterschap Rivierenland: Mits we het meten.",
    ])
    expect(kwaliteit.locator(".summary-override")).to_contain_text("Tijdsdruk; volgend kwartaal herzien.")
    regie = fien.locator(".summary-round").nth(1)
    expect(regie.get_by_role("heading", name="Laatste voorstel (2), niet vastgesteld")).to_be_visible()
    expect(regie.locator(".summary-remarks li").first).to_have_text("bezwaar — Gemeente Oostdam: Te vaag over het geld.")
    expect(fien.locator(".summary-round").nth(2).locator(".summary-remarks li")).to_have_text(
        ["kan ermee leven — anoniem: Alleen binnen het project."])
    screenshot(fien, "meeting-summary")

    audit = Audit()
    audit.check(fien, "meeting summary")
    assert not audit.blocking(), "axe-core found serious or critical problems:" + audit.report()

    # The adopted definition links to its glossary entry.
    with fien.expect_navigation():
        kwaliteit.locator(".entry-link").click()
    expect(fien.locator("#definition")).to_contain_text("Kwaliteit is foutloos werken, met inzet.")
    fien.go_back()

    # Printed (or saved as PDF from the print dialog) without buttons, menu or hints.
    fien.emulate_media(media="print")
    expect(fien.locator(".print-actions")).to_be_hidden()
    expect(fien.locator("header.site")).to_be_hidden()
    expect(fien.locator(".summary-adopted").first).to_be_visible()
    screenshot(fien, "meeting-summary-print")
    fien.emulate_media(media="screen")

    with fien.expect_download() as downloading:
        fien.get_by_role("link", name="Markdown downloaden").click()
    download = downloading.value
    assert re.fullmatch(r"samenvatting-startbijeenkomst-\d{4}-\d{2}-\d{2}\.md", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as handle:
        markdown = handle.read()
    assert markdown.startswith("# Samenvatting: Startbijeenkomst")
    assert "### Vastgestelde definitie\n\n> Kwaliteit is foutloos werken, met inzet." in markdown
    assert "1. **Foutloos volgens protocol** — 2 definities · Gemeente Oostdam, Waterschap Rivierenland" in markdown
    assert "- **kan ermee leven** — Bram · Waterschap Rivierenland: Mits we het meten." in markdown

    with fien.expect_download() as downloading:
        fien.get_by_role("link", name="PDF downloaden").click()
    assert downloading.value.suggested_filename.endswith(".pdf")
    with open(downloading.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
