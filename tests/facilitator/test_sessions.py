"""Sessions and tokens end on the server: logout, password change and revoking a token."""

from __future__ import annotations

from glossary import accounts
from tests.conftest import PASSWORD
from tests.facilitator.conftest import login


def test_a_revoked_api_token_loses_its_facilitator_socket(app, db, world, connect):
    secret = accounts.create_api_token(db, "fien", "script")[1]
    screen = connect("facilitator", http=app.test_client(), auth={"api_token": secret})
    token_id = accounts.list_api_tokens(db, world.facilitator_id)[0].id

    browser = login(app.test_client())
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 302

    ack = screen.emit("start_round", {"term": "kwaliteit"})
    assert ack["ok"] is False and "ingetrokken" in ack["error"]
    assert screen.emit("get_state")["ok"] is False  # and stays refused


def test_logout_ends_the_session_for_copies_of_the_cookie_and_open_sockets(app, world, connect):
    browser = login(app.test_client())
    assert browser.get(f"/partnerships/{world.partnership_id}").status_code == 200
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    assert copy.get(f"/partnerships/{world.partnership_id}").status_code == 200
    screen = connect("facilitator", http=browser)
    assert screen.emit("get_state")["ok"] is True

    assert browser.post("/logout").status_code == 302

    assert copy.get(f"/partnerships/{world.partnership_id}").status_code == 302  # to the login page
    ack = screen.emit("start_round", {"term": "kwaliteit"})
    assert ack["ok"] is False and "uitgelogd" in ack["error"]
    # Another login of the same person (another device) is not affected.
    other = connect("facilitator")
    assert other.emit("start_round", {"term": "kwaliteit"})["ok"] is True


def test_a_password_change_ends_every_login_session(app, db, world, connect):
    browser = login(app.test_client())
    screen = connect("facilitator", http=browser)
    accounts.change_password(db, world.facilitator_id, PASSWORD, "een heel nieuw wachtwoord")
    assert browser.get(f"/partnerships/{world.partnership_id}").status_code == 302
    assert screen.emit("get_state")["ok"] is False
    login(app.test_client(), password="een heel nieuw wachtwoord")
