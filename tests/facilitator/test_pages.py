"""Pages a facilitator and a participant use, over HTTP."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from facilitator import create_app
from facilitator.settings import ConfigurationError
from tests.conftest import PASSWORD
from tests.facilitator.conftest import join_http, login


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_first_start_leads_to_setup_which_creates_the_first_facilitator(app):
    client = app.test_client()
    assert client.get("/").headers["Location"].endswith("/setup")
    response = client.post("/setup", data={"username": "fien", "display_name": "Fien", "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302
    assert "Fien" in client.get("/").get_data(as_text=True)
    # Once an account exists, setup is closed.
    assert app.test_client().get("/setup").headers["Location"].endswith("/login")


def test_setup_refuses_mismatched_or_short_passwords(app):
    client = app.test_client()
    response = client.post("/setup", data={"username": "fien", "password": PASSWORD, "password_again": "other"})
    assert response.status_code == 400 and "niet gelijk" in response.get_data(as_text=True)
    response = client.post("/setup", data={"username": "fien", "password": "short", "password_again": "short"})
    assert response.status_code == 400 and "minstens 10" in response.get_data(as_text=True)


def test_login_logout_and_protected_pages(app, world):
    client = app.test_client()
    assert "/login" in client.get(f"/meetings/{world.meeting_id}").headers["Location"]
    bad = client.post("/login", data={"username": "fien", "password": "nope"})
    assert bad.status_code == 401 and "verkeerd wachtwoord" in bad.get_data(as_text=True)
    login(client)
    assert client.get(f"/meetings/{world.meeting_id}").status_code == 200
    client.post("/logout")
    assert client.get(f"/meetings/{world.meeting_id}").status_code == 302


def test_login_does_not_redirect_off_site(app, world):
    response = app.test_client().post("/login?next=//evil.example/x", data={"username": "fien", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_every_form_needs_a_csrf_token(database_url, tmp_path, world):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k" * 40, "INSTANCE_PATH": str(tmp_path), "TESTING": True})
    client = app.test_client()
    assert client.post("/login", data={"username": "fien", "password": PASSWORD}).status_code == 400
    form = page(client.get("/login"))
    token = form.find("input", {"name": "csrf_token"})["value"]
    assert client.post("/login", data={"username": "fien", "password": PASSWORD, "csrf_token": token}).status_code == 302
    for path in ("/", f"/j/{world.code}", f"/partnerships/{world.partnership_id}", "/account", f"/meetings/{world.meeting_id}"):
        html = page(client.get(path))
        for each in html.find_all("form", method="post"):
            assert each.find("input", {"name": "csrf_token"}), f"form without CSRF token on {path}: {each.get('action')}"


def test_facilitator_creates_partnership_and_meeting(facilitator_http):
    response = facilitator_http.post("/partnerships", data={"name": "Energie Noord", "partners": "Netbeheerder\nProvincie\n\nprovincie"})
    assert response.status_code == 302
    partnership_page = facilitator_http.get(response.headers["Location"])
    text = partnership_page.get_data(as_text=True)
    assert "Netbeheerder" in text and text.count("Provincie") == 1
    create = page(partnership_page).find("form", action=re.compile("/meetings$"))["action"]
    response = facilitator_http.post(create, data={"title": "Sessie 1", "terms": "kwaliteit\nregie"})
    meeting_page = page(facilitator_http.get(response.headers["Location"]))
    code = meeting_page.find(id="join-code").text
    assert len(code) == 6
    assert meeting_page.find("a", href=re.compile(f"/j/{code}$"))
    assert "kwaliteit\nregie" in meeting_page.find("textarea", id="terms-text").text


def test_qr_code_and_projector(facilitator_http, world):
    svg = facilitator_http.get(f"/meetings/{world.meeting_id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    projector = page(facilitator_http.get(f"/meetings/{world.meeting_id}/projector"))
    assert world.code in projector.get_text() and projector.find("img", src=re.compile("qr.svg"))


def test_public_url_sets_the_join_link(database_url, tmp_path, world):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k" * 40, "INSTANCE_PATH": str(tmp_path),
                      "WTF_CSRF_ENABLED": False, "PUBLIC_URL": "https://samen.example.nl"})
    client = login(app.test_client())
    assert f"https://samen.example.nl/j/{world.code}" in client.get(f"/meetings/{world.meeting_id}").get_data(as_text=True)


def test_terms_form_updates_the_list(facilitator_http, world):
    facilitator_http.post(f"/meetings/{world.meeting_id}/terms", data={"terms": "vertrouwen\nkwaliteit"})
    html = facilitator_http.get(f"/meetings/{world.meeting_id}").get_data(as_text=True)
    assert "vertrouwen\nkwaliteit" in html


def test_other_facilitators_get_not_found(app, world, db):
    from glossary import accounts

    accounts.create_facilitator(db, "otto", PASSWORD)
    otto = login(app.test_client(), "otto")
    for path in (f"/meetings/{world.meeting_id}", f"/partnerships/{world.partnership_id}",
                 f"/meetings/{world.meeting_id}/projector", f"/meetings/{world.meeting_id}/qr.svg"):
        assert otto.get(path).status_code == 404, path


def test_join_by_code_lists_partners_and_remembers_the_participant(app, world):
    client = app.test_client()
    response = client.post("/join", data={"code": world.code.lower()})
    assert response.headers["Location"].endswith(f"/j/{world.code}")
    options = [o.text for o in page(client.get(f"/j/{world.code}")).select("#partner option")][1:]
    assert options == ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"]
    response = client.post(f"/j/{world.code}", data={"name": "Ans", "partner": "Gemeente Oostdam"})
    assert response.headers["Location"].endswith(f"/m/{world.code}")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A reload (or coming back through the join link) restores the same participant.
    assert client.get(f"/j/{world.code}").headers["Location"].endswith(f"/m/{world.code}")
    assert "Ans" in client.get(f"/m/{world.code}").get_data(as_text=True)


def test_join_with_a_new_partner_and_duplicate_name(app, world):
    join_http(app, world.code, "Ans", "Gemeente Oostdam")
    response = app.test_client().post(f"/j/{world.code}", data={"name": "Ans", "partner": "Gemeente Oostdam"})
    assert response.status_code == 409 and "doet al mee" in response.get_data(as_text=True)
    client = app.test_client()
    response = client.post(f"/j/{world.code}", data={"name": "Dirk", "partner": "", "partner_new": "Hogeschool Noord"})
    assert response.status_code == 302


def test_participant_page_without_cookie_goes_to_join(app, world):
    assert app.test_client().get(f"/m/{world.code}").headers["Location"].endswith(f"/j/{world.code}")


def test_wrong_code_page_says_what_to_do(app, world):
    response = app.test_client().get("/j/ZZZZZZ")
    assert response.status_code == 404 and "Controleer de 6 tekens" in response.get_data(as_text=True)


def test_account_page_creates_a_token_shown_once_and_revokes_it(facilitator_http):
    html = page(facilitator_http.post("/account", data={"label": "import"}))
    secret = html.find(id="new-token").text
    assert secret.startswith("ssp_")
    listing = facilitator_http.get("/account").get_data(as_text=True)
    assert secret not in listing and "import" in listing
    revoke = page(facilitator_http.get("/account")).find("form", action=re.compile("revoke"))["action"]
    facilitator_http.post(revoke)
    assert facilitator_http.get("/api/partnerships", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_security_headers_and_no_external_resources(app, world):
    response = app.test_client().get(f"/j/{world.code}")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for tag in page(response).find_all(["script", "link", "img"]):
        url = tag.get("src") or tag.get("href") or ""
        assert not url.startswith(("http:", "https:", "//")), url


def test_production_refuses_to_start_without_a_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"ENV": "production", "INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(ConfigurationError, match="Debug"):
        create_app({"ENV": "production", "SECRET_KEY": "s" * 40, "DEBUG": True, "INSTANCE_PATH": str(tmp_path)})


def test_development_secret_is_generated_once_and_kept(tmp_path, monkeypatch, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url}).secret_key
    second = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_time_zone_is_refused_at_start_with_what_to_set(tmp_path, database_url):
    with pytest.raises(ConfigurationError, match="TIMEZONE.*Europe/Amsterdam"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url, "TIMEZONE": "Mars/Olympus"})


@pytest.mark.parametrize("value", ["0", "twaalf", "-3"])
def test_a_pool_size_that_is_no_whole_number_is_refused_at_start(value, tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_SIZE", value)
    with pytest.raises(ConfigurationError, match="DATABASE_POOL_SIZE.*whole number of 1 or more"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url})


@pytest.mark.parametrize("name, value, least", [
    ("DATABASE_BUSY_TIMEOUT_MS", "10 s", 0), ("PROXY_HOPS", "een", 0), ("PROXY_HOPS", "-1", 0),
    ("JOB_ABANDONED_AFTER", "0", 1), ("JOB_ABANDONED_AFTER", "20s", 1),
])
def test_a_number_setting_that_is_no_number_is_refused_at_start_with_what_to_write(
        name, value, least, tmp_path, database_url, monkeypatch):
    # A bare ValueError used to stop the start with a traceback that named no setting.
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"{name}='{value}': use a whole number of {least} or more"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url})


def test_a_process_keeps_a_connection_open_for_each_event_it_handles_at_once_and_some(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    assert app.extensions["samenspraak.engine"].pool.size() == app.config["SOCKET_HANDLERS_AT_ONCE"] + 4
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    assert app.extensions["samenspraak.engine"].pool.size() == 3


def test_the_hint_for_phones_names_the_real_port_in_the_pages_language(app, world):
    client = login(app.test_client())
    # The test client asks for http://localhost:8123: the hint names that port, not 5000.
    text = page(client.get(f"/meetings/{world.meeting_id}", base_url="http://localhost:8123")).get_text(" ")
    assert "HOST=0.0.0.0 PORT=8123 PUBLIC_URL=http://<ip-van-deze-computer>:8123 make run" in text
    client.get("/lang/en", base_url="http://localhost:9000")
    text = page(client.get(f"/meetings/{world.meeting_id}", base_url="http://localhost:9000")).get_text(" ")
    assert "PUBLIC_URL=http://<ip-of-this-computer>:9000" in text and "ip-van-deze-computer" not in text
    # With a PUBLIC_URL that phones reach, there is nothing to explain.
    app.config["PUBLIC_URL"] = "http://192.168.1.20:8123"
    assert "make run" not in page(client.get(f"/meetings/{world.meeting_id}", base_url="http://localhost:9000")).get_text(" ")
