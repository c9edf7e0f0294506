"""Dutch by default, English by a switch that is remembered; every text has an English translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from glossary.readings import READING_LABELS
from tests.facilitator.conftest import join_http, login

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%|\{[a-z_]+\}")


def extracted_messages() -> Catalog:
    """What `make messages` would extract right now from the code and the templates."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog()
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        catalog.add(message, None, [(filename, lineno)])
    return catalog


@pytest.fixture(scope="module")
def english():
    with open(PO_FILE, "rb") as handle:
        return read_po(handle, locale="en")


def texts(message) -> list[str]:
    return list(message.id) + list(message.string) if isinstance(message.id, tuple) else [message.id, message.string]


def test_every_text_in_the_code_has_an_english_translation(english):
    extracted = extracted_messages()
    assert len(extracted) > 400  # sanity: the extraction found the templates and both packages
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = english.get(message.id)
        strings = [] if translated is None else ([translated.string] if isinstance(translated.string, str) else list(translated.string))
        if translated is None or translated.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(f"{message.locations[0][0]}:{message.locations[0][1]}: {message.id!r}")
    assert not missing, "Not translated into English (run `make messages` and translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders(english):
    wrong = []
    for message in english:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "Placeholders differ:\n" + "\n".join(wrong)


def page(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def switch(client, lang: str, back_to: str = "/"):
    response = client.get(f"/lang/{lang}", headers={"Referer": f"http://localhost{back_to}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(back_to)
    return client


def visible_text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def test_english_is_remembered_on_every_main_page_and_dutch_comes_back(app, world):
    facilitator = login(app.test_client())
    participant = join_http(app, world.code, "Ans", "Gemeente Oostdam")
    anonymous = app.test_client()
    pages = [
        (anonymous, "/login", "Log in as facilitator", "Inloggen als facilitator"),
        (anonymous, "/join", "Join a meeting", "Meedoen aan een bijeenkomst"),
        (anonymous, f"/j/{world.code}", "Which organisation are you representing?", "Namens welke organisatie doe je mee?"),
        (facilitator, "/", "Your partnerships", "Je samenwerkingsverbanden"),
        (facilitator, f"/partnerships/{world.partnership_id}", "Meetings", "Bijeenkomsten"),
        (facilitator, f"/meetings/{world.meeting_id}", "Open the projector view", "Projectorweergave openen"),
        (facilitator, f"/meetings/{world.meeting_id}/projector", "Join at", "Doe mee op"),
        (facilitator, f"/partnerships/{world.partnership_id}/glossary", "Search the glossary", "Zoek in de woordenlijst"),
        (facilitator, "/account", "Your account", "Je account"),
        (participant, f"/m/{world.code}", "Welcome, Ans", "Welkom, Ans"),
    ]
    for client in (facilitator, participant, anonymous):
        switch(client, "en")
    for client, url, english, dutch in pages:
        soup = page(client.get(url))
        assert soup.html["lang"] == "en", url
        text = visible_text(soup)
        assert english in text and dutch not in text, url
        # The strings the page's JavaScript shows come translated too.
        strings = soup.find("script", id="strings")
        if strings is not None:
            assert "Connected" in strings.string and "Verbonden" not in strings.string, url
        # The switch offers the way back, named in its own language (the projector has no menu).
        if not url.endswith("/projector"):
            assert soup.find("a", attrs={"lang": "nl"}).get_text() == "Nederlands", url

    for client in (facilitator, participant, anonymous):
        switch(client, "nl")
    for client, url, english, dutch in pages:
        soup = page(client.get(url))
        assert soup.html["lang"] == "nl", url
        assert dutch in visible_text(soup) and english not in visible_text(soup), url


def test_the_live_gauge_says_the_same_words_as_the_summary_and_the_framework_grid(app, world, english):
    phone = switch(join_http(app, world.code, "Ans", "Gemeente Oostdam"), "en")
    live = json.loads(page(phone.get(f"/m/{world.code}")).find("script", id="strings").string)
    assert {key: live[f"reading_{key}"] for key in READING_LABELS} == {
        key: english.get(label).string for key, label in READING_LABELS.items()}


def test_the_choice_is_a_long_lived_cookie_and_unknown_languages_change_nothing(app, world):
    client = app.test_client()
    response = client.get("/lang/en")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "Max-Age=31536000" in cookie
    assert "Set-Cookie" not in client.get("/lang/fr").headers
    assert page(client.get("/login")).html["lang"] == "en"


def test_error_messages_from_the_domain_are_translated(app, world):
    client = switch(app.test_client(), "en")
    response = client.post("/join", data={"code": "ZZZZZZ"})
    assert "No meeting with code ‘ZZZZZZ’" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": "fien", "password": "nope"})
    assert "Unknown username or wrong password." in response.get_data(as_text=True)


def test_a_socket_error_comes_back_in_the_language_of_the_phone(app, world, connect):
    english_phone = switch(join_http(app, world.code, "Ans", "Gemeente Oostdam"), "en")
    dutch_phone = join_http(app, world.code, "Bram", "Waterschap Rivierenland")
    ans = connect("participant", http=english_phone)
    bram = connect("participant", http=dutch_phone)
    facilitator = connect("facilitator")
    assert facilitator.emit("start_round", {"term": "kwaliteit"})["ok"]

    too_long = {"client_id": "a1", "text": "x" * 5000}
    ack = ans.emit("submit_definition", too_long)
    assert ack["ok"] is False
    assert ack["error"].startswith("The field ‘definition’ is too long"), ack
    ack = bram.emit("submit_definition", too_long)
    assert ack["error"].startswith("Het veld ‘definitie’ is te lang"), ack
    ack = ans.emit("start_round", {"term": "regie"})
    assert ack == {"ok": False, "error": "Only the facilitator may do this."}
    ack = bram.emit("start_round", {"term": "regie"})
    assert ack == {"ok": False, "error": "Dit mag alleen de facilitator."}


def test_dates_are_written_the_way_each_language_writes_them(app, world, db):
    client = login(app.test_client())
    url = f"/partnerships/{world.partnership_id}"
    dutch = visible_text(page(client.get(url)))
    english = visible_text(page(switch(client, "en").get(url)))
    months_nl = "jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec"
    months_en = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    assert re.search(rf"\b\d{{1,2}} ({months_nl})\.? \d{{4}}\b", dutch), dutch  # 28 nov 2026
    assert re.search(rf"\b({months_en}) \d{{1,2}}, \d{{4}}\b", english), english  # Nov 28, 2026


def test_counted_texts_reach_the_javascript_in_both_forms(app, world):
    phone = join_http(app, world.code, "Ans", "Gemeente Oostdam")
    dutch = json.loads(page(phone.get(f"/m/{world.code}")).find("script", id="strings").string)
    assert dutch["participants_count"] == {"one": "{n} deelnemer", "other": "{n} deelnemers"}
    assert dutch["definitions_count"] == {"one": "{n} definitie", "other": "{n} definities"}
    assert dutch["votes_so_far"]["one"] == "{n} van {total} heeft gereageerd"
    english = json.loads(page(switch(phone, "en").get(f"/m/{world.code}")).find("script", id="strings").string)
    assert english["nudged"] == {"one": "Reminder sent to {n} participant at {time}.", "other": "Reminder sent to {n} participants at {time}."}
    # No text with a count is left with one form only ("1 betekenissen"), nor with the old "<key>_one" pairs.
    assert not [key for key in dutch if key.endswith("_one") and key[:-4] in dutch]
    for key in ("meanings_found", "map_alt", "drift_summary", "sorting_answers", "sorting_people", "sorting_done_help",
                "meaning_size", "more_definitions"):
        assert set(dutch[key]) == {"one", "other"} and dutch[key]["one"] != dutch[key]["other"], key


def test_a_counted_domain_error_reads_as_one_or_many(app):
    from facilitator.i18n import error_message
    from glossary.errors import Conflict, ngettext

    def nudge_wait(seconds):
        return Conflict(ngettext("Er is net een seintje gestuurd; over %(num)s seconde kan het weer.",
                                 "Er is net een seintje gestuurd; over %(num)s seconden kan het weer.", seconds))

    with app.test_request_context("/"):
        assert error_message(nudge_wait(1)).endswith("over 1 seconde kan het weer.")
        assert error_message(nudge_wait(5)).endswith("over 5 seconden kan het weer.")
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert error_message(nudge_wait(1)).endswith("in 1 second.")
