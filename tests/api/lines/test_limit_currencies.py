"""A spending limit is in the currency of the billing account of the lines it limits (the demo's
Borealis bills its Grid division in CHF, the rest in EUR): one stated in another currency is
refused when set, and anomalies compare a line's limit only with its charges in that currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from core.ids import from_global_id
from core.values import add_months, month_start
from sources.billing.models import DailyCharge, SpendingPolicy
from tests.support import World, today

SET_UNIT_POLICY = """mutation($input: OrgUnitSetPolicyInput!) { orgUnitSetPolicy(input: $input) {
  userErrors { field code message } } }"""
SET_LINE_POLICY = """mutation($input: SubscriberPolicySetInput!) { subscriberPolicySet(input: $input) {
  applied failed results { lineId outcome code message after } } }"""
UNITS = "{ customer { orgRoot { id children { id name } } } }"
LINES = """query($u: ID!) { subscribers(first: 2000, filter: {orgUnit: $u, statuses: [ACTIVE]}) { nodes { id } } }"""
SHOWN = """query($g: ID!, $e: ID!) { customer { orgRoot { effectivePolicy { monthlyLimit { amount currency } } } }
  grid: node(id: $g) { ... on OrgUnit { effectivePolicy { monthlyLimit { amount currency } } } }
  generation: node(id: $e) { ... on OrgUnit { effectivePolicy { monthlyLimit { amount currency } } } } }"""
LINE_LIMITS = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Subscriber {
  effectivePolicy { monthlyLimit { amount currency } } } } }"""
OVER_LIMIT = """query($m: Month!) { spendingAnomalies(month: $m) {
  overLimit { line { id } spent { amount currency } limit { amount currency } } } }"""


async def units(world: World, login: str) -> dict[str, str]:
    root = (await world.data(login, UNITS))["customer"]["orgRoot"]
    return {"root": root["id"], **{unit["name"]: unit["id"] for unit in root["children"]}}


async def lines_of(world: World, login: str, unit: str) -> list[str]:
    return [node["id"] for node in (await world.data(login, LINES, {"u": unit}))["subscribers"]["nodes"]]


async def versions(world: World) -> int:
    async with world.engines.billing.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(SpendingPolicy))).scalar_one())


async def set_unit_limit(world: World, login: str, unit: str, policy: dict[str, Any]) -> list[dict[str, Any]]:
    payload = await world.data(login, SET_UNIT_POLICY, {"input": {"orgUnit": unit, "policy": policy}})
    return payload["orgUnitSetPolicy"]["userErrors"]


async def test_a_unit_limit_in_a_currency_its_lines_are_not_billed_in_is_refused_and_nothing_is_written(
    writable_world, other_admin
):
    world = writable_world
    unit = await units(world, other_admin)
    written = await versions(world)
    for where, policy in (
        ("Grid", {"monthlyLimit": "50.00"}),  # the company's currency (EUR) by default; Grid bills in CHF
        ("Grid", {"monthlyLimit": "50.00", "limitCurrency": "EUR"}),
        ("root", {"monthlyLimit": "50.00", "limitCurrency": "CHF"}),  # the other divisions bill in EUR
        ("root", {"monthlyLimit": "50.00"}),  # ... and Grid in CHF
    ):
        errors = await set_unit_limit(world, other_admin, unit[where], policy)
        assert [(e["field"], e["code"]) for e in errors] == [(["policy", "limitCurrency"], "CURRENCY_MISMATCH")]
    assert await versions(world) == written
    assert (
        await set_unit_limit(world, other_admin, unit["Grid"], {"monthlyLimit": "50.00", "limitCurrency": "CHF"}) == []
    )
    assert await set_unit_limit(world, other_admin, unit["Generation"], {"monthlyLimit": "50.00"}) == []
    assert await versions(world) == written + 2
    # Setting what has no currency is not refused anywhere.
    assert await set_unit_limit(world, other_admin, unit["root"], {"roamingAllowed": True}) == []
    # Each limit is shown in the currency of the lines it limits; the company's where they are billed
    # in two (each line reads it in its own).
    shown = await world.data(other_admin, SHOWN, {"g": unit["Grid"], "e": unit["Generation"]})
    limits = {key: node["effectivePolicy"]["monthlyLimit"] for key, node in shown.items() if key != "customer"}
    assert limits == {
        "grid": {"amount": "50.00", "currency": "CHF"},
        "generation": {"amount": "50.00", "currency": "EUR"},
    }
    assert shown["customer"]["orgRoot"]["effectivePolicy"]["monthlyLimit"]["currency"] == "EUR"
    lines = {key: await lines_of(world, other_admin, unit[name]) for key, name in (("g", "Grid"), ("e", "Generation"))}
    policies = (await world.data(other_admin, LINE_LIMITS, {"ids": lines["g"][:3] + lines["e"][:3]}))["nodes"]
    assert [node["effectivePolicy"]["monthlyLimit"]["currency"] for node in policies] == ["CHF"] * 3 + ["EUR"] * 3


