"""Small input checks shared by every use case, raising ``InvalidInput`` with a usable message."""

from __future__ import annotations

import unicodedata

from glossary.errors import InvalidInput, _

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
    value = unicodedata.normalize("NFC", value)
    allowed = {"\n", "\t"} if multiline else set()
    value = "".join(
        c for c in value if c in allowed or (unicodedata.category(c) not in ("Cc", "Cs") and c not in BIDI_CONTROLS)
    )
    value = value.strip()
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
