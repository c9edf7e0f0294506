"""The plenary (issue 17): one meeting of 1,000 on ONE server process, driven by asyncio clients.

Called by ``bench/load.py --plenary`` (which starts the server and prints the table). Three runs on
the same server process, one after the other, each in a meeting of its own:

1. the plenary: --participants phones join spread over --join-spread s, submit spread over
   --submit-spread s, then the facilitator reveals and every phone waits for the `round` event that
   says the round is revealed and for the `analysis` (meanings) of that round;
2. the burst: --burst-joins phones join within --burst-spread s;
3. the instant: a room of --instant-room phones, all joined; then --instant of them send
   `submit_definition` at one moment (repeated --instant-repeats times, a fresh round each time).

The clients: every phone is a `Phone`, a minimal Socket.IO v5 client (Engine.IO v4, WebSocket
transport only, as the browser's live.js asks first) on one shared aiohttp session, all in this
one process and its one event loop. Not python-socketio's AsyncClient: that one starts an asyncio
task for every message it receives and decodes its JSON twice (engine.io tries, then socket.io),
which for the ~2 million small `progress` messages of a 1,000-person round costs more CPU than
the server it measures. A Phone looks at the packet's first bytes: the event name decides whether
anything is decoded at all (only acks, `round` and `analysis`, and of those only the part needed).
Each phone counts the characters of every raw packet it receives (the server sends JSON with ASCII
escapes, so characters are bytes) while its reveal window is open.

CPU: the server's from /proc of the gunicorn processes (``Server.cpu_seconds``), the clients' as
this process's own ``time.process_time()`` over the same phase, the rest of the machine as all
busy CPU (/proc/stat) minus both; load averages at each phase boundary.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import time
import uuid

NS = "/meeting"
CALL_TIMEOUT = 10.0
PARTNERS = ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde", "Provincie Zuidwaard"]

_EVENT = "42" + NS + ",["          # an event without an ack id: 42/meeting,["name",payload]
_ACK = "43" + NS + ","             # an ack: 43/meeting,<id>[answer]
_CONNECTED = "40" + NS + ","
_REFUSED = "44" + NS + ","
_LEFT = "41" + NS
_ROUND_ID = re.compile(r'"round_id"\s*:\s*(\d+)')
_DECODER = json.JSONDecoder()
_PAGED = re.compile(r'"definitions_paged"\s*:\s*true')
_MEANING_ID = re.compile(r'"id"\s*:\s*"(m\d+)"')


class Hub:
    """What all phones of one run share: counters the waiting loops read instead of scanning 1,000 phones."""

    def __init__(self, session):
        self.session = session
        self.round_id: int | None = None      # the round whose reveal and meanings are awaited
        self.revealed = 0
        self.analysed = 0
        # How phones fetch the definitions of a paged reveal. "person" (as the phone does): the
        # meanings show their representatives at once; a share of the people opens "Toon
        # definities" of one meaning some seconds after the meanings arrived, which fetches its
        # first page. "herd": every phone fetches a page the moment the reveal arrives (a worst
        # case no phone's code produces; a reconnect of every phone at once comes close).
        self.fetching = "person"
        self.open_share = 0.5
        self.open_within = (2.0, 30.0)
        self.rng = random.Random(11)
        self.opening = 0                    # pages the phones are about to ask for
        self.fetches: list[float] = []      # seconds from asking for a page to its acknowledgement
        self.fetch_errors: list[str] = []


class Phone:
    """One participant's phone (or the facilitator's laptop): one WebSocket, one Socket.IO namespace.

    Per received packet: its length is added to ``window_bytes`` while ``counting``; events other than
    `round` and `analysis` are only counted by name; acks resolve the waiting ``call``.
    """

    __slots__ = ("hub", "url", "ws", "reader", "acks", "next_id", "connected", "closing", "dropped",
                 "counting", "window_bytes", "received", "revealed_at", "analysed_at", "definitions_inline",
                 "events", "joined")

    def __init__(self, hub: Hub, url: str):
        self.hub = hub
        self.url = url
        self.ws = None
        self.reader = None
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.connected: asyncio.Future | None = None
        self.closing = False
        self.dropped = False
        self.counting = False
        self.window_bytes = 0
        self.received = 0
        self.revealed_at: float | None = None
        self.analysed_at: float | None = None
        self.definitions_inline: bool | None = None
        self.events: dict[str, int] = {}
        self.joined = False

    async def connect(self, auth: dict, timeout: float = CALL_TIMEOUT) -> None:
        """Open the WebSocket and the /meeting namespace with ``auth``; raises on refusal or timeout."""
        base = self.url.replace("http://", "ws://", 1)
        self.ws = await asyncio.wait_for(
            self.hub.session.ws_connect(f"{base}/socket.io/?EIO=4&transport=websocket", max_msg_size=0,
                                        autoping=True, heartbeat=None),
            timeout)
        opening = await asyncio.wait_for(self.ws.receive(), timeout)
        if not isinstance(opening.data, str) or not opening.data.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opening.data!r}")
        self.connected = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())
        await self.ws.send_str(_CONNECTED + json.dumps(auth))
        await asyncio.wait_for(self.connected, timeout)

    async def call(self, event: str, payload: dict, timeout: float = CALL_TIMEOUT) -> tuple[dict | None, float, str | None]:
        """Emit with an ack; returns (ack, seconds, error kind or None) like load.py's Screen.call."""
        start = time.monotonic()
        if self.ws is None or self.ws.closed or self.dropped:
            return None, 0.0, "not connected"
        self.next_id += 1
        ack_id = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        try:
            await self.ws.send_str(f"42{NS},{ack_id}" + json.dumps([event, payload]))
            answer = await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            return None, time.monotonic() - start, "timeout"
        except Exception as error:  # noqa: BLE001 - a broken connection counts as an error
            return None, time.monotonic() - start, f"exception: {error!r}"
        finally:
            self.acks.pop(ack_id, None)
        elapsed = time.monotonic() - start
        if not isinstance(answer, dict) or not answer.get("ok"):
            return answer, elapsed, f"refused: {answer.get('error') if isinstance(answer, dict) else answer!r}"
        return answer, elapsed, None

    async def _read(self) -> None:
        ws = self.ws
        try:
            while True:
                message = await ws.receive()
                data = message.data
                if not isinstance(data, str):
                    break  # close, closed or error
                self.received += 1
                if self.counting:
                    self.window_bytes += len(data)
                if data.startswith(_EVENT):
                    self._event(data)
                elif data.startswith(_ACK):
                    self._ack(data)
                elif data == "2":
                    await ws.send_str("3")  # Engine.IO ping from the server
                elif data.startswith(_CONNECTED):
                    if not self.connected.done():
                        self.connected.set_result(True)
                elif data.startswith(_REFUSED):
                    if not self.connected.done():
                        self.connected.set_exception(ConnectionRefusedError(data[len(_REFUSED):][:300]))
                elif data.startswith(_LEFT) or data == "1":
                    break
        except Exception:  # noqa: BLE001 - the connection broke: reported as dropped below
            pass
        if not self.closing:
            self.dropped = True
        for future in self.acks.values():
            if not future.done():
                future.set_exception(ConnectionError("connection dropped"))
        if self.connected is not None and not self.connected.done():
            self.connected.set_exception(ConnectionError("connection closed before the namespace was joined"))

    def _ack(self, data: str) -> None:
        start = len(_ACK)
        bracket = data.find("[", start)
        future = self.acks.get(int(data[start:bracket]))
        if future is not None and not future.done():
            answer = json.loads(data[bracket:])
            future.set_result(answer[0] if answer else None)

    def _event(self, data: str) -> None:
        start = len(_EVENT) + 1
        name = data[start:data.find('"', start)]
        self.events[name] = self.events.get(name, 0) + 1
        if name == "round":
            self._round(data)
        elif name == "analysis" and self.analysed_at is None and self.hub.round_id is not None:
            # The analysis's own round_id is its last "round_id" (the payload ends with round_id,
            # version, corrected); decoding the whole meanings of 1,000 definitions per phone would
            # cost the measured clients more than the check is worth. Falls back to decoding.
            found = None
            position = data.rfind('"round_id"')
            if position >= 0:
                match = _ROUND_ID.match(data, position)
                found = int(match.group(1)) if match else None
            if found is None:
                try:
                    found = (json.loads(data[len(_EVENT) - 1:])[1].get("analysis") or {}).get("round_id")
                except (ValueError, AttributeError, IndexError):
                    found = None
            if found == self.hub.round_id:
                self.analysed_at = time.monotonic()
                self.counting = False
                self.hub.analysed += 1
                hub = self.hub
                if hub.fetching == "person" and _PAGED.search(data) and hub.rng.random() < hub.open_share:
                    meanings = sorted(set(_MEANING_ID.findall(data))) or [None]
                    delay = hub.rng.uniform(*hub.open_within)
                    hub.opening += 1
                    asyncio.get_running_loop().create_task(self._open_meaning(hub.rng.choice(meanings), delay))

    def _round(self, data: str) -> None:
        if self.revealed_at is not None or self.hub.round_id is None:
            return
        now = time.monotonic()
        # Decode only the "round" object (it comes first), not the definitions that may follow it.
        position = data.find('"round"', len(_EVENT) + 7)
        round_ = None
        if position >= 0:
            colon = data.find(":", position + 7)
            index = colon + 1
            while data[index] == " ":
                index += 1
            try:
                round_, _end = _DECODER.raw_decode(data, index)
            except ValueError:
                round_ = None
        if not isinstance(round_, dict):
            try:
                round_ = json.loads(data[len(_EVENT) - 1:])[1].get("round")
            except (ValueError, AttributeError, IndexError):
                return
        if not isinstance(round_, dict) or round_.get("id") != self.hub.round_id or not round_.get("revealed"):
            return
        self.revealed_at = now
        # A plenary's reveal says "definitions": null with "definitions_paged": true.
        self.definitions_inline = '"definitions"' in data and '"definitions_paged"' not in data
        self.hub.revealed += 1
        if not self.definitions_inline and self.hub.fetching == "herd":
            self.hub.opening += 1
            asyncio.get_running_loop().create_task(self._fetch({"round_id": self.hub.round_id}))

    async def _open_meaning(self, meaning_id: str | None, delay: float) -> None:
        """A person opens "Toon definities" of a meaning ``delay`` seconds after it appeared."""
        await asyncio.sleep(delay)
        await self._fetch({"round_id": self.hub.round_id, **({"meaning_id": meaning_id} if meaning_id else {})})

    async def _fetch(self, payload: dict) -> None:
        _ack, elapsed, error = await self.call("get_definitions", payload)
        if error:
            self.hub.fetch_errors.append(error)
        else:
            self.hub.fetches.append(elapsed)

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001
                pass
        if self.reader is not None:
            self.reader.cancel()


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


