"""Each line's products: its tariff plan, the plan change waiting for a later month, its
services, its billing account's currency, and the lines that hold given products."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

from sqlalchemy import Select, select

from core.billing_records import LineServiceRecord, ScheduledPlanRecord, TariffPlanRecord
from core.values import Money
from sources.billing.catalogue import PLAN_COLUMNS, SERVICE_COLUMNS, by_id, plan_record, service_record
from sources.billing.models import BillingAccount, LineProduct, LineService, ScheduledPlanChange, Service, TariffPlan
from sources.db import SqlSource, bound_keys, key_in, keys_bound


class ProductSource(SqlSource):
    """The product inventory of lines, by line id."""

    # The reads every line's page makes, built once (``keys_bound``).

    @cached_property
    def _plans(self) -> Select[*tuple[Any, ...]]:
        return (
            select(LineProduct.subscriber_id, *PLAN_COLUMNS)
            .join(TariffPlan, TariffPlan.id == LineProduct.plan_id)
            .where(keys_bound(LineProduct.subscriber_id, "lines", self.dialect))
        )

    @cached_property
    def _currencies(self) -> Select[*tuple[Any, ...]]:
        return (
            select(LineProduct.subscriber_id, BillingAccount.currency)
            .join(BillingAccount, BillingAccount.id == LineProduct.billing_account_id)
            .where(keys_bound(LineProduct.subscriber_id, "lines", self.dialect))
        )

    @cached_property
    def _services(self) -> Select[*tuple[Any, ...]]:
        # Read by position (``services_by_subscriber_ids``): the line, its service's activation and
        # fee, then the service's columns (its id at 3, its currency at 8).
        return (
            select(
                LineService.subscriber_id,
                LineService.activated_on,
                LineService.monthly_fee_minor.label("line_fee_minor"),
                *SERVICE_COLUMNS,
            )
            .join(Service, Service.id == LineService.service_id)
            .where(keys_bound(LineService.subscriber_id, "lines", self.dialect))
            .order_by(LineService.subscriber_id, Service.name)
        )

    async def plans_by_subscriber_ids(self, subscriber_ids: Sequence[int]) -> list[tuple[int, TariffPlanRecord]]:
        rows = await self._rows(self._plans, {"lines": bound_keys(subscriber_ids, self.dialect)})
        plans = by_id(rows, plan_record, 1)  # the line, then the plan's columns
        return [(row[0], plans[row[1]]) for row in rows]

    async def billing_currencies(self, subscriber_ids: Sequence[int]) -> dict[int, str]:
        """Each line's billing account's currency: what its charges, and its limit, are stated in."""
        rows = await self._rows(self._currencies, {"lines": bound_keys(subscriber_ids, self.dialect)})
        return {sid: currency for sid, currency in rows}

    async def services_by_subscriber_ids(self, subscriber_ids: Sequence[int]) -> list[LineServiceRecord]:
        rows = await self._rows(self._services, {"lines": bound_keys(subscriber_ids, self.dialect)})
        services = by_id(rows, service_record, 3)
        # By position (``_services``): a row's attribute by name costs about 20 times its item.
        return [LineServiceRecord(row[0], services[row[3]], row[1], Money.from_minor(row[2], row[8])) for row in rows]

    async def scheduled_plans(self, subscriber_ids: Sequence[int]) -> list[ScheduledPlanRecord]:
        """(line id, effective from, plan) of the plan changes waiting for a later month."""
        statement = (
            select(ScheduledPlanChange.subscriber_id, ScheduledPlanChange.effective_from, *PLAN_COLUMNS)
            .join(TariffPlan, TariffPlan.id == ScheduledPlanChange.plan_id)
            .where(key_in(ScheduledPlanChange.subscriber_id, subscriber_ids, self.dialect))
        )
        return [ScheduledPlanRecord(row[0], row[1], plan_record(row)) for row in await self._rows(statement)]

    async def subscriber_ids_with_products(
        self, customer_ids: Iterable[int] | None, plan_ids: Sequence[int], service_ids: Sequence[int]
    ) -> set[int]:
        """Lines on any of ``plan_ids`` and with all of ``service_ids``: input to CRM filters."""
        statement = select(LineProduct.subscriber_id)
        if customer_ids is not None:
            statement = statement.where(key_in(LineProduct.customer_id, customer_ids, self.dialect))
        if plan_ids:
            statement = statement.where(key_in(LineProduct.plan_id, plan_ids, self.dialect))
        for service_id in service_ids:
            statement = statement.where(
                select(LineService.subscriber_id)
                .where(LineService.subscriber_id == LineProduct.subscriber_id, LineService.service_id == service_id)
                .exists()
            )
        return {row[0] for row in await self._rows(statement)}
