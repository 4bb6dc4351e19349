"""Loaders for customers and the org tree (CRM)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from core.crm_records import CustomerRecord, OrgUnitRecord, PortalUserRecord, path_ids
from loaders.base import Loaders, SourceLoader, grouped, in_key_order
from loaders.shared import ORG_SECONDS, maybe_org_unit, org_unit, org_units, through
from sources.crm.source import CrmSource

K = TypeVar("K")
V = TypeVar("V")


class CustomerByIdLoader(SourceLoader[int, CustomerRecord | None]):
    reads = (CrmSource.customers_by_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[CustomerRecord | None]:
        rows = await self.crm.customers_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class OrgTreeLoader(SourceLoader[K, V]):
    """Reads of the org tree in the caller's scope, kept in the shared cache (``loaders/shared.py``)."""

    kind: str

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self.generation = loaders.org_generation

    async def shared(
        self, keys: list[K], load: Callable[[list[K]], Awaitable[dict[K, V]]], decode: Callable[[Any], V]
    ) -> list[V]:
        prefix = f"org:{await self.generation.value()}:{self.scope.fingerprint()}:{self.kind}:"
        found = await through(self.ctx.sources.cache, prefix, keys, load, decode, ORG_SECONDS)
        return [found.get(key) for key in keys]  # type: ignore[misc]


class OrgUnitByIdLoader(OrgTreeLoader[int, OrgUnitRecord | None]):
    kind, reads = "unit", (CrmSource.org_units_by_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[OrgUnitRecord | None]:
        return await self.shared(keys, self._load, org_unit)

    async def _load(self, keys: list[int]) -> dict[int, OrgUnitRecord | None]:
        return {row.id: row for row in await self.crm.org_units_by_ids(keys, self.scope)}


class OrgRootByCustomerIdLoader(OrgTreeLoader[int, OrgUnitRecord | None]):
    kind, reads = "root", (CrmSource.org_roots,)

    async def batch_load_fn(self, keys: list[int]) -> list[OrgUnitRecord | None]:
        return await self.shared(keys, self._load, maybe_org_unit)

    async def _load(self, keys: list[int]) -> dict[int, OrgUnitRecord | None]:
        # A root outside the scope (a unit admin's) is kept as absent too: asked on every dashboard.
        found = {row.customer_id: row for row in await self.crm.org_roots(keys, self.scope)}
        return {key: found.get(key) for key in keys}


class OrgUnitsByParentIdLoader(OrgTreeLoader[int, list[OrgUnitRecord]]):
    kind, reads = "children", (CrmSource.org_units_by_parent_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[list[OrgUnitRecord]]:
        return await self.shared(keys, self._load, org_units)

    async def _load(self, keys: list[int]) -> dict[int, list[OrgUnitRecord]]:
        rows = await self.crm.org_units_by_parent_ids(keys, self.scope)
        return dict(zip(keys, grouped(keys, ((row.parent_id, row) for row in rows)), strict=True))


class OrgUnitsUnderPathLoader(SourceLoader[str, list[OrgUnitRecord]]):
    """Descendants of each unit (by its path), in tree order."""

    reads = (CrmSource.org_units_under,)

    async def batch_load_fn(self, keys: list[str]) -> list[list[OrgUnitRecord]]:
        rows = await self.crm.org_units_under(keys, self.scope)
        return [[row for row in rows if row.path.startswith(key) and row.path != key] for key in keys]


class AncestorsByPathLoader(SourceLoader[str, list[OrgUnitRecord]]):
    """Ancestors of each unit (root first) that the caller may see, read off the path."""

    reads = (CrmSource.org_units_by_ids,)

    async def batch_load_fn(self, keys: list[str]) -> list[list[OrgUnitRecord]]:
        wanted = {key: path_ids(key)[:-1] for key in keys}
        ids = sorted({unit_id for chain in wanted.values() for unit_id in chain})
        by_id = {row.id: row for row in await self.crm.org_units_by_ids(ids, self.scope)} if ids else {}
        return [[by_id[i] for i in wanted[key] if i in by_id] for key in keys]


class PortalUserByIdLoader(SourceLoader[int, PortalUserRecord | None]):
    """Users are company-level: only a caller who sees whole companies gets them (in SQL)."""

    reads = (CrmSource.portal_users,)

    async def batch_load_fn(self, keys: list[int]) -> list[PortalUserRecord | None]:
        return in_key_order(keys, {row.id: row for row in await self.crm.portal_users(self.scope, keys)})


class SubscriberCountByCustomerIdLoader(SourceLoader[int, int]):
    reads = (CrmSource.subscriber_counts_by_customer,)

    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        return in_key_order(keys, await self.crm.subscriber_counts_by_customer(keys, self.scope), default=0)


class SubscriberCountByOrgUnitIdLoader(SourceLoader[int, int]):
    reads = (CrmSource.subscriber_counts,)

    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        return in_key_order(keys, await self.crm.subscriber_counts(keys, self.scope), default=0)
