"""Accessibility in a real browser: axe-core (from npm) finds no serious or critical problem on any
main page, in every phase of a round; and a whole round can be done with the keyboard alone."""

from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import LAPTOP, PASSWORD, PHONE, join, log_in, new_page, open_meanings
from tests.server import ROOT

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")
pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ROOT / "test-artifacts" / "axe-report.json"
BLOCKING = ("serious", "critical")
PEOPLE = [
    ("Ans", "Gemeente Oostdam", "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen."),
    ("Bram", "Waterschap Rivierenland", "Elke stap gaat volgens protocol en wordt afgevinkt op de checklist; er mogen geen fouten in zitten."),
    ("Cor", "Zorggroep De Linde", "Je uiterste best doen om iets zo goed mogelijk te maken, met vakmanschap en toewijding."),
    ("Dirk", "Zorggroep De Linde", "De moeite en energie die je erin steekt om het mooiste resultaat neer te zetten, ook als het extra uren kost."),
]

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary })),
  }));
}"""


@pytest.fixture(scope="module")
def axe_available():
    if not AXE.exists():
        message = "axe-core is not installed: run `make install-dev` (npm ci installs it into node_modules)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Audit:
    """Runs axe on pages and keeps what it finds, so that one test reports every page at once."""

    def __init__(self):
        self.found: dict[str, list[dict]] = {}

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
        self.found[name] = violations

    def blocking(self) -> dict[str, list[dict]]:
        return {name: [v for v in found if v["impact"] in BLOCKING] for name, found in self.found.items()
                if any(v["impact"] in BLOCKING for v in found)}

    def report(self) -> str:
        lines = []
        for name, violations in self.blocking().items():
            lines.append(f"\n== {name}")
            for v in violations:
                if v["impact"] not in BLOCKING:
                    continue
                lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"][:6]:
                    lines.append(f"    at {node['target']}: {node['html']}")
                    lines.append("      " + node["summary"].replace("\n", "\n      "))
        return "\n".join(lines)

    def save(self) -> None:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(self.found, indent=2, ensure_ascii=False))


def test_no_serious_accessibility_problems_on_the_main_pages(axe_available, browser, live_server, sessions):
    from glossary import accounts, partnerships
    from glossary.entries import editing, sharing

    url = live_server.url
    audit = Audit()
    visitor = new_page(browser, PHONE)
    visitor.goto(f"{url}/setup")
    audit.check(visitor, "setup")

    with sessions() as db:
        fien = accounts.create_facilitator(db, "fien", PASSWORD, "Fien de Vries")
        partnership = partnerships.create_partnership(db, fien.id, "Zorgregio Oost", sorted({p[1] for p in PEOPLE}))
        meeting = partnerships.create_meeting(db, fien.id, partnership.id, "Startsessie", ["kwaliteit", "regie"])
        entry = editing.create_entry(db, fien.id, partnership.id, {
            "term": "samenwerking", "definition": "Samen **doelen** bereiken die je alleen niet haalt.",
            "condition_ids": ["1.3"], "examples": ["Een gezamenlijk projectteam."], "status": "vastgesteld"})
        editing.create_entry(db, fien.id, partnership.id, {"term": "regie", "definition": "Wie de leiding neemt."})
        editing.update_entry(db, fien.id, entry.id, 1, {
            "term": "samenwerking", "definition": "Samen **doelen** bereiken die je alleen niet haalt, op basis van vertrouwen.",
            "condition_ids": ["1.3"], "status": "vastgesteld"}, change_note="Vertrouwen toegevoegd")
        share_token = sharing.create_share_link(db, fien.id, partnership.id, "alle partners").token
        glossary = f"{url}/partnerships/{partnership.id}/glossary"

    for path, name in [("/", "start page"), ("/login", "login"), ("/join", "join by code"),
                       (f"/j/{meeting.join_code}", "join form")]:
        visitor.goto(url + path)
        audit.check(visitor, name)
    visitor.goto(f"{url}/join")
    visitor.fill("#code", "ZZZZZZ")
    visitor.get_by_role("button", name="Verder").click()
    expect(visitor.locator(".flash.error")).to_be_visible()
    audit.check(visitor, "join by code, wrong code")

    lead = new_page(browser)
    log_in(lead, url)
    for path, name in [("/", "facilitator's start page"), ("/partnerships/new", "new partnership"),
                       (f"/partnerships/{partnership.id}", "partnership"), ("/account", "account"),
                       (f"/partnerships/{partnership.id}/glossary", "glossary list"),
                       (f"/partnerships/{partnership.id}/glossary/{entry.id}", "glossary entry"),
                       (f"/partnerships/{partnership.id}/glossary/{entry.id}/edit", "glossary edit form"),
                       (f"/partnerships/{partnership.id}/glossary/framework", "glossary framework"),
                       (f"/partnerships/{partnership.id}/glossary/import", "glossary import"),
                       (f"/partnerships/{partnership.id}/glossary/{entry.id}/diff?from=1&to=2", "glossary version diff"),
                       (f"/partnerships/{partnership.id}/glossary/print", "glossary print view"),
                       (f"/partnerships/{partnership.id}/glossary/share", "glossary share")]:
        lead.goto(url + path)
        audit.check(lead, name)
    lead.goto(f"{glossary}?q=doel")
    audit.check(lead, "glossary search")
    visitor.goto(f"{url}/g/{share_token}")
    audit.check(visitor, "shared glossary, read only")
    visitor.goto(f"{url}/g/{share_token}/{entry.id}")
    audit.check(visitor, "shared glossary entry")

    projector = new_page(browser)
    projector.context.add_cookies(lead.context.cookies())
    projector.goto(f"{url}/meetings/{meeting.id}/projector")
    lead.goto(f"{url}/meetings/{meeting.id}")
    expect(lead.locator("#connection-status")).to_have_text("Verbonden")
    people = []
    for index, (name, partner, _text) in enumerate(PEOPLE):
        page = new_page(browser, PHONE if index % 2 == 0 else LAPTOP)
        join(page, url, meeting.join_code, name, partner)
        people.append(page)
    expect(lead.locator("#participant-count")).to_have_text("4 deelnemers")
    audit.check(people[0], "participant, waiting")
    audit.check(lead, "facilitator meeting, no round")
    audit.check(projector, "projector, no round")

    lead.get_by_role("button", name="Start ronde voor kwaliteit").click()
    expect(people[0].locator("#definition-form")).to_be_visible()
    people[0].fill("#text", PEOPLE[0][2])
    people[0].click("#save-button")
    expect(people[0].locator("#save-status")).to_contain_text("Opgeslagen om")
    expect(lead.locator("#progress-text")).to_have_text("1 van 4 ingestuurd")
    audit.check(people[0], "participant, collect")
    audit.check(lead, "facilitator meeting, collect")
    audit.check(projector, "projector, collect")
    for page, (_name, _partner, text) in zip(people[1:], PEOPLE[1:]):
        page.fill("#text", text)
        page.click("#save-button")
        expect(page.locator("#save-status")).to_contain_text("Opgeslagen om")

    lead.click("#reveal-button")
    for page in (lead, people[0], projector):
        expect(page.locator(".meaning").first).to_be_visible(timeout=60000)
    lead.click("#close-button")
    expect(lead.locator("#close-dialog")).to_be_visible()
    audit.check(lead, "facilitator meeting, confirm closing the round")
    lead.keyboard.press("Escape")
    expect(lead.locator("#close-dialog")).to_be_hidden()
    audit.check(people[0], "participant, revealed with meanings")
    audit.check(lead, "facilitator meeting, revealed with meanings")
    audit.check(projector, "projector, revealed with meanings")

    lead.click("#sort-button")
    expect(people[0].locator(".sort-progress")).to_be_visible()
    audit.check(people[0], "participant, sorting")
    people[0].get_by_role("button", name="Iets anders").click()
    expect(projector.locator("#sorting-count")).to_have_text("1 antwoord van 1 persoon")
    audit.check(people[0], "participant, sorting, answered")
    audit.check(lead, "facilitator meeting, sorting")
    audit.check(projector, "projector, sorting")

    lead.click("#discuss-button")  # straight from sorting to the discussion
    expect(people[0].locator("#phase")).to_have_text("bespreken")
    open_meanings(people[0])
    people[0].locator(".meaning-definition").filter(has_text="Je uiterste best").get_by_role("button", name="herken ik").click()
    open_meanings(people[1])
    asking = people[1].locator(".meaning-definition").filter(has_text="foutloos werken volgens de vastgelegde")
    asking.locator("summary", has_text="Stel een vraag").click()
    asking.locator("textarea").fill("Welke procedures?")
    asking.get_by_role("button", name="Versturen").click()
    expect(people[0].locator(".notice")).to_contain_text("Je hebt een vraag gekregen")
    lead.check("#projector-questions")
    expect(projector.locator("#projector-questions")).to_contain_text("Welke procedures?")
    audit.check(people[0], "participant, discuss, a question received")
    audit.check(lead, "facilitator meeting, discuss")
    audit.check(projector, "projector, discuss, questions shown")

    lead.click("#check-button")
    expect(people[0].locator("#restatement")).to_be_visible()
    audit.check(people[0], "participant, listening check")
    audit.check(projector, "projector, listening check")

    lead.click("#assemble-button")
    expect(lead.locator("#draft")).not_to_have_value("")
    expect(projector.locator("#draft-live")).to_be_visible()
    lead.fill("#draft", "Kwaliteit is foutloos werken volgens afspraken, met inzet en toewijding voor het beste resultaat.")
    expect(lead.locator("#coverage-busy")).to_be_visible()
    audit.check(lead, "facilitator meeting, checking the draft")
    audit.check(projector, "projector, the draft being written")
    expect(lead.locator("#coverage")).to_contain_text("gedekt", timeout=20000)
    lead.click("#propose-button")
    expect(people[0].locator("#consent")).to_be_visible()
    audit.check(people[0], "participant, consent")
    people[0].get_by_role("button", name="bezwaar").click()
    expect(people[0].locator("#consent .inline-error")).to_be_visible()
    audit.check(people[0], "participant, consent, objection without a reason")
    people[0].locator("#consent textarea").fill("Inzet ontbreekt.")
    people[0].get_by_role("button", name="bezwaar").click()
    expect(lead.locator("#blocked-note")).to_be_visible()
    audit.check(lead, "facilitator meeting, consent, objection")
    lead.fill("#draft", "Kwaliteit is foutloos werken volgens afspraken, met inzet en toewijding.")
    lead.click("#propose-button")
    expect(people[0].locator("#consent ins")).to_be_visible()
    audit.check(people[0], "participant, consent, proposal 2 with its changes")
    for index, page in enumerate(people):
        if index == 3:
            page.fill("#consent textarea", "Meten kan nog beter.")
            page.get_by_role("button", name="kan ermee leven").click()
        else:
            page.get_by_role("button", name="akkoord").click()
        expect(page.locator("#consent .saved")).to_be_visible()
    expect(lead.locator("#discussion-live")).to_contain_text("4 van 4 hebben gereageerd")
    audit.check(people[0], "participant, consent, voted")
    audit.check(lead, "facilitator meeting, consent")
    audit.check(projector, "projector, consent")

    lead.click("#adopt-button")
    expect(lead.locator("#adopted-note")).to_contain_text("staat in de woordenlijst")
    expect(people[0].locator("#phase")).to_have_text("afgesloten")
    expect(projector.locator("#outcome")).to_contain_text("3 akkoord · 1 kan ermee leven")
    audit.check(people[0], "participant, closed, the agreed definition")
    audit.check(projector, "projector, the agreed definition")
    audit.check(lead, "facilitator meeting, adopted")
    people[0].reload()
    expect(people[0].locator("#history")).to_contain_text("Eerder in deze bijeenkomst")
    audit.check(people[0], "participant, between rounds, earlier in this meeting")
    lead.locator("#adopted-note a").click()
    expect(lead.locator("body")).to_contain_text("Meten kan nog beter.")
    audit.check(lead, "glossary entry adopted in the meeting")

    audit.save()
    assert not audit.blocking(), "axe-core found serious or critical problems (all findings: " \
        f"{REPORT.relative_to(ROOT)}):{audit.report()}"


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            visible_focus = page.evaluate("""() => {
              const style = getComputedStyle(document.activeElement);
              return style.outlineStyle !== "none" && style.outlineWidth !== "0px" || style.boxShadow !== "none";
            }""")
            assert visible_focus, f"{selector} has the focus but does not show it"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")


def test_a_whole_round_with_the_keyboard_alone(browser, live_server, sessions):
    from glossary import accounts, partnerships

    with sessions() as db:
        fien = accounts.create_facilitator(db, "fien", PASSWORD, "Fien de Vries")
        partnership = partnerships.create_partnership(db, fien.id, "Zorgregio Oost", ["Gemeente Oostdam", "Waterschap Rivierenland"])
        meeting = partnerships.create_meeting(db, fien.id, partnership.id, "Startsessie", ["kwaliteit"])
    url = live_server.url

    lead = browser.new_context(**LAPTOP).new_page()
    lead.goto(f"{url}/login")
    # The first Tab shows a link that skips the menu.
    tab_to(lead, ".skip-link", limit=1)
    assert lead.locator(".skip-link").bounding_box()["width"] > 20
    tab_to(lead, "#username")
    lead.keyboard.type("fien")
    tab_to(lead, "#password")
    lead.keyboard.type(PASSWORD)
    lead.keyboard.press("Enter")
    expect(lead).to_have_url(f"{url}/")
    tab_to(lead, f"a[href='/partnerships/{partnership.id}']")
    lead.keyboard.press("Enter")
    expect(lead).to_have_url(f"{url}/partnerships/{partnership.id}")
    tab_to(lead, f"a[href='/meetings/{meeting.id}']")
    lead.keyboard.press("Enter")
    expect(lead).to_have_url(f"{url}/meetings/{meeting.id}")
    expect(lead.locator("#connection-status")).to_have_text("Verbonden")

    phones = []
    for name, partner, text in [("Ans", "Gemeente", "Foutloos werken volgens de afgesproken procedures."),
                                ("Bram", "Waterschap", "Je uiterste best doen voor het mooiste resultaat.")]:
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(url)
        tab_to(phone, "#code")
        phone.keyboard.type(meeting.join_code)
        phone.keyboard.press("Enter")
        expect(phone).to_have_url(f"{url}/j/{meeting.join_code}")
        tab_to(phone, "#name")
        phone.keyboard.type(name)
        tab_to(phone, "#partner")
        phone.keyboard.type(partner)  # type-ahead picks the organisation in the list
        tab_to(phone, "button[type=submit]")
        phone.keyboard.press("Enter")
        expect(phone.locator("#connection-status")).to_have_text("Verbonden")
        phones.append((phone, text))
    expect(lead.locator("#participant-count")).to_have_text("2 deelnemers")

    tab_to(lead, "#terms button")
    expect(lead.locator(":focus")).to_have_accessible_name("Start ronde voor kwaliteit")
    lead.keyboard.press("Enter")
    for phone, text in phones:
        expect(phone.locator("#term")).to_have_text("kwaliteit")
        tab_to(phone, "#text")
        phone.keyboard.type(text)
        tab_to(phone, "#save-button")
        phone.keyboard.press("Enter")
        expect(phone.locator("#save-status")).to_contain_text("Opgeslagen om")
    expect(lead.locator("#progress-text")).to_have_text("2 van 2 ingestuurd")

    tab_to(lead, "#reveal-button")
    lead.keyboard.press("Enter")
    for phone, text in phones:
        expect(phone.locator("#phase")).to_have_text("onthuld")
        expect(phone.locator("#revealed")).to_contain_text(text.split()[0])
