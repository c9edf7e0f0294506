"""Files to text: .txt, .md, .pdf (pypdf) and .docx (python-docx).

Called by the command line (`python -m glossary.terms`) and by `library.upload_document`.
Every refusal is an `InvalidInput` with a Dutch message naming the file.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from glossary.errors import InvalidInput, _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 50
EXTENSIONS = (".txt", ".md", ".pdf", ".docx")
# pypdf logs what it repairs; a file it cannot read becomes one clear refusal instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def file_type(filename: str) -> str:
    """The lower-case extension of an accepted file; InvalidInput for any other."""
    ext = Path(filename).suffix.lower()
    if ext not in EXTENSIONS:
        raise InvalidInput(
            _("‘%(name)s’ is geen tekst, PDF of Word-bestand; gebruik .txt, .md, .pdf of .docx."), name=filename
        )
    return ext


def text_of(filename: str, data: bytes) -> str:
    """The plain text of one file's bytes, paragraphs separated by blank lines."""
    ext = file_type(filename)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(_("‘%(name)s’ is groter dan 20 MB; splits het bestand of laat bijlagen weg."), name=filename)
    if ext in (".txt", ".md"):
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    elif ext == ".pdf":
        text = _pdf_text(filename, data)
    else:
        text = _docx_text(filename, data)
    text = text.replace("\x00", "").strip()
    if not text:
        raise InvalidInput(_("In ‘%(name)s’ staat geen leesbare tekst (een scan zonder tekstlaag?)."), name=filename)
    return text


def _pdf_text(filename: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidInput(_("‘%(name)s’ is beveiligd met een wachtwoord; sla het op zonder beveiliging."), name=filename)
        return "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise InvalidInput(_("‘%(name)s’ is geen leesbare PDF."), name=filename) from error


def _docx_text(filename: str, data: bytes) -> str:
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InvalidInput(_("‘%(name)s’ is geen leesbaar Word-bestand."), name=filename) from error
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in parts if p.strip())


def read_path(path: str) -> list[tuple[str, str]]:
    """(file name, text) of one file, or of every file in a folder (sorted; hidden files skipped)."""
    p = Path(path)
    if not p.exists():
        raise InvalidInput(_("‘%(name)s’ bestaat niet."), name=path)
    files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")) if p.is_dir() else [p]
    out = []
    for f in files:
        if p.is_dir() and f.suffix.lower() not in EXTENSIONS:
            continue  # a folder may hold other files (truth.json, images); only documents count
        try:
            if f.stat().st_size > MAX_FILE_BYTES:
                raise InvalidInput(_("‘%(name)s’ is groter dan 20 MB; splits het bestand of laat bijlagen weg."), name=f.name)
            data = f.read_bytes()
        except OSError as error:
            raise InvalidInput(_("‘%(name)s’ kan niet worden gelezen."), name=str(f)) from error
        out.append((f.name, text_of(f.name, data)))
    return out
