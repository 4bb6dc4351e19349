"""Live rating for the demo's billing: usage events priced against what is left of the line's
bundles, and written as billing writes them (usage records, the day's charges, balances)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from sources.billing.models import BundleBalance, DailyCharge, UsageRecord
from sources.billing.records import BundleBalanceRecord
from sources.demo.usage import CATEGORY, price


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


def rate(events: list[Event], balances: dict[int, list[BundleBalanceRecord]]) -> dict[tuple[int, int], int]:
    """Price each event against what is left of its line's bundles of its kind, in time order,
    and use them up in bundle order (the last of a kind carries any overage, as the seeded
    balances do). ``balances`` are updated in place; returns what each (line, bundle) used."""
    taken_from: dict[tuple[int, int], int] = defaultdict(int)
    for event in sorted(events, key=lambda e: e.at):
        of_kind = [b for b in balances.get(event.line.id, ()) if b.kind == event.kind]
        left = max(sum(b.allowance for b in of_kind) - sum(b.used for b in of_kind), 0)
        event.amount_minor = price(event.kind, event.quantity, max(event.quantity - left, 0), event.abroad)
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
    company_share: dict[int, int],
    period: date,
) -> dict[int, int]:
    """The rated events, the day's charges (the employee's part from ``company_share``, percent per
    line) and the balances (added to, so concurrent writers lose nothing); each line's charge."""
    await conn.execute(insert(UsageRecord), [
        {"subscriber_id": e.line.id, "customer_id": e.line.customer_id, "started_at": e.at, "period": period,
         "kind": e.kind, "quantity": e.quantity, "destination": e.destination, "amount_minor": e.amount_minor,
         "currency": e.line.currency} for e in events
    ])  # fmt: skip
    sums: dict[tuple[FeedLine, date, str], int] = defaultdict(int)
    for e in events:
        if e.amount_minor:
            sums[e.line, e.at.date(), CATEGORY[e.kind]] += e.amount_minor
    charged = dict.fromkeys((e.line.id for e in events), 0)
    for (line, day, category), amount in sums.items():
        share = amount * (100 - company_share[line.id]) // 100
        added = await conn.execute(
            update(DailyCharge)
            .where(DailyCharge.subscriber_id == line.id, DailyCharge.day == day, DailyCharge.category == category)
            .values(amount_minor=DailyCharge.amount_minor + amount,
                    employee_share_minor=DailyCharge.employee_share_minor + share)
        )  # fmt: skip
        if added.rowcount == 0:
            await conn.execute(insert(DailyCharge).values(
                subscriber_id=line.id, customer_id=line.customer_id, billing_account_id=line.account_id, day=day,
                period=period, category=category, amount_minor=amount, employee_share_minor=share,
                currency=line.currency))  # fmt: skip
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
