"""Reading portal users: the companies' users the caller's scope covers."""

from __future__ import annotations

from core.crm_records import PortalUserRecord
from request.context import Info


async def portal_users(info: Info) -> list[PortalUserRecord]:
    return await info.context.sources.crm.portal_users(info.context.principal.scope)
