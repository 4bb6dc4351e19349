"""History as it was: a reorganisation after the closed months leaves every closed figure alone
(spending report by unit, OrgUnit spending, budget report, invoices), CURRENT shows today's tree,
and a unit-scoped caller sees the days a line spent in its subtree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.api.reports.org_history import (
    LINE_MOVE,
    UNIT_MOVE,
    budget_rows,
    by_line_and_month,
    by_unit_and_month,
    closed_range,
    gid,
    invoiced,
    month,
    nonzero,
    oracle,
    unit_spending,
)
from tests.support import World, today

BUDGET = """mutation($input: OrgUnitSetBudgetInput!) { orgUnitSetBudget(input: $input) { userErrors { code } } }"""


async def units(world: World) -> dict[str, Any]:
    """Acme's tree from the CRM: name → (id, path) of its divisions, and its departments and teams."""
    async with world.engines.crm.connect() as conn:
        statement = text("select id, name, kind, path, parent_id from org_units where customer_id = 1")
        rows = (await conn.execute(statement)).all()
    return {"rows": rows, "division": {name: (uid, path) for uid, name, kind, path, _ in rows if kind == "division"}}


async def lines_in(world: World, path: str) -> list[int]:
    async with world.engines.crm.connect() as conn:
        found = await conn.execute(
            text("select id from subscribers where org_path >= :p and org_path < :q and status = 'active' order by id"),
            {"p": path, "q": path + "~"},
        )
        return [row[0] for row in found]


async def closed_figures(world: World, login: str, structure: str = "AS_BILLED") -> dict[str, Any]:
    first, last = closed_range()
    return {
        "units": {depth: await by_unit_and_month(world, login, first, last, depth, structure) for depth in range(4)},
        "fields": {period: await unit_spending(world, login, period, structure) for period in (first, last)},
        "budgets": await budget_rows(world, login, first, last, structure),
    }


async def reorganise(world: World, admin: str) -> dict[str, Any]:
    """Move a Sales team under an Operations department, a Sales line into Operations and an
    Operations line into Sales, through the GraphQL mutations."""
    tree = await units(world)
    sales, operations = tree["division"]["Sales"], tree["division"]["Operations"]
    teams = [(uid, path) for uid, _, kind, path, _ in tree["rows"] if kind == "team" and path.startswith(sales[1])]
    staffed = [(uid, path) for uid, path in teams if await lines_in(world, path)]
    team = staffed[0]
    in_team = set(await lines_in(world, team[1]))
    leaving = next(line for line in await lines_in(world, sales[1]) if line not in in_team)
    joining = (await lines_in(world, operations[1]))[0]
    department = next(uid for uid, _, kind, path, _ in tree["rows"]
                      if kind == "department" and path.startswith(operations[1]))  # fmt: skip
    moved = await world.data(admin, UNIT_MOVE, {"input": {"orgUnit": gid("OrgUnit", team[0]),
                                                         "newParent": gid("OrgUnit", department)}})  # fmt: skip
    assert moved["orgUnitMove"]["userErrors"] == []
    for line, target in ((leaving, operations[0]), (joining, sales[0])):
        done = await world.data(admin, LINE_MOVE, {"input": {"selection": {"ids": [gid("Subscriber", line)]},
                                                             "orgUnit": gid("OrgUnit", target)}})  # fmt: skip
        assert done["subscriberMove"]["applied"] == 1, done
    return {"team": team, "leaving": leaving, "joining": joining, "sales": sales, "operations": operations}


async def test_a_reorganisation_leaves_every_closed_month_as_billed_and_current_follows_the_new_tree(
    writable_world, customer_admin
):
    world = writable_world
    first, last = closed_range()
    before = await closed_figures(world, customer_admin)
    current_before = await closed_figures(world, customer_admin, "CURRENT")
    invoices_before = await invoiced(world)
    company_before = await by_unit_and_month(world, customer_admin, first, last, 0)
    # The demo's own past moves already make the two structures differ at team level.
    assert nonzero(before["units"][3]) != nonzero(current_before["units"][3])

    await reorganise(world, customer_admin)

    after = await closed_figures(world, customer_admin)
    assert after == before
    assert await invoiced(world) == invoices_before
    assert await by_unit_and_month(world, customer_admin, first, last, 0) == company_before
    for depth in range(4):  # as billed and today's tree, each against sums of the raw rows
        totals = {k: v for k, v in nonzero(after["units"][depth]).items() if k[2] == "total"}
        assert totals == await oracle(world, depth, first, last, current=False), depth
    current_after = await closed_figures(world, customer_admin, "CURRENT")
    assert current_after["units"][1] != current_before["units"][1]  # Sales lost a team and a line to Operations
    for depth in range(4):
        totals = {k: v for k, v in nonzero(current_after["units"][depth]).items() if k[2] == "total"}
        assert totals == await oracle(world, depth, first, last, current=True), depth
    # Closed months were invoiced once: whichever tree groups them, the company's total is the same.
    assert {k: v for k, v in current_after["units"][0].items()} == company_before


