"""The meeting summary as a PDF file, written from the same outline as the Markdown
(``meeting.summary.summary_document``), with ReportLab.

Called by ``meeting.summary.export`` for the facilitator's ``summary.pdf`` download. ReportLab
loads only when a PDF is written. ReportLab is pure
Python and needs no system libraries. Its own Bitstream Vera fonts are used rather than the
built-in PDF fonts: those only know Windows-1252, while Vera also has the ş, ğ, ı, ł and č of
partners' names; a character Vera lacks (an emoji, say) is written as its base letter or "?",
never as an empty box.
"""

from __future__ import annotations

import io
import unicodedata
from xml.sax.saxutils import escape as xml_escape

from glossary.meeting.outline import Block, Heading, ItemList, Paragraph, Quote, Span

FONT = "SamenspraakVera"
FONT_FILES = {"": "Vera.ttf", "-Bold": "VeraBd.ttf", "-Italic": "VeraIt.ttf", "-BoldItalic": "VeraBI.ttf"}


def _register_fonts() -> set[int]:
    """Register the Vera family with ReportLab (once per process: its registry is global and a
    second registration changes nothing) and return the code points the regular face has."""
    from pathlib import Path

    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(reportlab.__file__).parent / "fonts"
    if FONT not in pdfmetrics.getRegisteredFontNames():
        for suffix, file in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(FONT + suffix, str(folder / file)))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT + "-Bold")
        addMapping(FONT, 0, 1, FONT + "-Italic")
        addMapping(FONT, 1, 1, FONT + "-BoldItalic")
    return set(pdfmetrics.getFont(FONT).face.charToGlyph)


def _printable(text: str, known: set[int]) -> str:
    out = []
    for char in text:
        if ord(char) in known or char in "\n\t":
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in known and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


def _markup(spans: list[Span], known: set[int]) -> str:
    """ReportLab's paragraph markup for spans; every text is XML-escaped, so none is markup."""
    parts = []
    for span in spans:
        text = xml_escape(_printable(span.text, known))
        if span.href:
            text = f'<link href="{xml_escape(span.href, {chr(34): "&quot;"})}" color="#1f5fbf"><u>{text}</u></link>'
        parts.append(f"<b>{text}</b>" if span.strong else text)
    return "".join(parts)


def _quote_markup(text: str, known: set[int]) -> str:
    return "<br/>".join(xml_escape(_printable(line, known)) for line in text.splitlines())


def to_pdf(blocks: list[Block], *, title: str, footer: str = "") -> bytes:
    """The outline as an A4 PDF; ``footer`` goes on every page with the page number."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate
    from reportlab.platypus import Paragraph as Para

    known = _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, spaceAfter=5)
    headings = {
        1: ParagraphStyle("h1", parent=body, fontName=FONT + "-Bold", fontSize=18, leading=22, spaceAfter=10),
        2: ParagraphStyle("h2", parent=body, fontName=FONT + "-Bold", fontSize=14, leading=18, spaceBefore=14,
                          spaceAfter=6, keepWithNext=1),
        3: ParagraphStyle("h3", parent=body, fontName=FONT + "-Bold", fontSize=11.5, leading=15, spaceBefore=8,
                          spaceAfter=4, keepWithNext=1),
    }
    quote = ParagraphStyle("quote", parent=body, leftIndent=8, borderPadding=(4, 6, 4, 6), backColor=colors.HexColor("#f1f4fb"),
                           spaceBefore=3, spaceAfter=8)

    item_style = ParagraphStyle("item", parent=body, leftIndent=16, bulletIndent=2, bulletFontName=FONT)
    item_quote = ParagraphStyle("item_quote", parent=quote, leftIndent=24)

    story = []
    for block in blocks:
        if isinstance(block, Heading):
            story.append(Para(_markup(block.spans, known), headings[block.level]))
        elif isinstance(block, Paragraph):
            story.append(Para(_markup(block.spans, known), body))
        elif isinstance(block, Quote):
            story.append(Para(_quote_markup(block.text, known), quote))
        elif isinstance(block, ItemList):
            # Each item is its own top-level paragraphs with a bullet, not a ListFlowable: a list
            # item cannot be split over pages, so one long definition (a quote of 55 short lines)
            # made the whole PDF fail. KeepTogether keeps a short item on one page and lets a
            # too-long one split.
            for number, item in enumerate(block.items, start=1):
                bullet = f"{number}." if block.ordered else "•"
                parts = [Para(_markup(item.spans, known), item_style, bulletText=bullet)]
                if item.quote:
                    parts.append(Para(_quote_markup(item.quote, known), item_quote))
                story.append(KeepTogether(parts))

    def page_footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(colors.HexColor("#5b6576"))
        canvas.drawString(18 * mm, 10 * mm, _printable(footer, known))
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                                 bottomMargin=18 * mm, title=title, author="Samenspraak", creator="Samenspraak")
    document.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()


