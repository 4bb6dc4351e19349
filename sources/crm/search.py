"""Finding lines by what people type: part of a name without case or accents, part of a number.

Names are compared folded (lower case, accents and compatibility forms taken apart): the folded
name is a column kept with the name, so both backends compare it in SQL alike. A number is found
by the patterns the request's text makes of it (``resolvers/line_search.py``) over the stored
E.164 form.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, or_

from sources.crm.models import Subscriber

LIKE_LITERAL = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


def fold(text: str) -> str:
    """``text`` as it is compared: "Müller", "MÜLLER" and "Muller" all read "muller"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


@dataclass(frozen=True, slots=True)
class LineSearch:
    """Lines whose name holds ``name`` (folded), or whose number matches one of ``numbers``:
    LIKE patterns of digits and ``+`` (``+49170%`` a number's start, ``%1706%`` any part)."""

    name: str
    numbers: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[bool, int]:
        """What its predicate's SQL depends on: a name or none, and how many number patterns."""
        return bool(self.name), len(self.numbers)

    @classmethod
    def of_name(cls, text: str) -> LineSearch:
        return cls(fold(text))


def search_predicate(search: LineSearch) -> ColumnElement[bool]:
    """The lines ``search`` finds, its text bound when the statement runs (``bound_search``): the
    same predicate for every search of its ``shape``."""
    # Text that folds to nothing (a lone accent) names nobody, rather than everybody.
    named = bindparam("needle", type_=Subscriber.employee_name_folded.type)
    matches: list[Any] = [Subscriber.employee_name_folded.like(named, escape="\\") if search.name else false()]
    matches += [
        Subscriber.msisdn.like(bindparam(f"number_{n}", type_=Subscriber.msisdn.type))
        for n in range(len(search.numbers))
    ]
    return or_(*matches)


def bound_search(search: LineSearch) -> dict[str, str]:
    """The values of ``search_predicate``'s parameters."""
    values = {f"number_{n}": pattern for n, pattern in enumerate(search.numbers)}
    if search.name:
        # The text as written: % and _ in it are characters to find, not wildcards.
        values["needle"] = "%" + search.name.translate(LIKE_LITERAL) + "%"
    return values
