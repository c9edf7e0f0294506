"""JSON API for the partnership glossary (bearer token; see docs/api.md, section Glossary).

Only facilitators of the partnership reach its glossary; everything else answers 404 as if the
partnership did not exist. Errors are ``{"ok": false, "error": ...}``; a stale edit answers 409
with both texts under ``conflict``; an import with errors answers 400 with its rows.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from facilitator.api import json_body, token_required
from facilitator.glossary_views import base_iri, share_url
from facilitator.i18n import error_message
from facilitator.web import api_error, db
from glossary import partnerships
from glossary.documents import library
from glossary.entries import editing, exports, framework, sharing, views
from glossary.meeting import drift

blueprint = Blueprint("glossary_api", __name__, url_prefix="/api/partnerships/<int:partnership_id>/glossary")
# Bearer-token routes carry no cookies, so CSRF tokens do not apply to them.
blueprint.record_once(lambda state: state.app.extensions["csrf"].exempt(blueprint))

ENTRY_FIELDS = ("term", "definition", "scope", "not_to_confuse_with", "examples", "synonyms", "condition_ids", "notes", "status")


def me() -> int:
    return g.api_facilitator.id


def fields(body: dict) -> dict:
    return {name: body.get(name) for name in ENTRY_FIELDS}


def preview_json(preview: exports.ImportPreview) -> dict:
    return {
        "ok": preview.ok,
        "file_error": error_message(preview.file_error) if preview.file_error else None,
        "counts": {a: preview.count(a) for a in ("create", "update", "unchanged")},
        "rows": [{"row": r.row, "term": r.term, "action": r.action, "errors": [error_message(e) for e in r.errors]} for r in preview.rows],
    }


@blueprint.get("")
@token_required
def list_entries(partnership_id: int):
    partnerships.require_partnership(db(), me(), partnership_id)
    data = views.listing(db(), partnership_id, query=request.args.get("q", ""), status=request.args.get("status"))
    return {"ok": True, "entries": [views.entry_payload(e) for e in data["entries"]]}


@blueprint.post("")
@token_required
def create_entry(partnership_id: int):
    body = json_body()
    entry = editing.create_entry(db(), me(), partnership_id, fields(body), change_note=body.get("change_note", ""))
    return {"ok": True, "entry": views.entry_payload(entry)}, 201


@blueprint.get("/<int:entry_id>")
@token_required
def get_entry(partnership_id: int, entry_id: int):
    entry = views.entry_in(db(), me(), partnership_id, entry_id)
    return {"ok": True, "entry": views.entry_payload(entry, with_history=True)}


@blueprint.put("/<int:entry_id>")
@token_required
def update_entry(partnership_id: int, entry_id: int):
    body = json_body()
    views.entry_in(db(), me(), partnership_id, entry_id)
    try:
        entry = editing.update_entry(db(), me(), entry_id, body.get("base_version"), fields(body), change_note=body.get("change_note", ""))
    except editing.EditConflict as conflict:
        return api_error(error_message(conflict), 409, conflict={
            "base_version": conflict.base_version, "current_version": conflict.current_version,
            "current": conflict.current, "attempted": conflict.attempted})
    return {"ok": True, "entry": views.entry_payload(entry)}


@blueprint.get("/<int:entry_id>/diff")
@token_required
def diff(partnership_id: int, entry_id: int):
    entry = views.entry_in(db(), me(), partnership_id, entry_id)
    changes = views.version_diff(entry, request.args.get("from", "1"), request.args.get("to", str(entry.version)))
    return {"ok": True, "fields": [{"field": d.name, "changed": d.changed, "segments": d.segments} for d in changes]}


@blueprint.post("/<int:entry_id>/comments")
@token_required
def add_comment(partnership_id: int, entry_id: int):
    views.entry_in(db(), me(), partnership_id, entry_id)
    comment = editing.add_comment(db(), me(), entry_id, json_body().get("body"))
    return {"ok": True, "comment": {"id": comment.id, "author": comment.author_name, "body": comment.body}}, 201


@blueprint.post("/<int:entry_id>/revisit")
@token_required
def revisit(partnership_id: int, entry_id: int):
    body = json_body()
    views.entry_in(db(), me(), partnership_id, entry_id)
    result = editing.revisit_entry(db(), me(), entry_id, meeting_id=body.get("meeting_id"), new_meeting_title=body.get("new_meeting_title"))
    return {"ok": True, "entry": views.entry_payload(result.entry), "meeting_id": result.meeting.id, "term_added": result.term_added}


@blueprint.get("/<int:entry_id>/drift")
@token_required
def entry_drift(partnership_id: int, entry_id: int):
    entry = views.entry_in(db(), me(), partnership_id, entry_id)
    return {"ok": True, "drift": drift.latest_revisit_drift(db(), entry)}


@blueprint.get("/framework")
@token_required
def get_framework(partnership_id: int):
    partnerships.require_partnership(db(), me(), partnership_id)
    view = views.framework_view(db(), partnership_id)
    cells = [{"condition": c["condition"].id, "agreed": [e.term for e in c["agreed"]], "open": [e.term for e in c["open"]],
              "divergence": c["divergence"], "reading": c["reading"]} for row in view["domains"] for c in row["cells"]]
    return {"ok": True, "framework": framework.framework_json(view["framework"]), "cells": cells,
            "unlinked": [e.term for e in view["unlinked"]]}


@blueprint.put("/framework")
@token_required
def set_framework(partnership_id: int):
    body = json_body()
    chosen = framework.set_framework(db(), me(), partnership_id, key=body.get("key"), upload=body.get("framework"))
    return {"ok": True, "framework": framework.framework_json(chosen)}


@blueprint.get("/export")
@token_required
def export(partnership_id: int):
    partnerships.require_partnership(db(), me(), partnership_id)
    result = exports.export(db(), partnership_id, request.args.get("format", "json"), base_iri=base_iri())
    return Response(result.content, content_type=result.mimetype, headers={"Content-Disposition": f'attachment; filename="{result.filename}"'})


@blueprint.post("/import")
@token_required
def import_entries(partnership_id: int):
    body = json_body()
    content, fmt = body.get("content"), body.get("format")
    if request.args.get("dry_run", "0") not in ("0", "false"):
        return {"ok": True, "dry_run": True, "preview": preview_json(exports.preview_import(db(), me(), partnership_id, content, fmt))}
    try:
        done = exports.apply_import(db(), me(), partnership_id, content, fmt)
    except exports.ImportRefused as refused:
        return api_error(error_message(refused), 400, preview=preview_json(refused.preview))
    return {"ok": True, "dry_run": False, "preview": preview_json(done)}


@blueprint.get("/share-links")
@token_required
def share_links(partnership_id: int):
    links = sharing.share_links_of(db(), me(), partnership_id)
    return {"ok": True, "share_links": [link_json(link) for link in links]}


@blueprint.post("/share-links")
@token_required
def create_share_link(partnership_id: int):
    created = sharing.create_share_link(db(), me(), partnership_id, json_body().get("label", ""))
    return {"ok": True, "share_link": {**link_json(created.link), "url": share_url(created.token)}}, 201


@blueprint.delete("/share-links/<int:link_id>")
@token_required
def revoke_share_link(partnership_id: int, link_id: int):
    return {"ok": True, "share_link": link_json(sharing.revoke_share_link(db(), me(), partnership_id, link_id))}


def link_json(link) -> dict:
    return {"id": link.id, "label": link.label, "prefix": link.prefix, "created_at": link.created_at.isoformat(),
            "revoked": link.revoked_at is not None}



@blueprint.post("/check")
@token_required
def check_text(partnership_id: int):
    """Every glossary term in a text, with its entry, flagged when not agreed yet (docs/api.md)."""
    body = json_body()
    spans = library.check_text(db(), me(), partnership_id, body.get("text"))
    return {"ok": True, "spans": spans}
