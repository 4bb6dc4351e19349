"""Spending policies acting as usage is rated: the feed's side of ``sources.billing.split``.

For one round, ``Charging`` knows each line's month so far (usage charges, what the limit
counts; and per category and policy period, what the split has shared) and the policies in
force at each event's time. ``admit`` is asked about every priced event in time order: it
refuses chargeable usage of a blocked line, and splits the rest between company and employee.
``acted`` then names the lines whose limit action took effect this round, for the alerts and
the audit trail (each once per line and month: ``first_time``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.billing_records import PolicyRecord
from core.values import aware
from demo.rating import Event, FeedLine
from demo.usage import CATEGORY
from sources.billing.live import EXCESS_CHARGED, USAGE_BLOCKED, SpendingAlert
from sources.billing.models import DailyCharge
from sources.billing.policies import line_policies
from sources.billing.split import RECURRING, Running, blocked, split
from sources.state.audit import AuditEntry, write_entry
from sources.state.models import AuditRecord

ACTIONS = {USAGE_BLOCKED: "spending.usage_blocked", EXCESS_CHARGED: "spending.excess_charged"}

RunningKey = tuple[int, str, datetime | None]  # line, category, policy in force since


@dataclass(slots=True)
class Charging:
    """One round's policies and running sums; ``admit`` decides and splits event by event."""

    history: list[PolicyRecord]  # every version in force during the round, of the lines and their units
    paths: Mapping[int, str]  # line -> org path
    currencies: Mapping[int, str]  # line -> what it is billed in (a limit in another does not govern it)
    usage: dict[int, int]  # line -> the month's usage charges so far
    running: dict[RunningKey, Running]
    refused: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # line -> events refused
    over: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # line -> charged over the limit

    def policy(self, line: int, at: datetime) -> PolicyRecord:
        return line_policies(self.history, {line: self.paths[line]}, self.currencies, at)[line]

    def admit(self, event: Event) -> bool:
        """False: the event is refused (not written, no allowance used). Otherwise its split is set."""
        line = event.line.id
        policy = self.policy(line, event.at)
        limit, action = policy.monthly_limit_minor, policy.limit_action or "notify"
        before = self.usage.get(line, 0)
        if event.amount_minor and blocked(before, limit, action):
            self.refused[line] += 1
            return False
        category = CATEGORY[event.kind]
        running = self.running.setdefault((line, category, policy.valid_from), Running())
        percent = policy.company_share_percent if policy.company_share_percent is not None else 100
        share = split(running, event.amount_minor, company_percent=percent, category=category,
                      usage_before_minor=before, limit_minor=limit, limit_action=action)  # fmt: skip
        self.usage[line] = before + event.amount_minor
        self.over[line] += share.over_limit_minor
        event.employee_minor, event.over_limit_minor = share.employee_minor, share.over_limit_minor
        event.policy_since = policy.valid_from
        return True

    def acted(self, lines: Mapping[int, FeedLine], period: date, now: datetime) -> list[SpendingAlert]:
        """An alert per line whose limit action took effect in this round."""
        found = []
        for line_id in sorted(set(self.refused) | {line for line, over in self.over.items() if over}):
            line, policy = lines[line_id], self.policy(line_id, now)
            kind = USAGE_BLOCKED if self.refused.get(line_id) else EXCESS_CHARGED
            found.append(SpendingAlert("line", line.customer_id, line.org_path, line_id, None, 100, period,
                                       self.usage.get(line_id, 0), policy.monthly_limit_minor or 0, line.currency,
                                       now, kind))  # fmt: skip
        return found


async def month_so_far(conn: AsyncConnection, currencies: Mapping[int, str], period: date) -> tuple[dict, dict]:
    """Each line's usage charges this month, and its running sums per category and policy period,
    in the currency the line bills in now (``currencies``: line -> its account's currency);
    charges in another currency are not added to them."""
    statement = (
        select(DailyCharge.subscriber_id, DailyCharge.currency, DailyCharge.category, DailyCharge.policy_since,
               func.sum(DailyCharge.amount_minor), func.sum(DailyCharge.over_limit_minor))
        .where(DailyCharge.period == period, DailyCharge.subscriber_id.in_(sorted(currencies)))
        .group_by(DailyCharge.subscriber_id, DailyCharge.currency, DailyCharge.category, DailyCharge.policy_since)
    )  # fmt: skip
    usage: dict[int, int] = defaultdict(int)
    running: dict[RunningKey, Running] = {}
    for line, currency, category, since, amount, over in (await conn.execute(statement)).all():
        if currency != currencies[line]:
            continue
        if category != RECURRING:
            usage[line] += int(amount)
        key = (line, category, None if since is None else aware(since))
        running[key] = Running(int(amount), int(over or 0))
    return dict(usage), running


def audit_key(alert: SpendingAlert) -> str:
    """The one audit record of a line's action in a month (request ids are at most 40 characters)."""
    return f"{alert.kind}:{alert.line_id}:{alert.period:%Y-%m}"[:40]


async def first_time(conn: AsyncConnection, alerts: list[SpendingAlert]) -> list[SpendingAlert]:
    """Of ``alerts``, those whose action had not yet taken effect this month, recorded in the
    audit trail now (in the caller's transaction): one record per line, month and action."""
    if not alerts:
        return []
    keys = {audit_key(alert): alert for alert in alerts}
    month = min(alert.period for alert in alerts)
    statement = select(AuditRecord.request_id).where(
        # The customers' records since the month began (an index's range), then the keys.
        AuditRecord.customer_id.in_(sorted({alert.customer_id for alert in alerts})),
        AuditRecord.at >= datetime(month.year, month.month, 1, tzinfo=UTC),
        AuditRecord.request_id.in_(list(keys)),
    )
    known = set((await conn.execute(statement)).scalars())
    new = [alert for key, alert in keys.items() if key not in known]
    for alert in new:
        assert alert.line_id is not None
        detail = {"period": alert.period.isoformat(), "limit_minor": alert.limit_minor,
                  "usage_minor": alert.spent_minor, "currency": alert.currency}  # fmt: skip
        entry = AuditEntry(audit_key(alert), None, "billing", "system", alert.customer_id, ACTIONS[alert.kind],
                           "allowed", detail, (("Subscriber", alert.line_id),))  # fmt: skip
        await write_entry(conn, entry)
    return new
