"""Loaders for bulk operations (state database), within the caller's view of them."""

from __future__ import annotations

from loaders.base import SourceLoader, in_key_order
from sources.state.bulk_operations import BulkOperationRow, BulkStore


class BulkOperationByIdLoader(SourceLoader[int, BulkOperationRow | None]):
    reads = (BulkStore.operations,)

    async def batch_load_fn(self, keys: list[int]) -> list[BulkOperationRow | None]:
        rows = await self.ctx.sources.bulk.operations(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})