class Meter:
    """CPU of the server (from /proc), of this process (the clients) and of the whole machine, per phase."""

    def __init__(self, server, busy_seconds):
        self.server = server
        self.busy_seconds = busy_seconds
        self.phases: list[dict] = []
        self._mark = self._now()

    def _now(self) -> dict:
        return {"wall": time.monotonic(), "server": self.server.cpu_seconds(), "clients": time.process_time(),
                "machine": self.busy_seconds()}

    def restart(self) -> None:
        self._mark = self._now()

    def phase(self, name: str, count: int | None = None) -> dict:
        now = self._now()
        used = {k: now[k] - self._mark[k] for k in now}
        used["others"] = max(0.0, used["machine"] - used["server"] - used["clients"])
        used.update(name=name, count=count, load=os.getloadavg())
        self.phases.append(used)
        self._mark = now
        return used


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def _join(phone: Phone, code: str, name: str, partner: str, errors: list) -> tuple[float, float] | None:
    """Connect as a guest, get_state (as the phone does after every connect), join; (connect s, join ack s)."""
    start = time.monotonic()
    try:
        await phone.connect({"meeting": code})
    except Exception as error:  # noqa: BLE001
        errors.append(("connect", repr(error)[:200]))
        return None
    connected = time.monotonic() - start
    _ack, _elapsed, error = await phone.call("get_state", {})
    if error:
        errors.append(("get_state", error))
    _ack, elapsed, error = await phone.call("join", {"name": name, "partner": partner})
    if error:
        errors.append(("join", error))
        return None
    phone.joined = True
    return connected, elapsed


