"""History as it was for reporting callers: for the aggregate viewer, who may not read lines, the
figures are whole atoms of blocks of lines as billed, so moving a team and a line leaves every
closed month alone — every grouping and subtree of the spending report, the usage report at every
depth and subtree, every unit's spending field, the company's, the budget rows — while each
figure still stands for at least five lines as billed; the analyst (who may read lines) keeps them
too; CURRENT follows today's tree, and is refused to the aggregate viewer (set against AS_BILLED it
would single out the lines that moved)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from permissions.roles import Permission
from tests.api.reports.org_history import USAGE, budget_rows, closed_range, gid, key_of, oracle, usage_oracle
from tests.api.reports.test_history import reorganise
from tests.support import LOGINS, World

K = 5
GROUPINGS = [
    ([], 1), (["MONTH"], 1), (["MONTH", "CATEGORY"], 1), (["COST_CENTRE", "MONTH"], 1),
    *((["ORG_UNIT", "MONTH"], depth) for depth in range(4)),
    (["ORG_UNIT", "COST_CENTRE", "MONTH", "CATEGORY"], 2),
]  # fmt: skip
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount currency } employeeShare { amount } lines }
  rows(first: 10000) { totalCount nodes { orgUnit { id } costCentre month category suppressed
    total { amount currency } employeeShare { amount } lines } } } }"""
FIELDS = """query($ids: [ID!]!, $m: Month!, $s: OrgStructure!) {
  customer { spending(month: $m) { total { amount } employeeShare { amount } lineCount } }
  nodes(ids: $ids) { ... on OrgUnit { id
    spending(month: $m, structure: $s) { total { amount } employeeShare { amount } lineCount } } } }"""
Snapshot = dict[Any, Any]


async def _units(world: World) -> list[tuple[int, str]]:
    async with world.engines.crm.connect() as conn:
        found = await conn.execute(text("select id, kind from org_units where customer_id = 1 order by id"))
        return [(uid, kind) for uid, kind in found]


async def _report(world: World, login: str, asked: dict[str, Any]) -> tuple[Any, ...]:
    found = (await world.data(login, REPORT, {"input": asked}))["spendingReport"]
    rows = found["rows"]
    assert len(rows["nodes"]) == rows["totalCount"]
    return (sorted(map(_text, found["totals"])), sorted(map(_text, rows["nodes"])))


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


