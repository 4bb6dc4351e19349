"""Reading portal users: the companies' users the caller's scope covers."""

from __future__ import annotations

from core.crm_records import PortalUserRecord
from request.context import Info
from resolvers.customer import company_scope


async def portal_users(info: Info, customer_id: str | None = None) -> list[PortalUserRecord]:
    return await info.context.sources.crm.portal_users(await company_scope(info.context, customer_id))
