"""Small input checks shared by every use case, raising ``InvalidInput`` with a usable message."""

from __future__ import annotations

import unicodedata

from glossary.errors import InvalidInput, _

# Row ids are INTEGER columns: 32 bits on PostgreSQL (SQLite refuses anything beyond 64 bits).
MAX_ID = 2**31 - 1

# Bidirectional overrides can make a name or definition display as something else than it is.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(value: object, field: str, *, max_length: int, required: bool = True, multiline: bool = False) -> str:
    """Return ``value`` trimmed and NFC-normalised, or raise with a message naming ``field``.

    Control and text-direction characters are removed (newlines only survive in ``multiline`` fields) so that a
    name can never break a layout or a log line.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("Het veld ‘%(field)s’ moet tekst zijn."), field=field)
    value = strip_unsafe(value, multiline=multiline).strip()
    if required and not value:
        raise InvalidInput(_("Vul het veld ‘%(field)s’ in."), field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("Het veld ‘%(field)s’ is te lang: %(length)s tekens, maximaal %(max)s."),
            field=field,
            length=len(value),
            max=max_length,
        )
    return value


def collapse_spaces(value: str) -> str:
    """``value`` with every run of white space turned into one space, trimmed."""
    return " ".join(value.split())


def name_key(value: str) -> str:
    """How two names are compared: NFC, white space collapsed, case-insensitive (Unicode casefold),
    so that "Gemeente  Noordveld " and "gemeente noordveld" are the same organisation."""
    return unicodedata.normalize("NFC", collapse_spaces(unicodedata.normalize("NFC", value)).casefold())


def strip_unsafe(value: str, *, multiline: bool = False) -> str:
    """``value`` NFC-normalised without control, surrogate and text-direction characters (newlines
    and tabs stay when ``multiline``): for text that is shown or stored but not validated further."""
    allowed = {"\n", "\t"} if multiline else set()
    return "".join(
        c for c in unicodedata.normalize("NFC", value)
        if c in allowed or (unicodedata.category(c) not in ("Cc", "Cs") and c not in BIDI_CONTROLS)
    )


def is_id(value: object) -> bool:
    """True when ``value`` can name a row: an int (not a bool) from 1 to ``MAX_ID``.

    Anything else names nothing and must not reach the database, where a number that does not
    fit the column is an error rather than "not found".
    """
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
