"""Loaders for service accounts' API keys (state database), of the companies the caller sees whole."""

from __future__ import annotations

from loaders.base import SourceLoader, grouped, in_key_order
from sources.state.api_keys import ApiKeyRow, ApiKeyStore


class ApiKeyByIdLoader(SourceLoader[int, ApiKeyRow | None]):
    reads = (ApiKeyStore.keys,)

    async def batch_load_fn(self, keys: list[int]) -> list[ApiKeyRow | None]:
        rows = await self.ctx.sources.api_keys.keys(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class ApiKeysByUserIdLoader(SourceLoader[int, list[ApiKeyRow]]):
    reads = (ApiKeyStore.keys_of_users,)

    async def batch_load_fn(self, keys: list[int]) -> list[list[ApiKeyRow]]:
        rows = await self.ctx.sources.api_keys.keys_of_users(keys, self.scope)
        return grouped(keys, ((row.user_id, row) for row in rows))
