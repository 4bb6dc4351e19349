"""DataLoaders, built fresh for every request; each is created on first use."""

from __future__ import annotations

from functools import cached_property

from loaders.api_keys import ApiKeyByIdLoader, ApiKeysByUserIdLoader
from loaders.base import LoadContext
from loaders.bulk_operations import BulkOperationByIdLoader
from loaders.invoice import (
    BillingAccountByIdLoader,
    BillingAccountsByCustomerIdLoader,
    InvoiceByIdLoader,
    InvoiceCategoryTotalsLoader,
    InvoiceLinesPageKey,
    InvoicePageKey,
    InvoicesByAccountLoader,
    InvoiceSubscriberTotalsLoader,
)
from loaders.org import (
    AncestorsByPathLoader,
    CustomerByIdLoader,
    OrgRootByCustomerIdLoader,
    OrgUnitByIdLoader,
    OrgUnitsByParentIdLoader,
    OrgUnitsUnderPathLoader,
    PortalUserByIdLoader,
    SubscriberCountByCustomerIdLoader,
    SubscriberCountByOrgUnitIdLoader,
)
from loaders.policy_periods import PolicyPeriodsBySubscriberMonthLoader
from loaders.shared import OrgGeneration
from loaders.spending import (
    PolicyByOrgUnitLoader,
    PolicyBySubscriberLoader,
    SpendingByOrgUnitMonthLoader,
    SpendingBySubscriberMonthLoader,
    SpendingPerCurrencyByOrgUnitMonthLoader,
    SpendingPerCurrencyBySubscriberMonthLoader,
)
from loaders.subscriber import (
    BundleBalancesBySubscriberIdLoader,
    BundleByIdLoader,
    BundlesByPlanIdLoader,
    ScheduledPlanBySubscriberIdLoader,
    ServiceByIdLoader,
    ServicesBySubscriberIdLoader,
    SubscriberByIdLoader,
    TariffPlanByIdLoader,
    TariffPlanBySubscriberIdLoader,
)
from loaders.usage import UsageBySubscriberLoader, UsageFilter, UsagePageKey


