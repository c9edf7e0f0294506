"""Join-code guessing and event floods are slowed down without hurting other people."""

from __future__ import annotations


def test_guessing_join_codes_is_slowed_down_per_address(app, world):
    guesser = app.test_client()
    statuses = [guesser.post("/join", data={"code": f"QQQQ{c}"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
                for c in "ACDEFGHJKMNP"]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    blocked = guesser.get(f"/j/{world.code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert blocked.status_code == 429 and "Wacht een minuut" in blocked.get_data(as_text=True)
    # Someone else in the room is not affected.
    other = app.test_client().post("/join", data={"code": world.code}, environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert other.status_code == 302


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
    guesser = app.test_client().post("/join", data={"code": world.code}, environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.7"})
    neighbour = app.test_client().post("/join", data={"code": world.code}, environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.8"})
    assert guesser.status_code == 429 and neighbour.status_code == 302
