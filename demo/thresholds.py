"""Which lines and units a round of usage took past 80 % or 100 % of their limit or budget."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from demo.rating import FeedLine
from sources.billing.live import SpendingAlert, crossed

# unit id, customer id, org path, monthly budget (minor units), its currency
Budget = tuple[int, int, str, int, str]
LineCurrency = tuple[int, str]  # line id, currency: charges in two currencies are never added


def line_alerts(
    lines: dict[int, FeedLine],
    before: dict[int, int],
    charged: dict[int, int],
    limits: dict[int, int | None],
    period: date,
    now: datetime,
) -> list[SpendingAlert]:
    """Lines whose month charges (``before`` plus this round's) crossed a threshold of their limit."""
    alerts = []
    for line_id, amount in sorted(charged.items()):
        line, limit, was = lines[line_id], limits[line_id], before.get(line_id, 0)
        for threshold in crossed(was, was + amount, limit or 0):
            alerts.append(SpendingAlert("line", line.customer_id, line.org_path, line.id, None, threshold,
                                        period, was + amount, limit or 0, line.currency, now))  # fmt: skip
    return alerts


def unit_alerts(
    budgets: list[Budget],
    paths: dict[int, tuple[int, str]],
    before: dict[LineCurrency, int],
    charged: dict[LineCurrency, int],
    period: date,
    now: datetime,
) -> list[SpendingAlert]:
    """Units whose lines' month charges in the budget's currency, summed over the subtree, crossed
    a threshold of the unit's budget (``paths``: every line's customer and org path). Charges in
    another currency are not compared with it: there is no rate to convert them by."""
    was: dict[tuple[str, str], int] = defaultdict(int)  # per org path (of the customers touched) and currency
    added: dict[tuple[str, str], int] = defaultdict(int)
    for (line_id, currency), amount in before.items():
        if line_id in paths:
            was[paths[line_id][1], currency] += amount
    for (line_id, currency), amount in charged.items():
        added[paths[line_id][1], currency] += amount
    alerts = []
    for unit_id, customer_id, path, budget, currency in budgets:
        if not any(p.startswith(path) and c == currency for p, c in added):
            continue
        spent = sum(amount for (p, c), amount in was.items() if p.startswith(path) and c == currency)
        spent_now = spent + sum(amount for (p, c), amount in added.items() if p.startswith(path) and c == currency)
        for threshold in crossed(spent, spent_now, budget):
            alerts.append(SpendingAlert("unit", customer_id, path, None, unit_id, threshold, period, spent_now,
                                        budget, currency, now))  # fmt: skip
    return alerts
