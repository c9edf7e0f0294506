"""Load benchmark: many meetings at once, driven by real python-socketio clients over WebSocket.

    .venv/bin/python bench/load.py [--meetings 20] [--participants 25] [--only one|two]
                                   [--server gunicorn|werkzeug] [--client-procs 4] ...
    .venv/bin/python bench/load.py --plenary [--participants 1000] [--join-spread 120]
                                   [--submit-spread 180] [--one-postgres] ...

--plenary: one meeting of 1,000 on ONE server process, a 500-join burst, 20 submissions at one
instant and 1,000 phones leaving at once, driven by asyncio clients in this process; see
bench/plenary.py for what is measured. It
prints a table (figure, measured, target, PASS/FAIL) and the CPU of server, clients and the rest
of the machine per phase. A quick run: --plenary --participants 200 --join-spread 20 --submit-spread 20.

Two scenarios, each on a freshly started server and a fresh database:

1. ONE server process on a SQLite file (the default database of `make run`).
2. TWO server processes sharing Redis (SOCKETIO_MESSAGE_QUEUE) and PostgreSQL (DATABASE_URL), as in
   docs/operations.md. Participant j of meeting i talks to process (i + j) % 2, the facilitator of
   meeting i to process i % 2, so every meeting spans both. Skipped with a message when Redis or
   PostgreSQL cannot be reached (--redis-url / --postgres-url, or TEST_REDIS_URL / TEST_POSTGRES_URL).

Per scenario: each meeting's facilitator connects (API token) and starts a round; every participant
connects as a guest with the join code, `join`s and then sends one `submit_definition` (fresh
client_id, acknowledged), the submissions spread evenly over --submit-spread seconds. When all are
in, the facilitators `reveal`, spread over --reveal-spread seconds. Measured at the clients:
- submit_definition: time from the emit to the acknowledgement (p50, p95);
- reveal to all: from the facilitator's reveal emit until the last of the meeting's participant
  screens has received the `round` event carrying the definitions (p50, p95 over meetings);
- errors: connect failures, refused acks, timeouts, dropped connections, missing or incomplete
  reveals; the error rate is errors / attempted operations;
- the database afterwards: every acknowledged definition must be stored with its text.

The default pace is a stress test: everyone joins within 10 s and submits within 10 s (50 a
second for 500 people); a real room takes a minute or two for each. Widen --join-spread and
--submit-spread to see a calmer day. Every submission also makes the server encode the text in
the background (about 45 ms of CPU each, on a low-priority thread), which is part of what is measured.

Targets: errors <= 1 %, submit ack p95 <= 100 ms, reveal-to-all p95 <= 300 ms, no acknowledged
definition lost. Missing a latency or error target is printed as FAIL; the exit status is non-zero
only for a real breakage (an acknowledged definition not stored, nothing acknowledged at all, a
server that did not start or died).

Diagnosis: --py-spy PATH samples the server processes (raw stacks in --profile-dir; e.g.
--py-spy-args '--gil --nonblocking --rate 100'), --gunicorn-arg passes e.g. '-c hooks.py'.

The clients run in --client-procs worker processes (each client is a threaded socketio.Client on
websocket-client; the browser's live.js also asks for the WebSocket transport first). The output
shows the CPU seconds used by the server processes and by the client processes, and the load
average, so it is visible when the clients rather than the server were the limit: the machine has
two cores for both.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NS = "/meeting"
TARGET_ERROR_RATE = 0.01
TARGET_ACK_P95_MS = 100.0
TARGET_REVEAL_P95_MS = 300.0
CALL_TIMEOUT = 10.0
PARTNERS = ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde", "Provincie Zuidwaard"]


# --------------------------------------------------------------------------------------------
# Client side (runs in the worker processes)
# --------------------------------------------------------------------------------------------


class Screen:
    """One socket client: a participant's phone or a facilitator's laptop."""

    def __init__(self, spec: dict):
        import socketio

        self.spec = spec
        self.sio = socketio.Client(reconnection=False)
        self.revealed: dict[int, tuple[float, int]] = {}  # round id -> (arrival, number of definitions)
        self.analysed: dict[int, float] = {}
        self.dropped = False
        self.closing = False
        self.sio.on("round", self._on_round, namespace=NS)
        self.sio.on("analysis", self._on_analysis, namespace=NS)
        self.sio.on("disconnect", self._on_disconnect, namespace=NS)

    def _on_round(self, data):
        now = time.monotonic()
        if isinstance(data, dict) and data.get("definitions") is not None:
            self.revealed.setdefault(data["round"]["id"], (now, len(data["definitions"])))

    def _on_analysis(self, data):
        now = time.monotonic()
        analysis = (data or {}).get("analysis") or {}
        if "round_id" in analysis:
            self.analysed.setdefault(analysis["round_id"], now)

    def _on_disconnect(self, *_reason):
        if not self.closing:
            self.dropped = True

    def connect(self, auth: dict) -> None:
        self.sio.connect(self.spec["url"], namespaces=[NS], auth=auth, transports=["websocket"], wait_timeout=CALL_TIMEOUT)

    def call(self, event: str, payload: dict) -> tuple[dict | None, float, str | None]:
        """(ack, seconds, error kind or None)."""
        import socketio

        start = time.monotonic()
        try:
            ack = self.sio.call(event, payload, namespace=NS, timeout=CALL_TIMEOUT)
        except socketio.exceptions.TimeoutError:
            return None, time.monotonic() - start, "timeout"
        except Exception as error:  # noqa: BLE001 - a broken connection counts as an error
            return None, time.monotonic() - start, f"exception: {error!r}"
        elapsed = time.monotonic() - start
        if not isinstance(ack, dict) or not ack.get("ok"):
            return ack, elapsed, f"refused: {(ack or {}).get('error') if isinstance(ack, dict) else ack!r}"
        return ack, elapsed, None

    def close(self) -> None:
        self.closing = True
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001
            pass


def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


class ClientWorker:
    """The clients of one worker process; each method is one phase, called by the main process."""

    def __init__(self, facilitators: list[dict], participants: list[dict]):
        self.facilitators = [Screen(spec) for spec in facilitators]
        self.participants = [Screen(spec) for spec in participants]
        self.pool = ThreadPoolExecutor(max_workers=max(8, len(self.participants) + len(self.facilitators)))

    def start_rounds(self) -> dict:
        rounds, errors = {}, []

        def one(screen: Screen):
            spec = screen.spec
            try:
                screen.connect({"meeting": spec["code"], "view": "facilitator", "api_token": spec["token"]})
            except Exception as error:  # noqa: BLE001
                errors.append(("connect", f"facilitator {spec['meeting']}: {error!r}"))
                return
            ack, _elapsed, error = screen.call("start_round", {"term": spec["term"]})
            if error:
                errors.append(("start_round", error))
            else:
                rounds[spec["meeting"]] = ack["round"]["id"]

        list(self.pool.map(one, self.facilitators))
        return {"rounds": rounds, "errors": errors}

    def join(self, start_at: float, spread: float) -> dict:
        errors, latencies = [], []
        lock = threading.Lock()

        def one(item):
            order, screen = item
            spec = screen.spec
            _sleep_until(start_at + spread * spec["join_slot"])
            start = time.monotonic()
            try:
                screen.connect({"meeting": spec["code"]})
            except Exception as error:  # noqa: BLE001
                with lock:
                    errors.append(("connect", repr(error)))
                return
            connected = time.monotonic() - start
            ack, elapsed, error = screen.call("join", {"name": spec["name"], "partner": spec["partner"]})
            with lock:
                if error:
                    errors.append(("join", error))
                else:
                    latencies.append((connected, elapsed))

        list(self.pool.map(one, enumerate(self.participants)))
        return {"errors": errors, "latencies": latencies}

    def submit(self, start_at: float, spread: float, rounds: dict) -> dict:
        results = []
        lock = threading.Lock()

        def one(screen: Screen):
            spec = screen.spec
            if not screen.sio.connected or spec["meeting"] not in rounds:
                return
            _sleep_until(start_at + spread * spec["submit_slot"])
            client_id = uuid.uuid4().hex
            ack, elapsed, error = screen.call(
                "submit_definition",
                {"client_id": client_id, "text": spec["text"], "round_id": rounds[spec["meeting"]]},
            )
            record = {"meeting": spec["meeting"], "latency": elapsed, "error": error, "text": spec["text"],
                      "client_id": client_id, "definition_id": None}
            if not error:
                record["definition_id"] = ack["definition"]["id"]
                record["stored_flag"] = ack.get("stored")
            with lock:
                results.append(record)

        list(self.pool.map(one, self.participants))
        return {"results": results}

    def reveal(self, start_at: float, spread: float, rounds: dict, meetings: int) -> dict:
        emitted = {}

        def one(screen: Screen):
            meeting = screen.spec["meeting"]
            if meeting not in rounds or not screen.sio.connected:
                return
            moment = start_at + (spread * meeting / max(1, meetings - 1) if meetings > 1 else 0)
            _sleep_until(moment)
            sent = time.monotonic()
            _ack, elapsed, error = screen.call("reveal", {"round_id": rounds[meeting]})
            emitted[meeting] = {"sent": sent, "ack": elapsed, "error": error}

        list(self.pool.map(one, self.facilitators))
        return {"emitted": emitted}

    def collect(self, rounds: dict, reveal_deadline: float, analysis_deadline: float) -> dict:
        """Wait until this worker's participants have the reveal (and then the meanings), or the deadlines."""
        mine = [s for s in self.participants if s.spec["meeting"] in rounds and s.sio.connected]
        while time.monotonic() < reveal_deadline and not all(rounds[s.spec["meeting"]] in s.revealed for s in mine):
            time.sleep(0.05)
        while time.monotonic() < analysis_deadline and not all(rounds[s.spec["meeting"]] in s.analysed for s in mine):
            time.sleep(0.1)
        arrivals = []
        for screen in self.participants:
            meeting = screen.spec["meeting"]
            round_id = rounds.get(meeting)
            got = screen.revealed.get(round_id)
            arrivals.append({
                "meeting": meeting,
                "connected": screen.sio.connected,
                "revealed": got[0] if got else None,
                "definitions": got[1] if got else None,
                "analysed": screen.analysed.get(round_id),
                "dropped": screen.dropped,
            })
        dropped_staff = sum(1 for s in self.facilitators if s.dropped)
        return {"arrivals": arrivals, "dropped_staff": dropped_staff}

    def close(self) -> dict:
        list(self.pool.map(lambda s: s.close(), self.participants + self.facilitators))
        self.pool.shutdown(wait=False)
        usage = os.times()
        return {"cpu": usage.user + usage.system}


