"""The backends corpcare reads: CRM, billing, its own state, the cache and the cost allowances."""

from __future__ import annotations

from dataclasses import dataclass

from infra.cache import Cache
from infra.events import InProcessEvents
from infra.telemetry import Observer
from infra.throttle import InProcessThrottle, Throttle
from sources.backend import Backend
from sources.billing.balances import BalanceSource
from sources.billing.catalogue import CatalogueSource
from sources.billing.invoices import InvoiceSource
from sources.billing.policy_reads import PolicySource
from sources.billing.products import ProductSource
from sources.billing.reports import BillingReports, LineFigures
from sources.billing.spending import SpendingSource
from sources.billing.usage import UsageSource
from sources.billing.usage_reports import Savings, UsageFigures
from sources.billing.writes import BillingWriter, PlanWriter, PolicyWriter
from sources.crm.org_writes import OrgTreeWriter
from sources.crm.source import CrmSource
from sources.crm.user_writes import UserWriter
from sources.crm.writes import CrmWriter
from sources.db import Backends, Engines
from sources.moment import MomentBackend
from sources.state.api_keys import ApiKeyStore
from sources.state.audit import AuditLog
from sources.state.bulk_operations import BulkStore
from sources.state.idempotency import IdempotencyStore
from sources.state.persisted import PersistedOperationStore
from sources.state.sessions import SessionStore, SqlSessionStore


@dataclass(frozen=True, slots=True)
class Sources:
    crm: CrmSource
    catalogue: CatalogueSource
    products: ProductSource
    balances: BalanceSource
    usage: UsageSource
    spending: SpendingSource
    policies: PolicySource
    invoices: InvoiceSource
    billing_reports: BillingReports
    line_figures: LineFigures
    usage_figures: UsageFigures
    savings: Savings
    audit: AuditLog
    cache: Cache
    throttle: Throttle
    crm_writer: CrmWriter
    org_writer: OrgTreeWriter
    user_writer: UserWriter
    billing_writer: BillingWriter
    plan_writer: PlanWriter
    policy_writer: PolicyWriter
    idempotency: IdempotencyStore
    bulk: BulkStore
    observer: Observer
    events: InProcessEvents
    api_keys: ApiKeyStore
    persisted_operations: PersistedOperationStore
    sessions: SessionStore

    def backends(self) -> tuple[Backend, Backend, Backend]:
        """The CRM, billing and state backends these sources read and write."""
        return (self.crm.backend, self.billing_writer.backend, self.bulk.backend)

    @classmethod
    def over(
        cls,
        engines: Engines,
        cache: Cache,
        backends: Backends | None = None,
        observer: Observer | None = None,
        events: InProcessEvents | None = None,
        throttle: Throttle | None = None,
        sessions: SessionStore | None = None,
    ) -> Sources:
        """The sources over ``engines``; through ``backends`` (time limits, breakers) when given."""
        observer = observer or Observer()
        backends = backends or engines.backends(observer=observer)
        # Billing's reads see one moment per answer (sources/moment.py); its writes the present.
        billing = MomentBackend(backends.billing)
        return cls(
            crm=CrmSource(backends.crm),
            catalogue=CatalogueSource(billing),
            products=ProductSource(billing),
            balances=BalanceSource(billing),
            usage=UsageSource(billing),
            spending=SpendingSource(billing),
            policies=PolicySource(billing),
            invoices=InvoiceSource(billing),
            billing_reports=BillingReports(billing),
            line_figures=LineFigures(billing),
            usage_figures=UsageFigures(billing),
            savings=Savings(billing),
            audit=AuditLog(backends.state),
            cache=cache,
            throttle=throttle or InProcessThrottle(),
            crm_writer=CrmWriter(backends.crm),
            org_writer=OrgTreeWriter(backends.crm),
            user_writer=UserWriter(backends.crm),
            billing_writer=BillingWriter(backends.billing),
            plan_writer=PlanWriter(backends.billing),
            policy_writer=PolicyWriter(backends.billing),
            idempotency=IdempotencyStore(backends.state),
            bulk=BulkStore(backends.state),
            observer=observer,
            events=events or InProcessEvents(),
            api_keys=ApiKeyStore(backends.state),
            persisted_operations=PersistedOperationStore(backends.state),
            sessions=sessions or SqlSessionStore(backends.state),
        )


__all__ = ["Sources"]
