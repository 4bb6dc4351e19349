"""The kinds of change a selection of lines can receive: status, and services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.billing_records import LineServiceRecord, ServiceRecord, TariffPlanRecord
from core.crm_records import SubscriberRecord
from core.errors import BadUserInput
from core.ids import from_global_id
from core.values import add_months
from loaders.spending import PolicyBySubscriberLoader
from request.context import Context
from resolvers.line_changes import Change, Verdict
from resolvers.service_policy import conflicting_request, refuse_adding, refuse_removing
from sources.billing.policies import EffectivePolicy


@dataclass(frozen=True, slots=True)
class StatusChange:
    """Suspend or resume: move lines to ``status``."""

    operation: str
    status: str

    async def prepare(self, context: Context, lines: list[SubscriberRecord]) -> None:
        return None

    def check(self, line: SubscriberRecord) -> Verdict | None:
        if line.status == "terminated":
            return Verdict("failed", "LINE_TERMINATED", "The line is terminated.")
        if line.status == self.status:
            return Verdict("skipped", "ALREADY_IN_STATE", f"The line is already {self.status}.")
        return None

    def describe(self, line: SubscriberRecord) -> Change:
        return Change(before=line.status, after=self.status)

    async def apply(self, context: Context, line: SubscriberRecord) -> bool:
        return await context.sources.crm_writer.set_line_status(line.id, line.status, self.status)


@dataclass(slots=True)
class ServicesChange:
    """Add services to lines, or remove them, at the catalogue fee."""

    operation: str
    service_ids: list[str]
    adding: bool
    # Filled by prepare: the catalogue entries asked for, each line's services and policy.
    services: dict[int, ServiceRecord] = field(default_factory=dict)
    current: dict[int, dict[int, LineServiceRecord]] = field(default_factory=dict)
    policies: dict[int, EffectivePolicy] = field(default_factory=dict)

    async def prepare(self, context: Context, lines: list[SubscriberRecord]) -> None:
        wanted = list(dict.fromkeys(from_global_id(i, expect="Service")[1] for i in self.service_ids))
        if not wanted:
            raise BadUserInput("Name at least one service.", field=["services"])
        self.services = {s.id: s for s in await context.sources.catalogue.services(wanted)}
        if len(self.services) != len(wanted):
            raise BadUserInput("A service in the list does not exist.", field=["services"])
        if self.adding and (pair := conflicting_request(list(self.services.values()))):
            raise BadUserInput(f"{pair[0].name} and {pair[1].name} exclude each other.", field=["services"])
        ids = [line.id for line in lines]
        for record in await context.sources.products.services_by_subscriber_ids(ids) if ids else []:
            self.current.setdefault(record.subscriber_id, {})[record.service.id] = record
        # Policies matter to every addition, and to a removal only when it takes a content filter off.
        if lines and (self.adding or any(s.kind == "content_filter" for s in self.services.values())):
            keys = [(line.id, line.org_path, line.currency) for line in lines]
            policies = await context.loader(PolicyBySubscriberLoader).load_many(keys)
            self.policies = {line.id: policy for line, policy in zip(lines, policies, strict=True)}

    def _affected(self, line: SubscriberRecord) -> list[int]:
        present = self.current.get(line.id, {})
        return [sid for sid in self.services if (sid not in present) == self.adding]

    def check(self, line: SubscriberRecord) -> Verdict | None:
        if line.status == "terminated":
            return Verdict("failed", "LINE_TERMINATED", "The line is terminated.")
        if self.adding and line.status == "suspended":
            return Verdict("failed", "LINE_SUSPENDED", "Resume the line before adding services.")
        affected = self._affected(line)
        if not affected:
            state = "already has" if self.adding else "has none of"
            return Verdict("skipped", "ALREADY_IN_STATE", f"The line {state} these services.")
        present = list(self.current.get(line.id, {}).values())
        services = [self.services[sid] for sid in affected]
        if self.adding:
            return refuse_adding(services, present, self.policies[line.id])
        policy = self.policies.get(line.id)
        return refuse_removing(services, present, policy) if policy is not None else None

    def describe(self, line: SubscriberRecord) -> Change:
        present = self.current.get(line.id, {})
        affected = self._affected(line)
        before = {record.service.code for record in present.values()}
        changed = {self.services[sid].code for sid in affected}
        after = before | changed if self.adding else before - changed
        if self.adding:
            delta = sum(self._fee(sid) for sid in affected)
        else:
            delta = -sum(present[sid].monthly_fee.minor for sid in affected)
        return Change(before=", ".join(sorted(before)), after=", ".join(sorted(after)), cost_delta_minor=delta)

    def _fee(self, service_id: int) -> int:
        return self.services[service_id].monthly_fee.minor

    async def apply(self, context: Context, line: SubscriberRecord) -> bool:
        affected = self._affected(line)
        writer = context.sources.billing_writer
        if self.adding:
            fees = [(sid, self._fee(sid)) for sid in affected]
            return await writer.add_line_services(line.id, line.customer_id, fees, context.today)
        return await writer.remove_line_services(line.id, affected)


@dataclass(slots=True)
class PlanChange:
    """Move lines to another tariff plan, now or from the start of next billing month."""

    operation: str
    plan_id: str
    next_period: bool
    # Filled by prepare.
    plan: TariffPlanRecord | None = None
    current: dict[int, TariffPlanRecord] = field(default_factory=dict)
    scheduled: dict[int, int] = field(default_factory=dict)  # line -> plan id waiting
    effective_from: date | None = None

    async def prepare(self, context: Context, lines: list[SubscriberRecord]) -> None:
        found = await context.sources.catalogue.plans([from_global_id(self.plan_id, expect="TariffPlan")[1]])
        if not found:
            raise BadUserInput("No such tariff plan.", field=["plan"])
        self.plan = found[0]
        self.effective_from = add_months(context.current_period, 1) if self.next_period else context.today
        ids = [line.id for line in lines]
        if ids:
            products = context.sources.products
            self.current = dict(await products.plans_by_subscriber_ids(ids))
            self.scheduled = {row.subscriber_id: row.plan.id for row in await products.scheduled_plans(ids)}

    def check(self, line: SubscriberRecord) -> Verdict | None:
        assert self.plan is not None
        if line.status == "terminated":
            return Verdict("failed", "LINE_TERMINATED", "The line is terminated.")
        if line.id not in self.current:
            return Verdict("failed", "BACKEND_ERROR", "Billing has no product record for this line.")
        if self.current[line.id].id == self.plan.id and line.id not in self.scheduled:
            return Verdict("skipped", "ALREADY_IN_STATE", "The line is already on this plan.")
        if self.next_period and self.scheduled.get(line.id) == self.plan.id:
            return Verdict("skipped", "ALREADY_IN_STATE", "This change is already scheduled.")
        return None

    def describe(self, line: SubscriberRecord) -> Change:
        assert self.plan is not None
        current = self.current.get(line.id)
        if current is None:
            return Change(before="", after="")
        after = self.plan.code if not self.next_period else f"{self.plan.code} from {self.effective_from}"
        return Change(current.code, after, self.plan.monthly_fee.minor - current.monthly_fee.minor)

    async def apply(self, context: Context, line: SubscriberRecord) -> bool:
        assert self.plan is not None and self.effective_from is not None
        writer = context.sources.plan_writer
        if self.next_period:
            return await writer.schedule_plan(line.id, self.plan.id, self.effective_from)
        return await writer.change_plan_now(line.id, self.current[line.id].id, self.plan.id, self.effective_from)
