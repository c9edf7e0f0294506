"""Pages and JSON for partners' documents: upload, the ranked confusing terms (analysed on the
background worker, progress polled), one click onto a meeting's agenda, and the text check for
facilitators and share-link readers. Handlers validate, call one `glossary.documents.library`
use case, and render or answer JSON; the JSON routes answer `{"ok": false, "error"}` on a refusal.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from facilitator.auth import login_required
from facilitator.i18n import error_message
from facilitator.pages import TooManyAttempts
from facilitator.web import api_error, current_facilitator, db
from glossary import partnerships
from glossary.documents import library, reading
from glossary.errors import DomainError, ngettext

blueprint = Blueprint("documents", __name__)

#: One upload request may carry a few files of up to 20 MB each (the rest of the app allows 2 MB).
MAX_UPLOAD_BYTES = 3 * reading.MAX_FILE_BYTES + 1024 * 1024


def me() -> int:
    return current_facilitator().id


def json_answer(view):
    """A JSON route: a refusal becomes {"ok": false, "error"} with its status, never an HTML page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            db().rollback()
            return api_error(error_message(error), error.status)
    return wrapped


def analysis_json(analysis) -> dict:
    if analysis is None:
        return {"status": "none"}
    result = analysis.result if analysis.status == "done" else None
    if result:  # the score in words follows the interface language
        result = {**result, "terms": [{**t, "reading_text": gettext(t["reading_text"])} for t in result["terms"]]}
    return {"id": analysis.id, "status": analysis.status, "progress": analysis.progress,
            "message": gettext(analysis.message) if analysis.message else "",
            "error": gettext(analysis.error) if analysis.error else None,
            "result": result}


@blueprint.get("/partnerships/<int:partnership_id>/documents")
@login_required
def documents_page(partnership_id: int):
    page = library.documents_page(db(), me(), partnership_id)
    return render_template("documents.html", partnership=page.partnership, documents=page.documents,
                           analysis=analysis_json(page.analysis), meetings=page.meetings)


@blueprint.post("/partnerships/<int:partnership_id>/documents")
@login_required
def upload(partnership_id: int):
    request.max_content_length = MAX_UPLOAD_BYTES
    back = redirect(url_for("documents.documents_page", partnership_id=partnership_id))
    try:
        files = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f.filename]
        library.upload_documents(db(), me(), partnership_id, request.form.get("partner_id", type=int), files)
    except RequestEntityTooLarge:
        flash(gettext("Dit is te veel in één keer (maximaal %(mb)s MB); voeg de bestanden in delen toe.",
                      mb=MAX_UPLOAD_BYTES // (1024 * 1024)), "error")
    except DomainError as error:
        db().rollback()
        flash(error_message(error), "error")
    return back


@blueprint.post("/partnerships/<int:partnership_id>/documents/<int:document_id>/delete")
@login_required
def delete(partnership_id: int, document_id: int):
    library.delete_document(db(), me(), partnership_id, document_id)
    return redirect(url_for("documents.documents_page", partnership_id=partnership_id))


@blueprint.post("/partnerships/<int:partnership_id>/documents/analyse")
@login_required
@json_answer
def analyse(partnership_id: int):
    analysis = library.start_analysis(db(), me(), partnership_id)
    if analysis.status == "queued":
        current_app.extensions["samenspraak.background"].find_terms(analysis.id)
    return {"ok": True, "analysis": analysis_json(analysis)}


@blueprint.get("/partnerships/<int:partnership_id>/documents/analysis")
@login_required
@json_answer
def analysis_status(partnership_id: int):
    return {"ok": True, "analysis": analysis_json(library.analysis_of(db(), me(), partnership_id))}


@blueprint.post("/partnerships/<int:partnership_id>/documents/agenda")
@login_required
@json_answer
def agenda(partnership_id: int):
    body = request.get_json(silent=True) or {}
    meeting = library.put_on_agenda(db(), me(), partnership_id, body.get("meeting_id"), body.get("term"))
    return {"ok": True, "terms": [t.text for t in meeting.terms]}


@blueprint.route("/partnerships/<int:partnership_id>/check", methods=["GET", "POST"])
@login_required
def check_page(partnership_id: int):
    partnership = partnerships.require_partnership(db(), me(), partnership_id)
    request.max_content_length = reading.MAX_FILE_BYTES + 1024 * 1024  # a draft may be a 20 MB PDF
    text, spans = request.form.get("text", ""), None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload and upload.filename:
                text, spans = library.check_file(db(), me(), partnership_id, upload.filename, upload.read())
            else:
                spans = library.check_text(db(), me(), partnership_id, text)
        except DomainError as error:
            flash(error_message(error), "error")
    return render_template("check.html", partnership=partnership, text=text, pieces=pieces(text, spans or []), spans=spans)


def count_shared_check() -> None:
    """A share link needs no login and one check can cost half a second of CPU: checks are counted
    per address (``SHARED_CHECKS_*``), and past the allowance answered 429 with the wait."""
    limits = current_app.extensions["samenspraak.limits"]
    address = request.remote_addr or "unknown"
    if not limits.shared_checks.allow(address):
        minutes = max(1, -(-limits.shared_checks.wait_seconds(address) // 60))
        raise TooManyAttempts(ngettext("Te veel controles vanaf dit adres. Probeer het over %(num)s minuut opnieuw.",
                                       "Te veel controles vanaf dit adres. Probeer het over %(num)s minuten opnieuw.", minutes))


@blueprint.route("/g/<token>/check", methods=["GET", "POST"])
def shared_check(token: str):
    """The check for a share-link reader (form page, or JSON `{"text"}` for tools); writes nothing,
    so it needs no CSRF token."""
    if request.is_json:
        def check():
            count_shared_check()
            return {"ok": True, "spans": library.check_for_share_link(db(), token, (request.get_json(silent=True) or {}).get("text"))[1]}
        return json_answer(check)()
    library.shared_partnership(db(), token)  # a wrong or revoked link is a 404 before anything else
    text, spans = request.form.get("text", ""), None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            count_shared_check()
            if upload and upload.filename:
                text = library.text_of_upload(upload.filename, upload.read())
            spans = library.check_for_share_link(db(), token, text)[1]
        except DomainError as error:
            flash(error_message(error), "error")
    return render_template("check.html", partnership=None, token=token, text=text, pieces=pieces(text, spans or []), spans=spans)


blueprint.record_once(lambda state: state.app.extensions["csrf"].exempt(shared_check))


def pieces(text: str, spans: list[dict]) -> list[tuple[str, dict | None]]:
    """The text cut into plain pieces and marked spans, for the template."""
    out, at = [], 0
    for s in spans:
        out.append((text[at:s["start"]], None))
        out.append((s["text"], s))
        at = s["end"]
    out.append((text[at:], None))
    return out
