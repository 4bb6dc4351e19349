"""Every row of a report reachable, a page at a time: ``first``/``after`` forward,
``last``/``before`` backward, over rows in the report's own order.

A cursor is keyset, not an offset: it holds the row's sort key (its group: month, unit, line,
category, …, currency), so a page read after the figures moved (the usage feed adds groups as
it rates) still starts right after the last row seen — no row twice, none skipped among those
present on both reads. It also holds a fingerprint of the report's question (months, dimensions,
subtree, customer, categories): a cursor of another question names rows of another order, and
is refused with BAD_USER_INPUT rather than read as if it were this one's. The total is not
capped; a page is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

import orjson

from core.errors import BadUserInput
from loaders.cursors import Window, encode_cursor, page_size

T = TypeVar("T")
ROW_PAGE_DEFAULT = 1000
ROW_PAGE_MAX = 10_000
Key = tuple[Any, ...]


def question_of(*parts: Any) -> str:
    """A short fingerprint of a report's question (its arguments, normalised by the caller)."""
    return hashlib.sha256(orjson.dumps(parts, default=str)).hexdigest()[:16]


def _wire(key: Key) -> Key:
    """The key as a cursor holds it: dates as ISO text (which sorts as the dates do)."""
    return tuple(value.isoformat() if isinstance(value, date) else value for value in key)


def page_rows(
    rows: Sequence[T],
    key: Callable[[T], Key],
    question: str,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Window:
    """The page of ``rows`` (any order; sorted here by ``key``, unique per row) that the
    arguments ask for; with neither ``first`` nor ``last``, the first ``ROW_PAGE_DEFAULT``."""
    wanted_first = page_size(first, ROW_PAGE_DEFAULT, ROW_PAGE_MAX) if first is not None or last is None else None
    wanted_last = None if last is None else _size(last, "last")
    keyed = sorted(((_wire(key(row)), row) for row in rows), key=lambda pair: pair[0])
    keys = [k for k, _ in keyed]
    low, high = 0, len(keyed)
    if after is not None:
        low = _position(keys, _decode(after, question, "after"), bisect_right)
    if before is not None:
        high = max(low, _position(keys, _decode(before, question, "before"), bisect_left))
    if wanted_first is not None:
        high = min(high, low + wanted_first)
    if wanted_last is not None:
        low = max(low, high - wanted_last)
    window = keyed[low:high]
    cursors = [encode_cursor(question, *k) for k, _ in window]
    total = len(keyed)

    async def count() -> int:
        return total

    return Window([row for _, row in window], cursors, low > 0, high < total, count)


def _size(value: int, argument: str) -> int:
    if not 0 <= value <= ROW_PAGE_MAX:
        raise BadUserInput(f"{argument} must be between 0 and {ROW_PAGE_MAX}.", argument=argument, maximum=ROW_PAGE_MAX)
    return value


def _decode(cursor: str, question: str, argument: str) -> Key:
    refused = BadUserInput("The cursor is not valid for this report's question.", argument=argument)
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):  # orjson.JSONDecodeError is a ValueError
        raise refused from None
    if not isinstance(values, list) or not values or values[0] != question:
        raise refused
    key = tuple(values[1:])
    if not all(isinstance(value, str | int | bool) for value in key):
        raise refused
    return key


def _position(keys: list[Key], key: Key, bisect: Callable[..., int]) -> int:
    """Where ``key`` falls among ``keys``; a key that does not compare with them (a crafted
    cursor: other types, another length of key) is refused."""
    if keys and len(key) != len(keys[0]):
        raise BadUserInput("The cursor is not valid for this report's question.")
    try:
        return int(bisect(keys, key))
    except TypeError:
        raise BadUserInput("The cursor is not valid for this report's question.") from None
