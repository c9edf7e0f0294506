"""Pages and JSON for partners' documents: upload, the ranked confusing terms (analysed on the
background worker, progress polled), one click onto a meeting's agenda, and the text check for
facilitators and share-link readers. Handlers validate, call one `glossary.documents.library`
use case, and render or answer JSON.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from facilitator.web import current_facilitator, db
from glossary import partnerships
from glossary.documents import library

blueprint = Blueprint("documents", __name__)


def me() -> int:
    facilitator = current_facilitator()
    if facilitator is None:
        abort(redirect(url_for("auth.login", next=request.path)))
    return facilitator.id


def analysis_json(analysis) -> dict:
    if analysis is None:
        return {"status": "none"}
    return {"id": analysis.id, "status": analysis.status, "progress": analysis.progress, "message": analysis.message,
            "error": analysis.error, "result": analysis.result if analysis.status == "done" else None}


@blueprint.get("/partnerships/<int:partnership_id>/documents")
def documents_page(partnership_id: int):
    documents = library.documents_of(db(), me(), partnership_id)
    partnership = partnerships.require_partnership(db(), me(), partnership_id)
    analysis = library.analysis_of(db(), me(), partnership_id)
    meetings = partnerships.meetings_of_partnership(db(), partnership_id)
    return render_template("documents.html", partnership=partnership, documents=documents, analysis=analysis_json(analysis), meetings=meetings)


@blueprint.post("/partnerships/<int:partnership_id>/documents")
def upload(partnership_id: int):
    for file in request.files.getlist("files"):
        library.upload_document(db(), me(), partnership_id, request.form.get("partner_id", type=int), file.filename or "", file.read())
    return redirect(url_for("documents.documents_page", partnership_id=partnership_id))


@blueprint.post("/partnerships/<int:partnership_id>/documents/<int:document_id>/delete")
def delete(partnership_id: int, document_id: int):
    library.delete_document(db(), me(), partnership_id, document_id)
    return redirect(url_for("documents.documents_page", partnership_id=partnership_id))


@blueprint.post("/partnerships/<int:partnership_id>/documents/analyse")
def analyse(partnership_id: int):
    analysis = library.start_analysis(db(), me(), partnership_id)
    if analysis.status == "queued":
        current_app.extensions["samenspraak.background"].find_terms(analysis.id)
    return {"ok": True, "analysis": analysis_json(analysis)}


@blueprint.get("/partnerships/<int:partnership_id>/documents/analysis")
def analysis_status(partnership_id: int):
    return {"ok": True, "analysis": analysis_json(library.analysis_of(db(), me(), partnership_id))}


@blueprint.post("/partnerships/<int:partnership_id>/documents/agenda")
def agenda(partnership_id: int):
    body = request.get_json(silent=True) or {}
    meeting = library.put_on_agenda(db(), me(), body.get("meeting_id"), body.get("term"))
    return {"ok": True, "terms": [t.text for t in meeting.terms]}


@blueprint.route("/partnerships/<int:partnership_id>/check", methods=["GET", "POST"])
def check_page(partnership_id: int):
    partnership = partnerships.require_partnership(db(), me(), partnership_id)
    text = request.form.get("text", "")
    spans = library.check_text(db(), me(), partnership_id, text) if request.method == "POST" else None
    return render_template("check.html", partnership=partnership, text=text, pieces=pieces(text, spans or []), spans=spans)


@blueprint.route("/g/<token>/check", methods=["GET", "POST"])
def shared_check(token: str):
    text = request.form.get("text", "") if request.method == "POST" else ""
    if request.is_json:
        _pid, spans = library.check_for_share_link(db(), token, (request.get_json(silent=True) or {}).get("text"))
        return {"ok": True, "spans": spans}
    spans = library.check_for_share_link(db(), token, text)[1] if request.method == "POST" else None
    return render_template("check.html", partnership=None, token=token, text=text, pieces=pieces(text, spans or []), spans=spans)


def pieces(text: str, spans: list[dict]) -> list[tuple[str, dict | None]]:
    """The text cut into plain pieces and marked spans, for the template."""
    out, at = [], 0
    for s in spans:
        out.append((text[at:s["start"]], None))
        out.append((s["text"], s))
        at = s["end"]
    out.append((text[at:], None))
    return out
