"""What a report root field will compute, priced before it runs (``engine/cost.py`` adds it).

A report's answer can be a handful of objects while the work behind it is every line in scope
times every month read: ``rowCount`` of a 36-month report by line, month and category is one
object, and 324,000 groups summed, sorted and counted over 1,500 lines. So each report field
costs, besides the objects it returns:

- ``LINE_POINTS`` per line in scope: the CRM read that maps lines to groups, handed to billing;
- ``SCAN_POINTS`` per line-month read, for each statement that reads them (the spending report
  reads them twice: its rows and its totals; usage records, several per line-month, count twice);
- ``ROW_POINTS`` per group the backend sums and corpcare builds and sorts, as many as the
  dimensions multiply out to (lines by months by categories for LINE, MONTH, CATEGORY).

Calibration (bench results): an object resolved costs about 8 µs on the event loop (one point);
a group built and sorted in Python about 2.5 µs (a quarter point). A line-month of daily charges
costs about 3 µs, but of database time (``spend_by_unit_12m``: 0.3 s over set M's 7,500 lines
and 12 months, 3.3 s over set L's 75,000): it does not hold the event loop, so it is priced
lower, at the rate that still lets the product's 12-month report by department over 75,000
lines pass the cost limit (about 43,000 points); bounding database time is the per-customer
share of connections and workers' job (issue 13, item 4). 30 aliases of a 36-month report by line, month
and category over 1,500 lines are about 2.5 million points and refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import BadUserInput
from resolvers.report_base import MAX_MONTHS
from resolvers.report_size import ScopeSize
from schema.scalars import parse_month

LINE_POINTS = 1 / 20
SCAN_POINTS = 1 / 50
ROW_POINTS = 1 / 4
CATEGORIES = 6  # ChargeCategory
USAGE_KINDS = 4  # voice, SMS, data, roaming
GUESS = 10  # tariff plans, services: catalogue sizes no argument says
INVOICE_MONTHS = 36  # a billing account's invoice history: a guess, three years
REPORT_ROWS_DEFAULT = 1000  # a page of a report's rows without `first` or `last` (ROW_PAGE_DEFAULT)

# Root fields that sum over the lines in scope, and what each reads (see `_work`).
REPORTS = frozenset(
    {"spendingReport", "budgetReport", "topSpenders", "spendingAnomalies", "usageReport", "bundleUtilisation",
     "savingsFinder"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Work:
    points: int  # the work, in cost points
    rows: int  # the groups computed: a list of them holds at most these (or its `first`)
    listed: int  # what such a list holds when it gives no `first`


def scope_of(arguments: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(customer, orgUnit) a report field reads: top-level arguments, or its ``input``'s."""
    given = _given(arguments)
    customer, unit = given.get("customer"), given.get("orgUnit")
    return (customer if isinstance(customer, str) else None, unit if isinstance(unit, str) else None)


def report_work(name: str, arguments: Mapping[str, Any], size: ScopeSize) -> Work:
    """The work of report field ``name`` called with ``arguments`` over ``size``."""
    given = _given(arguments)
    lines, units = size.lines, max(min(size.units, size.lines), 1 if size.lines else 0)
    if name == "spendingReport":
        months = _months(given)
        rows = _spending_groups(given, lines, units, months)
        return _priced(lines, months, passes=2, rows=rows, listed=min(rows, REPORT_ROWS_DEFAULT))
    if name == "budgetReport":
        months = _months(given)
        rows = units * months
        return _priced(lines, months, passes=1, rows=rows, listed=min(rows, REPORT_ROWS_DEFAULT))
    if name == "topSpenders":
        return _priced(lines, _months(given), passes=1, rows=lines, listed=min(lines, _first(given.get("first"), 10)))
    if name == "spendingAnomalies":
        # Over limit (the month), growth (it and the one before), roaming spikes (it and three
        # before). Its lists hold the lines that stand out: how many, nothing says.
        return _priced(lines, 1 + 2 + 4, passes=1, rows=lines, listed=min(lines, GUESS))
    if name == "usageReport":
        months = _months(given)
        rows = units * months * USAGE_KINDS
        return _priced(lines, months, passes=2, rows=rows, listed=min(rows, REPORT_ROWS_DEFAULT))
    if name == "bundleUtilisation":
        return _priced(lines, 1, passes=2, rows=min(lines, GUESS))
    if name == "savingsFinder":
        months = given.get("months", 3)
        months = months if isinstance(months, int) and 1 <= months <= 12 else 1
        return _priced(lines, months, passes=2, rows=lines, listed=min(lines, GUESS))  # lines that fit a cheaper plan
    if name == "bySubscriber":  # an invoice's lines, each a row (the invoice-lines export)
        return _priced(lines, 1, passes=1, rows=lines)
    if name == "invoices":  # every invoice of the accounts in scope (the invoices export)
        rows = GUESS * INVOICE_MONTHS  # accounts: a guess; months: as long as billing keeps them
        return _priced(0, 0, passes=0, rows=rows)
    return Work(0, GUESS, GUESS)


def _given(arguments: Mapping[str, Any]) -> Mapping[str, Any]:
    """A report's arguments: its ``input``'s fields, or its own."""
    given = arguments.get("input")
    return given if isinstance(given, Mapping) else arguments


def _priced(lines: int, months: int, *, passes: int, rows: int, listed: int | None = None) -> Work:
    points = lines * LINE_POINTS + lines * months * passes * SCAN_POINTS + rows * ROW_POINTS
    return Work(math.ceil(points), rows, rows if listed is None else listed)


def _spending_groups(given: Mapping[str, Any], lines: int, units: int, months: int) -> int:
    """Groups a spending report sums: its dimensions multiplied out, at most the lines'."""
    dims = {d for d in given.get("groupBy") or () if isinstance(d, str)}
    groups = lines if "LINE" in dims else units if dims & {"ORG_UNIT", "COST_CENTRE"} else min(lines, 1)
    categories = given.get("categories")
    for dim, factor in (
        ("MONTH", months),
        ("CATEGORY", len(categories) if isinstance(categories, list) and categories else CATEGORIES),
        ("TARIFF_PLAN", min(lines, GUESS)),
        ("SERVICE", GUESS),
    ):
        if dim in dims:
            groups *= factor
    return groups


def _months(given: Mapping[str, Any]) -> int:
    """Months from ``from`` to ``to``, both included; 1 when they do not say (the report refuses
    them when it runs)."""
    try:
        first, last = parse_month(given["from"]), parse_month(given["to"])
    except (KeyError, BadUserInput):
        return 1
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return min(max(count, 1), MAX_MONTHS)


def _first(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