async def _facilitator(hub: Hub, url: str, meeting: dict, errors: list) -> tuple[Phone, int | None]:
    # A hub of its own: the facilitator's screen is not one of the phones whose reveal is awaited.
    screen = Phone(Hub(hub.session), url)
    try:
        await screen.connect({"meeting": meeting["code"], "view": "facilitator", "api_token": meeting["token"]}, timeout=30)
    except Exception as error:  # noqa: BLE001 - reported; the run that needed it is skipped
        errors.append(("connect", f"facilitator: {error!r}"[:200]))
        return screen, None
    await screen.call("get_state", {})
    ack, _elapsed, error = await screen.call("start_round", {"term": meeting["term"]})
    if error:
        errors.append(("start_round", error))
        return screen, None
    return screen, ack["round"]["id"]


async def _join_all(phones, meeting, spread, rng, errors, label) -> list[tuple[float, float]]:
    slots = [spread * i / max(1, len(phones) - 1) for i in range(len(phones))]
    rng.shuffle(slots)
    start_at = time.monotonic() + 0.5

    async def one(i, phone):
        await _sleep_until(start_at + slots[i])
        return await _join(phone, meeting["code"], f"{label} {i}", PARTNERS[i % len(PARTNERS)], errors)

    results = await asyncio.gather(*(one(i, p) for i, p in enumerate(phones)))
    return [r for r in results if r is not None]


