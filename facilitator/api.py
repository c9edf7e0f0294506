"""JSON API for scripts, authenticated with a personal bearer token (see docs/api.md)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, request
from flask_babel import gettext

from facilitator.meetings import join_url, summary_for
from facilitator.web import api_error, db
from glossary import accounts, partnerships
from glossary.errors import NotFound, _
from glossary.meeting import rounds, state, summary

blueprint = Blueprint("api", __name__, url_prefix="/api")


def token_required(view):
    """Resolve ``Authorization: Bearer <token>`` to ``g.api_facilitator`` or answer 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
        facilitator = accounts.facilitator_for_token(db(), secret.strip()) if scheme.lower() == "bearer" else None
        if facilitator is None:
            return api_error(gettext("Geef een geldig API-token mee: Authorization: Bearer <token>."), 401,
                             {"WWW-Authenticate": "Bearer"})
        g.api_facilitator = facilitator
        return view(*args, **kwargs)

    return wrapped


def json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser follows (silent only covers ValueError)
        body = None
    if not isinstance(body, dict):
        from glossary.errors import InvalidInput

        raise InvalidInput(_("Stuur een JSON-object met Content-Type: application/json."))
    return body


def partnership_json(partnership) -> dict:
    return {"id": partnership.id, "name": partnership.name, "partners": [p.name for p in partnership.partners]}


def meeting_json(meeting) -> dict:
    return {**state.meeting_payload(meeting), "join_url": join_url(meeting.join_code)}


@blueprint.get("/partnerships")
@token_required
def list_partnerships():
    return {"ok": True, "partnerships": [partnership_json(p) for p in partnerships.partnerships_of(db(), g.api_facilitator.id)]}


@blueprint.post("/partnerships")
@token_required
def create_partnership():
    body = json_body()
    partnership = partnerships.create_partnership(db(), g.api_facilitator.id, body.get("name"), body.get("partners", []))
    return {"ok": True, "partnership": partnership_json(partnership)}, 201


@blueprint.get("/partnerships/<int:partnership_id>/meetings")
@token_required
def list_meetings(partnership_id: int):
    meetings = partnerships.meetings_for_facilitator(db(), g.api_facilitator.id, partnership_id)
    return {"ok": True, "meetings": [{**meeting_json(m), "created_at": m.created_at.isoformat()} for m in meetings]}


@blueprint.post("/partnerships/<int:partnership_id>/meetings")
@token_required
def create_meeting(partnership_id: int):
    body = json_body()
    meeting = partnerships.create_meeting(db(), g.api_facilitator.id, partnership_id, body.get("title"), body.get("terms", []))
    return {"ok": True, "meeting": meeting_json(meeting)}, 201


@blueprint.get("/meetings/<int:meeting_id>")
@token_required
def meeting_state(meeting_id: int):
    meeting = partnerships.require_meeting_of_facilitator(db(), g.api_facilitator.id, meeting_id)
    viewer = state.Viewer("facilitator", facilitator_id=g.api_facilitator.id)
    return {"ok": True, "meeting": meeting_json(meeting), "state": state.meeting_state(db(), meeting, viewer)}


def _whole_number(value: str | None) -> int | str | None:
    """A query-string count as a number when it is one; anything else goes on as given, so that the
    domain's check refuses it with its own message (not silently ignored)."""
    return int(value) if value is not None and value.isascii() and value.isdigit() and len(value) < 10 else value


@blueprint.get("/meetings/<int:meeting_id>/rounds/<int:round_id>/definitions")
@token_required
def round_definitions(meeting_id: int, round_id: int):
    meeting = partnerships.require_meeting_of_facilitator(db(), g.api_facilitator.id, meeting_id)
    round_ = rounds.require_round(db(), round_id)
    if round_.meeting_id != meeting.id:
        raise NotFound(_("Deze ronde hoort niet bij deze bijeenkomst."))
    paging = {"meaning_id": request.args.get("meaning"), "query": request.args.get("q"),
              "offset": _whole_number(request.args.get("offset")), "limit": _whole_number(request.args.get("limit"))}
    if all(value is None for value in paging.values()):
        definitions = rounds.revealed_definitions(db(), round_)
        return {"ok": True, "round": state.round_payload(round_), "definitions": definitions, "total": len(definitions)}
    return {"ok": True, "round": state.round_payload(round_), **state.definitions_page(db(), round_.id, **paging)}


def init_app(app) -> None:
    """Bearer-token routes carry no cookies, so CSRF tokens do not apply to them."""
    app.extensions["csrf"].exempt(blueprint)


@blueprint.get("/meetings/<int:meeting_id>/rounds/<int:round_id>")
@token_required
def round_overview(meeting_id: int, round_id: int):
    meeting = partnerships.require_meeting_of_facilitator(db(), g.api_facilitator.id, meeting_id)
    return {"ok": True, **state.round_overview(db(), meeting, round_id)}


@blueprint.get("/meetings/<int:meeting_id>/summary")
@token_required
def meeting_summary(meeting_id: int):
    return {"ok": True, "summary": summary.summary_payload(summary_for(g.api_facilitator.id, meeting_id))}
