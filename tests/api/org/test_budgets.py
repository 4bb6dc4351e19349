"""Setting unit budgets: scope, validation, idempotency and audit."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.access.test_access import codes, unit_id
from tests.api.lines.test_line_changes import db_id

BUDGET = """mutation($input: OrgUnitSetBudgetInput!) { orgUnitSetBudget(input: $input) {
  orgUnit { name monthlyBudget { amount currency } } userErrors { field code } } }"""


async def budget_of(world, unit: str) -> int | None:
    async with world.engines.crm.connect() as conn:
        query = text("select monthly_budget_minor from org_units where id = :u")
        return (await conn.execute(query, {"u": db_id(unit)})).scalar()


async def test_budgets_are_set_within_scope_validated_and_audited(writable_world, finance, unit_admin, analyst):
    world = writable_world
    sales, operations = await unit_id(world, "Sales"), await unit_id(world, "Operations")
    refused = await world.run(analyst, BUDGET, {"input": {"orgUnit": sales, "monthlyBudget": "10"}})
    assert set(codes(refused)) == {"FORBIDDEN"}

    outside = await world.data(unit_admin, BUDGET, {"input": {"orgUnit": operations, "monthlyBudget": "10"}})
    assert outside["orgUnitSetBudget"] == {"orgUnit": None, "userErrors": [{"field": ["orgUnit"], "code": "NOT_FOUND"}]}
    before = await budget_of(world, sales)
    for bad in ("-1", "10.005", "1000000000"):
        answer = (await world.data(finance, BUDGET, {"input": {"orgUnit": sales, "monthlyBudget": bad}}))[
            "orgUnitSetBudget"
        ]
        assert answer["userErrors"] == [{"field": ["monthlyBudget"], "code": "BAD_USER_INPUT"}], bad
    assert await budget_of(world, sales) == before

    request = {"input": {"orgUnit": sales, "monthlyBudget": "2500.50", "idempotencyKey": "budget-1"}}
    answer = (await world.data(finance, BUDGET, request))["orgUnitSetBudget"]
    assert answer == {
        "orgUnit": {"name": "Sales", "monthlyBudget": {"amount": "2500.50", "currency": "EUR"}},
        "userErrors": [],
    }
    assert await budget_of(world, sales) == 250050
    own = (await world.data(unit_admin, BUDGET, {"input": {"orgUnit": sales, "monthlyBudget": None}}))[
        "orgUnitSetBudget"
    ]
    assert own["orgUnit"]["monthlyBudget"] is None and await budget_of(world, sales) is None
    replay = (await world.data(finance, BUDGET, request))["orgUnitSetBudget"]
    assert replay["userErrors"] == [] and await budget_of(world, sales) is None  # replayed, not re-applied
    audit = [e for e in await world.sources.audit.recent(finance) if e.action == "orgUnitSetBudget"]
    allowed = [(e.detail["before"], e.detail["after"]) for e in audit if e.outcome == "allowed"]
    assert allowed == [(before, 250050)]
    assert sum(e.outcome == "denied" for e in audit) == 3  # the three bad amounts
