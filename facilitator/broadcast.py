"""Announcements to the screens in a meeting, shared by socket events, pages and the API.

Rooms per meeting: everyone, staff (facilitator and projector), people (participants), and
one room per participant for their own devices. Content that only its author may see goes to
the author's room; everything else that carries names of who has not submitted goes to staff.
"""

from __future__ import annotations

import logging

from flask import current_app, g
from flask_babel import gettext
from sqlalchemy.orm import Session

from facilitator.message_queue import LiveUpdatesDown
from glossary.meeting import rounds, state
from glossary.models import Meeting, Round

NAMESPACE = "/meeting"
log = logging.getLogger("samenspraak")


def meeting_room(meeting_id: int) -> str:
    return f"m:{meeting_id}"


def staff_room(meeting_id: int) -> str:
    return f"m:{meeting_id}:staff"


def people_room(meeting_id: int) -> str:
    return f"m:{meeting_id}:people"


def participant_room(participant_id: int) -> str:
    return f"p:{participant_id}"


def credential_room(login_session_id: int | None = None, api_token_id: int | None = None) -> str:
    """The room of a staff view's connections opened with one login session or one API token."""
    return f"login:{login_session_id}" if login_session_id is not None else f"token:{api_token_id}"


def end_connections(room: str) -> None:
    """Logout or a revoked token: this process's connections that used it are closed now. Those on
    other server processes are refused on their next event (``events.action``) and leave the rooms."""
    server = current_app.extensions["socketio"].server
    for sid, _eio_sid in list(server.manager.get_participants(NAMESPACE, room)):
        server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def _emit(event: str, payload: dict, room: str) -> None:
    try:
        current_app.extensions["socketio"].emit(event, payload, to=room, namespace=NAMESPACE)
    except LiveUpdatesDown:
        # This process's screens have it; the others do not. The action still happened, so it
        # is not undone: the acknowledgement carries a warning instead (see ``delivery_warning``).
        g.live_updates_down = True
        log.warning("announcement %r to %s reached only this server process: Redis is unreachable", event, room)


def send_to_connection(event: str, payload: dict, sid: str) -> None:
    """A message for one connection of this process (its snapshot): never through the queue."""
    current_app.extensions["socketio"].emit(event, payload, to=sid, namespace=NAMESPACE, ignore_queue=True)


def delivery_warning() -> str | None:
    """Called by the event wrapper and the pages after an action: a warning for the person who
    acted if an announcement could not reach the other server processes."""
    if g.pop("live_updates_down", False):
        return gettext(
            "Opgeslagen, maar niet iedereen ziet het meteen: de verbinding tussen de servers is "
            "verbroken. Wie niets ziet veranderen, kan de pagina zo herladen."
        )
    return None


def announce_terms(meeting: Meeting) -> None:
    """Everyone sees the updated term list."""
    _emit("terms", {"terms": state.meeting_payload(meeting)["terms"]}, meeting_room(meeting.id))


def announce_progress(session: Session, round_: Round) -> None:
    """A definition came in (or a round opened): staff see who has not yet submitted, participants
    only the counts. Paced (``facilitator.pacing``): at most a few a second per meeting."""
    _pacer().announce(session, round_.meeting_id, {"progress"})


def announce_roster(session: Session, meeting_id: int) -> None:
    """A participant joined: staff get the new list; progress totals change for everyone. Paced.

    Phones get no roster message: they show no head count, and with 25 phones in a room each join
    would cost 25 messages that nobody reads.
    """
    _pacer().announce(session, meeting_id, {"roster", "progress"})


def phones_connected(meeting_id: int) -> int:
    """How many participant connections this process holds in the meeting (the pacer's measure of
    what an announcement costs)."""
    rooms = current_app.extensions["socketio"].server.manager.rooms.get(NAMESPACE, {})
    return len(rooms.get(people_room(meeting_id), ()))


def _pacer():
    return current_app.extensions["samenspraak.pacer"]


