"""Loaders for customers and the org tree (CRM)."""

from __future__ import annotations

from loaders.base import SourceLoader, grouped, in_key_order
from sources.crm.records import CustomerRecord, OrgUnitRecord, PortalUserRecord, path_ids


class CustomerByIdLoader(SourceLoader[int, CustomerRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[CustomerRecord | None]:
        rows = await self.crm.customers_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class OrgUnitByIdLoader(SourceLoader[int, OrgUnitRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[OrgUnitRecord | None]:
        rows = await self.crm.org_units_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class OrgRootByCustomerIdLoader(SourceLoader[int, OrgUnitRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[OrgUnitRecord | None]:
        rows = await self.crm.org_roots(keys, self.scope)
        return in_key_order(keys, {row.customer_id: row for row in rows})


class OrgUnitsByParentIdLoader(SourceLoader[int, list[OrgUnitRecord]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[OrgUnitRecord]]:
        rows = await self.crm.org_units_by_parent_ids(keys, self.scope)
        return grouped(keys, ((row.parent_id, row) for row in rows))


class OrgUnitsUnderPathLoader(SourceLoader[str, list[OrgUnitRecord]]):
    """Descendants of each unit (by its path), in tree order."""

    async def batch_load_fn(self, keys: list[str]) -> list[list[OrgUnitRecord]]:
        rows = await self.crm.org_units_under(keys, self.scope)
        return [[row for row in rows if row.path.startswith(key) and row.path != key] for key in keys]


class AncestorsByPathLoader(SourceLoader[str, list[OrgUnitRecord]]):
    """Ancestors of each unit (root first) that the caller may see, read off the path."""

    async def batch_load_fn(self, keys: list[str]) -> list[list[OrgUnitRecord]]:
        wanted = {key: path_ids(key)[:-1] for key in keys}
        ids = sorted({unit_id for chain in wanted.values() for unit_id in chain})
        by_id = {row.id: row for row in await self.crm.org_units_by_ids(ids, self.scope)} if ids else {}
        return [[by_id[i] for i in wanted[key] if i in by_id] for key in keys]


class PortalUserByIdLoader(SourceLoader[int, PortalUserRecord | None]):
    """Users are company-level: only a caller who sees whole companies gets them (in SQL)."""

    async def batch_load_fn(self, keys: list[int]) -> list[PortalUserRecord | None]:
        return in_key_order(keys, {row.id: row for row in await self.crm.portal_users(self.scope, keys)})


class SubscriberCountByCustomerIdLoader(SourceLoader[int, int]):
    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        return in_key_order(keys, await self.crm.subscriber_counts_by_customer(keys, self.scope), default=0)


class SubscriberCountByOrgUnitIdLoader(SourceLoader[int, int]):
    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        return in_key_order(keys, await self.crm.subscriber_counts(keys, self.scope), default=0)
