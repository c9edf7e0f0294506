"""The screens after a real walk-through: the projector's lobby and outcome, the phone's form,
reactions, questions and consent, the facilitator's round panel, close dialog and draft — what a
person sees on each screen, at 1920×1080 (projector) and 390×844 (phones)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, PHONE, join, log_in, open_meanings

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")
pytestmark = pytest.mark.browser

FULL_HD = {"viewport": {"width": 1920, "height": 1080}}
PEOPLE = [
    ("Ans", "Gemeente Oostdam", "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen."),
    ("Bram", "Waterschap Rivierenland", "Je uiterste best doen om iets zo goed mogelijk te maken, met vakmanschap en toewijding."),
    ("Cor", "Zorggroep De Linde", "Elke stap gaat volgens protocol en wordt afgevinkt op de checklist; er mogen geen fouten in zitten."),
]


def height(locator) -> float:
    return locator.bounding_box()["height"]


def test_a_round_on_every_screen(browser, live_server, sessions, screenshot):
    from glossary import accounts, partnerships

    with sessions() as db:
        account = accounts.create_facilitator(db, "fien", PASSWORD, "Fien de Vries")
        partnership = partnerships.create_partnership(db, account.id, "Zorgregio Oost", [p[1] for p in PEOPLE])
        meeting = partnerships.create_meeting(db, account.id, partnership.id, "Startsessie", ["kwaliteit", "regie"])
    url = live_server.url
    staff = browser.new_context(**FULL_HD)
    lead = staff.new_page()
    log_in(lead, url)
    lead.goto(f"{url}/meetings/{meeting.id}")
    expect(lead.locator("#connection-status")).to_have_text("Verbonden")
    projector = staff.new_page()
    projector.goto(f"{url}/meetings/{meeting.id}/projector")
    phones = []
    for name, partner, _text in PEOPLE:
        phone = browser.new_context(**PHONE).new_page()
        join(phone, url, meeting.join_code, name, partner)
        phones.append(phone)
    ans, bram, cor = phones

    # 12. The lobby: code large, the organisations that joined, never the people's names.
    expect(projector.locator("#organisations li")).to_have_count(3)
    expect(projector.locator("#organisations")).to_contain_text("Gemeente Oostdam")
    expect(projector.locator("#join")).not_to_contain_text("Ans")
    expect(projector.locator("#participant-count")).to_have_text("3 deelnemers")
    assert height(projector.locator("#join .code")) > 100  # readable from the back of the room
    screenshot(projector, "screens-projector-lobby")

    # 16. A round starts: the join card folds, the round panel is on top.
    lead.get_by_role("button", name="Start ronde voor kwaliteit").click()
    expect(lead.locator("#join-card")).not_to_have_attribute("open", "")
    expect(lead.locator("#join-summary")).to_contain_text(meeting.join_code)
    assert lead.locator("#round-panel").bounding_box()["y"] < lead.locator("#join-card").bounding_box()["y"]
    # 8. The running term is not "al verkend".
    expect(lead.locator("#terms")).not_to_contain_text("al verkend")
    # 12. The question on the projector while collecting.
    expect(projector.locator("#lobby-question")).to_have_text("Wat betekent kwaliteit voor jou?")
    screenshot(projector, "screens-projector-collecting")

    # 15. The phone: Opslaan right under the definition, the optional fields folded, targets ≥ 44 px.
    expect(ans.locator("#example")).to_be_hidden()
    text_box, save = ans.locator("#text").bounding_box(), ans.locator("#save-button").bounding_box()
    assert 0 < save["y"] - (text_box["y"] + text_box["height"]) < 80
    assert save["height"] >= 44
    screenshot(ans, "screens-phone-define")
    for phone, (_name, _partner, text) in zip(phones, PEOPLE):
        phone.fill("#text", text)
        phone.click("#save-button")
        expect(phone.locator("#save-status")).to_contain_text("Opgeslagen om")
    lead.click("#reveal-button")
    expect(lead.locator(".meaning").first).to_be_visible(timeout=30000)

    # 7. "Ronde afsluiten" asks first; Escape keeps the round.
    lead.click("#close-button")
    expect(lead.locator("#close-dialog")).to_be_visible()
    expect(lead.locator("#close-dialog")).to_contain_text("‘kwaliteit’ afsluiten?")
    expect(lead.locator("#close-cancel")).to_be_focused()
    lead.keyboard.press("h")  # the shortcut for "Inzamelen heropenen" rests while the dialog asks
    screenshot(lead, "screens-facilitator-close-dialog")
    lead.keyboard.press("Escape")
    expect(lead.locator("#close-dialog")).to_be_hidden()
    expect(lead.locator("#round-phase")).to_have_text("onthuld")
    expect(lead.locator("#close-button")).to_be_focused()

    lead.click("#discuss-button")
    for phone in phones:
        expect(phone.locator("#phase")).to_have_text("bespreken")
        open_meanings(phone)
    # 8. No reactions on your own definition; the group's label names the definition's number.
    own = ans.locator(".meaning-definition").filter(has_text="foutloos werken volgens de vastgelegde")
    expect(own.get_by_role("button", name="herken ik")).to_have_count(0)
    other = ans.locator(".meaning-definition").filter(has_text="Je uiterste best")
    expect(other.get_by_role("group", name="Jouw reactie op definitie 2")).to_be_visible()
    assert height(other.get_by_role("button", name="herken ik")) >= 44
    other.get_by_role("button", name="herken ik").click()
    expect(other.get_by_role("button", name="herken ik")).to_have_attribute("aria-pressed", "true")

    # 15. A question in a text area; the author is told "Je hebt een vraag gekregen".
    about_ans = bram.locator(".meaning-definition").filter(has_text="foutloos werken volgens de vastgelegde")
    about_ans.locator("summary", has_text="Stel een vraag over deze definitie").click()
    expect(about_ans.locator("textarea")).to_be_visible()
    about_ans.locator("textarea").fill("Welke procedures bedoel je?")
    about_ans.get_by_role("button", name="Versturen").click()
    expect(ans.locator(".notice")).to_contain_text("Je hebt een vraag gekregen")
    # 4. A refusal shows next to what caused it: an empty answer, right under its form.
    ans.locator(".notice a").click()
    answer_form = ans.locator(".meaning-definition").filter(has_text="Welke procedures").locator("form")
    answer_form.get_by_role("button", name="Beantwoorden").click()
    expect(answer_form.locator("xpath=following-sibling::p[contains(@class, 'inline-error')]")).to_contain_text("antwoord")
    expect(ans.locator("#action-feedback")).to_be_hidden()
    screenshot(ans, "screens-phone-question")

    # 16. Questions on the projector when the facilitator shows them.
    expect(projector.locator("#projector-questions")).to_have_count(0)
    lead.check("#projector-questions")
    expect(projector.locator("#projector-questions")).to_contain_text("Welke procedures bedoel je?")
    lead.click("#check-button")
    expect(projector.locator("#discussion")).to_contain_text("Luistercheck")

    # 17. The draft starts as one sentence and appears on the projector while it is written;
    # 16. checking its coverage says so.
    lead.click("#assemble-button")
    expect(lead.locator("#draft")).to_have_value(re.compile(r"^Kwaliteit is … \(.+\)\.$"))
    expect(projector.locator("#draft-live")).to_contain_text("Kwaliteit is …")
    lead.fill("#draft", "Kwaliteit is foutloos werken.")
    expect(lead.locator("#coverage-busy")).to_be_visible()
    expect(projector.locator("#draft-live")).to_contain_text("Kwaliteit is foutloos werken.")
    expect(lead.locator("#coverage")).to_contain_text("gedekt", timeout=20000)
    expect(lead.locator("#coverage-busy")).to_be_hidden()
    screenshot(projector, "screens-projector-draft")
    lead.click("#propose-button")

    # 14. Consent: an explanation under each choice, no tallies before your own vote.
    for phone in phones:
        expect(phone.locator("#consent")).to_be_visible()
    expect(cor.locator("#consent")).to_contain_text("Hier kan ik niet mee werken.")
    expect(cor.locator("#consent .consent-results")).to_have_count(0)
    assert height(cor.get_by_role("button", name="bezwaar")) >= 44
    # 4. bezwaar without a reason: the message stands right under the buttons.
    cor.get_by_role("button", name="bezwaar").click()
    error = cor.locator("#consent .inline-error")
    expect(error).to_have_text("Vul het veld ‘reden’ in.")
    buttons = cor.locator("#consent .choices").bounding_box()
    assert 0 <= error.bounding_box()["y"] - (buttons["y"] + buttons["height"]) < 60
    expect(cor.locator("#consent textarea")).to_be_focused()
    screenshot(cor, "screens-phone-objection-error")
    cor.locator("#consent textarea").fill("Inzet telt ook.")
    cor.get_by_role("button", name="bezwaar").click()
    expect(cor.locator("#consent .saved")).to_be_visible()
    expect(cor.locator("#consent .consent-results")).to_be_visible()
    # 14. The facilitator's way on is to amend; adopting despite it is a folded, secondary action.
    expect(lead.locator("#blocked-note")).to_be_visible()
    expect(lead.locator("#adopt-button")).to_be_hidden()
    expect(lead.locator("#override-box summary")).to_have_text("Vaststellen ondanks bezwaar…")
    expect(lead.locator("#propose-button")).to_have_text("Aanpassen en opnieuw vragen")
    screenshot(lead, "screens-facilitator-blocked")

    # 3. Proposal 2: a fresh reason box; 14. the words that changed.
    lead.fill("#draft", "Kwaliteit is foutloos werken met inzet.")
    lead.click("#propose-button")
    expect(cor.locator("#consent h2")).to_have_text("Voorstel 2")
    expect(cor.locator("#consent textarea")).to_have_value("")
    expect(cor.locator("#consent ins")).to_contain_text("met inzet.")
    expect(cor.locator("#consent del")).to_contain_text("werken.")
    screenshot(cor, "screens-phone-proposal-2")
    ans.get_by_role("button", name="akkoord").click()
    bram.get_by_role("button", name="akkoord").click()
    cor.locator("#consent textarea").fill("Meten blijft lastig.")
    cor.get_by_role("button", name="kan ermee leven").click()
    expect(lead.locator("#discussion-live")).to_contain_text("3 van 3 hebben gereageerd")
    expect(lead.locator("#adopt-button")).to_be_visible()
    lead.click("#adopt-button")

    # 13. The agreed definition, large, with the votes and the reservation.
    for screen in (projector, *phones):
        outcome = screen.locator("#outcome")
        expect(outcome).to_contain_text("Kwaliteit is foutloos werken met inzet.", timeout=20_000)  # the adoption writes the entry
        expect(outcome).to_contain_text("2 akkoord · 1 kan ermee leven")
        expect(outcome).to_contain_text("Meten blijft lastig.")
    screenshot(projector, "screens-projector-outcome")
    screenshot(bram, "screens-phone-outcome")

    # 9. After a reload the closed round stays in view: "Eerder in deze bijeenkomst".
    ans.reload()
    lead.reload()
    for screen in (ans, lead):
        expect(screen.locator("#history")).to_contain_text("Eerder in deze bijeenkomst")
        expect(screen.locator("#history")).to_contain_text("Kwaliteit is foutloos werken met inzet.")
    expect(lead.locator("#terms li").filter(has_text="kwaliteit")).to_contain_text("al verkend")

    # 2. The next round starts clean on the projector: no listening check, no outcome.
    lead.get_by_role("button", name="Start ronde voor regie").click()
    expect(projector.locator("#lobby-question")).to_have_text("Wat betekent regie voor jou?")
    expect(projector.locator("#outcome")).to_have_count(0)
    expect(projector.locator("body")).not_to_contain_text("Luistercheck")
    expect(projector.locator("#draft-live")).to_have_count(0)
    expect(ans.locator("#outcome")).to_have_count(0)

    # 7. Closing by keyboard: Enter opens the dialog, Tab to the confirmation, Enter closes.
    # (First the facilitator's screen shows the new round: its panel re-renders when it arrives.)
    expect(lead.locator("#round-phase")).to_have_text("definities verzamelen")
    expect(lead.locator("#close-button")).to_be_enabled()
    lead.locator("#close-button").focus()
    lead.keyboard.press("Enter")
    expect(lead.locator("#close-dialog")).to_be_visible()
    lead.keyboard.press("Tab")
    expect(lead.locator("#close-confirm")).to_be_focused()
    lead.keyboard.press("Enter")
    expect(lead.locator("#round-phase")).to_have_text("afgesloten")
    expect(lead.locator("#history")).to_contain_text("regie")
    screenshot(lead, "screens-facilitator-after")