async def test_a_selection_over_two_currencies_sets_the_limit_only_on_the_lines_billed_in_it(
    writable_world, other_admin
):
    world = writable_world
    unit = await units(world, other_admin)
    grid, generation = (
        (await lines_of(world, other_admin, unit["Grid"]))[0],
        (await lines_of(world, other_admin, unit["Generation"]))[0],
    )
    asked = {"selection": {"ids": [grid, generation]}, "policy": {"monthlyLimit": "30.00", "limitCurrency": "CHF"}}
    payload = (await world.data(other_admin, SET_LINE_POLICY, {"input": asked}))["subscriberPolicySet"]
    assert (payload["applied"], payload["failed"]) == (1, 1)
    results = {result["lineId"]: result for result in payload["results"]}
    assert results[grid]["outcome"] == "APPLIED" and "monthly_limit=30.00" in results[grid]["after"]
    assert (results[generation]["outcome"], results[generation]["code"]) == ("FAILED", "CURRENCY_MISMATCH")
    async with world.engines.billing.connect() as conn:
        limits = dict(
            (
                await conn.execute(
                    select(SpendingPolicy.subscriber_id, SpendingPolicy.monthly_limit_minor).where(
                        SpendingPolicy.valid_to.is_(None),
                        SpendingPolicy.subscriber_id.in_([from_global_id(grid)[1], from_global_id(generation)[1]]),
                    )
                )
            ).all()
        )
    assert limits.get(from_global_id(grid)[1]) == 3000
    assert limits.get(from_global_id(generation)[1]) != 3000


async def test_a_limit_currency_needs_a_limit_and_a_known_code(world, other_admin):
    unit = await units(world, other_admin)
    for policy in ({"limitCurrency": "CHF", "roamingAllowed": True}, {"monthlyLimit": "5.00", "limitCurrency": "XYZ"}):
        errors = await set_unit_limit(world, other_admin, unit["Grid"], policy)
        assert [(e["field"], e["code"]) for e in errors] == [(["policy", "limitCurrency"], "BAD_USER_INPUT")]


async def test_over_limit_compares_a_line_only_with_its_charges_in_its_billing_accounts_currency(
    writable_world, other_admin
):
    """A EUR line charged a large sum in CHF (as if billed on another account for a while) is not
    over its EUR limit; a CHF line over its CHF limit is listed in CHF."""
    world = writable_world
    last = add_months(month_start(today()), -1)
    unit = await units(world, other_admin)
    grid = (await lines_of(world, other_admin, unit["Grid"]))[0]
    generation = (await lines_of(world, other_admin, unit["Generation"]))[0]
    eur_usage = await usage(world, from_global_id(generation)[1], last, "EUR")
    limit = str(Decimal(eur_usage + 100) / 100)
    for line, currency, amount in ((grid, "CHF", "0.01"), (generation, "EUR", limit)):
        asked = {"selection": {"ids": [line]}, "policy": {"monthlyLimit": amount, "limitCurrency": currency}}
        assert (await world.data(other_admin, SET_LINE_POLICY, {"input": asked}))["subscriberPolicySet"]["applied"] == 1
    await charge(world, from_global_id(generation)[1], last, "CHF", eur_usage + 100_000)

    found = (await world.data(other_admin, OVER_LIMIT, {"m": last.strftime("%Y-%m")}))["spendingAnomalies"]
    over = {row["line"]["id"]: row for row in found["overLimit"]}
    assert generation not in over
    assert over[grid]["spent"]["currency"] == over[grid]["limit"]["currency"] == "CHF"
    assert (
        Decimal(over[grid]["spent"]["amount"])
        == Decimal(await usage(world, from_global_id(grid)[1], last, "CHF")) / 100
    )
    assert all(row["spent"]["currency"] == row["limit"]["currency"] for row in found["overLimit"])


async def usage(world: World, line: int, period: date, currency: str) -> int:
    """The line's usage charges (what a limit counts) of the month in ``currency``."""
    async with world.engines.billing.connect() as conn:
        statement = select(func.coalesce(func.sum(DailyCharge.amount_minor), 0)).where(
            DailyCharge.subscriber_id == line,
            DailyCharge.period == period,
            DailyCharge.currency == currency,
            DailyCharge.category != "subscription",
        )
        return int((await conn.execute(statement)).scalar_one())


