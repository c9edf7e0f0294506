"""The facilitator's pages: partnerships, partners, meetings, terms, QR code, projector view and
the meeting summary (page, Markdown and PDF)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

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
from glossary.entries import sharing
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


def summary_share_token(found: summary.MeetingSummary) -> str | None:
    """The share link given with ``?share=`` (checked), so that the summary links to pages the
    partners can open instead of the facilitator's own glossary pages."""
    given = request.args.get("share", "").strip()
    if not given:
        return None
    try:
        return sharing.share_token_for(db(), current_facilitator().id, found.partnership_id, given)
    except DomainError as error:
        flash(error_message(error), "error")
        return None


def entry_address(partnership_id: int, entry_id: int, share: str | None, *, external: bool) -> str:
    if share:
        values = {"token": share, "entry_id": entry_id}
        return absolute_url("glossary.shared_entry", **values) if external else url_for("glossary.shared_entry", **values)
    values = {"partnership_id": partnership_id, "entry_id": entry_id}
    return absolute_url("glossary.entry", **values) if external else url_for("glossary.entry", **values)


def summary_file_options(share: str | None = None) -> dict:
    """How the summary files speak: the reader's language and dates, full links to the glossary
    (to the share link's pages when one is given)."""
    return {
        "translations": get_translations(),
        "format_date": lambda day: format_date(day, "long"),
        "entry_url": lambda partnership_id, entry_id: entry_address(partnership_id, entry_id, share, external=True),
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
    address = join_url(found.join_code)
    parts = urlsplit(address)
    # The port this server really answers on (or PUBLIC_URL's), for the hint on how to reach it from phones.
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return render_template("meeting_facilitator.html", meeting=found, join_url=address, port=port, scheme=parts.scheme)


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
    share = summary_share_token(found)
    return render_template("meeting_summary.html", summary=found, share=share,
                           offer_share=share is None and sharing.has_live_share_link(db(), found.partnership_id),
                           entry_address=lambda a: entry_address(a.partnership_id, a.entry_id, share, external=False),
                           listening_text=lambda listening: summary.listening_text(listening, get_translations()),
                           resolution_text=lambda objection: summary.resolution_text(objection, get_translations()))


@blueprint.get("/meetings/<int:meeting_id>/summary.<fmt>")
@login_required
def summary_download(meeting_id: int, fmt: str):
    found = summary_for(current_facilitator().id, meeting_id)
    result = summary.export(found, fmt, **summary_file_options(summary_share_token(found)))
    return Response(result.content, content_type=result.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{result.filename}"'})
