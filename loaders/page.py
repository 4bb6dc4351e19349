"""Pages of lists: opaque cursors (base64url of a small JSON array) and the page container."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson

from sources.errors import BadUserInput

T = TypeVar("T")


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_keyset(cursor: str, parse: Callable[[Any], T]) -> tuple[T, int]:
    """Read a (sort value, id) cursor back; ``parse`` restores the sort value's type."""
    try:
        value, key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, int) or isinstance(key, bool):
            raise ValueError(cursor)
        return parse(value), key
    except (ValueError, TypeError, binascii.Error):  # orjson.JSONDecodeError is a ValueError
        raise BadUserInput("The cursor is not valid for this list.", argument="after") from None


def text(value: Any) -> str:
    """``parse`` for text sort values."""
    if not isinstance(value, str):
        raise TypeError(value)
    return value


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
    __slots__ = ("end_cursor", "has_next_page")

    def __init__(self, has_next_page: bool, end_cursor: str | None) -> None:
        self.has_next_page = has_next_page
        self.end_cursor = end_cursor


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
        return PageInfo(self.has_next_page, end)

    async def count(self) -> int | None:
        return None if self._count is None else await self._count()
