"""Socket.IO namespace ``/meeting``: the live side of a meeting (see docs/protocol.md).

Each handler checks who is sending (role and meeting, fixed at connect), validates the payload,
calls one domain function, announces the result to the right rooms and acknowledges with
``{"ok": true, ...}`` or ``{"ok": false, "error": ...}``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import wraps

from flask import current_app, request, session
from flask_babel import gettext
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from facilitator import broadcast
from facilitator.i18n import error_message
from facilitator.pages import meeting_by_code, participant_cookie
from facilitator.web import (
    committed_since_reset,
    current_facilitator,
    current_login_session_id,
    db,
    reset_commit_note,
    unexpected_error_message,
)
from glossary import accounts, consent, meanings, partnerships, rounds
from glossary.errors import DomainError

IDENTITY_KEY = "meeting_connection"


def N_(message: str) -> str:
    """Marks a message id for extraction; translated where it is shown."""
    return message


# Who may send an event, as a person reads it in a refusal.
ROLE_NAMES = {
    "facilitator": N_("de facilitator"),
    "projector": N_("het projectorscherm"),
    "participant": N_("deelnemers"),
    "guest": N_("wie nog niet heeft meegedaan"),
}
STAFF_VIEWS = ("facilitator", "projector")


@dataclass(frozen=True)
class Connection:
    """Who is on the other end of a socket: fixed at connect, upgraded by ``join``."""

    meeting_id: int
    role: str  # facilitator | projector | participant | guest
    participant_id: int | None = None
    facilitator_id: int | None = None
    # What a staff view connected with; logout, a password change or revoking the token ends it.
    login_session_id: int | None = None
    api_token_id: int | None = None

    def viewer(self) -> rounds.Viewer:
        return rounds.Viewer(self.role, self.participant_id, self.facilitator_id)


def _refuse(message: str) -> None:
    raise ConnectionRefusedError({"message": message})


def _identify(auth: dict) -> Connection:
    """Work out the connection's meeting and role from the auth payload and cookies."""
    try:
        meeting = meeting_by_code(auth.get("meeting"), auth.get("token"))
    except DomainError as error:
        _refuse(error_message(error))
    view = auth.get("view", "participant")
    if view in STAFF_VIEWS:
        facilitator, login_session_id, api_token_id = current_facilitator(), current_login_session_id(), None
        if facilitator is None:
            token = accounts.api_token_for_secret(db(), auth.get("api_token"))
            facilitator, api_token_id = (token.facilitator, token.id) if token else (None, None)
        if facilitator is None or not partnerships.is_partnership_facilitator(db(), facilitator.id, meeting.partnership_id):
            _refuse(gettext("Log in als facilitator van deze bijeenkomst om dit scherm te openen."))
        return Connection(meeting.id, view, facilitator_id=facilitator.id,
                          login_session_id=login_session_id, api_token_id=api_token_id)
    token = auth.get("token") or request.cookies.get(participant_cookie(meeting.id))
    participant = partnerships.participant_for_token(db(), meeting.id, token)
    if participant is None:
        return Connection(meeting.id, "guest")
    return Connection(meeting.id, "participant", participant_id=participant.id)


def _enter_rooms(connection: Connection) -> None:
    join_room(broadcast.meeting_room(connection.meeting_id))
    if connection.role in STAFF_VIEWS:
        join_room(broadcast.staff_room(connection.meeting_id))
        join_room(broadcast.credential_room(connection.login_session_id, connection.api_token_id))
    elif connection.role == "participant":
        join_room(broadcast.people_room(connection.meeting_id))
        join_room(broadcast.participant_room(connection.participant_id))


def _leave_rooms(connection: Connection) -> None:
    leave_room(broadcast.meeting_room(connection.meeting_id))
    leave_room(broadcast.staff_room(connection.meeting_id))


def _background():
    return current_app.extensions["samenspraak.background"]


def _state(connection: Connection) -> dict:
    meeting = partnerships.require_meeting(db(), connection.meeting_id)
    return rounds.meeting_state(db(), meeting, connection.viewer())