async def _subtrees(world: World, login: str) -> list[str]:
    """The divisions and departments the caller may see (no move changes which)."""
    ids = [gid("OrgUnit", uid) for uid, kind in await _units(world) if kind in ("division", "department")]
    result = await world.run(login, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    return [node["id"] for node in result.data["nodes"] if node]


async def reports(world: World, login: str, structure: str, subtrees: list[str]) -> Snapshot:
    """Every grouping of the closed months, over the caller's whole scope and over each subtree."""
    first, last = closed_range()
    found: Snapshot = {}
    for group_by, depth in GROUPINGS:
        for unit in [None, *subtrees]:
            asked = {"from": first, "to": last, "groupBy": group_by, "unitDepth": depth, "structure": structure}
            if unit is not None:
                asked["orgUnit"] = unit
            found[(tuple(group_by), depth, unit)] = await _report(world, login, asked)
    voice = {"from": first, "to": last, "groupBy": ["ORG_UNIT"], "unitDepth": 2, "categories": ["VOICE", "DATA"],
             "structure": structure}  # fmt: skip
    found["voice and data"] = await _report(world, login, voice)
    for depth in range(4):
        for unit in [None, *subtrees]:
            found[("usage", depth, unit)] = await _usage(world, login, first, last, depth, unit, structure)
    return found


async def _usage(
    world: World, login: str, first: str, last: str, depth: int, unit: str | None, structure: str
) -> tuple[Any, ...]:
    asked = {"f": first, "t": last, "d": depth, "u": unit, "s": structure}
    found = (await world.data(login, USAGE, asked))["usageReport"]
    rows = found["rows"]
    assert len(rows["nodes"]) == rows["totalCount"]
    return (sorted(map(_text, found["totals"])), sorted(map(_text, rows["nodes"])))


async def fields(world: World, login: str, structure: str) -> Snapshot:
    """(unit id or "company", month) → the spending field of every unit the caller may see (and
    has a figure), for each closed month."""
    ids = [gid("OrgUnit", uid) for uid, _ in await _units(world)]
    first, last = closed_range()
    found: Snapshot = {}
    period = first
    while period <= last:
        result = await world.run(login, FIELDS, {"ids": ids, "m": period, "s": structure})
        company = result.data["customer"]
        found[("company", period)] = _text(company and company["spending"])
        for node in result.data["nodes"]:
            if node:
                found[(key_of(node["id"]), period)] = _text(node["spending"])
        year, month = map(int, period.split("-"))
        period = f"{year + month // 12}-{month % 12 + 1:02d}"
    return found


def _only(found: Snapshot, units: set[int | None]) -> Snapshot:
    return {key: value for key, value in found.items() if key[0] in units}


async def _closed_months_as_billed_stay_put_and_current_moves(
    world: World, login: str, admin: str, *, floored: bool
) -> None:
    first, last = closed_range()
    subtrees = await _subtrees(world, login)
    before = await reports(world, login, "AS_BILLED", subtrees)
    fields_before = await fields(world, login, "AS_BILLED")
    budgets_before = await budget_rows(world, login, first, last)
    current_before = None if floored else await reports(world, login, "CURRENT", [])
    # Without line:read, every figure stands for at least five lines, and no row names a unit whose
    # lines as billed (with charges that month) were fewer: the small groups are in the remainder.
    charged: dict[tuple[int, str], int] = {}
    await oracle(world, 0, first, last, current=False, lines=charged)
    used: dict[tuple[int, str, str], int] = {}
    await usage_oracle(world, 0, first, last, current=False, lines=used)
    assert any(question[0] == "usage" and rows for question, (_, rows) in before.items())
    for question, (totals, rows) in before.items() if floored else ():
        usage = question[0] == "usage"
        for row in map(json.loads, rows if usage else [*totals, *rows]):
            assert row["lines"] >= K, (question, row)
            if usage and row["orgUnit"]:
                assert used[(key_of(row["orgUnit"]["id"]), row["month"], row["kind"])] >= K, row
            elif row.get("orgUnit") and row.get("month"):
                assert charged[(key_of(row["orgUnit"]["id"]), row["month"])] >= K, row
    assert any(key[0] != "company" and value != "null" for key, value in fields_before.items())

    moved = await reorganise(world, admin)

    assert await reports(world, login, "AS_BILLED", subtrees) == before
    fields_after = await fields(world, login, "AS_BILLED")
    # A unit-scoped caller loses sight of the team that left its subtree (and of nothing else).
    seen = {key[0] for key in fields_after}
    assert {key[0] for key in fields_before} - seen <= {moved["team"][0]}
    assert fields_after == _only(fields_before, seen)
    budgets_after = await budget_rows(world, login, first, last)
    assert budgets_after == _only(budgets_before, {key[0] for key in budgets_after})
    assert {key[0] for key in budgets_before} - {key[0] for key in budgets_after} <= {moved["team"][0]}
    if floored:
        await _current_is_refused(world, login)
    else:
        assert await reports(world, login, "CURRENT", []) != current_before


async def _current_is_refused(world: World, login: str) -> None:
    """Today's tree is refused, report and field alike, and nothing else in the answer is."""
    first, last = closed_range()
    asked = {"from": first, "to": last, "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": 1, "structure": "CURRENT"}
    report = await world.run(login, REPORT, {"input": asked})
    assert report.data == {"spendingReport": None}
    assert [(e.path, e.extensions) for e in report.errors or ()] == [
        (["spendingReport"], {"code": "FORBIDDEN", "field": ["structure"]})
    ]
    usage = await world.run(login, USAGE, {"f": first, "t": last, "d": 1, "s": "CURRENT"})
    assert usage.data == {"usageReport": None}
    assert [(e.path, e.extensions) for e in usage.errors or ()] == [
        (["usageReport"], {"code": "FORBIDDEN", "field": ["structure"]})
    ]
    ids = [gid("OrgUnit", uid) for uid, _ in await _units(world)]
    unit = await world.run(login, FIELDS, {"ids": ids, "m": first, "s": "CURRENT"})
    # The company's figure (as billed) is not refused.
    assert all(e.path[0] == "nodes" for e in unit.errors or ()), [e.path for e in unit.errors or ()]
    shown = [node for node in unit.data["nodes"] if node]
    assert shown and all(node["spending"] is None for node in shown)
    # Units outside the caller's scope are NOT_FOUND as ever; every one it sees is refused its figure.
    coded = sorted((e.path[1], e.extensions["code"]) for e in unit.errors or ())
    assert coded == [(at, "FORBIDDEN" if node else "NOT_FOUND") for at, node in enumerate(unit.data["nodes"])]


@pytest.mark.parametrize("role", ["analyst", "aggregate_viewer"])
async def test_a_reorganisation_leaves_every_closed_month_of_a_reporting_caller_as_billed(
    writable_world, customer_admin, role
):
    floored = not (await writable_world.principal(LOGINS[role])).can(Permission.LINE_READ)
    assert floored == (role == "aggregate_viewer")
    await _closed_months_as_billed_stay_put_and_current_moves(
        writable_world, LOGINS[role], customer_admin, floored=floored
    )
