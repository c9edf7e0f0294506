"""Does a large glossary import stall a live meeting? (issue: "imports must never stall a meeting")

    .venv/bin/python bench/import_during_meeting.py [--rows 10000] [--people 10] [--database-url URL]

Starts the real server (``python run.py``) on a fresh SQLite file (or the given database), lets
``--people`` participants join a meeting over Socket.IO, and while the facilitator imports a
CSV of ``--rows`` glossary entries through the JSON API, every participant keeps changing their
definition (one submission each 0.2 s). Prints the import's duration and, for the submissions made
while it ran, the acknowledgement times (p50, p95, max) and how many were refused (any "not
saved", "bezet" included). Target: ack p95 <= 300 ms, none refused.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glossary import accounts, partnerships  # noqa: E402
from glossary.db import make_engine, make_session_factory  # noqa: E402
from glossary.migrate import upgrade  # noqa: E402
from tests.server import ServerProcess  # noqa: E402

NS = "/meeting"
PARTNERS = ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"]


def set_up(database_url: str) -> dict:
    upgrade(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as db:
        fien = accounts.create_facilitator(db, "fien", "een lang wachtwoord 123", "Fien")
        _row, token = accounts.create_api_token(db, "fien", "bench")
        partnership = partnerships.create_partnership(db, fien.id, "Regio Oost", PARTNERS)
        meeting = partnerships.create_meeting(db, fien.id, partnership.id, "Import tijdens de bijeenkomst", ["kwaliteit"])
        found = {"token": token, "partnership_id": partnership.id, "code": meeting.join_code}
    engine.dispose()
    return found


def client(url: str, auth: dict) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(url, namespaces=[NS], auth=auth, transports=["websocket"], wait_timeout=20)
    return sio


def csv_of(rows: int) -> str:
    lines = ["term,definition,scope,status"]
    lines += [f"begrip {i:05d},\"Wat we bij begrip {i} samen bedoelen, in een zin van gewone lengte.\",regio,concept"
              for i in range(rows)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/bench.db"
        world = set_up(database_url)
        server = ServerProcess(database_url, Path(folder) / "instance").start()
        clients = []
        try:
            lead = client(server.url, {"meeting": world["code"], "view": "facilitator", "api_token": world["token"]})
            clients.append(lead)
            people = []
            for i in range(args.people):
                person = client(server.url, {"meeting": world["code"]})
                clients.append(person)
                assert person.call("join", {"name": f"Deelnemer {i}", "partner": PARTNERS[i % 3]}, namespace=NS)["ok"]
                people.append(person)
            started = lead.call("start_round", {"term": "kwaliteit"}, namespace=NS)
            assert started["ok"], started
            round_id = started["round"]["id"]

            importing = threading.Event()
            done = threading.Event()
            outcome: dict = {}

            def run_import():
                body = {"format": "csv", "content": csv_of(args.rows)}
                importing.set()
                t0 = time.perf_counter()
                answer = requests.post(f"{server.url}/api/partnerships/{world['partnership_id']}/glossary/import", json=body,
                                       headers={"Authorization": f"Bearer {world['token']}"}, timeout=600)
                outcome["seconds"] = time.perf_counter() - t0
                outcome["status"] = answer.status_code
                done.set()

            acks: list[float] = []
            refused: list[str] = []
            lock = threading.Lock()

            def keep_writing(person: socketio.Client, number: int):
                importing.wait()
                while not done.is_set():
                    t0 = time.perf_counter()
                    ack = person.call("submit_definition", {"client_id": uuid.uuid4().hex, "round_id": round_id,
                                                            "text": f"Versie {time.time():.3f} van deelnemer {number}."},
                                      namespace=NS, timeout=60)
                    with lock:
                        acks.append(time.perf_counter() - t0)
                        if not ack.get("ok"):
                            refused.append(ack.get("error", "?"))
                    time.sleep(0.2)

            threads = [threading.Thread(target=run_import)] + [
                threading.Thread(target=keep_writing, args=(p, i)) for i, p in enumerate(people)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            for c in clients:
                try:
                    c.disconnect()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
            server.kill()

    ordered = sorted(acks)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    print(f"import of {args.rows} rows: HTTP {outcome.get('status')} in {outcome.get('seconds', float('nan')):.1f} s")
    print(f"submissions during the import: {len(acks)}; refused: {len(refused)}"
          + (f" (first: {refused[0]})" if refused else ""))
    if ordered:
        print(f"ack p50 {statistics.median(ordered) * 1000:.0f} ms   p95 {p95 * 1000:.0f} ms   max {ordered[-1] * 1000:.0f} ms"
              f"   (target: p95 <= 300 ms, none refused)")
    print(f"machine load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