async def charge(world: World, line: int, period: date, currency: str, amount: int, category: str = "voice") -> None:
    async with world.engines.billing.begin() as conn:
        known = (
            await conn.execute(select(DailyCharge.customer_id, DailyCharge.billing_account_id).where(
                DailyCharge.subscriber_id == line).limit(1))
        ).one()  # fmt: skip
        await conn.execute(insert(DailyCharge).values(
            subscriber_id=line, customer_id=known.customer_id, billing_account_id=known.billing_account_id,
            day=period, period=period, category=category, amount_minor=amount, employee_share_minor=0,
            currency=currency, over_limit_minor=0, policy_since=None))  # fmt: skip


SPIKES_IN = """query($m: Month!, $c: String) { spendingAnomalies(month: $m) {
  roamingSpikes(factor: 2, minimum: "5.00", currency: $c) { line { id } current { amount currency } } } }"""


async def roaming_spikes(world: World, lines: set[int], last: date) -> dict[str, set[int]]:
    """Per currency, the lines whose roaming charges in it last month reach 5.00 and double the
    average of the three months before, in that currency: from the raw charges."""
    async with world.engines.billing.connect() as conn:
        total = func.sum(DailyCharge.amount_minor)
        rows = await conn.execute(
            select(DailyCharge.subscriber_id, DailyCharge.currency, DailyCharge.period, total)
            .where(DailyCharge.category == "roaming", DailyCharge.period.between(add_months(last, -3), last))
            .group_by(DailyCharge.subscriber_id, DailyCharge.currency, DailyCharge.period)
        )
        roaming = {(line, currency, period): int(total) for line, currency, period, total in rows}
    found: dict[str, set[int]] = {"EUR": set(), "CHF": set()}
    for line, currency in {(line, currency) for line, currency, _ in roaming if line in lines}:
        now = roaming.get((line, currency, last), 0)
        before = sum(roaming.get((line, currency, add_months(last, -back)), 0) for back in (1, 2, 3))
        if now >= 500 and now * 100 * 3 > before * 200:
            found.setdefault(currency, set()).add(line)
    return found


async def test_roaming_spikes_compare_a_minimum_only_with_charges_in_its_currency(writable_world, other_admin):
    """A minimum stated in EUR (the company's currency by default) never meets a CHF charge; asked
    in CHF, the spikes are Grid's, compared in CHF. A Grid line and a EUR line of Generation each
    get a spike last month (the generated data need not hold one in either currency that month)."""
    world = writable_world
    last = add_months(month_start(today()), -1)
    unit = await units(world, other_admin)
    grid = from_global_id((await lines_of(world, other_admin, unit["Grid"]))[0])[1]
    await charge(world, grid, last, "CHF", 40_00, category="roaming")
    generation = from_global_id((await lines_of(world, other_admin, unit["Generation"]))[0])[1]
    await charge(world, generation, last, "EUR", 1_000_00, category="roaming")
    data = await world.data(other_admin, "{ subscribers(first: 2000) { nodes { id } } }")
    mine = {from_global_id(node["id"])[1] for node in data["subscribers"]["nodes"]}
    expected = await roaming_spikes(world, mine, last)
    assert grid in expected["CHF"] and generation in expected["EUR"]
    for asked, currency in ((None, "EUR"), ("EUR", "EUR"), ("CHF", "CHF")):
        got = await world.data(other_admin, SPIKES_IN, {"m": last.strftime("%Y-%m"), "c": asked})
        spikes = got["spendingAnomalies"]["roamingSpikes"]
        assert {from_global_id(row["line"]["id"])[1] for row in spikes} == expected[currency], asked
        assert {row["current"]["currency"] for row in spikes} == {currency}
    refused = await world.run(other_admin, SPIKES_IN, {"m": last.strftime("%Y-%m"), "c": "XYZ"})
    assert [(e.extensions or {}).get("code") for e in refused.errors or ()] == ["BAD_USER_INPUT"]
    assert refused.errors and refused.errors[0].extensions == {**refused.errors[0].extensions, "field": ["currency"]}


LINE_MOVE = """mutation($input: SubscriberMoveInput!) { subscriberMove(input: $input) { applied } }"""


