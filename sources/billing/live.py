"""Billing as it happens: the events usage produces, as they travel on the event bus.

Two kinds, each on its own channel:

- a line's **balances** after new usage, on ``usage:<line id>`` (``bundleUpdates`` follows one
  line, so only its own subscribers hear of it);
- a **spending alert** when a line's usage charges cross 80 % or 100 % of its monthly limit,
  or a unit's charges cross its monthly budget, or a line's limit action first takes effect
  in a month (usage blocked, excess charged to the employee), on ``alerts:<customer id>``. An alert carries the org path
  and the line, so each subscriber's scope can be applied to it without a read.

Events are compact JSON: they cross Redis to every instance and wait in bounded mailboxes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from core.billing_records import BundleBalanceRecord
from core.values import Money

THRESHOLDS = (80, 100)  # percent of the limit or budget

# What an alert says (``SpendingAlert.kind``): a threshold crossed, or a limit action acting.
LIMIT_APPROACHING = "limit_approaching"  # 80 % of a line's limit or a unit's budget
LIMIT_REACHED = "limit_reached"  # 100 %: all notify does
USAGE_BLOCKED = "usage_blocked"  # block: chargeable usage refused from now on this month
EXCESS_CHARGED = "excess_charged"  # charge_employee: usage over the limit charged to the employee


class Publisher(Protocol):
    """Where billing's events go out: the event bus (``infra/events.py``) or anything that publishes
    like it."""

    async def publish(self, channel: str, message: bytes) -> None: ...


def balances_channel(line_id: int) -> str:
    return f"usage:{line_id}"


def alerts_channel(customer_id: int) -> str:
    return f"alerts:{customer_id}"


def balances_event(line_id: int, period: date, balances: list[BundleBalanceRecord]) -> bytes:
    rows = [[b.bundle_id, b.kind, b.allowance, b.used] for b in balances]
    return json.dumps({"line": line_id, "period": period.isoformat(), "balances": rows}).encode()


def from_balances_event(message: bytes) -> list[BundleBalanceRecord]:
    event = json.loads(message)
    period = date.fromisoformat(event["period"])
    return [BundleBalanceRecord(event["line"], bundle, period, kind, allowance, used)
            for bundle, kind, allowance, used in event["balances"]]  # fmt: skip


@dataclass(frozen=True, slots=True)
class SpendingAlert:
    """A line's month usage charges crossed ``threshold`` % of its limit, or a unit's charges of
    its budget; or (``kind``) a line's limit action took effect, at ``threshold`` 100."""

    subject: Literal["line", "unit"]
    customer_id: int
    org_path: str  # the line's unit, or the unit itself
    line_id: int | None  # the line, for a line's alert
    org_unit_id: int | None  # the unit, for a unit's alert
    threshold: int
    period: date
    spent_minor: int
    limit_minor: int
    currency: str
    at: datetime
    kind: str = ""  # empty: from the threshold (LIMIT_APPROACHING or LIMIT_REACHED)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", LIMIT_REACHED if self.threshold >= 100 else LIMIT_APPROACHING)

    @property
    def month(self) -> date:
        return self.period

    @property
    def spent(self) -> Money:
        return Money.from_minor(self.spent_minor, self.currency)

    @property
    def limit(self) -> Money:
        return Money.from_minor(self.limit_minor, self.currency)

    def encode(self) -> bytes:
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields["period"], fields["at"] = self.period.isoformat(), self.at.isoformat()
        return json.dumps(fields).encode()

    @classmethod
    def decode(cls, message: bytes) -> SpendingAlert:
        fields = json.loads(message)
        fields["period"] = date.fromisoformat(fields["period"])
        fields["at"] = datetime.fromisoformat(fields["at"])
        return cls(**fields)


def crossed(before_minor: int, after_minor: int, limit_minor: int) -> list[int]:
    """The thresholds that ``before → after`` went past (reached counts), lowest first."""
    if limit_minor <= 0:
        return []
    return [t for t in THRESHOLDS if before_minor * 100 < t * limit_minor <= after_minor * 100]
