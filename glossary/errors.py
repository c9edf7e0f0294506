"""Domain errors: each carries a message a person can act on.

Messages are gettext message ids (Dutch, the product's default language) with ``%(name)s``
placeholders; the web layer translates them and fills in ``params``. The ``_`` below only marks
strings for extraction, so this package stays free of Flask-Babel.
"""


def _(message: str) -> str:
    """Mark a message id for translation extraction; returns it unchanged."""
    return message


class Counted(tuple):
    """A message with a count: (singular, plural, count); the web layer picks the form."""

    __slots__ = ()


def ngettext(singular: str, plural: str, num: int) -> Counted:
    """Mark a counted message for extraction (both forms); ``num`` also fills ``%(num)s``."""
    return Counted((singular, plural, num))


class DomainError(Exception):
    """Base for every refusal of a use case. ``status`` maps to an HTTP status in the API."""

    status = 400

    def __init__(self, message: str | Counted, **params: object) -> None:
        if isinstance(message, Counted):
            singular, plural, num = message
            params = {**params, "num": num}
            message = singular if num == 1 else plural
            self.plural: tuple[str, str] | None = (singular, plural)
        else:
            self.plural = None
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class InvalidInput(DomainError):
    """The caller sent something that does not fit (too long, empty, wrong type)."""


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""

    status = 404


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403


class Conflict(DomainError):
    """The request clashes with the current state (wrong phase, taken name, stale version)."""

    status = 409
