"""The facilitator's pages: partnerships, partners, meetings, terms, QR code, projector view and
the meeting summary (page, Markdown and PDF)."""

from __future__ import annotations

import io

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale, get_translations, gettext

from facilitator import broadcast
from facilitator.auth import login_required
from facilitator.i18n import error_message
from facilitator.web import current_facilitator, db
from glossary import partnerships
from glossary.errors import DomainError
from glossary.meeting import summary

blueprint = Blueprint("meetings", __name__)


def absolute_url(endpoint: str, **values) -> str:
    """A full address for others to open; PUBLIC_URL wins over the address the facilitator used."""
    base = current_app.config.get("PUBLIC_URL")
    return f"{base}{url_for(endpoint, **values)}" if base else url_for(endpoint, _external=True, **values)


def join_url(code: str) -> str:
    """The address participants open."""
    return absolute_url("pages.join", code=code)


def summary_for(facilitator_id: int, meeting_id: int) -> summary.MeetingSummary:
    """Called by the summary page, its downloads and the API: the summary in the reader's language
    and the organisation's time zone."""
    return summary.meeting_summary(db(), facilitator_id, meeting_id, lang=str(get_locale()),
                                   timezone=current_app.config["TIMEZONE"])


def summary_file_options() -> dict:
    """How the summary files speak: the reader's language and dates, full links to the glossary."""
    return {
        "translations": get_translations(),
        "format_date": lambda day: format_date(day, "long"),
        "entry_url": lambda partnership_id, entry_id: absolute_url(
            "glossary.entry", partnership_id=partnership_id, entry_id=entry_id),
    }


@blueprint.get("/partnerships/new")
@login_required
def new_partnership():
    return render_template("partnership_new.html", form={})


@blueprint.post("/partnerships")
@login_required
def create_partnership():
    try:
        partnership = partnerships.create_partnership(
            db(), current_facilitator().id, request.form.get("name"), request.form.get("partners", "").splitlines()
        )
    except DomainError as error:
        flash(error_message(error), "error")
        return render_template("partnership_new.html", form=request.form), error.status
    return redirect(url_for("meetings.partnership", partnership_id=partnership.id))


@blueprint.get("/partnerships/<int:partnership_id>")
@login_required
def partnership(partnership_id: int):
    found = partnerships.require_partnership(db(), current_facilitator().id, partnership_id)
    meetings = partnerships.meetings_of_partnership(db(), found.id)
    return render_template("partnership.html", partnership=found, meetings=meetings)


@blueprint.post("/partnerships/<int:partnership_id>/partners")
@login_required
def add_partner(partnership_id: int):
    try:
        partnerships.add_partner(db(), current_facilitator().id, partnership_id, request.form.get("name"))
    except DomainError as error:
        flash(error_message(error), "error")
    return redirect(url_for("meetings.partnership", partnership_id=partnership_id))


@blueprint.post("/partnerships/<int:partnership_id>/meetings")
@login_required
def create_meeting(partnership_id: int):
    try:
        meeting = partnerships.create_meeting(
            db(), current_facilitator().id, partnership_id, request.form.get("title"), request.form.get("terms", "").splitlines()
        )
    except DomainError as error:
        flash(error_message(error), "error")
        return redirect(url_for("meetings.partnership", partnership_id=partnership_id))
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


@blueprint.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    found = partnerships.require_meeting_of_facilitator(db(), current_facilitator().id, meeting_id)
    return render_template("meeting_facilitator.html", meeting=found, join_url=join_url(found.join_code))


@blueprint.post("/meetings/<int:meeting_id>/terms")
@login_required
def update_terms(meeting_id: int):
    try:
        found = partnerships.update_terms(db(), current_facilitator().id, meeting_id, request.form.get("terms", "").splitlines())
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        broadcast.announce_terms(found)
        flash(gettext("De termen zijn bijgewerkt."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@blueprint.get("/meetings/<int:meeting_id>/projector")
@login_required
def projector(meeting_id: int):
    found = partnerships.require_meeting_of_facilitator(db(), current_facilitator().id, meeting_id)
    return render_template("projector.html", meeting=found, join_url=join_url(found.join_code))


@blueprint.get("/meetings/<int:meeting_id>/qr.svg")
@login_required
def qr_code(meeting_id: int):
    found = partnerships.require_meeting_of_facilitator(db(), current_facilitator().id, meeting_id)
    buffer = io.BytesIO()
    segno.make(join_url(found.join_code), error="m").save(buffer, kind="svg", scale=10, border=2, title=found.join_code)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@blueprint.get("/meetings/<int:meeting_id>/summary")
@login_required
def summary_page(meeting_id: int):
    found = summary_for(current_facilitator().id, meeting_id)
    return render_template("meeting_summary.html", summary=found)


@blueprint.get("/meetings/<int:meeting_id>/summary.<fmt>")
@login_required
def summary_download(meeting_id: int, fmt: str):
    found = summary_for(current_facilitator().id, meeting_id)
    result = summary.export(found, fmt, **summary_file_options())
    return Response(result.content, mimetype=result.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{result.filename}"'})
