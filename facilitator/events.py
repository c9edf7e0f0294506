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
from glossary import accounts, partnerships
from glossary.errors import DomainError
from glossary.meeting import consent, discussion, meanings, rounds, sorting, state

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

    def viewer(self) -> state.Viewer:
        return state.Viewer(self.role, self.participant_id, self.facilitator_id)


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
    return state.snapshot(db(), connection.meeting_id, connection.viewer())


def _allowed(connection: Connection) -> bool:
    """The flood limit counts per person, so reconnecting does not reset it: per participant, per
    facilitator (their screens together), and for guests per connection and per address."""
    limits = current_app.extensions["samenspraak.limits"]
    if connection.role == "participant":
        return limits.events.allow(f"p:{connection.participant_id}")
    if connection.role in STAFF_VIEWS:
        return limits.events.allow(f"f:{connection.facilitator_id}")
    return limits.events.allow(f"s:{request.sid}") and limits.guest_events.allow(f"a:{request.remote_addr}")


def handling():
    """The process's gate for socket events (facilitator/gate.py): at most SOCKET_HANDLERS_AT_ONCE
    are handled at once; the others sleep until it is their turn."""
    return current_app.extensions["samenspraak.handling"]


def refusal(message: str) -> dict:
    """The acknowledgement of an event that changed nothing, with the reason a person reads."""
    return {"ok": False, "error": message}


def acknowledge_failure(error: Exception) -> dict:
    """Flask-SocketIO's error handler for ``/meeting`` (see ``register``): a handler whose use case
    raised leaves nothing half-done (rollback) and is acknowledged with the reason: a
    DomainError's own message, otherwise a general one (and the traceback in the log). When the
    use case had already committed (only telling the others failed), the person is told it was
    saved (``saved: true``), not that nothing was."""
    saved = not isinstance(error, DomainError) and committed_since_reset(db())
    db().rollback()
    if isinstance(error, DomainError):
        return refusal(error_message(error))
    if saved:
        return {**refusal(unexpected_error_message(error, saved=True)), "saved": True}
    return refusal(unexpected_error_message(error))


def action(*roles: str):
    """Wrap an event handler: it waits its turn at the process's gate (``handling``), then checks
    who may send it (role, live credentials, the flood limit), the payload's shape and the round's
    meeting. Errors the handler raises are acknowledged by ``acknowledge_failure``."""

    def decorate(handler):
        @wraps(handler)
        def wrapped(self, payload=None, *_ignored):
            with handling():
                return checked(self, payload)

        def checked(self, payload):
            data = session.get(IDENTITY_KEY)
            if not data:
                return refusal(gettext("Je bent niet verbonden met een bijeenkomst; herlaad de pagina."))
            connection = Connection(**data)
            if not _allowed(connection):
                return refusal(gettext("Te veel berichten tegelijk; wacht even en probeer het opnieuw."))
            if connection.role in STAFF_VIEWS and not accounts.credential_is_live(
                db(), login_session_id=connection.login_session_id, api_token_id=connection.api_token_id
            ):
                # Checked on every event, so it holds across server processes: the connection leaves
                # the meeting's rooms (no more announcements) and is refused from now on.
                _leave_rooms(connection)
                session.pop(IDENTITY_KEY, None)
                return refusal(gettext("Je bent uitgelogd of je token is ingetrokken; log opnieuw in om dit scherm te gebruiken."))
            if connection.role not in roles:
                who = ", ".join(gettext(ROLE_NAMES[r]) for r in roles)
                return refusal(gettext("Dit mag alleen %(roles)s.", roles=who))
            if payload is None:
                payload = {}
            if not isinstance(payload, dict):
                return refusal(gettext("Stuur de gegevens als object (JSON)."))
            reset_commit_note(db())
            # Rights are per partnership, but a connection acts on its own meeting's rounds only.
            partnerships.require_round_of_meeting(db(), payload.get("round_id"), connection.meeting_id)
            answer = {"ok": True, **(handler(self, connection, payload) or {})}
            warning = broadcast.delivery_warning()
            return {**answer, "warning": warning} if warning else answer

        return wrapped

    return decorate