def worker_main(conn, facilitators: list[dict], participants: list[dict]) -> None:
    worker = ClientWorker(facilitators, participants)
    conn.send("ready")
    while True:
        command, kwargs = conn.recv()
        try:
            answer = getattr(worker, command)(**kwargs)
        except Exception as error:  # noqa: BLE001 - reported by the main process
            answer = {"crash": repr(error)}
        conn.send(answer)
        if command == "close":
            break


class Workers:
    """The worker processes; ``run(command, per_worker_kwargs)`` runs a phase in all of them at once."""

    def __init__(self, count: int, facilitators: list[dict], participants: list[dict]):
        ctx = multiprocessing.get_context("spawn")
        self.conns, self.processes = [], []
        for w in range(count):
            parent, child = ctx.Pipe()
            process = ctx.Process(
                target=worker_main, args=(child, facilitators[w::count], participants[w::count]), daemon=True
            )
            process.start()
            self.conns.append(parent)
            self.processes.append(process)
        for conn in self.conns:
            conn.recv()

    def run(self, command: str, **kwargs) -> list[dict]:
        for conn in self.conns:
            conn.send((command, kwargs))
        answers = [conn.recv() for conn in self.conns]
        for answer in answers:
            if "crash" in answer:
                raise RuntimeError(f"client worker failed in {command}: {answer['crash']}")
        return answers

    def join(self) -> None:
        for process in self.processes:
            process.join(30)