class Loaders:
    """One request's loaders. Attribute names are what schema fields refer to."""

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx

    @cached_property
    def org_generation(self) -> OrgGeneration:
        return OrgGeneration(self.ctx.sources.cache)

    @cached_property
    def api_key(self) -> ApiKeyByIdLoader:
        return ApiKeyByIdLoader(self.ctx)

    @cached_property
    def api_keys(self) -> ApiKeysByUserIdLoader:
        return ApiKeysByUserIdLoader(self.ctx)

    @cached_property
    def bulk_operation(self) -> BulkOperationByIdLoader:
        return BulkOperationByIdLoader(self.ctx)

    @cached_property
    def customer(self) -> CustomerByIdLoader:
        return CustomerByIdLoader(self.ctx)

    @cached_property
    def org_unit(self) -> OrgUnitByIdLoader:
        return OrgUnitByIdLoader(self.ctx, self.org_generation)

    @cached_property
    def org_root(self) -> OrgRootByCustomerIdLoader:
        return OrgRootByCustomerIdLoader(self.ctx, self.org_generation)

    @cached_property
    def org_children(self) -> OrgUnitsByParentIdLoader:
        return OrgUnitsByParentIdLoader(self.ctx, self.org_generation)

    @cached_property
    def org_descendants(self) -> OrgUnitsUnderPathLoader:
        return OrgUnitsUnderPathLoader(self.ctx)

    @cached_property
    def org_ancestors(self) -> AncestorsByPathLoader:
        return AncestorsByPathLoader(self.ctx)

    @cached_property
    def subscriber_count(self) -> SubscriberCountByOrgUnitIdLoader:
        return SubscriberCountByOrgUnitIdLoader(self.ctx)

    @cached_property
    def customer_subscriber_count(self) -> SubscriberCountByCustomerIdLoader:
        return SubscriberCountByCustomerIdLoader(self.ctx)

    @cached_property
    def portal_user(self) -> PortalUserByIdLoader:
        return PortalUserByIdLoader(self.ctx)

    @cached_property
    def subscriber(self) -> SubscriberByIdLoader:
        return SubscriberByIdLoader(self.ctx)

    @cached_property
    def line_plan(self) -> TariffPlanBySubscriberIdLoader:
        return TariffPlanBySubscriberIdLoader(self.ctx)

    @cached_property
    def scheduled_plan(self) -> ScheduledPlanBySubscriberIdLoader:
        return ScheduledPlanBySubscriberIdLoader(self.ctx)

    @cached_property
    def line_services(self) -> ServicesBySubscriberIdLoader:
        return ServicesBySubscriberIdLoader(self.ctx)

    @cached_property
    def bundle_balances(self) -> BundleBalancesBySubscriberIdLoader:
        return BundleBalancesBySubscriberIdLoader(self.ctx)

    @cached_property
    def tariff_plan(self) -> TariffPlanByIdLoader:
        return TariffPlanByIdLoader(self.ctx)

    @cached_property
    def service(self) -> ServiceByIdLoader:
        return ServiceByIdLoader(self.ctx)

    @cached_property
    def bundle(self) -> BundleByIdLoader:
        return BundleByIdLoader(self.ctx)

    @cached_property
    def plan_bundles(self) -> BundlesByPlanIdLoader:
        return BundlesByPlanIdLoader(self.ctx)

    @cached_property
    def line_spending(self) -> SpendingBySubscriberMonthLoader:
        return SpendingBySubscriberMonthLoader(self.ctx, self.line_spending_per_currency)

    @cached_property
    def line_spending_per_currency(self) -> SpendingPerCurrencyBySubscriberMonthLoader:
        return SpendingPerCurrencyBySubscriberMonthLoader(self.ctx)

    @cached_property
    def line_policy_periods(self) -> PolicyPeriodsBySubscriberMonthLoader:
        return PolicyPeriodsBySubscriberMonthLoader(self.ctx)

    @cached_property
    def unit_spending(self) -> SpendingByOrgUnitMonthLoader:
        return SpendingByOrgUnitMonthLoader(self.ctx, self.unit_spending_per_currency)

    @cached_property
    def unit_spending_per_currency(self) -> SpendingPerCurrencyByOrgUnitMonthLoader:
        return SpendingPerCurrencyByOrgUnitMonthLoader(self.ctx)

    @cached_property
    def unit_policy(self) -> PolicyByOrgUnitLoader:
        return PolicyByOrgUnitLoader(self.ctx)

    @cached_property
    def line_policy(self) -> PolicyBySubscriberLoader:
        return PolicyBySubscriberLoader(self.ctx)

    @cached_property
    def usage(self) -> UsageBySubscriberLoader:
        return UsageBySubscriberLoader(self.ctx)

    @cached_property
    def billing_accounts(self) -> BillingAccountsByCustomerIdLoader:
        return BillingAccountsByCustomerIdLoader(self.ctx)

    @cached_property
    def billing_account(self) -> BillingAccountByIdLoader:
        return BillingAccountByIdLoader(self.ctx)

    @cached_property
    def invoices(self) -> InvoicesByAccountLoader:
        return InvoicesByAccountLoader(self.ctx)

    @cached_property
    def invoice(self) -> InvoiceByIdLoader:
        return InvoiceByIdLoader(self.ctx)

    @cached_property
    def invoice_by_subscriber(self) -> InvoiceSubscriberTotalsLoader:
        return InvoiceSubscriberTotalsLoader(self.ctx)

    @cached_property
    def invoice_by_category(self) -> InvoiceCategoryTotalsLoader:
        return InvoiceCategoryTotalsLoader(self.ctx)


__all__ = ["InvoiceLinesPageKey", "InvoicePageKey", "LoadContext", "Loaders", "UsageFilter", "UsagePageKey"]
