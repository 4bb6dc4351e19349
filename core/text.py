"""Text a caller sends, checked before it reaches a backend: PostgreSQL stores no NUL character
nor any text that is not valid Unicode, and each column holds so many characters (the lengths of
the reference schemas)."""

from __future__ import annotations

from core.errors import BadUserInput

# Longest search or filter text: no name, number, login or action is longer.
FILTER = 200
UNIT_NAME = 200
COST_CENTRE_CODE = 32
LOGIN = 120
PERSON_NAME = 200
EMAIL = 254
IDEMPOTENCY_KEY = 200


def checked(value: str, *, field: str, longest: int) -> str:
    """``value`` as it is, or BAD_USER_INPUT naming ``field``."""
    if "\x00" in value:
        raise BadUserInput(f"{field} cannot hold a NUL character.", field=[field])
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate, which some JSON decoders let through
            raise BadUserInput(f"{field} is not valid Unicode text.", field=[field]) from None
    if len(value) > longest:
        raise BadUserInput(f"{field} is at most {longest} characters long.", field=[field])
    return value


def optional(value: str | None, *, field: str, longest: int) -> str | None:
    return None if value is None else checked(value, field=field, longest=longest)
