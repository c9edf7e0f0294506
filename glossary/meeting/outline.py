"""The neutral outline a meeting summary is written from: headings, paragraphs, quotes and lists of
plain text spans. ``meeting.summary`` builds it; its Markdown writer and ``meeting.summary_pdf``
write it out, so both files say the same in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A piece of inline text; ``text`` is never markup, the writers escape it."""

    text: str
    strong: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    spans: list[Span]


@dataclass(frozen=True)
class Paragraph:
    spans: list[Span]


@dataclass(frozen=True)
class Quote:
    """A text someone wrote, shown as a quotation with its own line breaks."""

    text: str


@dataclass(frozen=True)
class Item:
    spans: list[Span]
    quote: str | None = None


@dataclass(frozen=True)
class ItemList:
    items: list[Item]
    ordered: bool = False


Block = Heading | Paragraph | Quote | ItemList