# --------------------------------------------------------------------------------------------
# Servers and databases (main process)
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One server process as run in production (gunicorn gthread, one worker) or ``python run.py``."""

    def __init__(self, kind: str, threads: int, database_url: str, instance: Path, env: dict | None = None,
                 extra: tuple[str, ...] = ()):
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        instance.mkdir(parents=True, exist_ok=True)
        self.log_path = instance / f"server-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "load-bench-secret-" + "x" * 32,
            "SAMENSPRAAK_INSTANCE": str(instance),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "OMP_WAIT_POLICY": "PASSIVE",
            **(env or {}),
        }
        if kind == "gunicorn":
            self.command = [
                sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
                "--threads", str(threads), "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", *extra, "run:app",
            ]
        else:
            self.command = [sys.executable, "run.py"]
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        import requests

        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_tail()}")
            try:
                requests.get(self.url + "/join", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer in {timeout}s:\n{self.log_tail()}")

    def processes(self):
        import psutil

        if self.process is None:
            return []
        try:
            parent = psutil.Process(self.process.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.processes():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except Exception:  # noqa: BLE001
                pass
        return total

    def profile(self, py_spy: str, directory: str, extra: list[str]) -> subprocess.Popen:
        """Sample the app process (gunicorn's worker, or run.py) with py-spy until stopped with SIGINT."""
        app_pid = self.processes()[-1].pid
        Path(directory).mkdir(parents=True, exist_ok=True)
        output = Path(directory) / f"server-{self.port}.txt"
        return subprocess.Popen([py_spy, "record", "--pid", str(app_pid), "--format", "raw",
                                 "--threads", *extra, "--output", str(output)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores, all processes) since boot."""
    import psutil

    times = psutil.cpu_times()
    return times.user + times.system + sum(getattr(times, f, 0.0) for f in ("nice", "irq", "softirq"))


def service_cpu_seconds() -> dict[int, float]:
    """CPU seconds per live PostgreSQL and Redis process (all databases and users of this machine);
    the postmaster's entry also holds the CPU of backends that have exited."""
    import psutil

    seen = {}
    for proc in psutil.process_iter(["name", "cpu_times"]):
        name = proc.info["name"] or ""
        times = proc.info["cpu_times"]
        if times is None or not (name.startswith("postgres") or name.startswith("redis")):
            continue
        seen[proc.pid] = times.user + times.system + times.children_user + times.children_system
    return seen


def service_cpu_since(before: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in service_cpu_seconds().items())


def wait_until_idle(servers: list[Server], timeout: float = 180) -> float:
    """The servers load their sentence encoders in the background after start: wait until that is done
    (their CPU use drops), so the measurement is not of model loading. Returns the seconds waited."""
    start = time.monotonic()
    quiet = 0
    previous = sum(s.cpu_seconds() for s in servers)
    while time.monotonic() - start < timeout:
        time.sleep(0.5)
        now = sum(s.cpu_seconds() for s in servers)
        quiet = quiet + 1 if now - previous < 0.03 else 0
        previous = now
        if quiet >= 4:
            break
    return time.monotonic() - start


def reachable(url: str, default_port: int) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def fresh_postgres(admin_url: str, name: str) -> str:
    from sqlalchemy import text

    from glossary.db import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(admin_url: str, name: str) -> None:
    from sqlalchemy import text

    from glossary.db import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def set_up_and_run(label: str, args, scratch: Path, *, postgres: bool, processes: int, env: dict | None = None) -> list[str]:
    """Called by ``main`` for each scenario: a fresh migrated database (a PostgreSQL database of
    its own, or a SQLite file in ``scratch``), ``processes`` servers on it, the scenario, then the
    servers stopped and the PostgreSQL database dropped. Returns what broke."""
    from glossary.migrate import upgrade

    name = f"samenspraak_load_{os.getpid()}"
    tag = label.split(",")[0].replace(" ", "-")
    if postgres:
        url = fresh_postgres(args.postgres_url, name)
    else:
        (scratch / tag).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{scratch / tag / 'samenspraak.db'}"
    upgrade(url)
    servers = [Server(args.server, args.threads, url, scratch / f"{tag}-{i}", env, extra=args.gunicorn_arg)
               for i in range(processes)]
    try:
        return run_scenario(label, servers, url, args)["broken"]
    finally:
        for server in servers:
            server.stop()
        if postgres:
            drop_postgres(args.postgres_url, name)


def definition_texts() -> list[tuple[str, list[str]]]:
    """(term, definitions) from the labelled sets in bench/data, so the reveal analyses real texts."""
    terms = []
    for path in sorted((ROOT / "bench" / "data").glob("*.json")):
        for term in json.loads(path.read_text(encoding="utf-8"))["terms"]:
            terms.append((term["term"], [d["text"] for d in term["definitions"]]))
    return terms


def set_up_meetings(database_url: str, meetings: int) -> list[dict]:
    """One facilitator (with an API token), partnership and meeting per meeting, straight in the database."""
    from glossary import accounts, partnerships
    from glossary.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    terms = definition_texts()
    made = []
    with sessions() as db:
        for i in range(meetings):
            username = f"fac{i:03d}"
            facilitator = accounts.create_facilitator(db, username, "load bench password " + username)
            _token, secret = accounts.create_api_token(db, username, "load bench")
            partnership = partnerships.create_partnership(db, facilitator.id, f"Samenwerking {i}", PARTNERS)
            term, texts = terms[i % len(terms)]
            meeting = partnerships.create_meeting(db, facilitator.id, partnership.id, f"Bijeenkomst {i}", [term])
            made.append({"meeting": i, "code": meeting.join_code, "token": secret, "term": term, "texts": texts})
    engine.dispose()
    return made


def check_stored(database_url: str, acked: list[dict]) -> tuple[int, list[str]]:
    """How many acknowledged definitions are in the database with their text, and what is wrong."""
    from sqlalchemy import select

    from glossary.db import make_engine, make_session_factory
    from glossary.models import Definition, SubmissionReceipt

    engine = make_engine(database_url)
    problems = []
    with make_session_factory(engine)() as db:
        ids = [a["definition_id"] for a in acked]
        rows = {d.id: d for d in db.scalars(select(Definition).where(Definition.id.in_(ids)))} if ids else {}
        receipts = {r.client_id: r.definition_id for r in db.scalars(select(SubmissionReceipt))}
    engine.dispose()
    stored = 0
    for a in acked:
        row = rows.get(a["definition_id"])
        if row is None:
            problems.append(f"definition {a['definition_id']} (client_id {a['client_id']}) acknowledged but not stored")
        elif row.text != a["text"]:
            problems.append(f"definition {a['definition_id']} stored with another text")
        elif receipts.get(a["client_id"]) != a["definition_id"]:
            problems.append(f"client_id {a['client_id']} has no receipt for definition {a['definition_id']}")
        else:
            stored += 1
    return stored, problems


# --------------------------------------------------------------------------------------------
# One scenario
# --------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.0f} ms"


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def run_scenario(title: str, servers: list[Server], database_url: str, args) -> dict:
    print(f"\n=== {title} ===", flush=True)
    print(f"load average before start (1/5/15 min): {load_text()}", flush=True)
    for server in servers:
        server.start()
    waited = wait_until_idle(servers)
    print(f"server(s) started and warmed up ({waited:.0f} s waiting for the encoders to load); "
          f"load average now {load_text()}", flush=True)
    meetings = set_up_meetings(database_url, args.meetings)
    rng = random.Random(args.seed)

    facilitators, participants = [], []
    total = args.meetings * args.participants
    join_slots = [i / max(1, total - 1) for i in range(total)]
    submit_slots = [i / max(1, total - 1) for i in range(total)]
    rng.shuffle(join_slots)
    rng.shuffle(submit_slots)
    for m in meetings:
        i = m["meeting"]
        facilitators.append({"meeting": i, "code": m["code"], "token": m["token"], "term": m["term"],
                             "url": servers[i % len(servers)].url})
        for j in range(args.participants):
            n = i * args.participants + j
            participants.append({
                "meeting": i, "code": m["code"], "url": servers[(i + j) % len(servers)].url,
                "name": f"Deelnemer {i}-{j}", "partner": PARTNERS[j % len(PARTNERS)],
                "text": f"{m['texts'][j % len(m['texts'])]} ({j})",
                "join_slot": join_slots[n], "submit_slot": submit_slots[n],
            })
    clients = len(facilitators) + len(participants)
    print(f"clients: {clients} ({len(participants)} participants + {len(facilitators)} facilitators) in "
          f"{args.client_procs} client processes (threaded socketio.Client, transport websocket only)", flush=True)

    server_cpu_start = sum(s.cpu_seconds() for s in servers)
    machine_cpu_start = machine_busy_seconds()
    services_start = service_cpu_seconds()
    wall_start = time.monotonic()
    profilers = [server.profile(args.py_spy, args.profile_dir, args.py_spy_args.split()) for server in servers] if args.py_spy else []
    workers = Workers(args.client_procs, facilitators, participants)
    errors: list[tuple[str, str]] = []
    operations = 0
    try:
        started = workers.run("start_rounds")
        rounds = {k: v for answer in started for k, v in answer["rounds"].items()}
        for answer in started:
            errors.extend(answer["errors"])
        operations += 2 * len(facilitators)  # connect + start_round

        phase_cpu = {}
        mark = sum(s.cpu_seconds() for s in servers)
        start_at = time.monotonic() + 0.5
        joined = workers.run("join", start_at=start_at, spread=args.join_spread)
        join_latencies = [lat for answer in joined for lat in answer["latencies"]]
        for answer in joined:
            errors.extend(answer["errors"])
        operations += 2 * len(participants)  # connect + join
        time.sleep(1.0)  # let the roster broadcasts of the last joins settle

        now_cpu = sum(s.cpu_seconds() for s in servers)
        phase_cpu["join"], mark = now_cpu - mark, now_cpu
        load_before_submit = load_text()
        start_at = time.monotonic() + 0.5
        submitted = workers.run("submit", start_at=start_at, spread=args.submit_spread, rounds=rounds)
        results = [r for answer in submitted for r in answer["results"]]
        operations += len(results)
        errors.extend(("submit_definition", r["error"]) for r in results if r["error"])
        acked = [r for r in results if not r["error"]]
        ack_latencies = [r["latency"] for r in acked]
        time.sleep(1.0)  # progress broadcasts of the last submissions

        now_cpu = sum(s.cpu_seconds() for s in servers)
        phase_cpu["submit"], mark = now_cpu - mark, now_cpu
        load_before_reveal = load_text()
        start_at = time.monotonic() + 0.5
        revealed = workers.run("reveal", start_at=start_at, spread=args.reveal_spread, rounds=rounds,
                               meetings=args.meetings)
        emitted = {k: v for answer in revealed for k, v in answer["emitted"].items()}
        operations += len(emitted)
        errors.extend(("reveal", e["error"]) for e in emitted.values() if e["error"])
        reveal_deadline = start_at + args.reveal_spread + args.reveal_timeout
        collected = workers.run("collect", rounds=rounds, reveal_deadline=reveal_deadline,
                                analysis_deadline=reveal_deadline + args.analysis_wait)
        phase_cpu["reveal and meanings"] = sum(s.cpu_seconds() for s in servers) - mark
        load_after = load_text()
    finally:
        closed = workers.run("close")
        workers.join()
    wall = time.monotonic() - wall_start
    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)
    server_cpu = sum(s.cpu_seconds() for s in servers) - server_cpu_start
    client_cpu = sum(answer["cpu"] for answer in closed)
    machine_cpu = machine_busy_seconds() - machine_cpu_start
    services_cpu = service_cpu_since(services_start)
    died = [s for s in servers if not s.alive()]

    # Reveal to all: per meeting, the last participant screen's arrival minus the reveal emit.
    acked_per_meeting: dict[int, int] = {}
    for r in acked:
        acked_per_meeting[r["meeting"]] = acked_per_meeting.get(r["meeting"], 0) + 1
    arrivals = [a for answer in collected for a in answer["arrivals"]]
    reveal_to_all, analysis_to_all = [], []
    per_meeting: dict[int, list[dict]] = {}
    for a in arrivals:
        per_meeting.setdefault(a["meeting"], []).append(a)
    dropped = sum(1 for a in arrivals if a["dropped"]) + sum(answer["dropped_staff"] for answer in collected)
    for _ in range(dropped):
        errors.append(("dropped", "connection dropped during the run"))
    for meeting, screens in per_meeting.items():
        emit = emitted.get(meeting)
        if emit is None or emit["error"]:
            continue
        screens = [s for s in screens if s["connected"] or s["revealed"]]
        operations += len(screens)
        missing = [s for s in screens if s["revealed"] is None]
        incomplete = [s for s in screens if s["revealed"] is not None and s["definitions"] != acked_per_meeting.get(meeting)]
        errors.extend(("reveal delivery", f"meeting {meeting}: no reveal within {args.reveal_timeout:.0f} s") for _ in missing)
        errors.extend(("reveal delivery", f"meeting {meeting}: {s['definitions']} definitions shown, "
                                          f"{acked_per_meeting.get(meeting)} acknowledged") for s in incomplete)
        if screens and not missing:
            reveal_to_all.append(max(s["revealed"] for s in screens) - emit["sent"])
        if screens and all(s["analysed"] is not None for s in screens):
            analysis_to_all.append(max(s["analysed"] for s in screens) - emit["sent"])

    stored, problems = check_stored(database_url, acked)

    error_rate = len(errors) / operations if operations else 1.0
    ack_p50, ack_p95 = percentile(ack_latencies, 50), percentile(ack_latencies, 95)
    rev_p50, rev_p95 = percentile(reveal_to_all, 50), percentile(reveal_to_all, 95)
    join_acks = [j for _c, j in join_latencies]
    connects = [c for c, _j in join_latencies]

    others = max(0.0, machine_cpu - server_cpu - client_cpu - services_cpu)
    print(f"wall time {wall:.1f} s; CPU used: server(s) {server_cpu:.1f} s, clients {client_cpu:.1f} s, "
          f"PostgreSQL+Redis (whole machine) {services_cpu:.1f} s, everything else on the machine {others:.1f} s "
          f"({os.cpu_count()} cores = {os.cpu_count() * wall:.0f} core-seconds)")
    print("server CPU per phase: " + ", ".join(f"{k} {v:.1f} s" for k, v in phase_cpu.items())
          + f" (join phase {args.join_spread:.0f} s + 1 s, submit phase {args.submit_spread:.0f} s + 1 s)")
    print(f"load average: before submit {load_before_submit}; before reveal {load_before_reveal}; after {load_after}")
    n = len(participants)
    print(f"pace: {n} joins over {args.join_spread:.0f} s ({n / max(args.join_spread, 1):.0f}/s), {n} submissions over "
          f"{args.submit_spread:.0f} s ({n / max(args.submit_spread, 1):.0f}/s), {len(facilitators)} reveals over "
          f"{args.reveal_spread:.0f} s")
    print(f"connect (websocket) p50 {ms(percentile(connects, 50))}, p95 {ms(percentile(connects, 95))}; "
          f"join ack p50 {ms(percentile(join_acks, 50))}, p95 {ms(percentile(join_acks, 95))}")
    kinds: dict[str, int] = {}
    for kind, _detail in errors:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"errors: {len(errors)} of {operations} operations = {error_rate:.2%}"
          + (f"  ({', '.join(f'{k}: {v}' for k, v in sorted(kinds.items()))})" if kinds else ""))
    for kind, detail in errors[:5]:
        print(f"    e.g. {kind}: {detail[:200]}")
    print(f"submit_definition ack: n={len(ack_latencies)}, p50 {ms(ack_p50)}, p95 {ms(ack_p95)}, "
          f"max {ms(max(ack_latencies) if ack_latencies else None)}")
    print(f"reveal to all {args.participants} participants: n={len(reveal_to_all)} meetings, p50 {ms(rev_p50)}, "
          f"p95 {ms(rev_p95)}, max {ms(max(reveal_to_all) if reveal_to_all else None)}")
    print(f"(not a target) reveal ack to the facilitator p50 "
          f"{ms(percentile([e['ack'] for e in emitted.values() if not e['error']], 50))}; meanings (analysis) on all "
          f"screens: {len(analysis_to_all)}/{len(per_meeting)} meetings, p50 {ms(percentile(analysis_to_all, 50))}, "
          f"p95 {ms(percentile(analysis_to_all, 95))}")
    print(f"stored/acked: {stored}/{len(acked)} acknowledged definitions found in the database")
    for problem in problems[:10]:
        print(f"    {problem}")

    verdicts = [
        (f"errors <= {TARGET_ERROR_RATE:.0%}", error_rate <= TARGET_ERROR_RATE, f"{error_rate:.2%}"),
        (f"submit ack p95 <= {TARGET_ACK_P95_MS:.0f} ms", ack_p95 is not None and ack_p95 * 1000 <= TARGET_ACK_P95_MS, ms(ack_p95)),
        (f"reveal to all p95 <= {TARGET_REVEAL_P95_MS:.0f} ms",
         rev_p95 is not None and rev_p95 * 1000 <= TARGET_REVEAL_P95_MS, ms(rev_p95)),
        ("every acknowledged definition stored", not problems and stored == len(acked), f"{stored}/{len(acked)}"),
    ]
    for name, ok, value in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {value}")
    broken = []
    if problems:
        broken.append(f"{len(problems)} acknowledged definitions not stored as acknowledged")
    if not acked:
        broken.append("not a single definition was acknowledged")
    for server in died:
        broken.append(f"server process on port {server.port} died:\n{server.log_tail(1500)}")
    for reason in broken:
        print(f"  BROKEN: {reason}")
    return {"broken": broken, "verdicts": verdicts}