async def test_a_limit_governs_only_the_lines_billed_in_its_currency_even_after_a_move(writable_world, other_admin):
    """The demo's Borealis states its company-wide limit in EUR: it limits the EUR lines and not
    Grid's CHF lines. A EUR line moved into Grid, which has a CHF limit, keeps the nearest limit
    in EUR; the CHF lines take Grid's."""
    world = writable_world
    unit = await units(world, other_admin)
    root_limit = {"amount": "100.00", "currency": "EUR"}
    grid_lines = await lines_of(world, other_admin, unit["Grid"])
    shown = await world.data(other_admin, SHOWN, {"g": unit["Grid"], "e": unit["Generation"]})
    assert shown["customer"]["orgRoot"]["effectivePolicy"]["monthlyLimit"] == root_limit
    assert shown["grid"]["effectivePolicy"]["monthlyLimit"] is None
    assert shown["generation"]["effectivePolicy"]["monthlyLimit"] == root_limit
    own = await own_limits(world, [from_global_id(line)[1] for line in grid_lines])
    governed = (await world.data(other_admin, LINE_LIMITS, {"ids": grid_lines}))["nodes"]
    assert [node["effectivePolicy"]["monthlyLimit"] for node in governed] == [
        None
        if own.get(from_global_id(line)[1]) is None
        else {"amount": own[from_global_id(line)[1]], "currency": "CHF"}
        for line in grid_lines
    ]

    assert (
        await set_unit_limit(world, other_admin, unit["Grid"], {"monthlyLimit": "40.00", "limitCurrency": "CHF"}) == []
    )
    generation = await lines_of(world, other_admin, unit["Generation"])
    limited = await own_limits(world, [from_global_id(line)[1] for line in generation])
    mover = next(line for line in generation if from_global_id(line)[1] not in limited)
    moved = await world.data(
        other_admin, LINE_MOVE, {"input": {"selection": {"ids": [mover]}, "orgUnit": unit["Grid"]}}
    )
    assert moved["subscriberMove"]["applied"] == 1
    plain_grid = next(line for line in grid_lines if from_global_id(line)[1] not in own)
    after = (await world.data(other_admin, LINE_LIMITS, {"ids": [mover, plain_grid]}))["nodes"]
    assert [node["effectivePolicy"]["monthlyLimit"] for node in after] == [
        root_limit,
        {"amount": "40.00", "currency": "CHF"},
    ]


async def own_limits(world: World, lines: list[int]) -> dict[int, str]:
    """The lines that set a limit of their own (in force now), as amounts."""
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            select(SpendingPolicy.subscriber_id, SpendingPolicy.monthly_limit_minor).where(
                SpendingPolicy.valid_to.is_(None),
                SpendingPolicy.subscriber_id.in_(lines),
                SpendingPolicy.monthly_limit_minor.is_not(None),
            )
        )
        return {line: f"{Decimal(limit) / 100:.2f}" for line, limit in rows}


LINE_MONTH = """query($id: ID!, $m: Month!) { node(id: $id) { ... on Subscriber {
  spending(month: $m) { total { amount currency } }
  spendingByCurrency(month: $m) { total { amount currency } companyShare { amount } employeeShare { amount }
    byCategory { category amount { amount currency } } policyPeriods { total { amount currency } } } } } }"""


async def test_a_line_charged_in_two_currencies_in_a_month_has_a_figure_per_currency(writable_world, other_admin):
    """A line that moved between billing accounts in the month: its one figure is refused (two
    currencies are never added), and spendingByCurrency gives each currency's charges, split and
    policy periods, as the raw charges say."""
    world = writable_world
    last = add_months(month_start(today()), -1)
    unit = await units(world, other_admin)
    line = (await lines_of(world, other_admin, unit["Generation"]))[0]
    await charge(world, from_global_id(line)[1], last, "CHF", 12_34, category="roaming")
    result = await world.run(other_admin, LINE_MONTH, {"id": line, "m": last.strftime("%Y-%m")})
    assert [(e.path, (e.extensions or {}).get("code")) for e in result.errors or ()] == [
        (["node", "spending"], "MIXED_CURRENCIES")
    ]
    assert result.data is not None and result.data["node"]["spending"] is None
    figures = result.data["node"]["spendingByCurrency"]
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            select(DailyCharge.currency, DailyCharge.category, func.sum(DailyCharge.amount_minor),
                   func.sum(DailyCharge.employee_share_minor))
            .where(DailyCharge.subscriber_id == from_global_id(line)[1], DailyCharge.period == last)
            .group_by(DailyCharge.currency, DailyCharge.category)
        )  # fmt: skip
        raw = [(currency, category, int(total), int(employee)) for currency, category, total, employee in rows]
    assert [figure["total"]["currency"] for figure in figures] == ["CHF", "EUR"]
    for figure in figures:
        currency = figure["total"]["currency"]
        mine = [row for row in raw if row[0] == currency]
        total, employee = sum(row[2] for row in mine), sum(row[3] for row in mine)
        assert Decimal(figure["total"]["amount"]) * 100 == total
        assert Decimal(figure["employeeShare"]["amount"]) * 100 == employee
        assert Decimal(figure["companyShare"]["amount"]) * 100 == total - employee
        assert {
            (c["category"], Decimal(c["amount"]["amount"]) * 100, c["amount"]["currency"]) for c in figure["byCategory"]
        } == {(category.upper(), amount, currency) for _, category, amount, _ in mine}
        periods = figure["policyPeriods"]
        assert {p["total"]["currency"] for p in periods} == {currency}
        assert sum(Decimal(p["total"]["amount"]) for p in periods) * 100 == total
    assert figures[0]["total"]["amount"] == "12.34"