async def _submit(phone: Phone, round_id: int, text: str, meeting_label: str) -> dict:
    client_id = uuid.uuid4().hex
    ack, elapsed, error = await phone.call("submit_definition", {"client_id": client_id, "text": text, "round_id": round_id})
    record = {"meeting": meeting_label, "latency": elapsed, "error": error, "text": text, "client_id": client_id,
              "definition_id": None}
    if not error:
        record["definition_id"] = ack["definition"]["id"]
    return record


async def _close_all(phones) -> None:
    await asyncio.gather(*(p.close() for p in phones))


async def _wait_for(condition, deadline: float, step: float = 0.05) -> None:
    while time.monotonic() < deadline and not condition():
        await asyncio.sleep(step)


async def _wait_quiet(server, timeout: float, share: float = 0.15) -> float:
    """Wait until the server uses less than ``share`` of a core for 3 s in a row (its background
    encoder is done; 1,000 idle connections still cost a little); returns the seconds waited."""
    start = time.monotonic()
    quiet = 0
    previous = await asyncio.to_thread(server.cpu_seconds)
    while time.monotonic() - start < timeout and quiet < 3:
        await asyncio.sleep(1.0)
        now = await asyncio.to_thread(server.cpu_seconds)
        quiet = quiet + 1 if now - previous < share else 0
        previous = now
    return time.monotonic() - start


def chosen_runs(args) -> set[str]:
    """The runs --runs asks for (plenary, burst, instant, leave)."""
    return set(args.runs.split(","))


async def run_plenary(server, meetings: dict, args, busy_seconds) -> dict:
    """The three runs against ``server``; ``meetings`` as made by ``set_up_plenary_meetings``.
    Returns every measurement; load.py prints it and checks the database."""
    import aiohttp

    rng = random.Random(args.seed)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    session = aiohttp.ClientSession(connector=connector)
    errors: list[tuple[str, str]] = []
    meter = Meter(server, busy_seconds)
    out: dict = {"errors": errors, "join": [], "submit": [], "reveal": [], "analysis": [], "window_bytes": [], "burst": [],
                 "instant": [], "fetches": [], "present": 0, "definitions_inline": 0, "messages_per_phone": 0.0, "events": {},
                 "encoder_tail_wait": 0.0, "phases": meter.phases}
    runs = chosen_runs(args)
    try:
        if "plenary" in runs:
            await _plenary(server, meetings["plenary"], args, rng, session, meter, out)
            # Let the server finish closing the plenary's connections before the burst.
            await _wait_quiet(server, 60)
        if "burst" in runs:
            await _burst(server, meetings["burst"], args, rng, session, meter, out)
            # The room of 30 is measured on its own, not amid the burst's 500 connections closing.
            await _wait_quiet(server, 60)
        if "instant" in runs:
            await _instant(server, meetings["instant"], args, rng, session, meter, out)
        if "leave" in runs:
            await _wait_quiet(server, 60)
            await _leave(server, meetings, args, rng, session, meter, out)
    finally:
        await session.close()
    return out