def _send_state_once_connected(app, socketio, sid: str, connection: Connection) -> None:
    """Send the snapshot right after the server has acknowledged the connection.

    Emitting inside the connect handler would put the snapshot on the wire before the
    connect acknowledgement, which clients other than the official JS client may drop.
    """
    manager = socketio.server.manager
    for _attempt in range(1000):
        if manager.is_connected(sid, broadcast.NAMESPACE):
            break
        socketio.sleep(0.005)
    else:
        return  # the connection never completed (refused or dropped): nobody to send to
    with app.app_context():
        broadcast.send_to_connection("state", _state(connection), sid)


def _allowed(connection: Connection) -> bool:
    """The flood limit counts per person, so reconnecting does not reset it: per participant, per
    facilitator (their screens together), and for guests per connection and per address."""
    limits = current_app.extensions["samenspraak.limits"]
    if connection.role == "participant":
        return limits.events.allow(f"p:{connection.participant_id}")
    if connection.role in STAFF_VIEWS:
        return limits.events.allow(f"f:{connection.facilitator_id}")
    return limits.events.allow(f"s:{request.sid}") and limits.guest_events.allow(f"a:{request.remote_addr}")


def action(*roles: str):
    """Wrap an event handler: role check, payload shape check, error acks, nothing half-done."""

    def decorate(handler):
        @wraps(handler)
        def wrapped(self, payload=None, *_ignored):
            data = session.get(IDENTITY_KEY)
            if not data:
                return {"ok": False, "error": gettext("Je bent niet verbonden met een bijeenkomst; herlaad de pagina.")}
            connection = Connection(**data)
            if not _allowed(connection):
                return {"ok": False, "error": gettext("Te veel berichten tegelijk; wacht even en probeer het opnieuw.")}
            if connection.role in STAFF_VIEWS and not accounts.credential_is_live(
                db(), login_session_id=connection.login_session_id, api_token_id=connection.api_token_id
            ):
                # Checked on every event, so it holds across server processes: the connection leaves
                # the meeting's rooms (no more announcements) and is refused from now on.
                _leave_rooms(connection)
                session.pop(IDENTITY_KEY, None)
                return {"ok": False, "error": gettext(
                    "Je bent uitgelogd of je token is ingetrokken; log opnieuw in om dit scherm te gebruiken.")}
            if connection.role not in roles:
                who = ", ".join(gettext(ROLE_NAMES[r]) for r in roles)
                return {"ok": False, "error": gettext("Dit mag alleen %(roles)s.", roles=who)}
            if payload is None:
                payload = {}
            if not isinstance(payload, dict):
                return {"ok": False, "error": gettext("Stuur de gegevens als object (JSON).")}
            reset_commit_note(db())
            try:
                # Rights are per partnership, but a connection acts on its own meeting's rounds only.
                partnerships.require_round_of_meeting(db(), payload.get("round_id"), connection.meeting_id)
                answer = {"ok": True, **(handler(self, connection, payload) or {})}
                warning = broadcast.delivery_warning()
                return {**answer, "warning": warning} if warning else answer
            except DomainError as error:
                db().rollback()
                return {"ok": False, "error": error_message(error)}
            except Exception as error:  # noqa: BLE001 - the client gets a message, the log the traceback
                saved = committed_since_reset(db())
                db().rollback()
                if saved:  # the action is stored; only telling the others went wrong
                    return {"ok": False, "saved": True, "error": unexpected_error_message(error, saved=True)}
                return {"ok": False, "error": unexpected_error_message(error)}

        return wrapped

    return decorate