def send_totals(session: Session, meeting_id: int, audience: str, what: frozenset) -> None:
    """The pacer's delivery of a meeting's running totals, read as they are now: to ``staff`` the
    roster and the progress with the names of who has not yet submitted, to ``people`` the counts."""
    open_round = rounds.current_round(session, meeting_id)
    if audience == "people":
        if open_round is not None:
            _emit("progress", rounds.progress(session, open_round, with_names=False), people_room(meeting_id))
        return
    people = rounds.roster(session, meeting_id)
    if "roster" in what:
        _emit("participants", {"participants": people, "count": len(people)}, staff_room(meeting_id))
    if open_round is not None:
        _emit("progress", rounds.progress(session, open_round, with_names=True, everyone=people), staff_room(meeting_id))


def announce_round(session: Session, round_: Round) -> None:
    """A round started or changed phase: every screen gets its phase; the reveal carries the texts
    (a plenary's only their count: screens fetch pages with ``get_definitions``)."""
    payload = {"round": state.round_payload(round_)}
    if rounds.is_revealed(round_):
        payload.update(state.revealed_round(session, round_))
    _emit("round", payload, meeting_room(round_.meeting_id))
    if round_.phase == "collect":
        announce_progress(session, round_)


def announce_own_definition(participant_id: int, definition_payload: dict) -> None:
    """The author's other devices show the saved text too."""
    _emit("definition_saved", {"definition": definition_payload}, participant_room(participant_id))


def announce_analysis(meeting_id: int, analysis: dict) -> None:
    """The meanings of the revealed round (after the reveal and after each correction), as
    ``meanings.screen_payload`` made them: a plenary's without the per-definition lists."""
    _emit("analysis", {"analysis": analysis}, meeting_room(meeting_id))


def announce_sorting(session: Session, round_: Round) -> None:
    """How far the room's sorting is (answers, people): staff and projector show the live count."""
    _emit("sorting", state.sorting_progress(session, round_), staff_room(round_.meeting_id))


def announce_my_sorting(session: Session, round_: Round, participant_ids) -> None:
    """Each sorting participant's own cards and answers, on all their devices."""
    for participant_id in participant_ids:
        _emit("my_sorting", state.my_sorting(session, round_, participant_id), participant_room(participant_id))


def announce_discussion(session: Session, round_: Round, *, personal_for: list[int] = ()) -> None:
    """The discussion changed: staff get it with the support per meaning, participants without;
    ``personal_for`` participants also get their own part (task, marks, vote) again.

    Read and sent under one lock: two votes at the same moment are handled on two threads, and the
    one that read the tally first could otherwise send it last, leaving screens on "2 of 3"."""
    with current_app.extensions["samenspraak.announcing"]:
        # Read what is committed now: end the read transaction (the use case has committed; on
        # SQLite a reader keeps the snapshot of its first read) and forget the objects it loaded.
        session.commit()
        session.expire_all()
        shared = state.discussion_state(session, round_, staff=False)
        _emit("discussion", {**shared, "support": state.support(session, round_)}, staff_room(round_.meeting_id))
        _emit("discussion", shared, people_room(round_.meeting_id))
        for participant_id in personal_for:
            _emit("my_discussion", state.personal_discussion(session, round_, participant_id), participant_room(participant_id))


def announce_everyones_part(session: Session, round_: Round) -> None:
    """After a change that touches every participant's own part (a new check, a new proposal)."""
    announce_discussion(session, round_, personal_for=[p.id for p in rounds.participants_of(session, round_.meeting_id)])


def announce_adoption(session: Session, round_: Round, version) -> None:
    """The group adopted a definition: every screen shows it (with its votes and reservations)
    and can link to the glossary."""
    _emit("adopted", {"round_id": round_.id, "entry_id": version.entry_id, "version": version.number,
                      "term": round_.term, "outcome": state.round_outcome(session, round_)}, meeting_room(round_.meeting_id))


def announce_projector_questions(round_: Round, shown: bool) -> None:
    """The facilitator shows or hides the questions and answers on the projector."""
    _emit("projector_questions", {"round_id": round_.id, "shown": shown}, staff_room(round_.meeting_id))


def announce_draft(round_: Round, text: str) -> None:
    """The draft as the facilitator writes it: the projector shows it live (not stored)."""
    _emit("draft", {"round_id": round_.id, "text": text}, staff_room(round_.meeting_id))


def announce_nudge(round_: Round, waiting: list) -> None:
    """A gentle reminder on the screens of those who have not yet submitted (and nobody else's)."""
    for participant in waiting:
        _emit("nudge", {"round_id": round_.id, "term": round_.term}, participant_room(participant.id))
