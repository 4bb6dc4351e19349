"""Pages of lists: opaque cursors (base64url of a small JSON array), the paging arguments read
into a keyset span (``sources.keyset``), and the page container."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import orjson

from core.errors import BadUserInput
from core.values import FIRST_YEAR, KEY_32, KEY_64, LAST_YEAR
from sources.keyset import Key, Span

T = TypeVar("T")


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def text(value: Any) -> str:
    """``parse`` for text sort values (none holds a NUL, which PostgreSQL cannot take)."""
    if not isinstance(value, str) or "\x00" in value:
        raise TypeError(value)
    return value


def moment(value: Any) -> datetime:
    """``parse`` for timestamps: ISO 8601 within the years the backends hold."""
    parsed = datetime.fromisoformat(value)
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(value)
    return parsed


def day(value: Any) -> date:
    """``parse`` for dates: ISO 8601 within the years the backends hold."""
    parsed = date.fromisoformat(value)
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(value)
    return parsed


def page_size(first: int | None, default: int, maximum: int, *, argument: str = "first") -> int:
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise BadUserInput(f"{argument} must be between 0 and {maximum}.", argument=argument, maximum=maximum)
    return first


def key32(value: Any) -> int:
    """``parse`` for the backends' 32-bit keys."""
    return _key(value, KEY_32)


def key64(value: Any) -> int:
    """``parse`` for the 64-bit keys of the rows that grow fastest."""
    return _key(value, KEY_64)


def _key(value: Any, largest: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= largest:
        raise ValueError(value)
    return value


@dataclass(frozen=True, slots=True)
class Keyset:
    """One list's cursors: its name, so that a cursor of another list is refused rather than read
    as this one's, and how each part of its key (sort values, then the id) is read back."""

    name: str
    parts: tuple[Callable[[Any], Any], ...]

    def cursor(self, *key: Any) -> str:
        return encode_cursor(self.name, *(value.isoformat() if isinstance(value, date) else value for value in key))

    def decode(self, cursor: str, argument: str) -> Key:
        try:
            values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            if not isinstance(values, list) or len(values) != len(self.parts) + 1 or values[0] != self.name:
                raise ValueError(cursor)
            return tuple(parse(value) for parse, value in zip(self.parts, values[1:], strict=True))
        except (ValueError, TypeError, OverflowError, binascii.Error):  # orjson.JSONDecodeError is a ValueError
            raise BadUserInput(f"The {argument} cursor is not a cursor of this list.", argument=argument) from None


@dataclass(frozen=True, slots=True)
class PageArgs:
    """A connection's Relay arguments, as sent."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def span_of(keyset: Keyset, args: PageArgs, *, default: int, maximum: int) -> Span:
    """The arguments, checked: ``first`` rows after ``after`` (and before ``before``), or the
    ``last`` rows before ``before`` (and after ``after``); with neither size, the first ``default``."""
    if args.first is not None and args.last is not None:
        raise BadUserInput("Pass first or last, not both.", argument="last")
    backward = args.last is not None
    if backward:
        limit = page_size(args.last, default, maximum, argument="last")
    else:
        limit = page_size(args.first, default, maximum)
    return Span(
        limit,
        after=None if args.after is None else keyset.decode(args.after, "after"),
        before=None if args.before is None else keyset.decode(args.before, "before"),
        backward=backward,
    )


def window_of(
    rows: Sequence[T], span: Span, cursor_of: Callable[[T], str], count: Callable[[], Awaitable[int]]
) -> Window:
    """The page of rows a source fetched for ``span`` (``span.fetch`` of them at most, in reading
    order). Rows beyond the page tell that more lie that way; across a cursor, the row it names does."""
    shown = list(rows[: span.limit])
    more = len(rows) > span.limit
    if span.backward:
        shown.reverse()
        return Window(shown, cursor_of, more, span.before is not None, count)
    return Window(shown, cursor_of, span.after is not None, more, count)


class Edge:
    __slots__ = ("cursor", "node")

    def __init__(self, cursor: str, node: Any) -> None:
        self.cursor = cursor
        self.node = node


class PageInfo:
    __slots__ = ("end_cursor", "has_next_page", "has_previous_page", "start_cursor")

    def __init__(
        self,
        has_next_page: bool,
        end_cursor: str | None,
        has_previous_page: bool = False,
        start_cursor: str | None = None,
    ) -> None:
        self.has_next_page = has_next_page
        self.end_cursor = end_cursor
        self.has_previous_page = has_previous_page
        self.start_cursor = start_cursor


class Window:
    """A page cut from either end (``first``/``after`` or ``last``/``before``): its cursors (given,
    or made from its rows on demand), and whether rows lie before and after it."""

    __slots__ = ("_count", "_cursors", "nodes", "page_info")

    def __init__(
        self,
        nodes: list[Any],
        cursors: list[str] | Callable[[Any], str],
        has_previous: bool,
        has_next: bool,
        count: Callable[[], Awaitable[int]],
    ) -> None:
        self.nodes = nodes
        self._cursors = cursors
        self._count = count
        start = end = None
        if nodes:
            start, end = (cursors(nodes[0]), cursors(nodes[-1])) if callable(cursors) else (cursors[0], cursors[-1])
        self.page_info = PageInfo(has_next, end, has_previous, start)

    @property
    def edges(self) -> list[Edge]:
        cursors = self._cursors
        if callable(cursors):
            return [Edge(cursors(node), node) for node in self.nodes]
        return [Edge(cursor, node) for cursor, node in zip(cursors, self.nodes, strict=True)]

    async def count(self) -> int:
        return await self._count()
