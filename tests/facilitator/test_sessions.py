"""Sessions and tokens end on the server: logout, password change and revoking a token."""

from __future__ import annotations

from glossary import accounts
from tests.conftest import PASSWORD
from tests.facilitator.conftest import NS, login


def test_a_revoked_api_token_loses_its_facilitator_socket(app, db, world, connect):
    secret = accounts.create_api_token(db, "fien", "script")[1]
    screen = connect("facilitator", http=app.test_client(), auth={"api_token": secret})
    projector = connect("projector", http=app.test_client(), auth={"api_token": secret})
    token_id = accounts.list_api_tokens(db, world.facilitator_id)[0].id

    browser = login(app.test_client())
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    # This process closes the token's connections at once.
    assert not screen.client.is_connected(NS) and not projector.client.is_connected(NS)


def test_a_socket_on_another_process_is_refused_on_its_next_event_after_revoking(app, db, world, connect):
    secret = accounts.create_api_token(db, "fien", "script")[1]
    screen = connect("facilitator", http=app.test_client(), auth={"api_token": secret})
    # Revoked elsewhere (another server process, the command line): nothing closed this socket.
    accounts.revoke_api_token(db, world.facilitator_id, accounts.list_api_tokens(db, world.facilitator_id)[0].id)
    ack = screen.emit("start_round", {"term": "kwaliteit"})
    assert ack["ok"] is False and "ingetrokken" in ack["error"]
    assert screen.emit("get_state")["ok"] is False  # and stays refused
    connect("participant", "Ans", "Gemeente Oostdam")
    assert screen.events("participants") == []  # out of the staff room: no more names


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
    assert not screen.client.is_connected(NS)
    # Another login of the same person (another device) is not affected.
    other = connect("facilitator")
    assert other.emit("start_round", {"term": "kwaliteit"})["ok"] is True


def test_a_password_change_ends_every_login_session(app, db, world, connect):
    browser = login(app.test_client())
    screen = connect("facilitator", http=browser)
    accounts.change_password(db, world.facilitator_id, PASSWORD, "een heel nieuw wachtwoord")
    assert browser.get(f"/partnerships/{world.partnership_id}").status_code == 302
    ack = screen.emit("get_state")
    assert ack["ok"] is False and "uitgelogd" in ack["error"]
    login(app.test_client(), password="een heel nieuw wachtwoord")


def _login(client, username, password, address="10.1.1.1"):
    return client.post("/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address})


def _no_refill(app):
    """The configured bursts, refilling (almost) never: each password check takes a while, and the
    test must not depend on how long."""
    from facilitator.ratelimit import Limits

    app.extensions["samenspraak.limits"] = Limits({**app.config, "LOGIN_FAILURES_PER_MINUTE": 1e-6,
                                                   "LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE": 1e-6})


def test_guessing_a_password_is_slowed_down_per_account_and_the_wait_is_said(app, world):
    _no_refill(app)
    guesser = app.test_client()
    statuses = [_login(guesser, "fien", f"fout {i}", address=f"10.2.0.{i}").status_code for i in range(8)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    # The right password does not help a guesser once the account's allowance is used up.
    blocked = _login(guesser, "fien", PASSWORD, address="10.2.0.99")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    assert "seconden" in blocked.get_data(as_text=True)


def test_guessing_many_accounts_from_one_address_is_slowed_down(app, world):
    _no_refill(app)
    guesser = app.test_client()
    statuses = [_login(guesser, f"naam{i}", "fout wachtwoord").status_code for i in range(22)]
    assert statuses[:20] == [401] * 20 and statuses[20:] == [429, 429]
    # Someone at another address signs in as usual.
    assert _login(app.test_client(), "fien", PASSWORD, address="10.3.0.1").status_code == 302


def test_an_unknown_username_costs_a_password_hash_like_a_known_one(db, world, monkeypatch):
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert accounts.authenticate(db, "fien", "fout wachtwoord") is None
    assert accounts.authenticate(db, "niemand", "fout wachtwoord") is None
    assert accounts.authenticate(db, "geen geldige naam!", "fout wachtwoord") is None
    assert len(checked) == 3
