"""Markdown in definitions and comments is rendered, and nothing executable survives."""

from __future__ import annotations

import re
from html import unescape

import pytest

from glossary.markdown import escape, plain, render


def test_ordinary_markdown_is_rendered_with_safe_links():
    html = render("# Kop\n\n**vet**, *schuin* en [een link](https://example.org)\n\n- een\n- twee")
    assert "<h3>Kop</h3>" in html and "<strong>vet</strong>" in html and "<li>twee</li>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">een link</a>' in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://ok.example" onclick="alert(1)">klik</a>',
        '<div onmouseover="alert(1)">hover</div>',
        "<svg onload=alert(1)>",
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](java&#115;cript:alert(1))",
        '<a href="javascript:alert(1)">klik</a>',
        "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![beeld](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<a href='vbscript:msgbox(1)'>x</a>",
    ],
)
def test_no_script_event_handler_or_dangerous_link_survives(attack):
    html = render(attack).lower()
    assert "<script" not in html and "<iframe" not in html and "<svg" not in html and "<img" not in html
    assert "javascript:" not in html and "vbscript:" not in html and "data:" not in html
    assert " on" not in html.replace("noopener", "").replace("nofollow", "")
    assert "style=" not in html


def test_plain_text_drops_markup():
    assert plain("**Werk** zonder _fouten_ & <b>ruis</b>") == "Werk zonder fouten & ruis"
    assert plain("") == ""


TEXTS_WITH_MARKUP = [
    "**vet** _schuin_ `code` ~~weg~~ a|b [klik](javascript:alert(1)) ![plaatje](http://x/y.png)",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> <!-- verborgen --> &lt; R&D",
    "# kop", "- lijst", "+ plus", "1. genummerd", "2) twee", "---", "===", "    ingesprongen", "a\\b",
]


@pytest.mark.parametrize("text", TEXTS_WITH_MARKUP)
def test_escaped_text_reads_as_written_and_makes_no_markup(text):
    from markdown_it import MarkdownIt  # a CommonMark reader, as partners' Markdown viewers are

    for html in (MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(escape(text)), render(escape(text))):
        assert not set(re.findall(r"<(\w+)", html)) - {"p"}, html
    shown = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(escape(text))
    assert unescape(re.sub(r"<[^>]+>", "", shown)).strip() == text.strip()


def test_escaping_keeps_ordinary_text_readable_and_lines_when_asked():
    assert escape("Kwaliteit: 1.3 en -5 graden, #hashtag, R&D.") == "Kwaliteit: 1.3 en -5 graden, #hashtag, R&D."
    assert escape("regel een\n- regel twee") == "regel een \\- regel twee"
    assert escape("regel een\n- regel twee", inline=False) == "regel een\n\\- regel twee"
    assert escape("") == "" and escape(None) == ""
