"""The backends corpcare reads: CRM, billing, its own state, and the cache."""

from __future__ import annotations

from dataclasses import dataclass

from sources.billing.source import BillingSource
from sources.cache import Cache
from sources.crm.source import CrmSource
from sources.db import Engines
from sources.state.audit import AuditLog


@dataclass(frozen=True, slots=True)
class Sources:
    crm: CrmSource
    billing: BillingSource
    audit: AuditLog
    cache: Cache

    @classmethod
    def over(cls, engines: Engines, cache: Cache) -> Sources:
        return cls(
            crm=CrmSource(engines.crm),
            billing=BillingSource(engines.billing),
            audit=AuditLog(engines.state),
            cache=cache,
        )


__all__ = ["Sources"]
