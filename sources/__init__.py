"""The backends corpcare reads: CRM, billing, its own state, and the cache."""

from __future__ import annotations

from dataclasses import dataclass

from sources.billing.source import BillingSource
from sources.cache import Cache
from sources.crm.source import CrmSource
from sources.db import Engines


@dataclass(frozen=True, slots=True)
class Sources:
    crm: CrmSource
    billing: BillingSource
    cache: Cache

    @classmethod
    def over(cls, engines: Engines, cache: Cache) -> Sources:
        return cls(crm=CrmSource(engines.crm), billing=BillingSource(engines.billing), cache=cache)


__all__ = ["Sources"]