async def _plenary(server, meeting, args, rng, session, meter, out) -> None:
    """Run 1: joins over --join-spread, submissions over --submit-spread, the encoder's tail, one reveal."""
    errors = out["errors"]
    hub = Hub(session)
    hub.fetching = args.fetching
    fac, round_id = await _facilitator(hub, server.url, meeting, errors)
    if round_id is None:
        await fac.close()
        return
    phones = [Phone(hub, server.url) for _ in range(args.participants)]
    meter.restart()
    joined = await _join_all(phones, meeting, args.join_spread, rng, errors, "Deelnemer")
    await asyncio.sleep(1.0)  # the roster announcements of the last joins
    out["join"] = joined
    out["join_phase"] = meter.phase("join", len(joined))

    texts = meeting["texts"]
    order = list(range(len(phones)))
    slots = [args.submit_spread * i / max(1, len(phones) - 1) for i in range(len(phones))]
    rng.shuffle(slots)
    start_at = time.monotonic() + 0.5

    async def submit(i):
        await _sleep_until(start_at + slots[i])
        if phones[i].dropped or not phones[i].joined:
            return None
        return await _submit(phones[i], round_id, f"{texts[i % len(texts)]} ({i})", "plenary")

    records = [r for r in await asyncio.gather(*(submit(i) for i in order)) if r is not None]
    errors.extend(("submit_definition", r["error"]) for r in records if r["error"])
    out["submit"] = records
    await asyncio.sleep(1.0)  # the progress announcements of the last submissions
    out["submit_phase"] = meter.phase("submit", sum(1 for r in records if not r["error"]))
    # The server encodes every submitted text in the background (low priority); the reveal's
    # analysis counts on those cached vectors, so wait until the encoder is done (CPU quiet).
    out["encoder_tail_wait"] = await _wait_quiet(server, 120)
    out["encoder_tail"] = meter.phase("encoder tail", None)

    hub.round_id = round_id
    present = [p for p in phones if p.joined and not p.dropped]
    for phone in present:
        phone.counting = True
        phone.window_bytes = 0
    sent = time.monotonic()
    ack, reveal_ack, error = await fac.call("reveal", {"round_id": round_id}, timeout=30)
    if error:
        errors.append(("reveal", error))
    out["reveal_ack"] = reveal_ack
    await _wait_for(lambda: hub.revealed >= len(present), sent + args.reveal_timeout)
    out["reveal_phase"] = meter.phase("reveal", len(present))
    await _wait_for(lambda: hub.analysed >= len(present), sent + args.reveal_timeout + args.analysis_wait, 0.1)
    out["analysis_phase"] = meter.phase("meanings", len(present))
    # The people who open a meaning's definitions, over the next half minute.
    await _wait_for(lambda: len(hub.fetches) + len(hub.fetch_errors) >= hub.opening,
                    time.monotonic() + hub.open_within[1] + CALL_TIMEOUT + 5, 0.2)
    out["fetch_phase"] = meter.phase("opening meanings", len(hub.fetches))
    out["fetches"], out["fetching"] = hub.fetches, hub.fetching
    errors.extend(("get_definitions", error) for error in hub.fetch_errors)
    errors.extend([("get_definitions", "no answer")] * (hub.opening - len(hub.fetches) - len(hub.fetch_errors)))
    out["round_id"] = round_id
    out["present"] = len(present)
    out["reveal"] = [p.revealed_at - sent for p in present if p.revealed_at is not None]
    out["analysis"] = [p.analysed_at - sent for p in present if p.analysed_at is not None]
    out["window_bytes"] = [p.window_bytes for p in present if p.analysed_at is not None]
    out["definitions_inline"] = sum(1 for p in present if p.definitions_inline)
    out["dropped"] = sum(1 for p in phones if p.dropped) + (1 if fac.dropped else 0)
    out["messages_per_phone"] = sum(p.received for p in phones) / max(1, len(phones))
    names: dict[str, int] = {}
    for phone in phones:
        for name, count in phone.events.items():
            names[name] = names.get(name, 0) + count
    out["events"] = names
    missing_reveal = len(present) - len(out["reveal"])
    missing_analysis = len(present) - len(out["analysis"])
    errors.extend([("reveal delivery", f"no revealed round within {args.reveal_timeout:.0f} s")] * missing_reveal)
    errors.extend([("meanings delivery", "no analysis within the wait")] * missing_analysis)
    errors.extend([("dropped", "connection dropped during the plenary")] * out["dropped"])
    meter.restart()
    await _close_all([*phones, fac])
    out["close_phase"] = meter.phase("closing", len(phones) + 1)


async def _burst(server, meeting, args, rng, session, meter, out) -> None:
    """Run 2: --burst-joins phones join within --burst-spread s (a round is open, the facilitator watches)."""
    errors = out["errors"]
    burst_errors: list = []
    hub = Hub(session)
    fac, round_id = await _facilitator(hub, server.url, meeting, burst_errors)
    if round_id is None:
        errors.extend(burst_errors)
        await fac.close()
        return
    phones = [Phone(hub, server.url) for _ in range(args.burst_joins)]
    meter.restart()
    out["burst"] = await _join_all(phones, meeting, args.burst_spread, rng, burst_errors, "Snel")
    out["burst_phase"] = meter.phase("burst joins", len(out["burst"]))
    burst_errors.extend([("dropped", "connection dropped in the burst")] * sum(1 for p in phones if p.dropped))
    errors.extend(burst_errors)
    out["burst_errors"] = len(burst_errors)
    await _close_all([*phones, fac])


