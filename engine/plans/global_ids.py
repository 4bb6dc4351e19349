"""Global ids in plans: a record's id is encoded once per process, not once per answer.

A list of lines, or of their plans, names the same few thousand records request after request;
the base64 of ``Type:key`` is the same every time. Each node type keeps the ids it has encoded,
up to ``REMEMBERED`` of them (then it starts afresh: a few MB at most, whatever the traffic).
Only ``int`` keys are remembered (``True`` and ``1.0`` would find ``1``'s id, and are not ``1``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from core.ids import to_global_id

__all__ = ["REMEMBERED", "global_id"]

REMEMBERED = 16_384


@cache
def global_id(type_name: str) -> Callable[[Any], str]:
    """``record -> its global id``, as ``schema.fields.global_id`` answers it."""
    encoded: dict[int, str] = {}

    def encode(record: Any) -> str:
        key = record.id
        if key.__class__ is not int:
            return to_global_id(type_name, key)
        found = encoded.get(key)
        if found is None:
            if len(encoded) >= REMEMBERED:
                encoded.clear()
            found = encoded[key] = to_global_id(type_name, key)
        return found

    return encode
