"""Language choice and translation of domain error messages.

Dutch is the default; a ``lang`` cookie (set by the language switch) selects English.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext, ngettext

from glossary.errors import DomainError

LANGUAGES = ("nl", "en")


def select_locale() -> str:
    choice = request.cookies.get("lang") if request else None
    return choice if choice in LANGUAGES else "nl"


def error_message(error: DomainError) -> str:
    """The error's message in the user's language, with its parameters filled in.

    A ``field`` parameter is itself a message id (the field's name), so it is translated too.
    """
    params = dict(error.params)
    if isinstance(params.get("field"), str):
        params["field"] = gettext(params["field"])
    if error.plural is not None:
        num = params.pop("num")
        return ngettext(*error.plural, num, **params)
    message = gettext(error.message)
    return message % params if params else message