async def _instant(server, meeting, args, rng, session, meter, out) -> None:
    """Run 3: a room of --instant-room, all joined; --instant of them submit at one moment, --instant-repeats times."""
    errors = out["errors"]
    instant_errors: list = []
    hub = Hub(session)
    fac, round_id = await _facilitator(hub, server.url, meeting, instant_errors)
    if round_id is None:
        errors.extend(instant_errors)
        await fac.close()
        return
    phones = [Phone(hub, server.url) for _ in range(args.instant_room)]
    await _join_all(phones, meeting, 2.0, rng, instant_errors, "Tegelijk")
    await asyncio.sleep(1.0)
    instant: list[dict] = []
    meter.restart()
    for repeat in range(args.instant_repeats):
        if repeat:
            await fac.call("close_round", {"round_id": round_id})
            ack, _elapsed, error = await fac.call("start_round", {"term": meeting["term"]})
            if error:
                instant_errors.append(("start_round", error))
                break
            round_id = ack["round"]["id"]
            await asyncio.sleep(1.0)
        chosen = rng.sample(phones, min(args.instant, len(phones)))
        batch = await asyncio.gather(*(
            _submit(p, round_id, f"{meeting['texts'][k % len(meeting['texts'])]} (tegelijk {repeat}-{k})", "instant")
            for k, p in enumerate(chosen)))
        instant.extend(batch)
        await asyncio.sleep(1.0)
    out["instant_phase"] = meter.phase("instant submissions", len(instant))
    instant_errors.extend(("submit_definition", r["error"]) for r in instant if r["error"])
    errors.extend(instant_errors)
    out["instant"] = instant
    out["instant_errors"] = len(instant_errors)
    await _close_all([*phones, fac])


async def _leave(server, meetings, args, rng, session, meter, out) -> None:
    """Run 4 (no target in the issue; a proxy restart or a network switch does it): --leave-room phones
    join within --leave-spread s, then every one of their connections closes at the same moment. A
    screen of another meeting on the same process asks get_state every 0.25 s, from before the
    closing until the server is quiet again: how long that process answers nobody."""
    errors = out["errors"]
    hub = Hub(session)
    watcher = Phone(Hub(session), server.url)
    try:
        await watcher.connect({"meeting": meetings["instant"]["code"]}, timeout=30)
    except Exception as error:  # noqa: BLE001 - reported; the run needs its watcher
        errors.append(("connect", f"leave watcher: {error!r}"[:200]))
        return
    phones = [Phone(hub, server.url) for _ in range(args.leave_room)]
    leave_errors: list = []
    await _join_all(phones, meetings["burst"], args.leave_spread, rng, leave_errors, "Weg")
    errors.extend(leave_errors)
    await _wait_quiet(server, 60)
    answers: list[tuple[float, float, str | None]] = []   # (asked at, seconds to the answer, error)
    watching = True

    async def watch():
        while watching:
            asked = time.monotonic()
            _ack, elapsed, error = await watcher.call("get_state", {}, timeout=60)
            answers.append((asked, elapsed, error))
            await asyncio.sleep(max(0.0, 0.25 - (time.monotonic() - asked)))

    watch_task = asyncio.create_task(watch())
    await asyncio.sleep(2.0)
    meter.restart()
    closing_at = time.monotonic()
    await _close_all(phones)
    out["leave_busy"] = await _wait_quiet(server, 300)
    out["leave_phase"] = meter.phase(f"{len(phones)} leave at once", len(phones))
    watching = False
    await watch_task
    await watcher.close()
    during = [(asked - closing_at, elapsed, error) for asked, elapsed, error in answers if asked >= closing_at - 0.25]
    out["leave"] = [elapsed for _at, elapsed, error in during if not error]
    out["leave_unanswered"] = [(at, error) for at, _elapsed, error in during if error]
    out["leave_room"] = len(phones)
    errors.extend(("get_state while phones leave", f"{error} (asked {at:.1f} s after the closing)")
                  for at, error in out["leave_unanswered"])


def set_up_plenary_meetings(database_url: str, terms: list[tuple[str, list[str]]]) -> dict:
    """Three meetings (plenary, burst, instant), each with its own facilitator, API token and partnership."""
    from glossary import accounts, partnerships
    from glossary.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    made = {}
    with make_session_factory(engine)() as db:
        for i, label in enumerate(("plenary", "burst", "instant")):
            username = f"plenum{label}"
            facilitator = accounts.create_facilitator(db, username, "plenary bench password " + username)
            _token, secret = accounts.create_api_token(db, username, "plenary bench")
            partnership = partnerships.create_partnership(db, facilitator.id, f"Plenaire samenwerking {label}", PARTNERS)
            term, texts = terms[i % len(terms)]
            meeting = partnerships.create_meeting(db, facilitator.id, partnership.id, f"Plenaire bijeenkomst {label}", [term])
            made[label] = {"code": meeting.join_code, "token": secret, "term": term, "texts": texts}
    engine.dispose()
    return made


