"""Markdown for definitions, notes and comments: rendered with ``markdown``, sanitised with ``nh3``.

Called wherever user-written text is shown as HTML (the web layer's ``markdown`` template filter,
the print view, the Markdown export). Nothing a user writes can bring a script, an event handler,
a style, or a ``javascript:``/``data:`` link onto the page: only the tags and attributes below
survive, and links only with the schemes below.
"""

from __future__ import annotations

import re

import markdown as _markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "hr", "del", "ins", "sub", "sup", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Headings inside a definition start at h3: the page itself owns h1 and h2.
HEADING_SHIFT = {"h1": "h3", "h2": "h4"}


def render(text: str | None) -> str:
    """Safe HTML for ``text`` written in Markdown; raw HTML in the input keeps only the allowed tags."""
    if not text:
        return ""
    html = _markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    for old, new in HEADING_SHIFT.items():
        html = html.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain(text: str | None) -> str:
    """The text without Markdown markup, for search, CSV-free previews and SKOS literals."""
    if not text:
        return ""
    return nh3.clean(render(text), tags=set()).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").strip()


# Characters that start Markdown markup anywhere in a line (emphasis, code, links, tables,
# strikethrough) and the patterns that only count at the start of a line (headings, lists,
# thematic breaks, setext underlines). "<" and ">" become entities: no HTML, no quote blocks.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LINE_START_SPECIAL = re.compile(r"^(?:#+(?=\s|$)|[+-](?=\s|$)|[=-]+$)")
_ORDERED_LIST_START = re.compile(r"^(\d+)(?=[.)](?:\s|$))")
# An ampersand that would start a character reference (&lt; &#60;) is written as &amp;.
_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def escape(text: str | None, *, inline: bool = True) -> str:
    """``text`` as Markdown that shows exactly this text and makes no markup or HTML of it.

    For putting what people wrote (definitions, reasons, names) into a Markdown document: the
    meeting summary (glossary.meeting.summary). ``inline`` joins the lines with spaces, for a list item
    or a heading; otherwise the lines are kept (each one escaped on its own).
    """
    if not text:
        return ""
    lines = []
    for line in str(text).splitlines():
        # Leading spaces would make an indented code block; trailing ones a hard line break.
        line = _ENTITY_START.sub("&amp;", line.strip())
        line = line.replace("<", "&lt;").replace(">", "&gt;")
        line = _INLINE_SPECIAL.sub(r"\\\1", line)
        line = _LINE_START_SPECIAL.sub(lambda m: "\\" + m.group(0), line)
        line = _ORDERED_LIST_START.sub(r"\1\\", line)
        if line:
            lines.append(line)
    return (" " if inline else "\n").join(lines)
