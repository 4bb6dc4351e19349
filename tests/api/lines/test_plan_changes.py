"""Tariff plan changes, now or from next billing month, with the monthly cost impact."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from core.values import add_months, month_start
from tests.api.lines.test_line_changes import active_line, db_id
from tests.support import today

CHANGE = """mutation($input: SubscriberPlanChangeInput!) { subscriberPlanChange(input: $input) {
  applied skipped failed monthlyCostImpact { amount }
  results { outcome code before after monthlyCostImpact { amount } }
  userErrors { field code } } }"""
LINE = """query($id: ID!) { node(id: $id) { ... on Subscriber {
  tariffPlan { id code monthlyFee { amount } } scheduledPlanChange { plan { code } effectiveFrom } } } }"""


async def plan_of(world, line: str) -> int:
    async with world.engines.billing.connect() as conn:
        query = text("select plan_id from line_products where subscriber_id = :s")
        return (await conn.execute(query, {"s": db_id(line)})).scalar_one()


async def test_a_plan_change_now_and_one_scheduled_for_next_month(writable_world, customer_admin):
    world = writable_world
    line = await active_line(world, "Sales")
    plans = (await world.data(customer_admin, "{ tariffPlans { id code monthlyFee { amount } } }"))["tariffPlans"]
    current = (await world.data(customer_admin, LINE, {"id": line}))["node"]["tariffPlan"]
    target = next(p for p in plans if p["id"] != current["id"])
    delta = Decimal(target["monthlyFee"]["amount"]) - Decimal(current["monthlyFee"]["amount"])

    request = {"input": {"selection": {"ids": [line]}, "plan": target["id"], "effective": "NEXT_PERIOD"}}
    scheduled = (await world.data(customer_admin, CHANGE, request))["subscriberPlanChange"]
    assert scheduled["applied"] == 1 and Decimal(scheduled["monthlyCostImpact"]["amount"]) == delta
    assert await plan_of(world, line) == db_id(current["id"])  # nothing changes before next month
    shown = (await world.data(customer_admin, LINE, {"id": line}))["node"]["scheduledPlanChange"]
    next_month = add_months(month_start(today()), 1).isoformat()
    assert shown == {"plan": {"code": target["code"]}, "effectiveFrom": next_month}
    again = (await world.data(customer_admin, CHANGE, request))["subscriberPlanChange"]
    assert (again["skipped"], again["results"][0]["code"]) == (1, "ALREADY_IN_STATE")

    request["input"]["effective"] = "NOW"
    now = (await world.data(customer_admin, CHANGE, request))["subscriberPlanChange"]
    assert now["applied"] == 1 and now["results"][0]["before"] == current["code"]
    assert await plan_of(world, line) == db_id(target["id"])
    after = (await world.data(customer_admin, LINE, {"id": line}))["node"]
    assert after["tariffPlan"]["id"] == target["id"] and after["scheduledPlanChange"] is None

    unknown = {"input": {"selection": {"ids": [line]}, "plan": "VGFyaWZmUGxhbjo5OTk"}}
    refused = (await world.data(customer_admin, CHANGE, unknown))["subscriberPlanChange"]
    assert refused["userErrors"] == [{"field": ["plan"], "code": "BAD_USER_INPUT"}]
