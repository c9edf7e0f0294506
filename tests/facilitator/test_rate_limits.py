"""Join-code guessing and event floods are slowed down without hurting other people."""

from __future__ import annotations


def test_guessing_join_codes_is_slowed_down_per_address(app, world):
    guesser = app.test_client()
    statuses = [guesser.post("/join", data={"code": f"QQQQ{c}"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
                for c in "ACDEFGHJKMNP"]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    blocked = guesser.post("/join", data={"code": "QQQQRR"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert blocked.status_code == 429 and "Wacht een minuut" in blocked.get_data(as_text=True)
    # Someone else in the room is not affected.
    other = app.test_client().post("/join", data={"code": world.code}, environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert other.status_code == 302


def test_a_correct_code_or_rejoin_token_is_not_locked_out_by_someone_elses_guesses(app, socketio, world):
    from tests.facilitator.conftest import NS

    room = {"REMOTE_ADDR": "10.0.0.9"}  # the venue's Wi-Fi: every phone has this address
    phone = app.test_client()
    assert phone.post(f"/j/{world.code}", data={"name": "Ans", "partner": "Gemeente Oostdam"}, environ_base=room).status_code == 302
    for c in "ACDEFGHJKMN":
        app.test_client().post("/join", data={"code": f"QQQQ{c}"}, environ_base=room)
    assert app.test_client().post("/join", data={"code": "QQQQP"}, environ_base=room).status_code == 429
    # The phone that had joined reconnects, page and socket; a newcomer with the right code joins.
    assert phone.get(f"/m/{world.code}", environ_base=room).status_code == 200
    socket = socketio.test_client(app, namespace=NS, auth={"meeting": world.code}, flask_test_client=phone)
    assert socket.is_connected(NS)
    assert socket.emit("get_state", namespace=NS, callback=True)["state"]["me"] is not None
    assert app.test_client().post("/join", data={"code": world.code}, environ_base=room).status_code == 302


def test_a_guessing_script_is_refused_every_code_but_a_joined_phone_gets_back_in(app, socketio, world):
    room = {"REMOTE_ADDR": "10.0.0.9"}
    phone = app.test_client()
    phone.post(f"/j/{world.code}", data={"name": "Ans", "partner": "Gemeente Oostdam"}, environ_base=room)
    limits = app.extensions["samenspraak.limits"]
    for _ in range(app.config["JOIN_GUESSES_PER_HOUR"]):
        limits.join_guesses.allow("10.0.0.9")
    refused = app.test_client().post("/join", data={"code": world.code}, environ_base=room)
    # One token refills in 36 s: the wait is one minute, and the page says so in the singular.
    assert refused.status_code == 429 and "Probeer het over 1 minuut opnieuw." in refused.get_data(as_text=True)
    assert phone.get(f"/m/{world.code}", environ_base=room).status_code == 200


def test_a_flooding_connection_gets_errors_and_others_carry_on(connect):
    facilitator = connect("facilitator")
    flooder = connect("participant", "Ans", "Gemeente Oostdam")
    calm = connect("participant", "Bram", "Waterschap Rivierenland")
    facilitator.emit("start_round", {"term": "kwaliteit"})
    acks = [flooder.emit("get_state") for _ in range(60)]
    refused = [a for a in acks if not a["ok"]]
    assert refused and "Te veel berichten" in refused[0]["error"]
    assert calm.emit("submit_definition", {"client_id": "b1", "text": "Rustig ingestuurd"})["ok"]


def test_behind_a_proxy_each_forwarded_address_has_its_own_limit(database_url, tmp_path, world):
    from facilitator import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "p" * 40, "INSTANCE_PATH": str(tmp_path),
                      "WTF_CSRF_ENABLED": False, "PROXY_HOPS": 1})
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(12):
        app.test_client().post("/join", data={"code": "QQQQQQ"}, environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.7"})
    guesser = app.test_client().post("/join", data={"code": "QQQQQR"}, environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.7"})
    neighbour = app.test_client().post("/join", data={"code": "QQQQQR"}, environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.8"})
    assert guesser.status_code == 429 and neighbour.status_code == 404


def _slow_limits(app, **settings):
    from facilitator.ratelimit import Limits

    app.extensions["samenspraak.limits"] = Limits({**app.config, **settings})


def test_reconnecting_does_not_reset_the_flood_limit(app, world, connect):
    from tests.facilitator.conftest import join_http

    _slow_limits(app, EVENTS_PER_SECOND=0.001, EVENTS_BURST=30)
    phone = join_http(app, world.code, "Ans", "Gemeente Oostdam")
    accepted = 0
    for _ in range(5):
        screen = connect("participant", http=phone)
        # The snapshot a client asks for on connecting counts too.
        accepted += len(screen.events("state")) + sum(screen.emit("get_state")["ok"] for _ in range(40))
        screen.client.disconnect("/meeting")
    assert accepted == 30
    assert connect("participant", "Bram", "Waterschap Rivierenland").emit("get_state")["ok"]


def test_guests_of_one_address_share_a_flood_limit(app, world, connect):
    _slow_limits(app, GUEST_EVENTS_PER_SECOND=0.001, GUEST_EVENTS_BURST=50)
    accepted = 0
    for _ in range(5):
        screen = connect("guest")
        accepted += len(screen.events("state")) + sum(screen.emit("get_state")["ok"] for _ in range(20))
        screen.client.disconnect("/meeting")
    assert accepted == 50