class MeetingNamespace(Namespace):
    """Handlers of the ``/meeting`` namespace; one Socket.IO room per meeting."""

    def on_connect(self, auth=None):
        try:
            with handling():
                connection = _identify(auth if isinstance(auth, dict) else {})
        except ConnectionRefusedError:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. the database is down: say so, not "unexpected error"
            _refuse(unexpected_error_message(error))
        session[IDENTITY_KEY] = asdict(connection)
        _enter_rooms(connection)
        # The client asks for its snapshot with get_state once connected (docs/protocol.md): sent
        # from here it would go out before the connect acknowledgement.

    def on_disconnect(self, reason=None):
        current_app.extensions["samenspraak.limits"].events.forget(f"s:{request.sid}")

    @action("guest")
    def on_join(self, connection, payload):
        joined = partnerships.join_meeting(db(), connection.meeting_id, payload.get("name"), payload.get("partner"))
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
        definition = state.own_definition_payload(submission.definition)
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
        return {"round": state.round_payload(round_)}

    @action("facilitator")
    def on_reveal(self, connection, payload):
        round_ = rounds.reveal_round(db(), connection.facilitator_id, payload.get("round_id"), payload.get("anonymity", "named"))
        broadcast.announce_round(db(), round_)
        _background().analyse_and_announce(round_.id, round_.meeting_id)
        return {"round": state.round_payload(round_)}

    @action("facilitator")
    def on_correct_meanings(self, connection, payload):
        analysis = meanings.correct_meanings(
            db(), connection.facilitator_id, payload.get("round_id"), payload.get("action"), payload
        )
        shown = meanings.screen_payload(db(), analysis)
        broadcast.announce_analysis(rounds.require_round(db(), analysis.round_id).meeting_id, shown)
        return {"analysis": shown}

    @action("facilitator")
    def on_reopen(self, connection, payload):
        round_ = rounds.reopen_collecting(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), round_)
        return {"round": state.round_payload(round_)}

    @action("facilitator")
    def on_close_round(self, connection, payload):
        round_ = rounds.close_round(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), round_)
        return {"round": state.round_payload(round_)}

    @action("facilitator")
    def on_lock_round(self, connection, payload):
        round_ = rounds.lock_collecting(db(), connection.facilitator_id, payload.get("round_id"), payload.get("locked"))
        broadcast.announce_round(db(), round_)
        return {"round": state.round_payload(round_)}

    @action("facilitator")
    def on_set_timer(self, connection, payload):
        round_ = rounds.set_timer(db(), connection.facilitator_id, payload.get("round_id"), payload.get("seconds"))
        broadcast.announce_round(db(), round_)
        return {"round": state.round_payload(round_)}

    @action("facilitator")
    def on_restart_round(self, connection, payload):
        old, new = rounds.restart_round(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), old)
        broadcast.announce_round(db(), new)
        return {"round": state.round_payload(new)}

    @action("facilitator")
    def on_nudge(self, connection, payload):
        waiting = rounds.nudge_waiting(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_nudge(rounds.require_round(db(), payload["round_id"]), waiting)
        return {"nudged": [rounds.participant_payload(p) for p in waiting]}

    @action("facilitator")
    def on_update_terms(self, connection, payload):
        meeting = partnerships.update_terms(db(), connection.facilitator_id, connection.meeting_id, payload.get("terms"))
        broadcast.announce_terms(meeting)
        return {"terms": state.meeting_payload(meeting)["terms"]}

    # --- sorting (docs/protocol.md, "Sorting") ---

    @action("facilitator")
    def on_start_sorting(self, connection, payload):
        round_ = sorting.start_sorting(db(), connection.facilitator_id, payload.get("round_id"), meeting_id=connection.meeting_id)
        broadcast.announce_round(db(), round_)
        broadcast.announce_my_sorting(db(), round_, [p.id for p in rounds.participants_of(db(), round_.meeting_id)])
        broadcast.announce_sorting(db(), round_)
        return {"round": state.round_payload(round_)}

    @action("participant")
    def on_judge_meaning(self, connection, payload):
        answer = sorting.judge(db(), connection.participant_id, payload.get("definition_id"), payload.get("verdict"))
        round_ = rounds.require_round(db(), answer.round_id)
        broadcast.announce_sorting(db(), round_)
        broadcast.announce_my_sorting(db(), round_, [connection.participant_id])
        _background().regroup_and_announce(round_.id, round_.meeting_id)
        return {"definition_id": answer.other_definition_id, "verdict": answer.verdict}

    @action("facilitator")
    def on_end_sorting(self, connection, payload):
        round_ = sorting.end_sorting(db(), connection.facilitator_id, payload.get("round_id"), meeting_id=connection.meeting_id)
        broadcast.announce_round(db(), round_)
        broadcast.announce_sorting(db(), round_)
        return {"round": state.round_payload(round_)}

    # --- discuss and consent (docs/protocol.md, "After the reveal") ---

    @action("facilitator")
    def on_start_discussion(self, connection, payload):
        round_ = consent.start_discussion(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_round(db(), round_)
        broadcast.announce_everyones_part(db(), round_)
        return {"round": state.round_payload(round_)}

    @action("participant")
    def on_react(self, connection, payload):
        reaction = discussion.react(db(), connection.participant_id, payload.get("definition_id"), payload.get("kind"))
        round_ = rounds.current_round(db(), connection.meeting_id)
        broadcast.announce_discussion(db(), round_, personal_for=[connection.participant_id])
        return {"definition_id": payload.get("definition_id"), "kind": reaction.kind if reaction else None}

    @action("participant")
    def on_ask_question(self, connection, payload):
        question = discussion.ask_question(db(), connection.participant_id, payload.get("definition_id"), payload.get("text"))
        broadcast.announce_discussion(db(), rounds.require_round(db(), question.round_id))
        return {"question_id": question.id}

    @action("facilitator")
    def on_show_questions(self, connection, payload):
        round_, shown = discussion.show_questions(db(), connection.facilitator_id, payload.get("round_id"), payload.get("shown"))
        broadcast.announce_projector_questions(round_, shown)
        return {"shown": shown}

    @action("participant")
    def on_answer_question(self, connection, payload):
        question = discussion.answer_question(db(), connection.participant_id, payload.get("question_id"), payload.get("text"))
        broadcast.announce_discussion(db(), rounds.require_round(db(), question.round_id))
        return {"question_id": question.id}

    @action("facilitator")
    def on_start_listening_check(self, connection, payload):
        number = discussion.start_listening_check(db(), connection.facilitator_id, payload.get("round_id"))
        broadcast.announce_everyones_part(db(), rounds.require_round(db(), payload["round_id"]))
        return {"check": number}

    @action("participant")
    def on_restate(self, connection, payload):
        restatement = discussion.restate(db(), connection.participant_id, payload.get("text"))
        round_ = rounds.require_round(db(), restatement.round_id)
        author = discussion.author_of_restated(db(), restatement)
        broadcast.announce_discussion(db(), round_, personal_for=[connection.participant_id, author])
        return {"restatement_id": restatement.id, "closeness": restatement.closeness}

    @action("participant")
    def on_judge_restatement(self, connection, payload):
        restatement = discussion.judge_restatement(db(), connection.participant_id, payload.get("restatement_id"), payload.get("verdict"))
        round_ = rounds.require_round(db(), restatement.round_id)
        broadcast.announce_discussion(db(), round_, personal_for=[restatement.participant_id, connection.participant_id])
        return {"restatement_id": restatement.id, "verdict": restatement.verdict}

    @action("facilitator")
    def on_assemble_draft(self, connection, payload):
        round_ = rounds.facilitated_round(db(), connection.facilitator_id, payload.get("round_id"))
        return {"text": consent.assemble_draft(db(), round_, pattern=gettext("{term} is {parts}."), joiner=gettext(" en "))}

    @action("facilitator")
    def on_share_draft(self, connection, payload):
        round_, text = consent.share_draft(db(), connection.facilitator_id, payload.get("round_id"), payload.get("text"))
        broadcast.announce_draft(round_, text)
        return {}

    @action("facilitator")
    def on_check_draft(self, connection, payload):
        round_ = rounds.facilitated_round(db(), connection.facilitator_id, payload.get("round_id"))
        return consent.check_draft(db(), round_, payload.get("text"))

    @action("facilitator")
    def on_propose(self, connection, payload):
        proposal = consent.propose(db(), connection.facilitator_id, payload.get("round_id"), payload.get("text"),
                                   payload.get("scope", ""), payload.get("examples", []))
        round_ = rounds.require_round(db(), proposal.round_id)
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
        broadcast.announce_adoption(db(), round_, version)
        return {"entry_id": version.entry_id, "version": version.number}

    @action("facilitator", "projector", "participant")
    def on_get_definitions(self, connection, payload):
        return state.definitions_page(
            db(), payload.get("round_id"), meaning_id=payload.get("meaning_id"), query=payload.get("query"),
            offset=payload.get("offset"), limit=payload.get("limit"),
        )

    @action("facilitator", "projector", "participant", "guest")
    def on_get_state(self, connection, payload):
        return {"state": _state(connection)}


def register(socketio) -> None:
    """Called by ``create_app``: attach the meeting namespace and its error acknowledgement to this
    app's Socket.IO server."""
    socketio.on_namespace(MeetingNamespace(broadcast.NAMESPACE))
    socketio.on_error(broadcast.NAMESPACE)(acknowledge_failure)
