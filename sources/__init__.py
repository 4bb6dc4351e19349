"""The backends corpcare reads: CRM, billing, its own state, and the cache."""

from __future__ import annotations

from dataclasses import dataclass

from sources.billing.reports import BillingReports, LineFigures
from sources.billing.source import BillingSource
from sources.billing.usage_reports import Savings, UsageFigures
from sources.billing.writes import BillingWriter, PlanWriter, PolicyWriter
from sources.cache import Cache
from sources.crm.org_writes import OrgTreeWriter
from sources.crm.source import CrmSource
from sources.crm.user_writes import UserWriter
from sources.crm.writes import CrmWriter
from sources.db import Engines
from sources.state.audit import AuditLog
from sources.state.bulk import BulkStore
from sources.state.idempotency import IdempotencyStore


@dataclass(frozen=True, slots=True)
class Sources:
    crm: CrmSource
    billing: BillingSource
    billing_reports: BillingReports
    line_figures: LineFigures
    usage_figures: UsageFigures
    savings: Savings
    audit: AuditLog
    cache: Cache
    crm_writer: CrmWriter
    org_writer: OrgTreeWriter
    user_writer: UserWriter
    billing_writer: BillingWriter
    plan_writer: PlanWriter
    policy_writer: PolicyWriter
    idempotency: IdempotencyStore
    bulk: BulkStore

    @classmethod
    def over(cls, engines: Engines, cache: Cache) -> Sources:
        return cls(
            crm=CrmSource(engines.crm),
            billing=BillingSource(engines.billing),
            billing_reports=BillingReports(engines.billing),
            line_figures=LineFigures(engines.billing),
            usage_figures=UsageFigures(engines.billing),
            savings=Savings(engines.billing),
            audit=AuditLog(engines.state),
            cache=cache,
            crm_writer=CrmWriter(engines.crm),
            org_writer=OrgTreeWriter(engines.crm),
            user_writer=UserWriter(engines.crm),
            billing_writer=BillingWriter(engines.billing),
            plan_writer=PlanWriter(engines.billing),
            policy_writer=PolicyWriter(engines.billing),
            idempotency=IdempotencyStore(engines.state),
            bulk=BulkStore(engines.state),
        )


__all__ = ["Sources"]