# --------------------------------------------------------------------------------------------


def run_plenary_mode(args, scratch: Path) -> list[str]:
    """--plenary: one server process (SQLite file, or PostgreSQL with --one-postgres), the runs of
    bench/plenary.py, then the database checked and the analysis timed. Returns what broke."""
    import asyncio

    from bench import plenary
    from glossary.migrate import upgrade

    name = f"samenspraak_plenary_{os.getpid()}"
    if args.one_postgres:
        if not reachable(args.postgres_url, 5432):
            print(f"PostgreSQL at {args.postgres_url} is not reachable")
            return ["PostgreSQL not reachable"]
        url = fresh_postgres(args.postgres_url, name)
    else:
        url = f"sqlite:///{scratch / 'plenary.db'}"
    upgrade(url)
    # One screen is one gthread thread and one gunicorn connection: a process with --threads 1000
    # (docs/operations.md) serves no 1,001st screen, so the plenary sizes both to its phones.
    threads = args.threads or max(args.participants, args.burst_joins, args.instant_room, args.leave_room) + 100
    server = Server(args.server, threads, url, scratch / "plenary",
                    extra=("--worker-connections", str(threads), *args.gunicorn_arg))
    print(f"\n=== plenary: one server process ({args.server}" + (f" gthread --threads {threads} --worker-connections {threads}"
          if args.server == "gunicorn" else "") + f"), {'PostgreSQL' if args.one_postgres else 'SQLite file'} ===")
    print(f"load average before start (1/5/15 min): {load_text()}", flush=True)
    broken: list[str] = []
    try:
        server.start()
        waited = wait_until_idle([server])
        print(f"server started and warmed up ({waited:.0f} s waiting for the encoders to load); load average now "
              f"{load_text()}", flush=True)
        meetings = plenary.set_up_plenary_meetings(url, definition_texts())
        print(f"plenary: {args.participants} phones join over {args.join_spread:.0f} s, submit over "
              f"{args.submit_spread:.0f} s, one reveal; burst: {args.burst_joins} joins within {args.burst_spread:.0f} s; "
              f"{args.instant} submissions at once in a room of {args.instant_room} (x{args.instant_repeats}). "
              f"Clients: asyncio, one process, WebSocket only.", flush=True)
        wall = time.monotonic()
        out = asyncio.run(plenary.run_plenary(server, meetings, args, machine_busy_seconds))
        print(f"runs done in {time.monotonic() - wall:.0f} s; load average {load_text()}", flush=True)
        died = not server.alive()
        acked = [r for r in out["submit"] + out["instant"] if not r["error"]]
        stored, problems = check_stored(url, acked)
        analysis = None
        if out.get("round_id") is not None and out["submit"]:
            try:
                analysis = plenary.time_analysis(url, out["round_id"])
            except Exception as error:  # noqa: BLE001 - reported, not a breakage of the server
                print(f"timing the analysis failed: {error!r}")
        plenary.print_report(out, analysis, stored, problems, args)
        if problems:
            broken.append(f"{len(problems)} acknowledged definitions not stored as acknowledged")
        if not acked and plenary.chosen_runs(args) & {"plenary", "instant"}:
            broken.append("not a single definition was acknowledged")
        if died:
            broken.append(f"the server process died:\n{server.log_tail(1500)}")
    finally:
        server.stop()
        if args.server_log:
            shutil.copyfile(server.log_path, args.server_log)
        if args.one_postgres:
            drop_postgres(args.postgres_url, name)
    for reason in broken:
        print(f"  BROKEN: {reason}")
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--plenary", action="store_true",
                        help="the 1,000-person plenary, the 500-join burst and 20 submissions at once (bench/plenary.py)")
    parser.add_argument("--participants", type=int, help="participants per meeting (default 25; --plenary: 1000)")
    parser.add_argument("--only", choices=("one", "two"), help="run only the one- or the two-process scenario")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn",
                        help="gunicorn gthread as in docs/operations.md (default) or `python run.py`")
    parser.add_argument("--threads", type=int, help="gunicorn --threads (default 1000 as in docs/operations.md; it was 100, "
                        "which served only 100 screens; --plenary: the largest of participants, burst and room, + 100, and --worker-connections the same)")
    parser.add_argument("--client-procs", type=int, default=4, help="worker processes holding the clients")
    parser.add_argument("--join-spread", type=float, help="seconds over which all participants join (10; --plenary: 120)")
    parser.add_argument("--submit-spread", type=float, help="seconds over which all submit (10; --plenary: 180)")
    parser.add_argument("--reveal-spread", type=float, default=10.0, help="seconds over which the meetings reveal")
    parser.add_argument("--reveal-timeout", type=float, default=15.0)
    parser.add_argument("--runs", default="plenary,burst,instant,leave",
                        help="--plenary: which of its runs, comma-separated (plenary, burst, instant, leave)")
    parser.add_argument("--fetching", choices=("person", "herd"), default="person",
                        help="--plenary: phones fetch definitions when half the people open a meaning 2-30 s after the "
                             "meanings appear (person, as the phone does), or all at the reveal (herd, a worst case)")
    parser.add_argument("--burst-joins", type=int, default=500, help="--plenary: joins in the burst")
    parser.add_argument("--burst-spread", type=float, default=10.0, help="--plenary: seconds of the burst")
    parser.add_argument("--instant", type=int, default=20, help="--plenary: submissions sent at one moment")
    parser.add_argument("--instant-room", type=int, default=30, help="--plenary: people in that room (20-40)")
    parser.add_argument("--instant-repeats", type=int, default=3, help="--plenary: how often, a fresh round each time")
    parser.add_argument("--leave-room", type=int, default=1000, help="--plenary: phones that leave at one moment")
    parser.add_argument("--leave-spread", type=float, default=40.0, help="--plenary: seconds over which they join first")
    parser.add_argument("--analysis-wait", type=float, default=30.0,
                        help="extra seconds to wait for the meanings after the reveals (informative only)")
    parser.add_argument("--one-postgres", action="store_true", help="run the one-process scenario on PostgreSQL instead")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="extra gunicorn option (repeatable)")
    parser.add_argument("--py-spy", metavar="PATH", help="sample the server processes with this py-spy binary")
    parser.add_argument("--py-spy-args", default="--nonblocking --rate 50", help="py-spy record options, e.g. '--gil --nonblocking --rate 100'")
    parser.add_argument("--server-log", metavar="PATH", help="--plenary: keep a copy of the server's log here")
    parser.add_argument("--profile-dir", default="load-profile", help="where --py-spy writes its raw stacks")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if args.plenary:
        args.participants = args.participants or 1000
        args.join_spread = 120.0 if args.join_spread is None else args.join_spread
        args.submit_spread = 180.0 if args.submit_spread is None else args.submit_spread
        print(f"Samenspraak plenary benchmark; {os.cpu_count()} CPUs; load average {load_text()}")
        scratch = Path(tempfile.mkdtemp(prefix="samenspraak-plenary-"))
        try:
            broken = run_plenary_mode(args, scratch)
        finally:
            if os.environ.get("LOAD_KEEP_LOGS"):
                print(f"server log kept in {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
        print(f"\nload average at the end: {load_text()}")
        print("RESULT: BROKEN (see above)" if broken else "RESULT: no breakage (targets are reported above as PASS/FAIL)")
        return 1 if broken else 0
    args.participants = args.participants or 25
    args.threads = args.threads or 1000
    args.join_spread = 10.0 if args.join_spread is None else args.join_spread
    args.submit_spread = 10.0 if args.submit_spread is None else args.submit_spread

    print(f"Samenspraak load benchmark: {args.meetings} meetings x {args.participants} participants, "
          f"server: {args.server}" + (f" gthread --threads {args.threads}" if args.server == "gunicorn" else " (python run.py)")
          + f"; {os.cpu_count()} CPUs; load average {load_text()}")
    broken: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="samenspraak-load-"))
    try:
        if args.only in (None, "one"):
            if not args.one_postgres:
                broken += set_up_and_run("one server process, SQLite file", args, scratch, postgres=False, processes=1)
            elif not reachable(args.postgres_url, 5432):
                print(f"\n=== one server process: SKIPPED: PostgreSQL at {args.postgres_url} is not reachable ===")
            else:
                broken += set_up_and_run("one server process, PostgreSQL", args, scratch, postgres=True, processes=1)

        if args.only in (None, "two"):
            missing = [name for name, url, port in (("PostgreSQL", args.postgres_url, 5432), ("Redis", args.redis_url, 6379))
                       if not reachable(url, port)]
            if missing:
                print(f"\n=== two server processes: SKIPPED: {' and '.join(missing)} not reachable "
                      f"(--postgres-url {args.postgres_url}, --redis-url {args.redis_url}) ===")
            else:
                env = {"SOCKETIO_MESSAGE_QUEUE": args.redis_url, "SOCKETIO_CHANNEL": f"load-{uuid.uuid4().hex}"}
                broken += set_up_and_run("two server processes, Redis + PostgreSQL", args, scratch, postgres=True,
                                         processes=2, env=env)
    finally:
        if os.environ.get("LOAD_KEEP_LOGS"):
            print(f"server logs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nload average at the end: {load_text()}")
    if broken:
        print("RESULT: BROKEN (see above)")
        return 1
    print("RESULT: no breakage (latency and error targets are reported above as PASS/FAIL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
