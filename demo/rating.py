"""Live rating for the demo's billing: usage events priced against what is left of the line's
bundles, admitted or refused by the line's policy (``demo.limits``), and written as
billing writes them (usage records, the day's charges split by the rule, balances)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.billing_records import BundleBalanceRecord
from demo.usage import CATEGORY, price
from sources.billing.models import BundleBalance, DailyCharge, UsageRecord


@dataclass(frozen=True, slots=True)
class FeedLine:
    """A line usage can arrive on: where it bills and where it sits in the org tree."""

    id: int
    customer_id: int
    account_id: int
    currency: str
    org_path: str


@dataclass(slots=True)
class Event:
    """One call, message batch or data session; priced by ``rate``."""

    line: FeedLine
    at: datetime
    kind: str
    quantity: int
    destination: str
    abroad: bool
    amount_minor: int = 0
    # Set when admitted: the employee's part (sources/billing/split.py) and the policy it used.
    employee_minor: int = 0
    over_limit_minor: int = 0
    policy_since: datetime | None = None
    refused: bool = False


def rate(
    events: list[Event],
    balances: dict[int, list[BundleBalanceRecord]],
    admit: Callable[[Event], bool] | None = None,
) -> dict[tuple[int, int], int]:
    """Price each event against what is left of its line's bundles of its kind, in time order,
    and use them up in bundle order (the last of a kind carries any overage, as the seeded
    balances do). ``admit`` may refuse a priced event: it is marked ``refused`` and uses
    nothing. ``balances`` are updated in place; returns what each (line, bundle) used."""
    taken_from: dict[tuple[int, int], int] = defaultdict(int)
    for event in sorted(events, key=lambda e: e.at):
        of_kind = [b for b in balances.get(event.line.id, ()) if b.kind == event.kind]
        left = max(sum(b.allowance for b in of_kind) - sum(b.used for b in of_kind), 0)
        event.amount_minor = price(event.kind, event.quantity, max(event.quantity - left, 0), event.abroad)
        if admit is not None and not admit(event):
            event.refused = True
            continue
        quantity = event.quantity
        for index, bundle in enumerate(of_kind):
            last = index == len(of_kind) - 1
            taken = quantity if last else min(quantity, max(bundle.allowance - bundle.used, 0))
            bundle.used += taken
            taken_from[bundle.subscriber_id, bundle.bundle_id] += taken
            quantity -= taken
    return taken_from


async def write(
    conn: AsyncConnection,
    events: list[Event],
    taken_from: dict[tuple[int, int], int],
    period: date,
) -> dict[int, int]:
    """The rated events (refused ones are not written), the day's charges per policy period
    (with the employees' parts ``admit`` set) and the balances (added to, so concurrent writers
    lose nothing); each line's charge."""
    events = [e for e in events if not e.refused]
    if events:
        await conn.execute(insert(UsageRecord), [
            {"subscriber_id": e.line.id, "customer_id": e.line.customer_id, "started_at": e.at, "period": period,
             "kind": e.kind, "quantity": e.quantity, "destination": e.destination, "amount_minor": e.amount_minor,
             "currency": e.line.currency} for e in events
        ])  # fmt: skip
    sums: dict[tuple[FeedLine, date, str, datetime | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in events:
        if e.amount_minor:
            row = sums[e.line, e.at.date(), CATEGORY[e.kind], e.policy_since]
            row[0] += e.amount_minor
            row[1] += e.employee_minor
            row[2] += e.over_limit_minor
    charged = dict.fromkeys((e.line.id for e in events), 0)
    # In customer order: each write of a customer's charges queues on its month's mark
    # (``sources/marks.py``), taken in the same order by every writer.
    in_order = sorted(sums.items(), key=lambda item: (item[0][0].customer_id, item[0][0].id, item[0][1], item[0][2]))
    for (line, day, category, since), (amount, share, over) in in_order:
        same_policy = DailyCharge.policy_since.is_(None) if since is None else DailyCharge.policy_since == since
        added = await conn.execute(
            update(DailyCharge)
            .where(DailyCharge.subscriber_id == line.id, DailyCharge.day == day, DailyCharge.category == category,
                   DailyCharge.currency == line.currency, same_policy)
            .values(amount_minor=DailyCharge.amount_minor + amount,
                    employee_share_minor=DailyCharge.employee_share_minor + share,
                    over_limit_minor=DailyCharge.over_limit_minor + over)
        )  # fmt: skip
        if added.rowcount == 0:
            await conn.execute(insert(DailyCharge).values(
                subscriber_id=line.id, customer_id=line.customer_id, billing_account_id=line.account_id, day=day,
                period=period, category=category, amount_minor=amount, employee_share_minor=share,
                currency=line.currency, over_limit_minor=over, policy_since=since))  # fmt: skip
        charged[line.id] += amount
    rows = [{"line": line, "bundle": bundle, "taken": taken} for (line, bundle), taken in taken_from.items() if taken]
    if rows:
        await conn.execute(
            update(BundleBalance)
            .where(BundleBalance.subscriber_id == bindparam("line"), BundleBalance.bundle_id == bindparam("bundle"),
                   BundleBalance.period == period)
            .values(used=BundleBalance.used + bindparam("taken")),
            rows,
        )  # fmt: skip
    return charged
