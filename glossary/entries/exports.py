"""Exports of a partnership's glossary (Markdown, CSV, Excel, JSON, SKOS/Turtle, the print view's
data) and imports from CSV, Excel (.xlsx) and JSON with a dry-run preview.

Called by the glossary pages and the JSON API, for a partnership whose access the caller has
checked (facilitator or share link) — except imports, which check that the facilitator leads the
partnership. An import never half-applies: it is validated whole and written in one transaction,
and a file with any error writes nothing.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import unicodedata
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from glossary.db import begin_write
from glossary.entries import editing
from glossary.entries.framework import Framework, framework_for
from glossary.errors import DomainError, InvalidInput, _
from glossary.markdown import plain
from glossary.models import GlossaryEntry, GlossarySettings, Partnership, utcnow
from glossary.partnerships import require_partnership
from glossary.validation import strip_unsafe

FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "ttl": ("text/turtle; charset=utf-8", "ttl"),
}
IMPORT_FORMATS = ("csv", "xlsx", "json")
#: An .xlsx is a zip of XML files: refuse one that unpacks to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 50_000_000
JSON_FORMAT = "samenspraak-glossary"
CSV_COLUMNS = ("term", "definition", "scope", "not_to_confuse_with", "examples", "synonyms", "conditions", "notes", "status")
# Column names people may use in a spreadsheet of their own (Dutch headings), mapped to ours.
CSV_ALIASES = {
    "begrip": "term", "definitie": "definition", "reikwijdte": "scope", "niet te verwarren met": "not_to_confuse_with",
    "voorbeelden": "examples", "ook genoemd": "synonyms", "synoniemen": "synonyms", "voorwaarden": "conditions",
    "condition_ids": "conditions", "toelichting": "notes", "notities": "notes",
}
MAX_IMPORT_ROWS = 10_000
# Rows written per transaction by an import: each batch holds the write lock only briefly.
IMPORT_BATCH = 100
#: An import holds SQLite's write lock at most about this long at a time, then pauses long enough
#: for a waiting writer (a live meeting's submission) to get in: SQLite's busy handler retries a
#: waiting writer at most 100 ms apart, so an import that took the lock again at once would starve
#: it until its busy timeout ("database busy, nothing saved"). PostgreSQL needs no pause.
IMPORT_HOLD_SECONDS = 0.1
IMPORT_PAUSE_SECONDS = 0.11
STATUS_LABELS = {"concept": "concept", "vastgesteld": "vastgesteld", "te_herzien": "te herzien", "vervallen": "vervallen"}


@dataclass(frozen=True)
class GlossaryDocument:
    """Everything an export or the print view shows: the partnership, its framework, its entries."""

    partnership: Partnership
    framework: Framework
    entries: list[GlossaryEntry]
    made_at: datetime


def glossary_document(session: Session, partnership_id: int, *, shared: bool = False) -> GlossaryDocument:
    """``shared``: for a share link, only the agreed entries (``SHARED_STATUSES``)."""
    return GlossaryDocument(
        partnership=session.get(Partnership, partnership_id),
        framework=framework_for(session, partnership_id),
        entries=editing.entries_of(session, partnership_id, shared=shared),
        made_at=utcnow(),
    )


@dataclass(frozen=True)
class Export:
    content: str | bytes
    mimetype: str
    filename: str


def export(session: Session, partnership_id: int, fmt: str, *, base_iri: str = "urn:samenspraak:", lang: str = "nl",
           shared: bool = False) -> Export:
    """The glossary as a file in ``fmt`` (md, csv, xlsx, json or ttl)."""
    if fmt not in FORMATS:
        raise InvalidInput(_("Onbekend exportformaat ‘%(format)s’: kies md, csv, xlsx, json of ttl."), format=str(fmt)[:20])
    document = glossary_document(session, partnership_id, shared=shared)
    content = {
        "md": lambda: to_markdown(document, lang),
        "csv": lambda: to_csv(document),
        "xlsx": lambda: to_xlsx(document),
        "json": lambda: to_json(document),
        "ttl": lambda: to_skos(document, base_iri),
    }[fmt]()
    mimetype, extension = FORMATS[fmt]
    return Export(content, mimetype, f"woordenlijst-{slug(document.partnership.name)}.{extension}")


def glossary_version(session: Session, partnership_id: int) -> tuple:
    """Changes whenever anything an export shows changes (an entry added, edited, removed or given
    another status, the framework, the partnership's name): the key for caching exports."""
    count, versions, updated, last_id = session.execute(
        select(func.count(GlossaryEntry.id), func.sum(GlossaryEntry.version), func.max(GlossaryEntry.updated_at),
               func.max(GlossaryEntry.id)).where(GlossaryEntry.partnership_id == partnership_id)
    ).one()
    settings = session.get(GlossarySettings, partnership_id)
    partnership = session.get(Partnership, partnership_id)
    return (count, versions, str(updated), last_id, str(settings.updated_at) if settings else None,
            partnership.name if partnership else None)


def slug(name: str) -> str:
    """A file name part from a name: lower-case ASCII letters and digits joined by hyphens.

    ASCII only, because it goes into a download's Content-Disposition header (é becomes e).
    Also used by glossary.meeting.summary for the meeting summary's file names.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    joined = "".join(c.lower() if c.isalnum() else "-" for c in folded)
    return "-".join(part for part in joined.split("-") if part)[:60] or "glossary"


def entry_record(entry: GlossaryEntry) -> dict:
    """One entry as exported (and as an import row is read back)."""
    content = editing.content_of(entry.current)
    return {
        "term": content["term"],
        "definition": content["definition"],
        "scope": content["scope"],
        "not_to_confuse_with": content["not_to_confuse_with"],
        "examples": content["examples"],
        "synonyms": content["synonyms"],
        "conditions": content["condition_ids"],
        "notes": content["notes"],
        "status": content["status"],
    }


# --- writers ------------------------------------------------------------------------------------


def to_markdown(document: GlossaryDocument, lang: str = "nl") -> str:
    framework = document.framework
    lines = [f"# {document.partnership.name}", ""]
    for entry in document.entries:
        record = entry_record(entry)
        lines += [f"## {record['term']}", "", f"*{STATUS_LABELS[record['status']]} · v{entry.version}*", "", record["definition"], ""]
        if record["scope"]:
            lines += [f"**Reikwijdte:** {record['scope']}", ""]
        if record["synonyms"]:
            lines += [f"**Ook genoemd:** {', '.join(record['synonyms'])}", ""]
        if record["not_to_confuse_with"]:
            lines += ["**Niet te verwarren met:**", "", *[f"- {x}" for x in record["not_to_confuse_with"]], ""]
        if record["examples"]:
            lines += ["**Voorbeelden:**", "", *[f"- {x}" for x in record["examples"]], ""]
        if record["conditions"]:
            labels = [framework.condition(c).label(lang) if framework.condition(c) else c for c in record["conditions"]]
            lines += [f"**Voorwaarden:** {'; '.join(labels)}", ""]
        if record["notes"]:
            lines += ["**Toelichting:**", "", record["notes"], ""]
    return "\n".join(lines).rstrip() + "\n"


#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(cell: object) -> object:
    """A text cell that a spreadsheet shows as text: one that would start a formula (a definition
    like "=HYPERLINK(...)" or "- bullet") gets a leading apostrophe, which spreadsheets hide.

    So does a cell that already starts with apostrophes before such a character (``'-x``):
    otherwise the import, which removes one apostrophe, would take away one that was written."""
    if isinstance(cell, str) and cell.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _from_spreadsheet_safe(cell: str) -> str:
    """Undoes `_spreadsheet_safe` on import, so an export imports back unchanged."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def to_csv(document: GlossaryDocument) -> str:
    """Comma-separated, UTF-8 with a byte order mark: the mark is how Excel knows the file is
    UTF-8 (without it "ë" arrives as "Ã«"). Excel with Dutch settings still expects semicolons
    when a CSV is double-clicked; the .xlsx export opens right everywhere."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for entry in document.entries:
        record = entry_record(entry)
        # Lists go one item per line inside their cell: commas and semicolons stay usable in text.
        writer.writerow({k: _spreadsheet_safe("\n".join(v) if isinstance(v, list) else v) for k, v in record.items()})
    return buffer.getvalue()


def _record_cells(entry: GlossaryEntry) -> list[str]:
    # Lists go one item per line inside their cell, as in the CSV.
    return ["\n".join(v) if isinstance(v, list) else (v or "") for v in entry_record(entry).values()]


def to_xlsx(document: GlossaryDocument) -> bytes:
    """An Excel workbook with the CSV's columns; every cell is text (never a formula)."""
    from openpyxl import Workbook  # imported here: it takes a while and only this export needs it
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "woordenlijst"
    sheet.append(list(CSV_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, entry in enumerate(document.entries, start=2):
        for column, value in enumerate(_record_cells(entry), start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"  # "=HYPERLINK(...)" stays text
            cell.alignment = wrap
    for letter, width in zip("ABCDEFGHI", (24, 60, 30, 30, 40, 24, 14, 40, 14)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(document: GlossaryDocument) -> str:
    return json.dumps(
        {
            "format": JSON_FORMAT,
            "format_version": 1,
            "glossary": document.partnership.name,
            "framework": document.framework.key,
            "exported_at": document.made_at.isoformat(),
            "entries": [
                {**entry_record(e), "version": e.version, "updated_at": e.updated_at.isoformat()} for e in document.entries
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def _segment(value: str) -> str:
    """One IRI path segment: everything but letters, digits and ``-._~`` percent-encoded, so an id
    stored before ids were checked (a space, ``<``, ``>``) cannot make an invalid IRI."""
    return quote(str(value), safe="")


def to_skos(document: GlossaryDocument, base_iri: str) -> str:
    """SKOS in Turtle: a ConceptScheme for the glossary with its entries as concepts, and the
    framework as a second scheme whose domains and conditions are concepts too; entries point to
    their conditions with skos:relatedMatch (a link between concepts of two schemes)."""
    from rdflib import RDF, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, OWL, SKOS

    base = quote(base_iri.rstrip("/"), safe=":/?#[]@!$&'()*+,;=%")
    sp = Namespace(f"{base}/ns/glossary#")
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.bind("sp", sp)
    scheme = URIRef(f"{base}/partnerships/{document.partnership.id}/glossary")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal(document.partnership.name, lang="nl")))
    graph.add((scheme, DCTERMS.modified, Literal(document.made_at)))

    framework = document.framework
    framework_iri = URIRef(f"{base}/frameworks/{_segment(framework.key)}")
    graph.add((framework_iri, RDF.type, SKOS.ConceptScheme))
    for lang, text in framework.name.items():
        graph.add((framework_iri, SKOS.prefLabel, Literal(text, lang=lang)))
    conditions = {}
    for domain in framework.domains:
        domain_iri = URIRef(f"{framework_iri}/domains/{_segment(domain.id)}")
        graph.add((domain_iri, RDF.type, SKOS.Concept))
        graph.add((domain_iri, SKOS.inScheme, framework_iri))
        graph.add((domain_iri, SKOS.topConceptOf, framework_iri))
        graph.add((domain_iri, SKOS.notation, Literal(domain.id)))
        for lang, text in domain.name.items():
            graph.add((domain_iri, SKOS.prefLabel, Literal(text, lang=lang)))
        for condition in domain.conditions:
            iri = conditions[condition.id] = URIRef(f"{framework_iri}/conditions/{_segment(condition.id)}")
            graph.add((iri, RDF.type, SKOS.Concept))
            graph.add((iri, SKOS.inScheme, framework_iri))
            graph.add((iri, SKOS.broader, domain_iri))
            graph.add((domain_iri, SKOS.narrower, iri))
            graph.add((iri, SKOS.notation, Literal(condition.id)))
            for lang, text in condition.name.items():
                graph.add((iri, SKOS.prefLabel, Literal(text, lang=lang)))
            for lang, text in condition.description.items():
                graph.add((iri, SKOS.definition, Literal(text, lang=lang)))

    for entry in document.entries:
        record = entry_record(entry)
        iri = URIRef(f"{scheme}/entries/{entry.id}")
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, SKOS.inScheme, scheme))
        graph.add((iri, SKOS.topConceptOf, scheme))
        graph.add((scheme, SKOS.hasTopConcept, iri))
        graph.add((iri, SKOS.prefLabel, Literal(record["term"], lang="nl")))
        graph.add((iri, SKOS.definition, Literal(plain(record["definition"]), lang="nl")))
        if record["scope"]:
            graph.add((iri, SKOS.scopeNote, Literal(plain(record["scope"]), lang="nl")))
        for label in record["synonyms"]:
            graph.add((iri, SKOS.altLabel, Literal(label, lang="nl")))
        for example in record["examples"]:
            graph.add((iri, SKOS.example, Literal(example, lang="nl")))
        if record["notes"]:
            graph.add((iri, SKOS.note, Literal(plain(record["notes"]), lang="nl")))
        for other in record["not_to_confuse_with"]:
            graph.add((iri, sp.notToConfuseWith, Literal(other, lang="nl")))
        graph.add((iri, sp.status, Literal(record["status"])))
        graph.add((iri, OWL.versionInfo, Literal(entry.version)))
        graph.add((iri, DCTERMS.modified, Literal(entry.updated_at)))
        for condition_id in record["conditions"]:
            if condition_id in conditions:
                graph.add((iri, SKOS.relatedMatch, conditions[condition_id]))
    return graph.serialize(format="turtle")


# --- imports ------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One row of an import file as the preview shows it."""

    row: int
    term: str
    action: str = "error"  # create | update | unchanged | error
    errors: list[DomainError] = field(default_factory=list)
    content: dict | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    file_error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.file_error is None and bool(self.rows) and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


class ImportRefused(InvalidInput):
    """An import with errors: nothing was written; ``preview`` lists the errors per row."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(_("De import bevat fouten; er is niets geïmporteerd. Herstel de rijen met fouten en probeer het opnieuw."))
        self.preview = preview


def _decode(content: object) -> str:
    if isinstance(content, bytes):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(_("Het bestand is geen UTF-8-tekst. Sla het op als UTF-8 (CSV UTF-8) en probeer opnieuw.")) from None
    if not isinstance(content, str) or not content.strip():
        raise InvalidInput(_("Kies een bestand om te importeren."))
    return content.lstrip("\ufeff")


def _columns(header: list) -> dict:
    """Our field name for each column heading (Dutch headings too); refuses a header without term and definition."""
    columns = {name: CSV_ALIASES.get(str(name).strip().lower(), str(name).strip().lower()) for name in header if name is not None}
    if "term" not in columns.values() or "definition" not in columns.values():
        raise InvalidInput(_("De CSV mist de kolommen ‘term’ en ‘definition’ (of ‘begrip’ en ‘definitie’) in de eerste regel."))
    return columns


def _xlsx_bytes(content: object) -> bytes:
    """The workbook's bytes: an upload as is, or base64 text (the API's JSON and the import page's second step)."""
    if isinstance(content, bytes):
        return content
    if not isinstance(content, str) or not content.strip():
        raise InvalidInput(_("Kies een bestand om te importeren."))
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(_("Een Excel-bestand komt als base64-tekst mee in ‘content’.")) from None


def _xlsx_records(data: bytes) -> list[dict]:
    from openpyxl import load_workbook  # imported here: it takes a while and only this import needs it

    unreadable = InvalidInput(_("Het bestand is geen Excel-werkmap (.xlsx). Sla het op als Excel-werkmap en probeer opnieuw."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise unreadable from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise InvalidInput(_("Het Excel-bestand is uitgepakt te groot om te importeren."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, InvalidFileException) for a broken file
        raise unreadable from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True) if workbook.worksheets else iter(())
        header = next(rows, None) or ()
        columns = _columns(list(header))
        records = []
        for raw in rows:
            if len(records) > MAX_IMPORT_ROWS:
                break
            record = {columns[name]: "" if value is None else str(value)
                      for name, value in zip(header, raw) if name is not None and name in columns}
            if any(v.strip() for v in record.values()):
                records.append(record)
        return records
    finally:
        workbook.close()


def _csv_records(text: str) -> list[dict]:
    first_line = text.splitlines()[0] if text else ""
    # Spreadsheets with Dutch settings write semicolons; pick what the header line uses.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = _columns(reader.fieldnames or [])
    records = []
    try:
        for raw in reader:
            record = {columns[k]: _from_spreadsheet_safe(v) if isinstance(v, str) else v for k, v in raw.items() if k in columns}
            if any((v or "").strip() for v in record.values() if isinstance(v, str)):
                records.append(record)
    except csv.Error:
        # Python's csv module refuses a cell over 131,072 characters (often an unclosed quote).
        raise InvalidInput(
            _("De CSV is niet te lezen vanaf regel %(line)s: een cel is te lang (meer dan %(max)s tekens), vaak doordat een aanhalingsteken niet is gesloten."),
            line=reader.line_num, max=csv.field_size_limit(),
        ) from None
    return records


def _json_records(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InvalidInput(_("Geen geldige JSON (%(detail)s)."), detail=str(error)[:120]) from None
    except RecursionError:
        raise InvalidInput(_("Geen geldige JSON (%(detail)s)."), detail="nested too deeply") from None
    records = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InvalidInput(_("De JSON moet een lijst ‘entries’ bevatten (zoals in een export)."))
    return records


def _records(content: object, fmt: str) -> list:
    if fmt not in IMPORT_FORMATS:
        raise InvalidInput(_("Importeren kan uit csv, xlsx of json."))
    if fmt == "xlsx":
        records = _xlsx_records(_xlsx_bytes(content))
    else:
        text = _decode(content)
        records = _csv_records(text) if fmt == "csv" else _json_records(text)
    if not records:
        raise InvalidInput(_("Het bestand bevat geen begrippen."))
    if len(records) > MAX_IMPORT_ROWS:
        raise InvalidInput(_("Te veel begrippen in één import: maximaal %(max)s."), max=MAX_IMPORT_ROWS)
    return records


def _preview(session: Session, partnership_id: int, content: object, fmt: str) -> ImportPreview:
    try:
        records = _records(content, fmt)
    except DomainError as error:
        return ImportPreview(rows=[], file_error=error)
    framework = framework_for(session, partnership_id)
    existing = {e.term_key: e for e in editing.entries_of(session, partnership_id, lapsed=True)}
    seen: dict[str, int] = {}
    rows = []
    # Row numbers as a spreadsheet shows them: the header is row 1.
    first = 2 if fmt in ("csv", "xlsx") else 1
    for number, record in enumerate(records, start=first):
        if not isinstance(record, dict):
            rows.append(ImportRow(number, "", errors=[InvalidInput(_("Deze rij is geen object met velden."))]))
            continue
        row = ImportRow(number, strip_unsafe(str(record.get("term") or ""))[:120])
        try:
            content_ = editing.clean_content(
                {**record, "condition_ids": record.get("conditions", record.get("condition_ids"))}, framework
            )
        except DomainError as error:
            row.errors.append(error)
            rows.append(row)
            continue
        key = editing.term_key(content_["term"])
        row.term, row.content = content_["term"], content_
        if key in seen:
            row.errors.append(InvalidInput(_("‘%(term)s’ staat al in rij %(row)s van dit bestand."), term=content_["term"], row=seen[key]))
        seen.setdefault(key, number)
        current = existing.get(key)
        if not row.errors:
            if current is None:
                row.action = "create"
            elif editing.content_of(current.current) == content_:
                row.action = "unchanged"
            else:
                row.action = "update"
        rows.append(row)
    return ImportPreview(rows=rows)


def preview_import(session: Session, facilitator_id: int, partnership_id: int, content: object, fmt: str) -> ImportPreview:
    """Dry run: what importing this file would do, row by row, with every error. Writes nothing."""
    require_partnership(session, facilitator_id, partnership_id)
    return _preview(session, partnership_id, content, fmt)


def apply_import(session: Session, facilitator_id: int, partnership_id: int, content: object, fmt: str) -> ImportPreview:
    """Import the file: new terms become entries, changed ones get a new version (source
    ``import``), unchanged ones are left alone. Any error in the file: ``ImportRefused``, and
    nothing is written.

    The file is checked first without taking the write lock, then written in batches of at most
    ``IMPORT_BATCH`` rows and ``IMPORT_HOLD_SECONDS``, each its own transaction, with a pause in
    between on SQLite: a large import never holds the database's write lock for long, so a live
    meeting's submissions keep going in between (bench/import_during_meeting.py measures it). Should it stop
    halfway (the server stops, the database fails), the rows written stay; importing the same file
    again finishes the rest, since rows already imported are then "unchanged".
    """
    require_partnership(session, facilitator_id, partnership_id)
    preview = _preview(session, partnership_id, content, fmt)
    if preview.file_error is not None:
        raise preview.file_error
    if not preview.ok:
        raise ImportRefused(preview)
    session.rollback()  # end the read transaction of the check before writing
    todo = [row for row in preview.rows if row.action != "unchanged"]
    # The search words are the costliest part of a row: worked out before any lock is taken.
    documents = [editing.search_documents(row.content) for row in todo]
    pause = session.get_bind().dialect.name == "sqlite"
    start = 0
    while start < len(todo):
        begin_write(session)
        began = time.monotonic()
        require_partnership(session, facilitator_id, partnership_id)
        author = editing.author_of(session, facilitator_id)
        stop = min(start + IMPORT_BATCH, len(todo))
        for index in range(start, stop):
            row = todo[index]
            entry = editing.find_entry(session, partnership_id, row.content["term"])
            if entry is None:
                entry = GlossaryEntry(
                    partnership_id=partnership_id, term=row.content["term"], term_key=editing.term_key(row.content["term"]),
                    status=row.content["status"], version=0,
                )
                session.add(entry)
            elif editing.content_of(entry.current) == row.content:
                continue  # someone made the same change meanwhile, or an earlier run of this import
            editing.add_version(session, entry, row.content, source="import", author=author, change_note="import",
                                documents=documents[index])
            if time.monotonic() - began > IMPORT_HOLD_SECONDS:
                stop = index + 1
                break
        session.commit()
        start = stop
        if pause and start < len(todo):
            time.sleep(IMPORT_PAUSE_SECONDS)
    return preview
