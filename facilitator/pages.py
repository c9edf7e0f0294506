"""Public pages: the start page, joining a meeting by code, the participant's meeting page,
and the language switch.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from facilitator import broadcast, charts
from facilitator.i18n import LANGUAGES, error_message
from facilitator.web import current_facilitator, db
from glossary import accounts, partnerships
from glossary.errors import DomainError, _, ngettext
from glossary.meeting import meanings

blueprint = Blueprint("pages", __name__)


class TooManyAttempts(DomainError):
    status = 429


def meeting_by_code(code: object, token: object = None):
    """Find a meeting by its join code, counting wrong codes per address.

    A wrong code uses up the address's allowance: after a few (``JOIN_ATTEMPTS_*``) wrong codes
    are answered 429 instead of 404. A correct code still works, since a room's phones often share
    one address. Only an address that has sent very many wrong codes (``JOIN_GUESSES_PER_HOUR``,
    a guessing script) is refused for every code for a while, except for whoever shows a valid
    rejoin token of that meeting (``token`` or the meeting's cookie): a phone that had joined
    always gets back in.
    """
    limits = current_app.extensions["samenspraak.limits"]
    key = request.remote_addr or "unknown"
    try:
        meeting, wrong = partnerships.require_meeting_by_code(db(), code), None
    except DomainError as error:
        meeting, wrong = None, error
    if limits.join_guesses.exhausted(key):
        if meeting is not None and partnerships.participant_for_token(
            db(), meeting.id, token or request.cookies.get(participant_cookie(meeting.id))
        ) is not None:
            return meeting
        raise TooManyAttempts(
            ngettext("Te veel pogingen met een onbekende code vanaf dit adres. Probeer het over %(num)s minuut opnieuw.",
                     "Te veel pogingen met een onbekende code vanaf dit adres. Probeer het over %(num)s minuten opnieuw.",
                     max(1, -(-limits.join_guesses.wait_seconds(key) // 60))),
        )
    if meeting is not None:
        return meeting
    slowed = limits.join_attempts.exhausted(key)
    limits.join_attempts.allow(key)
    limits.join_guesses.allow(key)
    if slowed:
        raise TooManyAttempts(_("Te veel pogingen met een onbekende code. Wacht een minuut en probeer het opnieuw."))
    raise wrong


def participant_cookie(meeting_id: int) -> str:
    """Cookie holding the rejoin token for one meeting (a phone may join several meetings)."""
    return f"sp_{meeting_id}"


def participant_from_cookie(meeting_id: int):
    return partnerships.participant_for_token(db(), meeting_id, request.cookies.get(participant_cookie(meeting_id)))


@blueprint.get("/")
def index():
    if not accounts.has_facilitators(db()):
        return redirect(url_for("auth.setup"))
    facilitator = current_facilitator()
    own = partnerships.partnerships_of(db(), facilitator.id) if facilitator else []
    return render_template("index.html", partnerships=own)


@blueprint.route("/join", methods=["GET", "POST"])
def enter_code():
    code = request.values.get("code", "")
    if request.method == "POST":
        try:
            meeting = meeting_by_code(code)
        except DomainError as error:
            flash(error_message(error), "error")
            return render_template("join_code.html", code=code), error.status
        return redirect(url_for("pages.join", code=meeting.join_code))
    return render_template("join_code.html", code=code)


@blueprint.route("/j/<code>", methods=["GET", "POST"])
def join(code: str):
    try:
        meeting = meeting_by_code(code)
    except DomainError as error:
        flash(error_message(error), "error")
        return render_template("join_code.html", code=code), error.status
    if participant_from_cookie(meeting.id) is not None:
        return redirect(url_for("pages.participant", code=meeting.join_code))
    if request.method == "GET":
        return render_template("join.html", meeting=meeting, form={})
    partner = request.form.get("partner_new") or request.form.get("partner")
    try:
        joined = partnerships.join_meeting(db(), meeting.id, request.form.get("name"), partner)
    except DomainError as error:
        flash(error_message(error), "error")
        return render_template("join.html", meeting=meeting, form=request.form), error.status
    broadcast.announce_roster(db(), meeting.id)
    response = redirect(url_for("pages.participant", code=meeting.join_code))
    response.set_cookie(
        participant_cookie(meeting.id),
        joined.rejoin_token,
        max_age=current_app.config["PARTICIPANT_COOKIE_DAYS"] * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@blueprint.get("/m/<code>")
def participant(code: str):
    meeting = meeting_by_code(code)
    me = participant_from_cookie(meeting.id)
    if me is None:
        return redirect(url_for("pages.join", code=meeting.join_code))
    return render_template("meeting_participant.html", meeting=meeting, me=me)


@blueprint.get("/lang/<lang>")
def switch_language(lang: str):
    response = redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url) else url_for("pages.index"))
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def may_view_meeting(meeting) -> bool:
    """Participants of the meeting (cookie) and its facilitators may see what the room sees."""
    facilitator = current_facilitator()
    if facilitator and partnerships.is_partnership_facilitator(db(), facilitator.id, meeting.partnership_id):
        return True
    return participant_from_cookie(meeting.id) is not None


@blueprint.get("/m/<code>/rounds/<int:round_id>/map.svg")
def meaning_map(code: str, round_id: int):
    meeting = meeting_by_code(code)
    if not may_view_meeting(meeting):
        abort(404)
    analysis, numbers = meanings.map_data(db(), meeting.id, round_id)
    svg = charts.meaning_map_svg(analysis, numbers, gettext("Kaart van de betekenissen"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})
