"""The open month as billed for a unit's admin: billing sums only the lines that sat in the admin's
subtree (not the whole company), and every unit shows the charges of the days its lines spent
there — lines moved in the month included — as the company's admin sees them and as the raw
rows say."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.crm_records import path_ids
from tests.api.reports.org_history import gid, key_of, month, oracle
from tests.api.reports.test_history import reorganise, units
from tests.support import World, today

SPENDING = """query($ids: [ID!]!, $m: Month!) { nodes(ids: $ids) { ... on OrgUnit { id
  spending(month: $m) { total { amount } lineCount } } } }"""


async def _spending(world: World, login: str, unit_ids: list[int], period: str) -> dict[Any, tuple[Decimal, int]]:
    found = await world.data(login, SPENDING, {"ids": [gid("OrgUnit", unit) for unit in unit_ids], "m": period})
    return {
        key_of(node["id"]): (Decimal(node["spending"]["total"]["amount"]), node["spending"]["lineCount"])
        for node in found["nodes"]
    }


async def test_a_unit_admins_open_month_is_the_days_its_lines_spent_in_each_unit_lines_moved_today_included(
    writable_world, customer_admin, unit_admin
):
    world = writable_world
    moved = await reorganise(world, customer_admin)
    this_month = month(today())
    sales = moved["sales"][1]
    depth_of = {
        uid: len(path_ids(path)) - 1 for uid, _, _, path, _ in (await units(world))["rows"] if path.startswith(sales)
    }
    in_sales = sorted(depth_of)

    scoped = await _spending(world, unit_admin, in_sales, this_month)
    company = await _spending(world, customer_admin, in_sales, this_month)
    lines: dict[tuple[int, str], int] = {}
    by_depth = {
        depth: await oracle(world, depth, this_month, this_month, current=False, lines=lines) for depth in range(4)
    }
    expected = {unit: by_depth[depth].get((unit, this_month, "total"), Decimal(0)) for unit, depth in depth_of.items()}

    assert len(in_sales) > 1 and scoped == company
    assert scoped == {unit: (expected[unit], lines.get((unit, this_month), 0)) for unit in in_sales}
    assert any(total for total, _ in scoped.values())