class MeetingNamespace(Namespace):
    """Handlers of the ``/meeting`` namespace; one Socket.IO room per meeting."""

    def on_connect(self, auth=None):
        try:
            connection = _identify(auth if isinstance(auth, dict) else {})
        except ConnectionRefusedError:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. the database is down: say so, not "unexpected error"
            _refuse(unexpected_error_message(error))
        session[IDENTITY_KEY] = asdict(connection)
        _enter_rooms(connection)
        self.socketio.start_background_task(
            _send_state_once_connected, current_app._get_current_object(), self.socketio, request.sid, connection
        )

    def on_disconnect(self, reason=None):
        current_app.extensions["samenspraak.limits"].events.forget(f"s:{request.sid}")

    @action("guest")
    def on_join(self, connection, payload):
        joined = partnerships.join_meeting(
            db(), partnerships.require_meeting(db(), connection.meeting_id).join_code,
            payload.get("name"), payload.get("partner"),
        )
        upgraded = Connection(connection.meeting_id, "participant", participant_id=joined.participant.id)
        session[IDENTITY_KEY] = asdict(upgraded)
        _enter_rooms(upgraded)
        broadcast.announce_roster(db(), connection.meeting_id)
        broadcast.send_to_connection("state", _state(upgraded), request.sid)
        return {"participant": rounds.participant_payload(joined.participant), "token": joined.rejoin_token}

    @action("participant")
    def on_submit_definition(self, connection, payload):
        submission = rounds.submit_definition(
            db(), connection.participant_id, client_id=payload.get("client_id"), text=payload.get("text"),
            example=payload.get("example", ""), observable=payload.get("observable", ""),
            round_id=payload.get("round_id"),
        )
        definition = rounds.own_definition_payload(submission.definition)
        if submission.stored:
            broadcast.announce_own_definition(connection.participant_id, definition)
            broadcast.announce_progress(db(), submission.round)
            _background().encode_definition(submission.definition.id, submission.definition.text)
        return {"definition": definition, "stored": submission.stored}

    @action("facilitator")
    def on_start_round(self, connection, payload):
        round_ = rounds.start_round(
            db(), connection.facilitator_id, connection.meeting_id,
            term_id=payload.get("term_id"), term=payload.get("term"),
        )
        broadcast.announce_terms(partnerships.require_meeting(db(), connection.meeting_id))
        broadcast.announce_round(db(), round_)
        return {"round": rounds.round_payload(round_)}

    @action("facilitator")
    def on_reveal(self, connection, payload):
        round_ = rounds.reveal_round(db(), connection.facilitator_id, payload.get("round_id"), payload.get("anonymity", "named"))
        broadcast.announce_round(db(), round_)
        _background().analyse_and_announce(round_.id, round_.meeting_id)
        return {"round": rounds.round_payload(round_)}

    @action("facilitator")
    def on_correct_meanings(self, connection, payload):
        analysis = meanings.correct_meanings(
            db(), connection.facilitator_id, payload.get("round_id"), payload.get("action"), payload
        )
        shown = meanings.analysis_payload(analysis)
        broadcast.announce_analysis(rounds.get_round(db(), analysis.round_id).meeting_id, shown)
        return {"analysis": shown}

    @action("facilitator")
    def on_reopen(self, connection, payload):
        round_ = rounds.reopen_collecting(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), round_)
        return {"round": rounds.round_payload(round_)}

    @action("facilitator")
    def on_close_round(self, connection, payload):
        round_ = rounds.close_round(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), round_)
        return {"round": rounds.round_payload(round_)}

    @action("facilitator")
    def on_lock_round(self, connection, payload):
        round_ = rounds.lock_collecting(db(), connection.facilitator_id, payload.get("round_id"), payload.get("locked"))
        broadcast.announce_round(db(), round_)
        return {"round": rounds.round_payload(round_)}

    @action("facilitator")
    def on_set_timer(self, connection, payload):
        round_ = rounds.set_timer(db(), connection.facilitator_id, payload.get("round_id"), payload.get("seconds"))
        broadcast.announce_round(db(), round_)
        return {"round": rounds.round_payload(round_)}

    @action("facilitator")
    def on_restart_round(self, connection, payload):
        old, new = rounds.restart_round(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), old)
        broadcast.announce_round(db(), new)
        return {"round": rounds.round_payload(new)}

    @action("facilitator")
    def on_nudge(self, connection, payload):
        waiting = rounds.nudge_waiting(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_nudge(rounds.get_round(db(), payload["round_id"]), waiting)
        return {"nudged": [rounds.participant_payload(p) for p in waiting]}

    @action("facilitator")
    def on_update_terms(self, connection, payload):
        meeting = partnerships.update_terms(db(), connection.facilitator_id, connection.meeting_id, payload.get("terms"))
        broadcast.announce_terms(meeting)
        return {"terms": rounds.meeting_payload(meeting)["terms"]}

    # --- discuss and consent (docs/protocol.md, "After the reveal") ---

    @action("facilitator")
    def on_start_discussion(self, connection, payload):
        round_ = consent.start_discussion(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), round_)
        broadcast.announce_everyones_part(db(), round_)
        return {"round": rounds.round_payload(round_)}

    @action("participant")
    def on_react(self, connection, payload):
        reaction = consent.react(db(), connection.participant_id, payload.get("definition_id"), payload.get("kind"))
        round_ = rounds.current_round(db(), connection.meeting_id)
        broadcast.announce_discussion(db(), round_, personal_for=[connection.participant_id])
        return {"definition_id": payload.get("definition_id"), "kind": reaction.kind if reaction else None}

    @action("participant")
    def on_ask_question(self, connection, payload):
        question = consent.ask_question(db(), connection.participant_id, payload.get("definition_id"), payload.get("text"))
        broadcast.announce_discussion(db(), rounds.get_round(db(), question.round_id))
        return {"question_id": question.id}

    @action("participant")
    def on_answer_question(self, connection, payload):
        question = consent.answer_question(db(), connection.participant_id, payload.get("question_id"), payload.get("text"))
        broadcast.announce_discussion(db(), rounds.get_round(db(), question.round_id))
        return {"question_id": question.id}

    @action("facilitator")
    def on_start_listening_check(self, connection, payload):
        number = consent.start_listening_check(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_everyones_part(db(), rounds.get_round(db(), payload["round_id"]))
        return {"check": number}

    @action("participant")
    def on_restate(self, connection, payload):
        restatement = consent.restate(db(), connection.participant_id, payload.get("text"))
        round_ = rounds.get_round(db(), restatement.round_id)
        author = consent.author_of_restated(db(), restatement)
        broadcast.announce_discussion(db(), round_, personal_for=[connection.participant_id, author])
        return {"restatement_id": restatement.id, "closeness": restatement.closeness}

    @action("participant")
    def on_judge_restatement(self, connection, payload):
        restatement = consent.judge_restatement(db(), connection.participant_id, payload.get("restatement_id"), payload.get("verdict"))
        round_ = rounds.get_round(db(), restatement.round_id)
        broadcast.announce_discussion(db(), round_, personal_for=[restatement.participant_id, connection.participant_id])
        return {"restatement_id": restatement.id, "verdict": restatement.verdict}

    @action("facilitator")
    def on_assemble_draft(self, connection, payload):
        round_ = rounds.facilitated_round(db(), connection.facilitator_id, payload.get("round_id"))
        return {"text": consent.assemble_draft(db(), round_)}

    @action("facilitator")
    def on_check_draft(self, connection, payload):
        round_ = rounds.facilitated_round(db(), connection.facilitator_id, payload.get("round_id"))
        return consent.check_draft(db(), round_, payload.get("text"))

    @action("facilitator")
    def on_propose(self, connection, payload):
        proposal = consent.propose(db(), connection.facilitator_id, payload.get("round_id"), payload.get("text"),
                                   payload.get("scope", ""), payload.get("examples", []))
        round_ = rounds.get_round(db(), proposal.round_id)
        broadcast.announce_round(db(), round_)
        broadcast.announce_everyones_part(db(), round_)
        return {"proposal": consent.proposal_payload(proposal)}

    @action("participant")
    def on_vote(self, connection, payload):
        ballot = consent.vote(db(), connection.participant_id, payload.get("proposal_id"), payload.get("choice"), payload.get("reason", ""))
        broadcast.announce_discussion(db(), rounds.current_round(db(), connection.meeting_id), personal_for=[connection.participant_id])
        return {"vote": {"proposal_id": ballot.proposal_id, "choice": ballot.choice, "reason": ballot.reason}}

    @action("facilitator")
    def on_adopt(self, connection, payload):
        round_, version = consent.adopt(
            db(), connection.facilitator_id, payload.get("round_id"), override_reason=payload.get("override_reason"),
            not_to_confuse_with=payload.get("not_to_confuse_with", []), condition_ids=payload.get("condition_ids", []),
            timezone=current_app.config["TIMEZONE"],
        )
        broadcast.announce_round(db(), round_)
        broadcast.announce_adoption(round_, version)
        return {"entry_id": version.entry_id, "version": version.number}

    @action("facilitator", "projector", "participant", "guest")
    def on_get_state(self, connection, payload):
        return {"state": _state(connection)}


def register(socketio) -> None:
    """Called by ``create_app``: attach the meeting namespace to this app's Socket.IO server."""
    socketio.on_namespace(MeetingNamespace(broadcast.NAMESPACE))
