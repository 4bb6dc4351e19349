"""Pages of lists: opaque cursors (base64url of a small JSON array) and the page container."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar

import orjson

from sources.errors import BadUserInput
from sources.values import FIRST_YEAR, KEY_32, LAST_YEAR

T = TypeVar("T")


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_keyset(cursor: str, parse: Callable[[Any], T], *, largest: int = KEY_32) -> tuple[T, int]:
    """Read a (sort value, id) cursor back; ``parse`` restores the sort value's type, ``largest``
    is the largest key of the list (a cursor is sent back as it came, or it is not valid)."""
    try:
        value, key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key <= largest:
            raise ValueError(cursor)
        return parse(value), key
    except (ValueError, TypeError, OverflowError, binascii.Error):  # orjson.JSONDecodeError is a ValueError
        raise BadUserInput("The cursor is not valid for this list.", argument="after") from None


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


def page_size(first: int | None, default: int, maximum: int) -> int:
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise BadUserInput(f"first must be between 0 and {maximum}.", argument="first", maximum=maximum)
    return first


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


class Page:
    """One page of a list, fetched with one row more than asked to learn whether more follow."""

    __slots__ = ("_count", "_cursor_of", "has_next_page", "nodes")

    def __init__(
        self,
        rows: list[Any],
        limit: int,
        cursor_of: Callable[[Any], str],
        count: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.nodes = rows[:limit]
        self.has_next_page = len(rows) > limit
        self._cursor_of = cursor_of
        self._count = count

    @property
    def edges(self) -> list[Edge]:
        cursor_of = self._cursor_of
        return [Edge(cursor_of(node), node) for node in self.nodes]

    @property
    def page_info(self) -> PageInfo:
        end = self._cursor_of(self.nodes[-1]) if self.nodes else None
        start = self._cursor_of(self.nodes[0]) if self.nodes else None
        return PageInfo(self.has_next_page, end, False, start)

    async def count(self) -> int | None:
        return None if self._count is None else await self._count()


class Window:
    """A page cut from either end (``first``/``after`` or ``last``/``before``): its cursors are
    known, and whether rows lie before and after it."""

    __slots__ = ("_count", "_cursors", "nodes", "page_info")

    def __init__(
        self,
        nodes: list[Any],
        cursors: list[str],
        has_previous: bool,
        has_next: bool,
        count: Callable[[], Awaitable[int]],
    ) -> None:
        self.nodes = nodes
        self._cursors = cursors
        self._count = count
        start, end = (cursors[0], cursors[-1]) if cursors else (None, None)
        self.page_info = PageInfo(has_next, end, has_previous, start)

    @property
    def edges(self) -> list[Edge]:
        return [Edge(cursor, node) for cursor, node in zip(self._cursors, self.nodes, strict=True)]

    async def count(self) -> int:
        return await self._count()
