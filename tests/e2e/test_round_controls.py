"""The facilitator's conveniences in real browsers: a timer that the projector and phones show,
a reminder to those who have not written yet, closing submissions, keyboard shortcuts for the
phase controls, and starting a term afresh."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, join, log_in, new_page
from tests.e2e.test_accessibility import Audit, axe_available  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_timer_reminder_lock_shortcuts_and_restart(browser, world, live_server, screenshot, axe_available):
    audit = Audit()
    url = live_server.url
    fien = new_page(browser)
    log_in(fien, url)
    fien.goto(f"{url}/meetings/{world.meeting_id}")
    expect(fien.locator("#connection-status")).to_have_text("Verbonden")
    projector = new_page(browser, context=fien.context)
    projector.goto(f"{url}/meetings/{world.meeting_id}/projector")
    ans, bram = new_page(browser, PHONE), new_page(browser, PHONE)
    join(ans, url, world.code, "Ans", "Gemeente Oostdam")
    join(bram, url, world.code, "Bram", "Waterschap Rivierenland")

    fien.get_by_role("button", name="Start ronde voor kwaliteit").click()
    expect(ans.locator("#term")).to_have_text("kwaliteit")

    # A three-minute timer, started with the keyboard shortcut T, counts down on every screen.
    fien.fill("#timer-minutes", "3")
    fien.locator("body").click(position={"x": 5, "y": 5})
    fien.keyboard.press("t")
    for page in (fien, projector, ans):
        expect(page.locator("#timer")).to_have_text(re.compile(r"Nog (3:00|2:[0-5]\d)"))
    screenshot(projector, "projector-timer")

    # One minute more, by the button.
    fien.get_by_role("button", name="+1 minuut").click()
    expect(projector.locator("#timer")).to_have_text(re.compile(r"Nog (4:00|3:[0-5]\d)"))

    # Ans writes; a reminder reaches Bram only, gently.
    ans.fill("#text", "Doen wat we hebben afgesproken.")
    ans.click("#save-button")
    expect(ans.locator("#save-status")).to_contain_text("Opgeslagen om")
    fien.keyboard.press("s")
    expect(fien.locator("#nudge-note")).to_contain_text("Seintje gestuurd aan 1 deelnemer om")
    expect(bram.locator("#nudge-note")).to_contain_text("De groep wacht nog op jouw definitie van ‘kwaliteit’")
    expect(ans.locator("#nudge-note")).to_be_hidden()
    screenshot(bram, "participant-reminder")

    # Submissions closed: Bram can no longer save, and he is told why.
    fien.get_by_role("button", name="Inzenden sluiten").click()
    expect(bram.locator("#locked-note")).to_be_visible()
    expect(bram.locator("#save-button")).to_be_disabled()
    expect(projector.locator("#locked-badge")).to_be_visible()
    expect(fien.get_by_role("button", name="Inzenden weer openen")).to_be_visible()
    expect(fien.locator("#locked-badge")).to_have_text("inzenden gesloten")
    screenshot(fien, "facilitator-controls")
    audit.check(fien, "facilitator: timer running, submissions closed")
    audit.check(bram, "participant: reminder, submissions closed")
    audit.check(projector, "projector: timer, submissions closed")

    # The shortcut list opens with "?" and names the reveal key; O reveals.
    fien.keyboard.press("?")
    expect(fien.locator("#shortcut-list")).to_contain_text("O Alles onthullen")
    fien.keyboard.press("o")
    expect(bram.locator("#definitions")).to_contain_text("Doen wat we hebben afgesproken.")
    expect(projector.locator("#timer")).to_be_hidden()  # the countdown belonged to collecting

    # Typing in a text field never triggers a shortcut.
    fien.fill("#new-term", "")
    fien.locator("#new-term").press("h")
    expect(fien.locator("#round-phase")).to_have_text("onthuld")

    # Starting afresh: after a confirmation, everyone gets an empty round for the same term.
    fien.once("dialog", lambda dialog: dialog.accept())
    fien.get_by_role("button", name="Opnieuw beginnen").click()
    for page in (ans, bram):
        expect(page.locator("#phase")).to_have_text("definities verzamelen")
        expect(page.locator("#text")).to_have_value("")
        expect(page.locator("#revealed")).to_be_hidden()
    expect(fien.locator("#progress-text")).to_have_text("0 van 2 ingestuurd")
    expect(ans.locator("#locked-note")).to_be_hidden()
    assert not audit.blocking(), audit.report()
