"""Registered (persisted) operations: GraphQL documents stored by the SHA-256 of their exact
text. Rows are only ever added: a text has one hash, so registering it again changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Insert, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from sources.db import SqlSource, key_in
from sources.state.models import PersistedOperationRecord

_P = PersistedOperationRecord
_HASH = re.compile(r"^[0-9a-f]{64}$")


def digest(document: str) -> str:
    """The hash clients send: SHA-256 of the document's UTF-8 bytes, lowercase hex (as Apollo's
    persisted-query link computes it)."""
    return hashlib.sha256(document.encode()).hexdigest()


def is_hash(value: object) -> bool:
    return isinstance(value, str) and _HASH.match(value) is not None


@dataclass(frozen=True, slots=True)
class PersistedOperation:
    document: str
    operation_names: tuple[str, ...]
    source: str

    @property
    def hash(self) -> str:
        return digest(self.document)


class PersistedOperationStore(SqlSource):
    async def document(self, sha256: str) -> str | None:
        """The registered document with this hash, if any."""
        rows = await self._rows(select(_P.document).where(_P.hash == sha256))
        return rows[0].document if rows else None

    async def registered(self, hashes: Sequence[str]) -> set[str]:
        """Which of ``hashes`` are registered already."""
        if not hashes:
            return set()
        return {row.hash for row in await self._rows(select(_P.hash).where(key_in(_P.hash, hashes, self.dialect)))}

    async def register(self, operations: Sequence[PersistedOperation], registered_by: str) -> list[str]:
        """Store the operations not registered yet, in one transaction; their hashes."""
        by_hash = {operation.hash: operation for operation in operations}
        new = [h for h in by_hash if h not in await self.registered(list(by_hash))]
        if not new:
            return []
        now = datetime.now(UTC)
        rows = [
            {"hash": h, "operation_names": ",".join(by_hash[h].operation_names), "document": by_hash[h].document,
             "source": by_hash[h].source[:500], "registered_by": registered_by[:120], "registered_at": now}
            for h in new
        ]  # fmt: skip
        async with self.backend.begin() as conn:
            # Another registration may have stored some of them meanwhile: same text, same row.
            await conn.execute(_insert_new(self.dialect), rows)
        return new


def _insert_new(dialect: str) -> Insert:
    if dialect == "postgresql":
        return postgresql.insert(_P).on_conflict_do_nothing(index_elements=[_P.hash])
    if dialect == "sqlite":
        return sqlite.insert(_P).on_conflict_do_nothing(index_elements=[_P.hash])
    return insert(_P)
