"""Fetching any object by its global id, within the caller's scope."""

from __future__ import annotations

from typing import Any

from permissions.roles import Permission as P
from resolvers.context import Info
from resolvers.ids import from_global_id
from sources.errors import NotFound

# Node type -> (loader, permission needed to read such objects at all)
NODE_LOADERS: dict[str, tuple[str, P | None]] = {
    "Customer": ("customer", None),
    "OrgUnit": ("org_unit", P.ORG_READ),
    "Subscriber": ("subscriber", P.LINE_READ),
    "TariffPlan": ("tariff_plan", P.CATALOGUE_READ),
    "Service": ("service", P.CATALOGUE_READ),
    "BillingAccount": ("billing_account", P.INVOICE_READ),
    "Invoice": ("invoice", P.INVOICE_READ),
    "PortalUser": ("portal_user", P.USER_READ),
}


async def load_node(info: Info, global_id: str, *, expect: str | None = None) -> Any:
    """The object, or NOT_FOUND — the same answer whether it is missing or outside the scope."""
    type_name, key = from_global_id(global_id, expect=expect)
    loader, permission = NODE_LOADERS[type_name]
    context = info.context
    record = None
    if permission is None or context.principal.can(permission):
        record = await getattr(context.loaders, loader).load(key)
    if record is None:
        raise NotFound(f"No {type_name} with id {global_id}.", id=global_id)
    return record
