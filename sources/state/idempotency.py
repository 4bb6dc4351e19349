"""Idempotency keys: a mutation sent again with the same key gets the first answer back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from sources.backend import Backend
from sources.state.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)


def fingerprint(operation: str, payload: Any) -> str:
    canonical = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    fingerprint: str
    response: dict[str, Any]


class IdempotencyStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def find(self, user_id: int, key: str, *, now: datetime | None = None) -> StoredAnswer | None:
        oldest = (now or datetime.now(UTC)) - KEEP_FOR
        statement = select(IdempotencyKey.fingerprint, IdempotencyKey.response, IdempotencyKey.created_at).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
        async with self.backend.connect() as conn:
            row = (await conn.execute(statement)).first()
        if row is None or _aware(row.created_at) < oldest:
            return None
        return StoredAnswer(row.fingerprint, row.response)

    async def remember(self, user_id: int, key: str, operation: str, print_: str, response: dict[str, Any]) -> bool:
        """Store the answer; False when another request stored one for the key first."""
        now = datetime.now(UTC)
        async with self.backend.begin() as conn:
            # Keys past their time are dropped as new ones arrive.
            await conn.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.user_id == user_id,
                    IdempotencyKey.key == key,
                    IdempotencyKey.created_at < now - KEEP_FOR,
                )
            )
            try:
                await conn.execute(
                    insert(IdempotencyKey).values(
                        user_id=user_id, key=key, operation=operation, fingerprint=print_, response=response,
                        created_at=now,
                    )
                )  # fmt: skip
            except IntegrityError:
                return False
        return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