def time_analysis(database_url: str, round_id: int) -> dict:
    """The reveal's analysis of the plenary round with the vectors the server cached, timed in this process.

    The models are loaded and warmed up on other texts first, so the figure is the analysis of texts
    this process has not tokenised yet, as at a reveal; a second run shows it with the tokens cached.
    """
    from glossary import semantics
    from glossary.db import make_engine, make_session_factory
    from glossary.meeting import meanings, vectors
    from glossary.models import Round

    engine = make_engine(database_url)
    with make_session_factory(engine)() as db:
        round_ = db.get(Round, round_id)
        definitions = meanings.round_definitions(db, round_)
        cached = sum(1 for d in definitions if vectors.cached(d) is not None)
        found = vectors.of_definitions(definitions)  # encodes the ones not cached (reported)
        entries = meanings.analysis_input(round_, definitions)
        term = round_.term
    engine.dispose()
    warm = [{"id": f"w{i}", "text": f"Een definitie om op te warmen nummer {i}, over iets anders.", "partner": None}
            for i in range(8)]
    semantics.analyse("opwarmen", warm, vectors=dict(zip((w["id"] for w in warm), semantics.encode([w["text"] for w in warm]))))
    timings = []
    for _ in range(2):
        wall, cpu = time.perf_counter(), time.process_time()
        result = semantics.analyse(term, entries, vectors=found.by_id)
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    return {"definitions": len(definitions), "cached": cached, "wall": timings[0][0], "cpu": timings[0][1],
            "wall_again": timings[1][0], "cpu_again": timings[1][1], "meanings": len(result.get("meanings", []))}


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), int(-(-q * len(ordered) // 100)))) - 1]


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.0f} ms"


def _kb(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1000:.1f} KB"


def print_report(out: dict, analysis: dict | None, stored: int, problems: list[str], args) -> None:
    """The figures next to their targets, then the CPU of server, clients and the rest of the machine."""
    n = args.participants
    join_acks = [j for _c, j in out["join"]]
    connects = [c for c, _j in out["join"]]
    submits = [r["latency"] for r in out["submit"] if not r["error"]]
    acked = [r for r in out["submit"] + out["instant"] if not r["error"]]
    burst = [j for _c, j in out["burst"]]
    instant = [r["latency"] for r in out["instant"] if not r["error"]]
    reveal, meanings, window = out["reveal"], out["analysis"], out["window_bytes"]
    p = _percentile

    rows = [  # (the run that measures it, figure, value, target, format)
        ("plenary", f"join ack p95 ({n} joins over {args.join_spread:.0f} s)", p(join_acks, 95), 0.200, _ms),
        ("plenary", f"submit_definition ack p95 ({n} over {args.submit_spread:.0f} s)", p(submits, 95), 0.100, _ms),
        ("plenary", f"reveal on every phone p95 ({len(reveal)}/{out['present']} phones)", p(reveal, 95), 2.0, _ms),
        ("plenary", f"meanings on every screen, slowest ({len(meanings)}/{out['present']})",
         max(meanings) if len(meanings) == out["present"] and meanings else None, 5.0, _ms),
        ("plenary", "bytes per phone per reveal p95", p(window, 95), 50_000, _kb),
        ("plenary", "bytes per phone per reveal max", max(window) if window else None, 50_000, _kb),
        ("plenary", f"analysis of {analysis['definitions'] if analysis else '?'} definitions, cached vectors (wall)",
         analysis["wall"] if analysis else None, 2.0, _ms),
        ("burst", f"burst: join ack p95 ({args.burst_joins} joins within {args.burst_spread:.0f} s)", p(burst, 95), 0.500, _ms),
        ("instant", f"{args.instant} submissions at once in a room of {args.instant_room}: ack p95 "
         f"(x{args.instant_repeats}, n={len(instant)})", p(instant, 95), 0.150, _ms),
    ]
    leave = out.get("leave", [])
    leaving = f"a screen's answer while {out.get('leave_room', args.leave_room)} phones leave at once, slowest (own target)"
    rows.append(("leave", leaving, max(leave) if leave and not out.get("leave_unanswered") else None, 2.0, _ms))
    print("\n  figure                                                            measured     target       verdict")
    runs = chosen_runs(args)
    for run, name, value, target, fmt in rows:
        if run not in runs:
            print(f"  {name:<65} {'not run':>10}")
            continue
        verdict = "FAIL" if value is None else ("PASS" if value <= target else "FAIL")
        print(f"  {name:<65} {fmt(value):>10}   <= {fmt(target):<9} {verdict}")
    lost = len(acked) - stored
    print(f"  {'acknowledged definitions lost (' + str(stored) + '/' + str(len(acked)) + ' stored)':<65} "
          f"{lost:>10}   = 0         {'PASS' if lost == 0 and not problems else 'FAIL'}")
    print(f"  {'errors (all runs)':<65} {len(out['errors']):>10}   = 0         {'PASS' if not out['errors'] else 'FAIL'}")

    phases = {ph["name"]: ph for ph in out["phases"]}
    none = {"server": 0.0, "clients": 0.0, "count": 0}
    join, submit, tail = (phases.get(name, none) for name in ("join", "submit", "encoder tail"))
    joins, submissions = max(1, join["count"] or 0), max(1, submit["count"] or 0)
    print(f"\n  server CPU per join: {join['server'] / joins * 1000:.1f} ms ({join['server']:.1f} s over the join phase "
          f"/ {joins} joins); clients {join['clients'] / joins * 1000:.1f} ms per join")
    print(f"  server CPU per submission: {submit['server'] / submissions * 1000:.1f} ms during the submit phase "
          f"({submit['server']:.1f} s / {submissions}), {(submit['server'] + tail['server']) / submissions * 1000:.1f} ms "
          f"with the background encoder's tail ({tail['server']:.1f} s over {out['encoder_tail_wait']:.0f} s after it); "
          f"clients {submit['clients'] / submissions * 1000:.1f} ms per submission")
    print("\n  phase                 wall s   server CPU s   clients CPU s   rest of machine CPU s   load avg (1/5/15) at end")
    for ph in out["phases"]:
        one, five, fifteen = ph["load"]
        print(f"  {ph['name']:<20} {ph['wall']:>7.1f} {ph['server']:>14.1f} {ph['clients']:>15.1f} {ph['others']:>23.1f}"
              f"   {one:.2f} / {five:.2f} / {fifteen:.2f}")
    if analysis:
        print(f"\n  analysis: {analysis['definitions']} definitions, {analysis['cached']} with a vector cached by the server, "
              f"{analysis['meanings']} meanings; first run {analysis['wall'] * 1000:.0f} ms wall / "
              f"{analysis['cpu'] * 1000:.0f} ms CPU, again (tokens cached) {analysis['wall_again'] * 1000:.0f} ms wall / "
              f"{analysis['cpu_again'] * 1000:.0f} ms CPU")
    if "leave" in out:
        print(f"  leaving at once: the server was busy {out.get('leave_busy', 0):.0f} s after the closing; get_state asked "
              f"{len(leave)} times meanwhile, p50 {_ms(p(leave, 50))}, p95 {_ms(p(leave, 95))}, unanswered "
              f"{len(out.get('leave_unanswered', []))}")
    print(f"  (not targets) connect p95 {_ms(p(connects, 95))}; join ack p50 {_ms(p(join_acks, 50))}, max "
          f"{_ms(max(join_acks) if join_acks else None)}; submit ack p50 {_ms(p(submits, 50))}, max "
          f"{_ms(max(submits) if submits else None)}; reveal p50 {_ms(p(reveal, 50))}, max "
          f"{_ms(max(reveal) if reveal else None)}; reveal ack to the facilitator {_ms(out.get('reveal_ack'))}; "
          f"meanings p50 {_ms(p(meanings, 50))}, p95 {_ms(p(meanings, 95))}; bytes p50 {_kb(p(window, 50))}; "
          f"burst join ack p50 {_ms(p(burst, 50))}, max {_ms(max(burst) if burst else None)}; "
          f"at once p50 {_ms(p(instant, 50))}, max {_ms(max(instant) if instant else None)}")
    fetches = out.get("fetches", [])
    if fetches:
        how = ("every phone the moment the reveal arrived" if out.get("fetching") == "herd" else
               "half the people open one meaning's definitions 2-30 s after the meanings appeared")
        print(f"  (not a target) get_definitions, {how}: {len(fetches)} pages, ack p50 {_ms(p(fetches, 50))}, "
              f"p95 {_ms(p(fetches, 95))}, max {_ms(max(fetches))}")
    print(f"  messages received per plenary phone: {out['messages_per_phone']:.0f}; events received by all phones: "
          + ", ".join(f"{k} {v}" for k, v in sorted(out["events"].items(), key=lambda kv: -kv[1]))
          + f"; revealed round carried the definitions on {out['definitions_inline']} phones")
    kinds: dict[str, int] = {}
    for kind, _detail in out["errors"]:
        kinds[kind] = kinds.get(kind, 0) + 1
    if kinds:
        print("  errors: " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
        for kind, detail in out["errors"][:5]:
            print(f"    e.g. {kind}: {detail[:200]}")
    for problem in problems[:10]:
        print(f"    {problem}")
