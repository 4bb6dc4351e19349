"""Idempotency keys: a mutation sent again with the same key gets the first answer back, and
never runs twice — not even when the copies arrive together.

A key is *reserved* before any work (a row per user and key, written in one statement: the
primary key lets one request win), held by that request until ``held_until`` — which it renews
while it runs (``hold``) — then *done* with the answer kept. A copy that finds the key pending
waits for the answer; a copy that finds it pending past ``held_until`` knows its holder stopped:
when the holder never recorded an intent nothing was written and the copy takes the key over,
otherwise the intent is settled first (``resolvers/recovery.py``) and its answer kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from sources.backend import Backend
from sources.state.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)

_KEY = IdempotencyKey


def fingerprint(operation: str, payload: Any) -> str:
    canonical = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class KeyState:
    """A key as found: ``done`` with its ``response``, or pending — held by a request until
    ``held_until``, with the change's intent ``audit_id`` once recorded."""

    fingerprint: str
    done: bool
    response: dict[str, Any]
    held_until: datetime | None = None
    audit_id: int | None = None

    def abandoned(self, now: datetime) -> bool:
        """Pending past its time: the request that held it stopped (it renews the time while it runs)."""
        return not self.done and self.held_until is not None and self.held_until < now


class IdempotencyStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def reserve(self, user_id: int, key: str, operation: str, print_: str, hold: timedelta) -> KeyState | None:
        """Reserve the key for this request (None), or the key as another request left it.

        A key older than ``KEEP_FOR`` is forgotten first; a pending key past its time with no intent
        recorded (its holder stopped before touching anything) is taken over."""
        now = datetime.now(UTC)
        async with self.backend.begin() as conn:
            await conn.execute(
                delete(_KEY).where(_KEY.user_id == user_id, _KEY.key == key, _KEY.created_at < now - KEEP_FOR)
            )
            taken = await conn.execute(
                update(_KEY)
                .where(
                    _KEY.user_id == user_id, _KEY.key == key, _KEY.fingerprint == print_, _KEY.state == "pending",
                    _KEY.audit_id.is_(None), _KEY.held_until < now,
                )
                .values(held_until=now + hold, created_at=now)
            )  # fmt: skip
            if taken.rowcount == 1:
                return None
        try:
            async with self.backend.begin() as conn:
                await conn.execute(
                    insert(_KEY).values(
                        user_id=user_id, key=key, operation=operation, fingerprint=print_, state="pending",
                        held_until=now + hold, response={}, created_at=now,
                    )
                )  # fmt: skip
        except IntegrityError:
            found = await self.find(user_id, key)
            if found is None:  # forgotten between the two statements: try once more
                return await self.reserve(user_id, key, operation, print_, hold)
            return found
        return None

    async def find(self, user_id: int, key: str) -> KeyState | None:
        statement = select(_KEY.fingerprint, _KEY.state, _KEY.response, _KEY.held_until, _KEY.audit_id).where(
            _KEY.user_id == user_id, _KEY.key == key, _KEY.created_at >= datetime.now(UTC) - KEEP_FOR
        )
        async with self.backend.connect() as conn:
            row = (await conn.execute(statement)).first()
        if row is None:
            return None
        held = _aware(row.held_until) if row.held_until is not None else None
        return KeyState(row.fingerprint, row.state == "done", row.response, held, row.audit_id)

    async def intend(self, user_id: int, key: str, audit_id: int) -> None:
        """Tie the reserved key to the change's intent: from now on, something may be written."""
        async with self.backend.begin() as conn:
            await conn.execute(
                update(_KEY)
                .where(_KEY.user_id == user_id, _KEY.key == key, _KEY.state == "pending")
                .values(audit_id=audit_id)
            )

    async def hold(self, user_id: int, key: str, until: datetime) -> None:
        """The request that reserved the key is still at work."""
        async with self.backend.begin() as conn:
            await conn.execute(
                update(_KEY)
                .where(_KEY.user_id == user_id, _KEY.key == key, _KEY.state == "pending")
                .values(held_until=until)
            )

    async def abandoned(self, now: datetime, limit: int = 100) -> list[int]:
        """The intents of keys whose holder stopped renewing them before ``now`` (for the recovery pass)."""
        statement = (
            select(_KEY.audit_id)
            .where(_KEY.state == "pending", _KEY.held_until < now, _KEY.audit_id.is_not(None))
            .order_by(_KEY.held_until)
            .limit(limit)
        )
        async with self.backend.connect() as conn:
            return [row.audit_id for row in (await conn.execute(statement)).all()]

    async def keep(self, user_id: int, key: str, response: dict[str, Any]) -> None:
        """The answer of the request that holds the key."""
        async with self.backend.begin() as conn:
            await conn.execute(
                update(_KEY)
                .where(_KEY.user_id == user_id, _KEY.key == key, _KEY.state == "pending")
                .values(state="done", response=response, held_until=None)
            )

    async def keep_settled(self, audit_id: int, response: dict[str, Any]) -> None:
        """The answer the recovery pass settled for an intent whose request stopped."""
        async with self.backend.begin() as conn:
            await conn.execute(
                update(_KEY)
                .where(and_(_KEY.audit_id == audit_id, _KEY.state == "pending"))
                .values(state="done", response=response, held_until=None)
            )

    async def release(self, user_id: int, key: str) -> None:
        """Give a reserved key back when nothing was written (no intent recorded)."""
        async with self.backend.begin() as conn:
            await conn.execute(
                delete(_KEY).where(
                    _KEY.user_id == user_id, _KEY.key == key, _KEY.state == "pending", _KEY.audit_id.is_(None)
                )
            )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