async def test_a_unit_admin_keeps_the_closed_months_of_a_line_that_left_and_does_not_get_those_of_one_that_joined(
    writable_world, customer_admin, unit_admin, employee
):
    world = writable_world
    first, last = closed_range()
    lines_before = await by_line_and_month(world, unit_admin, first, last)
    sales_before = await by_unit_and_month(world, unit_admin, first, last, 1)
    own_before = await by_line_and_month(world, employee, first, last)
    moved = await reorganise(world, customer_admin)
    leaving, joining, team = moved["leaving"], moved["joining"], moved["team"]
    assert any(line == leaving for line, _ in lines_before)

    after = await by_line_and_month(world, unit_admin, first, last)
    # The line that left and the team that left still count in Sales for the months they were there
    # (the line itself is outside the admin's scope now, so the row names no line).
    assert sum(after.values()) == sum(lines_before.values())
    assert await by_unit_and_month(world, unit_admin, first, last, 1) == sales_before
    assert not any(line == joining for line, _ in after)
    current = await by_line_and_month(world, unit_admin, first, last, "CURRENT")
    assert any(line == joining for line, _ in current) and not any(line == leaving for line, _ in current)
    team_lines = set(await lines_in(world, _moved_path(await units(world), team[0])))
    assert team_lines and not team_lines & {line for line, _ in current}
    # An employee sees their own line whatever happens to the tree, their own line moving too.
    own = await world.scalar("crm", "select subscriber_id from portal_users where login = :l", l=employee)
    unit = await world.scalar("crm", "select org_unit_id from subscribers where id = :l", l=own)
    elsewhere = next(uid for uid, _, kind, _, _ in (await units(world))["rows"] if kind == "team" and uid != unit)
    done = await world.data(customer_admin, LINE_MOVE, {"input": {"selection": {"ids": [gid("Subscriber", own)]},
                                                                  "orgUnit": gid("OrgUnit", elsewhere)}})  # fmt: skip
    assert done["subscriberMove"]["applied"] == 1
    assert own_before and await by_line_and_month(world, employee, first, last) == own_before
    assert await by_line_and_month(world, employee, first, last, "CURRENT") == own_before


def _moved_path(tree: dict[str, Any], unit: int) -> str:
    return next(path for uid, _, _, path, _ in tree["rows"] if uid == unit)


async def test_a_budget_set_now_applies_from_this_month_and_closed_months_keep_theirs(writable_world, customer_admin):
    world = writable_world
    first, last = closed_range()
    this_month = month(today())
    before = await budget_rows(world, customer_admin, first, this_month)
    unit, period, _ = next(key for key in before if key[2] == "budget")
    old = before[(unit, period, "budget")]
    changed = await world.data(customer_admin, BUDGET, {"input": {"orgUnit": gid("OrgUnit", unit),
                                                                  "monthlyBudget": str(old + 1000)}})  # fmt: skip
    assert changed["orgUnitSetBudget"]["userErrors"] == []
    after = await budget_rows(world, customer_admin, first, this_month)
    assert after[(unit, this_month, "budget")] == old + 1000
    assert {k: v for k, v in after.items() if k[1] <= last} == {k: v for k, v in before.items() if k[1] <= last}
    removed = await world.data(customer_admin, BUDGET, {"input": {"orgUnit": gid("OrgUnit", unit),
                                                                  "monthlyBudget": None}})  # fmt: skip
    assert removed["orgUnitSetBudget"]["userErrors"] == []
    gone = await budget_rows(world, customer_admin, first, this_month)
    assert (unit, this_month, "budget") not in gone and gone[(unit, last, "budget")] == old
