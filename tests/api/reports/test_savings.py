"""The savings finder suggests exactly the lines whose heaviest month fits a cheaper plan, each
with the cheapest plan that fits, computed here from the usage records and the catalogue."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import text

from core.ids import from_global_id
from core.values import add_months, month_start
from tests.api.access.test_access import codes
from tests.support import World, nothing, today

FINDER = """query($m: Int!) { savingsFinder(months: $m) { from to rule totalMonthlySaving { amount }
  lines { line { id } currentPlan { id } suggestedPlan { id } monthlySaving { amount } } } }"""
KINDS = ("voice", "sms", "data", "roaming_data")


async def rows(world: World, sql: str, **params: object) -> list:
    async with world.engines.billing.connect() as conn:
        return (await conn.execute(text(sql), params)).all()


async def expected_savings(world: World, lines: set[int], months: int) -> dict[int, tuple[int, int, int]]:
    """line -> (current plan, suggested plan, saving in cents), by the stated rule."""
    last = add_months(month_start(today()), -1)
    first = add_months(last, -(months - 1))
    peaks: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for line, kind, _period, quantity in await rows(
        world, "select subscriber_id, kind, period, sum(quantity) from usage_records where period between :f and :l "
        "group by subscriber_id, kind, period", f=first, l=last,
    ):  # fmt: skip
        peaks[line][kind] = max(peaks[line][kind], int(quantity))
    plans = {pid: (fee, {}) for pid, fee in await rows(world, "select id, monthly_fee_minor from tariff_plans")}
    for plan, kind, allowance in await rows(
        world, "select pb.plan_id, b.kind, b.allowance from plan_bundles pb join bundles b on b.id = pb.bundle_id"
    ):
        plans[plan][1][kind] = plans[plan][1].get(kind, 0) + int(allowance)
    by_fee = sorted(plans.items(), key=lambda item: (item[1][0], item[0]))
    expected = {}
    for line, plan in await rows(world, "select subscriber_id, plan_id from line_products"):
        if line not in lines:
            continue
        used = peaks[line]
        fitting = next((pid for pid, (_, allow) in by_fee if all(used[k] <= allow.get(k, 0) for k in KINDS)), None)
        if fitting is not None and plans[fitting][0] < plans[plan][0]:
            expected[line] = (plan, fitting, plans[plan][0] - plans[fitting][0])
    return expected


async def test_the_finder_suggests_the_cheapest_fitting_plan_for_exactly_the_lines_that_have_one(
    world, customer_admin, unit_admin
):
    for login, months in ((customer_admin, 3), (unit_admin, 1)):
        visible = await world.data(login, "{ subscribers(first: 2000) { nodes { id } } }")
        lines = {from_global_id(node["id"])[1] for node in visible["subscribers"]["nodes"]}
        report = (await world.data(login, FINDER, {"m": months}))["savingsFinder"]
        got = {
            from_global_id(r["line"]["id"])[1]: (
                from_global_id(r["currentPlan"]["id"])[1],
                from_global_id(r["suggestedPlan"]["id"])[1],
                int(Decimal(r["monthlySaving"]["amount"]) * 100),
            )
            for r in report["lines"]
        }
        assert got == await expected_savings(world, lines, months) and got, login
        total = sum((Decimal(r["monthlySaving"]["amount"]) for r in report["lines"]), Decimal(0))
        assert Decimal(report["totalMonthlySaving"]["amount"]) == total
        assert "heaviest month" in report["rule"]


async def test_single_lines_need_line_read_and_the_window_is_bounded(world, aggregate_viewer, customer_admin):
    refused = await world.run(aggregate_viewer, FINDER, {"m": 3})
    assert nothing(refused) and codes(refused) == ["FORBIDDEN"]
    bad = await world.run(customer_admin, FINDER, {"m": 13})
    assert nothing(bad) and codes(bad) == ["BAD_USER_INPUT"]
    first = (await world.data(customer_admin, FINDER, {"m": 3}))["savingsFinder"]["from"]
    assert first == add_months(month_start(today()), -3).strftime("%Y-%m")


TOTALS = """query($m: Int!) { savingsFinder(months: $m) { totalMonthlySaving { amount currency }
  totalsByCurrency { amount currency } lines { monthlySaving { amount currency } } } }"""


async def test_the_savings_are_totalled_in_each_currency_never_across_them(world, customer_admin, other_admin):
    for login in (customer_admin, other_admin):
        result = await world.run(login, TOTALS, {"m": 3})
        report = result.data["savingsFinder"]
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for line in report["lines"]:
            sums[line["monthlySaving"]["currency"]] += Decimal(line["monthlySaving"]["amount"])
        expected = [{"amount": str(sums[c]), "currency": c} for c in sorted(sums)]
        assert report["totalsByCurrency"] == expected and expected, login
        if len(sums) == 1:
            assert result.errors is None and report["totalMonthlySaving"] == expected[0]
        else:
            assert report["totalMonthlySaving"] is None and codes(result) == ["MIXED_CURRENCIES"]
