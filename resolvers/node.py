"""Fetching any object by its global id, within the caller's scope."""

from __future__ import annotations

from typing import Any

from core.errors import NotFound
from core.ids import from_global_id
from loaders import SourceLoader
from loaders.api_keys import ApiKeyByIdLoader
from loaders.bulk_operations import BulkOperationByIdLoader
from loaders.invoice import BillingAccountByIdLoader, InvoiceByIdLoader
from loaders.org import CustomerByIdLoader, OrgUnitByIdLoader, PortalUserByIdLoader
from loaders.subscriber import ServiceByIdLoader, SubscriberByIdLoader, TariffPlanByIdLoader
from permissions.rules import TYPE_READ
from request.context import Context

# Node type -> the class of the request's loader that fetches it by key
NODE_LOADERS: dict[str, type[SourceLoader[Any, Any]]] = {
    "Customer": CustomerByIdLoader,
    "OrgUnit": OrgUnitByIdLoader,
    "Subscriber": SubscriberByIdLoader,
    "TariffPlan": TariffPlanByIdLoader,
    "Service": ServiceByIdLoader,
    "BillingAccount": BillingAccountByIdLoader,
    "Invoice": InvoiceByIdLoader,
    "PortalUser": PortalUserByIdLoader,
    "BulkOperation": BulkOperationByIdLoader,
    "ApiKey": ApiKeyByIdLoader,
}


async def load_node(context: Context, global_id: str, *, expect: str | None = None) -> Any:
    """The object, or NOT_FOUND — the same answer whether it is missing or outside the scope."""
    type_name, key = from_global_id(global_id, expect=expect)
    loader, permission = NODE_LOADERS[type_name], TYPE_READ[type_name]
    record = None
    if permission is None or context.principal.can(permission):
        record = await context.loader(loader).load(key)
    if record is None:
        raise NotFound(f"No {type_name} with id {global_id}.", id=global_id)
    return record
