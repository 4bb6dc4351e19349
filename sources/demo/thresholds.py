"""Which lines and units a round of usage took past 80 % or 100 % of their limit or budget."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sources.billing.live import SpendingAlert, crossed
from sources.demo.rating import FeedLine

Budget = tuple[int, int, str, int]  # unit id, customer id, org path, monthly budget (minor units)


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
    currencies: dict[int, str],
    before: dict[int, int],
    charged: dict[int, int],
    period: date,
    now: datetime,
) -> list[SpendingAlert]:
    """Units whose lines' month charges, summed over the subtree, crossed a threshold of the
    unit's budget (``paths``: every line's customer and org path)."""
    was: dict[str, int] = defaultdict(int)  # per org path (of the customers touched)
    added: dict[str, int] = defaultdict(int)
    for line_id, amount in before.items():
        if line_id in paths:
            was[paths[line_id][1]] += amount
    for line_id, amount in charged.items():
        added[paths[line_id][1]] += amount
    alerts = []
    for unit_id, customer_id, path, budget in budgets:
        if not any(p.startswith(path) for p in added):
            continue
        spent = sum(amount for p, amount in was.items() if p.startswith(path))
        spent_now = spent + sum(amount for p, amount in added.items() if p.startswith(path))
        for threshold in crossed(spent, spent_now, budget):
            alerts.append(SpendingAlert("unit", customer_id, path, None, unit_id, threshold, period, spent_now,
                                        budget, currencies[customer_id], now))  # fmt: skip
    return alerts
