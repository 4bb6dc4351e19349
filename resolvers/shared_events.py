"""Events decoded once per process, for every subscriber of them.

The event bus hands the same message to every subscriber on this instance. Decoded here,
they all receive the very same object, and that lets the executor answer a subscription's
selection once per event for all the subscribers who see it alike (``engine.event_results``):
a thousand portals following one operation cost one execution per report, not a thousand.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

KEPT = 256  # recent messages; a subscriber that falls further behind decodes its own copy


class SharedEvents:
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._by_message: OrderedDict[tuple[Callable[[bytes], Any], bytes], Any] = OrderedDict()
        self._ids: dict[int, Any] = {}  # id -> the object itself, held while it is kept

    def decoded(self, message: bytes, decode: Callable[[bytes], T]) -> T:
        key = (decode, message)
        value = self._by_message.get(key)
        if value is None:
            value = decode(message)
            self._by_message[key] = value
            self._ids[id(value)] = value
            if len(self._by_message) > self._kept:
                _, dropped = self._by_message.popitem(last=False)
                del self._ids[id(dropped)]
        return value

    def shared(self, value: object) -> bool:
        """True for an object this process handed to every subscriber of its event."""
        return value is not None and self._ids.get(id(value)) is value


EVENTS = SharedEvents()
