"""Daily charges, itemised usage, invoices and bundle balances, built line by line.

The two newest months are itemised and their daily charges are the sums of the rated
usage; older months get a few plausible charges per line directly. Every charge is split
between company and employee by the rule rating applies (``sources.billing.split``): limits
count usage only, ``charge_employee`` puts the excess on the employee, ``block`` refuses
usage past the limit, and the cost split is exact on cumulative sums. Invoices total the daily
charges of their account and month exactly, and so do their company and employee shares.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from core.values import add_months
from demo.catalogue import CURRENCY, Bundle
from demo.products import PAYMENT_TERMS_DAYS, Product
from demo.usage import itemise
from sources.billing.split import RECURRING, Running, blocked, split

CATEGORY_ORDER = {"subscription": 0, "voice": 1, "sms": 2, "data": 3, "roaming": 4, "content": 5}
RATED_BY_EVENT = ("voice", "sms", "data", "roaming")  # itemised: rated event by event
# Older months: (category, weight, lowest, highest cents) of the few charges a line gets.
_SKETCH = (
    ("voice", 45, 5, 250),
    ("sms", 15, 9, 90),
    ("data", 30, 20, 600),
    ("roaming", 10, 99, 1500),
)
_SKETCH_WEIGHTS = [weight for _c, weight, _l, _h in _SKETCH]
_SKETCH_COUNTS = (0, 0, 1, 1, 2, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Calendar:
    as_of: date
    periods: tuple[date, ...]  # oldest first, the last one is as_of's month

    @classmethod
    def ending(cls, as_of: date, months: int) -> Calendar:
        current = as_of.replace(day=1)
        return cls(as_of, tuple(add_months(current, -n) for n in range(months - 1, -1, -1)))

    @property
    def current(self) -> date:
        return self.periods[-1]

    @property
    def itemised(self) -> tuple[date, ...]:
        return self.periods[-2:]

    @property
    def closed(self) -> tuple[date, ...]:
        return self.periods[:-1]

    @property
    def quiet_from(self) -> date:
        """Terminated lines have no charges from this month on."""
        return add_months(self.current, -2)

    def last_day(self, period: date) -> date:
        end = period.replace(day=calendar.monthrange(period.year, period.month)[1])
        return min(end, self.as_of)


@dataclass
class ChargeBook:
    """Walks the lines and keeps what outlives a chunk: id counters, invoices, balances."""

    cal: Calendar
    account_customers: dict[int, int]  # billing account id → customer id
    account_currencies: dict[int, str] = field(default_factory=dict)  # billing account id → currency (default EUR)
    next_usage_id: int = 1
    next_charge_id: int = 1
    invoice_ids: dict[tuple[int, date], int] = field(default_factory=dict)
    totals: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # amount, employee
    invoice_items: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    balances: list[tuple] = field(default_factory=list)

    def __post_init__(self) -> None:
        for period in self.cal.closed:
            for account_id in sorted(self.account_customers):
                self.invoice_ids[account_id, period] = len(self.invoice_ids) + 1

    def chunks(
        self, rng: random.Random, products: list[Product], size: int
    ) -> Iterator[tuple[list[tuple], list[tuple], int]]:
        """(usage rows, daily charge rows, lines done so far) for every ``size`` lines."""
        for start in range(0, len(products), size):
            usage: list[tuple] = []
            charges: list[tuple] = []
            for product in products[start : start + size]:
                for period in self.cal.periods:
                    self._line_month(rng, product, period, usage, charges)
            yield usage, charges, min(start + size, len(products))

    def _line_month(
        self,
        rng: random.Random,
        product: Product,
        period: date,
        usage: list[tuple],
        charges: list[tuple],
    ) -> None:
        line, cal = product.line, self.cal
        if line.status == "terminated" and period >= cal.quiet_from:
            return
        first_day = max(period, line.activated_on)
        days = (cal.last_day(period) - first_day).days + 1
        if days <= 0:
            return
        services = [s for s in product.services if s.activated_on <= first_day]
        bundles = [*product.plan.bundles, *(s.service.bundle for s in services if s.service.bundle)]
        barred = line.status == "suspended" and period == cal.current
        sums: dict[tuple[int, str], int] = defaultdict(int)
        used: dict[str, int] = {}
        if period in cal.itemised and not barred:
            rows, sums, used = self._itemise(rng, product, period, first_day, days, bundles)
            currency = self._currency(product.account_id)
            usage.extend(rows if currency == CURRENCY else [(*row[:-1], currency) for row in rows])
        elif period not in cal.itemised:
            for _ in range(rng.choice(_SKETCH_COUNTS)):
                category, _w, low, high = rng.choices(_SKETCH, weights=_SKETCH_WEIGHTS)[0]
                if category != "roaming" or product.policy.roaming_allowed:
                    sums[rng.randrange(days), category] += rng.randint(low, high)
        if not barred and rng.random() < 0.04:
            sums[rng.randrange(days), "content"] += rng.choice((99, 199, 299, 499))

        fee = product.plan.fee_minor + sum(s.fee_minor for s in services)
        items = [((0, "subscription"), fee)]
        items += sorted(sums.items(), key=lambda kv: (kv[0][0], CATEGORY_ORDER[kv[0][1]]))
        self._book(product, period, first_day, items, charges, rated=period in cal.itemised)
        if period == cal.current:
            self._balances(line.id, bundles, used)

    def _itemise(
        self,
        rng: random.Random,
        product: Product,
        period: date,
        first_day: date,
        days: int,
        bundles: list[Bundle],
    ) -> tuple[list[tuple], dict[tuple[int, str], int], dict[str, int]]:
        allowances: dict[str, int] = defaultdict(int)
        for bundle in bundles:
            allowances[bundle.kind] += bundle.allowance
        roams = any(s.service.kind == "roaming" and s.activated_on <= first_day for s in product.services)
        traveller = product.policy.roaming_allowed and rng.random() < (0.6 if roams else 0.12)
        month_days = calendar.monthrange(period.year, period.month)[1]
        events = max(1, round(rng.randint(20, 40) * days / month_days))
        line, policy = product.line, product.policy
        block_at = policy.monthly_limit_minor if policy.limit_action == "block" else None
        result = itemise(
            rng, line.id, line.customer_id, first_day, days, period, events,
            allowances, traveller, self.next_usage_id, block_at,
        )  # fmt: skip
        self.next_usage_id += len(result[0])
        return result

    def _book(
        self,
        product: Product,
        period: date,
        first_day: date,
        items: list[tuple[tuple[int, str], int]],
        charges: list[tuple],
        rated: bool,
    ) -> None:
        """Daily charge rows for one line and month, and their share of the month's invoice.
        ``items`` are in the order they were rated; ``rated``: usage was already refused event by
        event past a blocking limit (itemised months), so only other charges are checked here."""
        line = product.line
        # Split exactly per category and policy period (a policy changed mid-month starts afresh),
        # as rating does (demo/limits.py).
        running: dict[tuple[str, datetime | None], Running] = defaultdict(Running)
        usage = 0  # the month's usage charges so far, what the limit counts
        by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (offset, category), amount in items:
            day = first_day + timedelta(days=offset)
            policy = product.policy.at(datetime(day.year, day.month, day.day, tzinfo=UTC))
            usage_charge = category != RECURRING
            checked = usage_charge and amount and not (rated and category in RATED_BY_EVENT)
            if checked and blocked(usage, policy.monthly_limit_minor, policy.limit_action):
                continue
            share = split(running[category, policy.since], amount, company_percent=policy.company_share_percent,
                          category=category, usage_before_minor=usage, limit_minor=policy.monthly_limit_minor,
                          limit_action=policy.limit_action)  # fmt: skip
            if usage_charge:
                usage += amount
            charges.append(
                (
                    self.next_charge_id, line.id, line.customer_id, product.account_id,
                    day, period, category, amount, share.employee_minor,
                    self._currency(product.account_id), share.over_limit_minor, policy.since,
                )
            )  # fmt: skip
            self.next_charge_id += 1
            by_category[category][0] += amount
            by_category[category][1] += share.employee_minor
        if period in self.cal.closed:
            invoice_id = self.invoice_ids[product.account_id, period]
            items_of = self.invoice_items[invoice_id]
            for category, (amount, employee) in by_category.items():
                self.totals[invoice_id][0] += amount
                self.totals[invoice_id][1] += employee
                items_of.append((line.id, category, amount, amount - employee, employee))

    def _balances(self, line_id: int, bundles: list[Bundle], used: dict[str, int]) -> None:
        """Usage of a kind fills the line's bundles of that kind in order (plan first); the
        last bundle of a kind also carries any overage, so used sums to the usage."""
        last_of_kind = {bundle.kind: bundle.id for bundle in bundles}
        left = dict(used)
        for bundle in bundles:
            remaining = left.get(bundle.kind, 0)
            last = last_of_kind[bundle.kind] == bundle.id
            taken = remaining if last else min(remaining, bundle.allowance)
            left[bundle.kind] = remaining - taken
            self.balances.append((line_id, bundle.id, self.cal.current, bundle.allowance, taken))

    def _currency(self, account_id: int) -> str:
        """Charges, usage and invoices are in the currency of the account that bills the line."""
        return self.account_currencies.get(account_id, CURRENCY)

    def invoice_rows(self) -> tuple[list[tuple], list[tuple]]:
        """Invoices, then their lines (grouped by invoice, ids in that order)."""
        invoices = []
        newest = self.cal.closed[-1] if self.cal.closed else None
        for (account_id, period), invoice_id in self.invoice_ids.items():
            total, employee = self.totals[invoice_id]
            issued = add_months(period, 1).replace(day=3)
            invoices.append(
                (
                    invoice_id, account_id, self.account_customers[account_id],
                    f"INV-{period.year}-{period.month:02d}-{100000 + invoice_id}", period,
                    issued, issued + timedelta(days=PAYMENT_TERMS_DAYS),
                    "open" if period == newest else "paid", total, self._currency(account_id),
                    total - employee, employee,
                )
            )  # fmt: skip
        lines: list[tuple[int, int, int, str, int, int, int]] = []
        for invoice_id in sorted(self.invoice_items):
            for line_id, category, amount, company, employee in self.invoice_items[invoice_id]:
                lines.append((len(lines) + 1, invoice_id, line_id, category, amount, company, employee))
        return invoices, lines
