"""Hostile input over HTTP: every route of the app (JSON API with a bearer token, form POSTs and
pages with a login cookie) gets junk from hypothesis in its path, query string and body.

An answer is never a 500 and never shows a traceback or exception text; the API answers errors
as ``{"ok": false, "error": ...}``; and afterwards a valid request still works. The list of
fuzzed routes is checked against ``app.url_map``, so a new route cannot go unfuzzed.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from glossary import accounts, partnerships
from glossary.entries import editing, sharing
from glossary.meeting import rounds
from tests.conftest import PASSWORD
from tests.facilitator.conftest import login
from tests.facilitator.hostile import FUZZ, JOIN_LIMITS, LEAK, LOGIN_LIMITS, assert_readable_refusal, integers, junk, texts, without_limits

ENTRY = ["term", "definition", "scope", "not_to_confuse_with", "examples", "synonyms", "condition_ids", "notes", "status",
         "change_note"]
FRAMEWORK_FILE = "file"

# (method, rule) -> the fields its body or query string has. ``file`` fields are uploads.
ROUTES: dict[tuple[str, str], list[str]] = {
    ("GET", "/"): [],
    ("GET", "/account"): [],
    ("POST", "/account"): ["label"],
    ("POST", "/account/tokens/<int:token_id>/revoke"): [],
    ("GET", "/api/meetings/<int:meeting_id>"): [],
    ("GET", "/api/meetings/<int:meeting_id>/summary"): [],
    ("GET", "/api/meetings/<int:meeting_id>/rounds/<int:round_id>"): [],
    ("GET", "/api/meetings/<int:meeting_id>/rounds/<int:round_id>/definitions"): [],
    ("GET", "/api/partnerships"): [],
    ("POST", "/api/partnerships"): ["name", "partners"],
    ("GET", "/api/partnerships/<int:partnership_id>/meetings"): [],
    ("GET", "/api/partnerships/<int:partnership_id>/glossary"): ["q", "status"],
    ("POST", "/api/partnerships/<int:partnership_id>/glossary/check"): ["text"],
    ("POST", "/api/partnerships/<int:partnership_id>/glossary"): ENTRY,
    ("GET", "/api/partnerships/<int:partnership_id>/glossary/<int:entry_id>"): [],
    ("PUT", "/api/partnerships/<int:partnership_id>/glossary/<int:entry_id>"): [*ENTRY, "base_version"],
    ("POST", "/api/partnerships/<int:partnership_id>/glossary/<int:entry_id>/comments"): ["body"],
    ("GET", "/api/partnerships/<int:partnership_id>/glossary/<int:entry_id>/diff"): ["from", "to"],
    ("GET", "/api/partnerships/<int:partnership_id>/glossary/<int:entry_id>/drift"): [],
    ("POST", "/api/partnerships/<int:partnership_id>/glossary/<int:entry_id>/revisit"): ["meeting_id", "new_meeting_title"],
    ("GET", "/api/partnerships/<int:partnership_id>/glossary/export"): ["format"],
    ("GET", "/api/partnerships/<int:partnership_id>/glossary/framework"): [],
    ("PUT", "/api/partnerships/<int:partnership_id>/glossary/framework"): ["key", "framework"],
    ("POST", "/api/partnerships/<int:partnership_id>/glossary/import"): ["content", "format", "dry_run"],
    ("GET", "/api/partnerships/<int:partnership_id>/glossary/share-links"): [],
    ("POST", "/api/partnerships/<int:partnership_id>/glossary/share-links"): ["label"],
    ("DELETE", "/api/partnerships/<int:partnership_id>/glossary/share-links/<int:link_id>"): [],
    ("POST", "/api/partnerships/<int:partnership_id>/meetings"): ["title", "terms"],
    ("GET", "/g/<token>"): ["q", "status", "by", "partial"],
    ("GET", "/g/<token>/<int:entry_id>"): [],
    ("GET", "/g/<token>/<int:entry_id>/diff"): ["from", "to"],
    ("GET", "/g/<token>/export.<fmt>"): [],
    ("GET", "/g/<token>/framework"): [],
    ("GET", "/g/<token>/print"): [],
    ("GET", "/g/<token>/check"): [],
    ("POST", "/g/<token>/check"): ["text", "file"],
    ("GET", "/j/<code>"): [],
    ("POST", "/j/<code>"): ["name", "partner", "partner_new"],
    ("GET", "/join"): ["code"],
    ("POST", "/join"): ["code"],
    ("GET", "/lang/<lang>"): [],
    ("GET", "/login"): ["next"],
    ("POST", "/login"): ["username", "password", "next"],
    ("POST", "/logout"): [],
    ("GET", "/m/<code>"): [],
    ("GET", "/m/<code>/rounds/<int:round_id>/map.svg"): [],
    ("GET", "/meetings/<int:meeting_id>"): [],
    ("GET", "/meetings/<int:meeting_id>/summary"): [],
    ("GET", "/meetings/<int:meeting_id>/summary.<fmt>"): [],
    ("GET", "/meetings/<int:meeting_id>/projector"): [],
    ("GET", "/meetings/<int:meeting_id>/qr.svg"): [],
    ("POST", "/meetings/<int:meeting_id>/terms"): ["terms"],
    ("POST", "/partnerships"): ["name", "partners"],
    ("GET", "/partnerships/<int:partnership_id>"): [],
    ("GET", "/partnerships/<int:partnership_id>/glossary"): ["q", "status", "by", "partial"],
    ("GET", "/partnerships/<int:partnership_id>/glossary/<int:entry_id>"): [],
    ("POST", "/partnerships/<int:partnership_id>/glossary/<int:entry_id>/comments"): ["body"],
    ("GET", "/partnerships/<int:partnership_id>/glossary/<int:entry_id>/diff"): ["from", "to"],
    ("GET", "/partnerships/<int:partnership_id>/glossary/<int:entry_id>/edit"): [],
    ("POST", "/partnerships/<int:partnership_id>/glossary/<int:entry_id>/edit"): [*ENTRY, "base_version"],
    ("POST", "/partnerships/<int:partnership_id>/glossary/<int:entry_id>/revisit"): ["meeting_id", "new_meeting_title"],
    ("GET", "/partnerships/<int:partnership_id>/glossary/export.<fmt>"): [],
    ("GET", "/partnerships/<int:partnership_id>/glossary/framework"): [],
    ("POST", "/partnerships/<int:partnership_id>/glossary/framework"): ["key", FRAMEWORK_FILE],
    ("GET", "/partnerships/<int:partnership_id>/glossary/import"): [],
    ("POST", "/partnerships/<int:partnership_id>/glossary/import"): ["content", "format", "action", "file"],
    ("GET", "/partnerships/<int:partnership_id>/glossary/new"): ["term"],
    ("POST", "/partnerships/<int:partnership_id>/glossary/new"): ENTRY,
    ("GET", "/partnerships/<int:partnership_id>/glossary/print"): [],
    ("GET", "/partnerships/<int:partnership_id>/glossary/share"): [],
    ("POST", "/partnerships/<int:partnership_id>/glossary/share"): ["label"],
    ("POST", "/partnerships/<int:partnership_id>/glossary/share/<int:link_id>/revoke"): [],
    ("POST", "/partnerships/<int:partnership_id>/meetings"): ["title", "terms"],
    ("POST", "/partnerships/<int:partnership_id>/partners"): ["name"],
    ("GET", "/partnerships/<int:partnership_id>/check"): [],
    ("POST", "/partnerships/<int:partnership_id>/check"): ["text", "file"],
    ("GET", "/partnerships/<int:partnership_id>/documents"): [],
    ("POST", "/partnerships/<int:partnership_id>/documents"): ["partner_id", "files"],
    ("GET", "/partnerships/<int:partnership_id>/documents/analysis"): [],
    ("POST", "/partnerships/<int:partnership_id>/documents/analyse"): [],
    ("POST", "/partnerships/<int:partnership_id>/documents/<int:document_id>/delete"): [],
    ("POST", "/partnerships/<int:partnership_id>/documents/agenda"): ["meeting_id", "term"],
    ("GET", "/partnerships/new"): [],
    ("GET", "/setup"): [],
    ("POST", "/setup"): ["username", "password", "password_again", "display_name"],
}


def app_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_fuzzed(app):
    assert app_routes(app) == set(ROUTES), "add the new route to ROUTES with the fields it reads"


@pytest.fixture
def app(app):
    # Junk reaches the code behind the limits; the limits themselves have their own tests.
    return without_limits(app, *JOIN_LIMITS, *LOGIN_LIMITS)


class Site:
    """Everything a route can name: own and foreign partnerships, a meeting with a revealed and
    analysed round, an entry, a share link, tokens; and the clients that use them."""

    def __init__(self, app, db, world):
        self.app, self.world = app, world
        self.token = accounts.create_api_token(db, "fien", "fuzz")[1]
        spare = accounts.create_api_token(db, "fien", "to revoke")[0]  # the API's own token stays valid
        entry = editing.create_entry(db, world.facilitator_id, world.partnership_id,
                                     {"term": "kwaliteit", "definition": "Zonder **fouten**.", "condition_ids": ["1.3"]})
        editing.update_entry(db, world.facilitator_id, entry.id, 1, {"term": "kwaliteit", "definition": "Zonder fouten werken."})
        share = sharing.create_share_link(db, world.facilitator_id, world.partnership_id, "partners")
        people = [partnerships.join_meeting(db, world.meeting_id, name, partner).participant
                  for name, partner in (("Ans", "Gemeente Oostdam"), ("Bram", "Waterschap Rivierenland"))]
        round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
        for person, text in zip(people, ("Foutloos werken.", "Je best doen.")):
            rounds.submit_definition(db, person.id, client_id="c", text=text)
        rounds.reveal_round(db, world.facilitator_id, round_.id)
        from glossary.meeting import meanings

        meanings.analyse_round(db, round_.id)
        accounts.create_facilitator(db, "otto", PASSWORD)
        otto = accounts.facilitator_for_token(db, accounts.create_api_token(db, "otto", "x")[1])
        foreign = partnerships.create_partnership(db, otto.id, "Elders", ["X"])
        foreign_meeting = partnerships.create_meeting(db, otto.id, foreign.id, "Elders", ["x"])
        self.ids = {
            "partnership_id": [world.partnership_id, foreign.id], "meeting_id": [world.meeting_id, foreign_meeting.id],
            "round_id": [round_.id], "entry_id": [entry.id], "link_id": [share.link.id], "token_id": [spare.id],
        }
        self.words = {"token": [share.token], "code": [world.code, foreign_meeting.join_code], "fmt": ["md", "csv", "json", "ttl"],
                      "lang": ["nl", "en"]}
        self.api_client = app.test_client()
        self.http = login(app.test_client())

    def api(self, method, path, **kwargs):
        return self.api_client.open(path, method=method, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

    def still_works(self, method: str, rule: str) -> None:
        """A valid request after the junk: the API, or a page with the login cookie."""
        world = self.world
        if rule.startswith("/api/"):
            answer = self.api("GET", f"/api/meetings/{world.meeting_id}")
            assert answer.status_code == 200 and answer.json["ok"], answer.get_data(as_text=True)[:500]
            listing = self.api("GET", f"/api/partnerships/{world.partnership_id}/glossary")
            assert listing.status_code == 200 and listing.json["entries"]
            return
        page = self.http.get(f"/partnerships/{world.partnership_id}")
        if page.status_code == 302:  # the fuzzer logged out (or in as nobody): sign in again
            self.http = login(self.app.test_client())
            page = self.http.get(f"/partnerships/{world.partnership_id}")
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        assert self.http.get(f"/partnerships/{world.partnership_id}/glossary/{self.ids['entry_id'][0]}").status_code == 200


@pytest.fixture
def site(app, db, world):
    return Site(app, db, world)


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@st.composite
def paths(draw, site: Site, rule: str):
    """The rule with real, foreign, missing, negative, huge or non-numeric values for its parts."""

    def part(match):
        converter, name = match.group(1), match.group(2)
        real = site.ids.get(name) or site.words.get(name) or []
        options = [texts(12)] + ([st.sampled_from(real)] * 3 if real else [])
        if converter == "int":
            options.append(integers().map(str))
            options.append(st.sampled_from(["0", "-1", "1.5", "1e3", "٣", "²", "9" * 10, "9" * 30, "9" * 5000, "0x1"]))
        value = draw(st.one_of(*options))
        return quote(str(value), safe="", errors="surrogatepass") or "x"

    return PARAM.sub(part, rule)


def field_values(name: str):
    if name in ("partners", "terms", "examples", "synonyms", "not_to_confuse_with", "condition_ids"):
        return st.one_of(junk(binary=False), st.lists(texts(20), max_size=5), st.sampled_from([["1.1"], ["kwaliteit", "regie"]]))
    good = {"status": ["concept", "vastgesteld", "te_herzien", "te herzien"], "format": ["csv", "json", "md", "xml"],
            "key": ["pcm", "../pcm", "PCM"], "action": ["apply", "preview"], "dry_run": ["1", "0", "false"],
            "by": ["alpha", "framework", "status"], "partial": ["1"], "from": ["1", "2"], "to": ["1", "2"],
            "base_version": [1, 2, "2"], "next": ["/account", "//evil.example", "https://evil.example", "/\\evil"],
            "username": ["fien"], "password": [PASSWORD], "term": ["kwaliteit", "nieuw"], "definition": ["Iets."]}
    return st.one_of(junk(binary=False), *([st.sampled_from(good[name])] if name in good else []))


def as_form_value(value) -> str | list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


RAW_BODIES = [b"", b"{", b"[" * 60_000, b'{"a":' * 30_000, b"\xff\xfe\x00", b"null", b'"text"', b"NaN", b"1e999999",
              b'{"name": "\\ud800"}', b'{"name": "x", "name": "y"}']


@st.composite
def requests_for(draw, site: Site, method: str, rule: str, fields: list[str]):
    path = draw(paths(site, rule))
    query = {}
    body: dict = {}
    if method in ("GET", "DELETE"):
        query = {f: draw(field_values(f)) for f in fields if draw(st.booleans())}
    else:
        body = {f: draw(field_values(f)) for f in fields if draw(st.booleans()) or draw(st.booleans())}
    if draw(st.integers(0, 3)) == 0:
        query.update(draw(st.dictionaries(texts(8), texts(20), max_size=3)))
    kwargs: dict = {}
    if query:
        flat = {str(k): as_form_value(v) for k, v in query.items()}
        path += "?" + urlencode(flat, doseq=True, errors="surrogatepass")
    if method in ("GET", "DELETE"):
        return path, kwargs
    if rule.startswith("/api/"):
        shape = draw(st.integers(0, 9))
        if shape == 0:
            kwargs.update(data=draw(st.sampled_from(RAW_BODIES)), content_type="application/json")
        elif shape == 1:
            kwargs.update(json=draw(junk(binary=False)))
        elif shape == 2:
            kwargs.update(data=urlencode({k: str(v) for k, v in body.items()}, errors="surrogatepass"))  # a form where JSON is expected
        else:
            kwargs.update(json=body)
    elif "file" in fields:
        upload = body.pop("file", None)
        form = {k: as_form_value(v) for k, v in body.items()}
        form = {k: _no_surrogates(v) for k, v in form.items()}
        if upload is not None:
            content = draw(st.sampled_from(RAW_BODIES) | texts(200).map(lambda t: t.encode("utf-8", "surrogatepass"))
                           | st.sampled_from([b'{"domains": [{"id": "1", "name": "D", "conditions": [{"id": "1.1", "name": "\\ud800<b>"}]}]}',
                                              b'{"entries": [{"term": "\\ud800' + b"x" * 200 + b'", "definition": "d"}]}',
                                              b"term,definition\n\x00,\xe2\x80\xae\n"]))
            form["file"] = (io.BytesIO(content), draw(st.sampled_from(["f.json", "f.csv", "", "x"])))
        kwargs.update(data=form, content_type="multipart/form-data")
    else:
        flat = {str(k): as_form_value(v) for k, v in body.items()}
        kwargs.update(data=urlencode(flat, doseq=True, errors="surrogatepass"), content_type="application/x-www-form-urlencoded")
    return path, kwargs


def _no_surrogates(value):
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


CSRF_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def check_answer(response, method: str, rule: str, path: str) -> None:
    status = response.status_code
    assert status < 500, (method, path, status, response.get_data(as_text=True)[:1000])
    if status < 400:
        return
    body = response.get_data(as_text=True)
    if rule.startswith("/api/") or path.startswith("/api/"):
        assert response.is_json, (path, body[:500])
        assert response.json["ok"] is False, (path, response.json)
        assert_readable_refusal(response.json["error"], (method, path))
    else:
        # The logout form's CSRF token is random text and once spelled "JiNjA".
        page = CSRF_TOKEN.sub('name="csrf_token" value=""', body)
        assert not LEAK.search(page), (method, path, LEAK.search(page).group(0))


@pytest.mark.parametrize(("method", "rule"), sorted(ROUTES, key=lambda r: (r[1], r[0])), ids=lambda v: v)
@FUZZ
@given(data=st.data())
def test_junk_requests_get_a_4xx_and_the_app_keeps_working(site, method, rule, data):
    path, kwargs = data.draw(requests_for(site, method, rule, ROUTES[(method, rule)]), label="request")
    if rule.startswith("/api/"):
        response = site.api(method, path, **kwargs)
    else:
        response = site.http.open(path, method=method, **kwargs)
    check_answer(response, method, rule, path)
    site.still_works(method, rule)


@FUZZ
@given(form=st.dictionaries(st.sampled_from(["username", "password", "password_again", "display_name"]), texts(80)))
@example(form={"username": "a\x00b", "password": "x" * 12, "password_again": "x" * 12})
def test_the_first_run_setup_form_survives_junk(app, form):
    client = app.test_client()
    response = client.post("/setup", data=urlencode(form, errors="surrogatepass"), content_type="application/x-www-form-urlencoded")
    check_answer(response, "POST", "/setup", "/setup")


NASTY = ["a\x00b", "x\ud800y", "\u202eabc", "²", "9" * 5000, " "]


@pytest.mark.parametrize("value", NASTY, ids=["nul", "surrogate", "bidi", "superscript-two", "5000-digits", "space"])
def test_every_field_of_every_route_with_one_nasty_value(site, value):
    """Deterministic sweep next to the fuzzing: the values that have broken PostgreSQL, UTF-8
    encoders or int() somewhere, in every field and path part of every route at once."""
    quoted = quote(value, safe="", errors="surrogatepass")
    for (method, rule), fields in sorted(ROUTES.items(), key=lambda r: (r[0][1], r[0][0])):
        path = PARAM.sub(lambda m: quoted if m.group(2) in ("token", "code", "fmt", "lang") or value.isdigit()
                         else str(site.ids.get(m.group(2), [1])[0]), rule)
        values = {f: ([value] if f in ("partners", "terms", "examples", "synonyms", "condition_ids") else value)
                  for f in fields if f != "file"}
        kwargs: dict = {}
        if method in ("GET", "DELETE"):
            if values:
                path += "?" + urlencode(values, doseq=True, errors="surrogatepass")
        elif rule.startswith("/api/"):
            kwargs["json"] = values
        else:
            kwargs.update(data=urlencode(values, doseq=True, errors="surrogatepass"), content_type="application/x-www-form-urlencoded")
        if rule.startswith("/api/"):
            response = site.api(method, path, **kwargs)
        else:
            response = site.http.open(path, method=method, **kwargs)
        check_answer(response, method, rule, path)
        site.still_works(method, rule)


def test_the_api_answers_a_wrong_method_a_too_large_or_too_deep_body_in_json(site):
    base = f"/api/partnerships/{site.world.partnership_id}/glossary"
    wrong_method = site.api("DELETE", base)
    assert wrong_method.status_code == 405 and wrong_method.json["ok"] is False and "GET" in wrong_method.headers["Allow"]
    too_large = site.api("POST", base, data=b"x" * (site.app.config["MAX_CONTENT_LENGTH"] + 1), content_type="application/json")
    assert too_large.status_code == 413 and "te groot" in too_large.json["error"]
    too_deep = site.api("POST", base, data=b"[" * 100_000, content_type="application/json")
    assert too_deep.status_code == 400 and too_deep.json["ok"] is False
    page = site.http.delete(f"/partnerships/{site.world.partnership_id}")
    assert page.status_code == 405 and "kan dit soort verzoek niet verwerken" in page.get_data(as_text=True)
    site.still_works("GET", "/api/")


def test_uploaded_files_with_lone_surrogates_and_deep_nesting_are_refused_or_cleaned(site):
    base = f"/partnerships/{site.world.partnership_id}/glossary"
    framework = (b'{"name": "Eigen \\ud800", "domains": [{"id": "D\\ud800", "name": "Domein \\udfff",'
                 b' "conditions": [{"id": "1.1", "name": "Voorwaarde \\ud800"}]}]}')
    uploaded = site.http.post(f"{base}/framework", data={"file": (io.BytesIO(framework), "f.json")}, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    page = site.http.get(f"{base}/framework")
    assert page.status_code == 200 and "Voorwaarde" in page.get_data(as_text=True)
    deep = site.http.post(f"{base}/framework", data={"file": (io.BytesIO(b"[" * 100_000), "f.json")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert deep.status_code == 200 and "geen geldige JSON" in deep.get_data(as_text=True)
    rows = b'{"entries": [{"term": "\\ud800' + b"x" * 200 + b'", "definition": "d"}]}'
    preview = site.http.post(f"{base}/import", data={"file": (io.BytesIO(rows), "rows.json")}, content_type="multipart/form-data")
    assert preview.status_code == 200 and "xxxx" in preview.get_data(as_text=True)
    site.still_works("GET", base)


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "9" * 30, "9" * 5000])
def test_ids_beyond_the_database_range_are_not_found(site, number):
    assert site.api("GET", f"/api/meetings/{number}").status_code == 404
    assert site.api("GET", f"/api/partnerships/{site.world.partnership_id}/glossary/{number}").status_code == 404
    assert site.http.get(f"/meetings/{number}").status_code == 404
    assert site.api("POST", f"/api/partnerships/{site.world.partnership_id}/glossary/{site.ids['entry_id'][0]}/revisit",
                    json={"meeting_id": int(number[:30])}).status_code in (400, 404)
    for bad in ("²", number):
        diff = site.api("GET", f"/api/partnerships/{site.world.partnership_id}/glossary/{site.ids['entry_id'][0]}/diff?from={bad}")
        assert diff.status_code in (400, 404) and diff.json["ok"] is False
    site.still_works("GET", "/api/")


def test_the_login_cookie_is_httponly_and_samesite(app, world):
    response = app.test_client().post("/login", data={"username": "fien", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # `make run` serves plain http on a laptop; Secure would lose the login


def test_in_production_every_cookie_is_secure_httponly_and_samesite(database_url, world, tmp_path):
    from facilitator import create_app

    app = create_app({"ENV": "production", "SECRET_KEY": "p" * 40, "DATABASE_URL": database_url,
                      "INSTANCE_PATH": str(tmp_path), "WARM_UP_MODELS": False, "ENCODE_DEFINITIONS": False,
                      "WTF_CSRF_ENABLED": False})  # the forms' CSRF tokens are tested elsewhere
    try:
        client = app.test_client()
        cookies = [
            client.post("/login", data={"username": "fien", "password": PASSWORD}).headers["Set-Cookie"],
            app.test_client().post(f"/j/{world.code}", data={"name": "Ans", "partner": "Gemeente Oostdam"}).headers["Set-Cookie"],
            client.get("/lang/en").headers["Set-Cookie"],
        ]
    finally:
        app.extensions["samenspraak.background"].shutdown()
        app.extensions["samenspraak.engine"].dispose()
    for cookie in cookies:
        assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
