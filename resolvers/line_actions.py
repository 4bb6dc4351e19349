"""The kinds of change a selection of lines can receive: status, and services."""

from __future__ import annotations

from dataclasses import dataclass, field

from resolvers.context import Context
from resolvers.ids import from_global_id
from resolvers.line_changes import Change, Verdict
from sources.billing.policies import EffectivePolicy
from sources.billing.records import LineServiceRecord, ServiceRecord
from sources.crm.records import SubscriberRecord
from sources.errors import BadUserInput


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
        self.services = {s.id: s for s in await context.sources.billing.services(wanted)}
        if len(self.services) != len(wanted):
            raise BadUserInput("A service in the list does not exist.", field=["services"])
        ids = [line.id for line in lines]
        for record in await context.sources.billing.services_by_subscriber_ids(ids) if ids else []:
            self.current.setdefault(record.subscriber_id, {})[record.service.id] = record
        if self.adding and lines:
            keys = [(line.id, line.org_path, line.currency) for line in lines]
            policies = await context.loaders.line_policy.load_many(keys)
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
        roaming = [self.services[sid] for sid in affected if self.services[sid].kind == "roaming"]
        if roaming and not self.policies[line.id].roaming_allowed:
            return Verdict("failed", "POLICY_FORBIDS", "The spending policy in force does not allow roaming.")
        return None

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
