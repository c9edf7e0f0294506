"""The partnership glossary's pages: for facilitators (read and edit) under
``/partnerships/<id>/glossary`` and for members through a share link (read only) under ``/g/<token>``.

Both kinds of page share templates; a ``GlossaryReader`` tells them which links to draw and whether editing
is allowed. Access is decided by the domain (``require_partnership``, ``partnership_for_token``): a
partnership that is not yours, or a revoked link, is a plain 404.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup

from facilitator.auth import login_required
from facilitator.i18n import error_message
from facilitator.web import current_facilitator, db
from glossary import partnerships
from glossary.entries import editing, exports, framework, sharing, views
from glossary.errors import DomainError
from glossary.markdown import render as render_markdown
from glossary.meeting import drift

blueprint = Blueprint("glossary", __name__)


@dataclass(frozen=True)
class GlossaryReader:
    """Who reads the glossary pages: a facilitator of the partnership (may edit) or a share link.
    (A meeting's screens have their own ``glossary.meeting.state.Viewer``.)"""

    partnership: object
    token: str | None = None

    @property
    def partnership_id(self) -> int:
        return self.partnership.id

    @property
    def can_edit(self) -> bool:
        return self.token is None

    @property
    def shared(self) -> bool:
        """A share link's reader sees the agreed glossary only: no drafts, lapsed entries or comments."""
        return self.token is not None

    def url(self, name: str, **values) -> str:
        if self.token is None:
            return url_for(f"glossary.{name}", partnership_id=self.partnership_id, **values)
        return url_for(f"glossary.shared_{name}", token=self.token, **values)


def shared_entry_id(viewer: GlossaryReader, entry_id: int) -> int:
    """The entry id, or 404 when a share link asks for an entry outside the agreed glossary."""
    if viewer.shared and editing.require_entry(db(), viewer.partnership_id, entry_id).status not in editing.SHARED_STATUSES:
        abort(404)
    return entry_id


def facilitator_viewer(partnership_id: int) -> GlossaryReader:
    return GlossaryReader(partnerships.require_partnership(db(), current_facilitator().id, partnership_id))


def share_viewer(token: str) -> GlossaryReader:
    return GlossaryReader(sharing.partnership_for_token(db(), token), token)


def base_iri() -> str:
    """Where SKOS IRIs are rooted: the public address when configured (never a share token)."""
    return current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")


def share_url(token: str) -> str:
    """The address to hand out; PUBLIC_URL wins over the address the facilitator used."""
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("glossary.shared_glossary", token=token)
    return f"{base}{path}" if base else url_for("glossary.shared_glossary", token=token, _external=True)


def entry_form() -> dict:
    form = request.form
    return {
        "term": form.get("term"), "definition": form.get("definition"), "scope": form.get("scope"),
        "synonyms": form.get("synonyms", ""), "not_to_confuse_with": form.get("not_to_confuse_with", ""),
        "examples": form.get("examples", ""), "condition_ids": form.getlist("condition_ids"),
        "notes": form.get("notes"), "status": form.get("status"),
    }


@blueprint.context_processor
def glossary_helpers():
    return {"error_text": error_message}


@blueprint.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Markup:
    # glossary.markdown sanitises with nh3 before anything is marked safe.
    return Markup(render_markdown(text))


# --- reading (facilitator and share link) ---------------------------------------------------------


def show_list(viewer: GlossaryReader):
    data = views.listing(db(), viewer.partnership_id, query=request.args.get("q", ""),
                           status=request.args.get("status"), by=request.args.get("by", "alpha"), shared=viewer.shared)
    template = "glossary_results.html" if request.args.get("partial") == "1" else "glossary_list.html"
    return render_template(template, viewer=viewer, **data)


def show_entry(viewer: GlossaryReader, entry_id: int):
    view = drift.entry_page(db(), viewer.partnership_id, shared_entry_id(viewer, entry_id))
    if viewer.shared:
        view = dataclasses.replace(view, comments=[])  # the facilitators' comments are internal
    meetings = partnerships.meetings_of_partnership(db(), viewer.partnership_id) if viewer.can_edit else []
    return render_template("glossary_entry.html", viewer=viewer, view=view, entry=view.entry, meetings=meetings)


def show_diff(viewer: GlossaryReader, entry_id: int):
    entry = editing.require_entry(db(), viewer.partnership_id, shared_entry_id(viewer, entry_id))
    old, new = request.args.get("from", "1"), request.args.get("to", str(entry.version))
    diff = views.version_diff(entry, old, new)
    return render_template("glossary_diff.html", viewer=viewer, entry=entry, diff=diff, old=int(old), new=int(new))


def show_framework(viewer: GlossaryReader):
    view = views.framework_view(db(), viewer.partnership_id, shared=viewer.shared)
    return render_template("glossary_framework.html", viewer=viewer, view=view, builtin=framework.builtin_keys())


def show_print(viewer: GlossaryReader):
    document = exports.glossary_document(db(), viewer.partnership_id, shared=viewer.shared)
    return render_template("glossary_print.html", viewer=viewer, document=document)


class ExportCache:
    """Recent exports per glossary version, in this process's memory. A SKOS export of thousands of
    entries costs many seconds of CPU, and a share link needs no login: without this, anyone with
    the link could keep the server busy by asking again and again. One export of a glossary is
    made at a time (whatever its format or address), so even requests that miss the cache (another
    Host header without PUBLIC_URL, say) use at most one core per glossary; the others wait."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict = {}

    def get(self, key, make):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            making = self._making.setdefault(key[0], threading.Lock())  # per glossary
        with making:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            value = make()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            return value


def send_export(viewer: GlossaryReader, fmt: str):
    options = {"base_iri": base_iri(), "lang": str(get_locale()), "shared": viewer.shared}
    key = (viewer.partnership_id, fmt, tuple(sorted(options.items())), exports.glossary_version(db(), viewer.partnership_id))
    cache = current_app.extensions.setdefault("samenspraak.exports", ExportCache())
    result = cache.get(key, lambda: exports.export(db(), viewer.partnership_id, fmt, **options))
    # content_type, not mimetype: the type already names its charset (mimetype would add it twice).
    return Response(result.content, content_type=result.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{result.filename}"'})


@blueprint.get("/partnerships/<int:partnership_id>/glossary")
@login_required
def glossary(partnership_id: int):
    return show_list(facilitator_viewer(partnership_id))


@blueprint.get("/partnerships/<int:partnership_id>/glossary/<int:entry_id>")
@login_required
def entry(partnership_id: int, entry_id: int):
    return show_entry(facilitator_viewer(partnership_id), entry_id)


@blueprint.get("/partnerships/<int:partnership_id>/glossary/<int:entry_id>/diff")
@login_required
def diff(partnership_id: int, entry_id: int):
    return show_diff(facilitator_viewer(partnership_id), entry_id)


@blueprint.get("/partnerships/<int:partnership_id>/glossary/framework")
@login_required
def framework_page(partnership_id: int):
    return show_framework(facilitator_viewer(partnership_id))


@blueprint.get("/partnerships/<int:partnership_id>/glossary/print")
@login_required
def print_view(partnership_id: int):
    return show_print(facilitator_viewer(partnership_id))


@blueprint.get("/partnerships/<int:partnership_id>/glossary/export.<fmt>")
@login_required
def export(partnership_id: int, fmt: str):
    return send_export(facilitator_viewer(partnership_id), fmt)


@blueprint.get("/g/<token>")
def shared_glossary(token: str):
    return show_list(share_viewer(token))


@blueprint.get("/g/<token>/<int:entry_id>")
def shared_entry(token: str, entry_id: int):
    return show_entry(share_viewer(token), entry_id)


@blueprint.get("/g/<token>/<int:entry_id>/diff")
def shared_diff(token: str, entry_id: int):
    return show_diff(share_viewer(token), entry_id)


@blueprint.get("/g/<token>/framework")
def shared_framework_page(token: str):
    return show_framework(share_viewer(token))


@blueprint.get("/g/<token>/print")
def shared_print_view(token: str):
    return show_print(share_viewer(token))


@blueprint.get("/g/<token>/export.<fmt>")
def shared_export(token: str, fmt: str):
    return send_export(share_viewer(token), fmt)


@blueprint.after_app_request
def private_share_pages(response):
    # A share link is a secret: keep its pages out of search engines and shared caches.
    if request.blueprint == "glossary" and (request.endpoint or "").startswith("glossary.shared_"):
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "private, no-store"
    return response


# --- editing (facilitators only) ------------------------------------------------------------------


@blueprint.route("/partnerships/<int:partnership_id>/glossary/new", methods=["GET", "POST"])
@login_required
def new_entry(partnership_id: int):
    viewer = facilitator_viewer(partnership_id)
    fw = framework.framework_for(db(), partnership_id)
    if request.method == "GET":
        return render_template("glossary_form.html", viewer=viewer, framework=fw, form={"term": request.args.get("term", "")}, entry=None)
    try:
        created = editing.create_entry(db(), current_facilitator().id, partnership_id, entry_form(), change_note=request.form.get("change_note"))
    except DomainError as error:
        flash(error_message(error), "error")
        return render_template("glossary_form.html", viewer=viewer, framework=fw, form=entry_form(), entry=None), error.status
    flash(gettext("‘%(term)s’ staat in de woordenlijst.", term=created.term), "success")
    return redirect(viewer.url("entry", entry_id=created.id))


@blueprint.route("/partnerships/<int:partnership_id>/glossary/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(partnership_id: int, entry_id: int):
    viewer = facilitator_viewer(partnership_id)
    found = editing.require_entry(db(), partnership_id, entry_id)
    fw = framework.framework_for(db(), partnership_id)
    if request.method == "GET":
        return render_template("glossary_form.html", viewer=viewer, framework=fw, entry=found,
                               form={**editing.content_of(found.current), "base_version": found.version})
    try:
        editing.update_entry(db(), current_facilitator().id, entry_id, request.form.get("base_version"), entry_form(),
                             change_note=request.form.get("change_note"))
    except editing.EditConflict as conflict:
        return render_template("glossary_form.html", viewer=viewer, framework=fw, entry=found, conflict=conflict,
                               conflict_diff=views.content_diff(conflict.current, conflict.attempted),
                               form={**conflict.attempted, "base_version": conflict.current_version}), 409
    except DomainError as error:
        flash(error_message(error), "error")
        return render_template("glossary_form.html", viewer=viewer, framework=fw, entry=found,
                               form={**entry_form(), "base_version": request.form.get("base_version")}), error.status
    flash(gettext("Opgeslagen."), "success")
    return redirect(viewer.url("entry", entry_id=entry_id))


@blueprint.post("/partnerships/<int:partnership_id>/glossary/<int:entry_id>/comments")
@login_required
def add_comment(partnership_id: int, entry_id: int):
    views.entry_in(db(), current_facilitator().id, partnership_id, entry_id)
    try:
        editing.add_comment(db(), current_facilitator().id, entry_id, request.form.get("body"))
    except DomainError as error:
        flash(error_message(error), "error")
    return redirect(url_for("glossary.entry", partnership_id=partnership_id, entry_id=entry_id, _anchor="comments"))


@blueprint.post("/partnerships/<int:partnership_id>/glossary/<int:entry_id>/revisit")
@login_required
def revisit(partnership_id: int, entry_id: int):
    views.entry_in(db(), current_facilitator().id, partnership_id, entry_id)
    choice = request.form.get("meeting_id", "")
    try:
        result = editing.revisit_entry(db(), current_facilitator().id, entry_id,
                                       meeting_id=choice if choice.isdigit() else None,
                                       new_meeting_title=request.form.get("new_meeting_title") if choice == "new" else None)
    except DomainError as error:
        flash(error_message(error), "error")
        return redirect(url_for("glossary.entry", partnership_id=partnership_id, entry_id=entry_id))
    flash(gettext("‘%(term)s’ staat op de termenlijst van ‘%(meeting)s’ en is gemarkeerd als te herzien.",
                  term=result.entry.term, meeting=result.meeting.title), "success")
    return redirect(url_for("glossary.entry", partnership_id=partnership_id, entry_id=entry_id))


@blueprint.post("/partnerships/<int:partnership_id>/glossary/framework")
@login_required
def choose_framework(partnership_id: int):
    upload = request.files.get("file")
    try:
        chosen = framework.set_framework(db(), current_facilitator().id, partnership_id,
                                         key=request.form.get("key"), upload=upload.read() if upload and upload.filename else None)
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        flash(gettext("De woordenlijst gebruikt nu het raamwerk ‘%(name)s’.", name=chosen.text(chosen.name, "nl")), "success")
    return redirect(url_for("glossary.framework_page", partnership_id=partnership_id))


def import_format(filename: str) -> str:
    name = (filename or "").lower()
    return "json" if name.endswith(".json") else "xlsx" if name.endswith(".xlsx") else "csv"


@blueprint.route("/partnerships/<int:partnership_id>/glossary/import", methods=["GET", "POST"])
@login_required
def import_entries(partnership_id: int):
    viewer = facilitator_viewer(partnership_id)
    if request.method == "GET":
        return render_template("glossary_import.html", viewer=viewer, preview=None)
    upload = request.files.get("file")
    content = upload.read() if upload and upload.filename else request.form.get("content", "")
    fmt = request.form.get("format") or import_format(upload.filename if upload else "")
    if request.form.get("action") != "apply":
        preview = exports.preview_import(db(), current_facilitator().id, partnership_id, content, fmt)
        if fmt == "xlsx" and isinstance(content, bytes):
            text = base64.b64encode(content).decode("ascii")  # the second step posts it back as text
        else:
            text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
        return render_template("glossary_import.html", viewer=viewer, preview=preview, content=text, fmt=fmt)
    try:
        done = exports.apply_import(db(), current_facilitator().id, partnership_id, content, fmt)
    except exports.ImportRefused as refused:
        flash(error_message(refused), "error")
        return render_template("glossary_import.html", viewer=viewer, preview=refused.preview, content=content, fmt=fmt), 400
    flash(gettext("Geïmporteerd: %(created)s nieuw, %(updated)s bijgewerkt, %(unchanged)s ongewijzigd.",
                  created=done.count("create"), updated=done.count("update"), unchanged=done.count("unchanged")), "success")
    return redirect(viewer.url("glossary"))


@blueprint.route("/partnerships/<int:partnership_id>/glossary/share", methods=["GET", "POST"])
@login_required
def share(partnership_id: int):
    viewer = facilitator_viewer(partnership_id)
    new_link = None
    if request.method == "POST":
        created = sharing.create_share_link(db(), current_facilitator().id, partnership_id, request.form.get("label"))
        new_link = share_url(created.token)
    links = sharing.share_links_of(db(), current_facilitator().id, partnership_id)
    return render_template("glossary_share.html", viewer=viewer, links=links, new_link=new_link)


@blueprint.post("/partnerships/<int:partnership_id>/glossary/share/<int:link_id>/revoke")
@login_required
def revoke_share(partnership_id: int, link_id: int):
    sharing.revoke_share_link(db(), current_facilitator().id, partnership_id, link_id)
    flash(gettext("De deellink is ingetrokken; wie hem heeft, ziet niets meer."), "success")
    return redirect(url_for("glossary.share", partnership_id=partnership_id))
