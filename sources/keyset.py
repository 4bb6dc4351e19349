"""Keyset pages in SQL: the one way every paged list cuts its page.

A list is ordered by a key of columns that is unique per row (a sort value, then the id). A page
is the rows after one key and before another, ``limit`` of them taken from the start of that
range, or from its end (``backward``, read in reverse order). A key holds values, not positions,
so rows added between two reads do not shift the rows around them: no row that was there on
both reads is skipped or read twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, literal, or_, tuple_

Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """Which rows of an ordered list a page reads. Sources fetch ``limit + 1`` rows, in list order
    or (``backward``) reversed, to learn whether more lie beyond the page."""

    limit: int
    after: Key | None = None
    before: Key | None = None
    backward: bool = False

    @property
    def fetch(self) -> int:
        return self.limit + 1


def bounds(key: Sequence[Any], span: Span, *, descending: bool = False) -> list[ColumnElement[bool]]:
    """The conditions that keep the rows after ``span.after`` and before ``span.before``;
    ``descending``: the list runs from the largest key down.

    As the Relay specification reads them, ``after`` is applied first and ``before`` then only
    cuts the rows left: a ``before`` at or above ``after`` names no row among them, and cuts none.
    The database compares the two keys, so text sorts by its collation as the rows do."""
    return _cut(key, span, descending, lambda _end, values: _values(key, values))


def bounds_bound(key: Sequence[Any], span: Span, *, descending: bool = False) -> list[ColumnElement[bool]]:
    """``bounds`` with the two keys bound when the statement runs (``bound_span``): the same
    conditions for every span that gives the same ends."""
    return _cut(key, span, descending, lambda end, _values: _bound(key, end))


def bound_span(span: Span) -> dict[str, Any]:
    """The values of ``bounds_bound``'s parameters."""
    values: dict[str, Any] = {}
    for end, given in (("after", span.after), ("before", span.before)):
        if given is not None:
            values |= {f"{end}_{n}": value for n, value in enumerate(given)}
    return values


def _cut(key: Sequence[Any], span: Span, descending: bool, row: Callable[[str, Key], Any]) -> list[ColumnElement[bool]]:
    columns = tuple_(*key)
    conditions: list[ColumnElement[bool]] = []
    if span.after is not None:
        after = row("after", span.after)
        conditions.append(columns < after if descending else columns > after)
    if span.before is not None:
        before = row("before", span.before)
        cut = columns > before if descending else columns < before
        if span.after is not None:
            after = row("after", span.after)
            cut = or_(cut, before >= after if descending else before <= after)
        conditions.append(cut)
    return conditions


def _values(key: Sequence[Any], values: Key) -> Any:
    """A key's values, typed as its columns (PostgreSQL compares two bound rows only when typed)."""
    return tuple_(*(literal(value, column.type) for column, value in zip(key, values, strict=True)))


def _bound(key: Sequence[Any], end: str) -> Any:
    """A key's parameters, typed as ``_values`` types its values."""
    return tuple_(*(bindparam(f"{end}_{n}", type_=column.type) for n, column in enumerate(key)))


def reading_order(key: Sequence[Any], span: Span, *, descending: bool = False) -> list[Any]:
    """The order to fetch in: the list's own, reversed for a page taken from the end."""
    downward = descending != span.backward
    return [column.desc() if downward else column.asc() for column in key]


# The page a query reads when its caller names none.
FIRST_PAGE = Span(50)
