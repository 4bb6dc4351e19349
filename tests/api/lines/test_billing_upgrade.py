"""A billing database made before limits kept their currency gains ``limit_currency`` in place at
start, filled as the demo generator fills it: a line's limit in its billing account's currency, a
unit's in its company's."""

from __future__ import annotations

from sqlalchemy import inspect, text

from tests.api.lines.test_limit_currencies import SET_LINE_POLICY, lines_of, units
from tests.support import World

STATED = "select id, limit_currency from spending_policies order by id"


async def _rows(world: World, sql: str) -> list[tuple[object, ...]]:
    async with world.engines.billing.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(sql))).all()]


async def test_an_older_billing_database_gains_each_limits_currency_at_start(writable_world, other_admin):
    world = writable_world
    grid = (await lines_of(world, other_admin, (await units(world, other_admin))["Grid"]))[0]
    asked = {"selection": {"ids": [grid]}, "policy": {"monthlyLimit": "30.00", "limitCurrency": "CHF"}}
    assert (await world.data(other_admin, SET_LINE_POLICY, {"input": asked}))["subscriberPolicySet"]["applied"] == 1
    seeded = await _rows(world, STATED)
    limits = await _rows(
        world,
        "select p.id, p.org_unit_id is null, a.currency from spending_policies p "
        "left join line_products l on l.subscriber_id = p.subscriber_id "
        "left join billing_accounts a on a.id = l.billing_account_id "
        "where p.monthly_limit_minor is not null order by p.id",
    )
    assert {currency for _, on_line, currency in limits if on_line} == {"EUR", "CHF"}, "lines billed in two"
    async with world.engines.billing.begin() as conn:
        await conn.execute(text("alter table spending_policies drop column limit_currency"))

    await world.engines.create_schemas()

    assert await _rows(world, STATED) == seeded
    by_id = dict(seeded)
    assert all(by_id[key] == (currency if on_line else "EUR") for key, on_line, currency in limits)
    assert all(currency is None for key, currency in seeded if key not in {row[0] for row in limits})
    root = await world.data(other_admin, "{ customer { orgRoot { effectivePolicy { monthlyLimit { currency } } } } }")
    assert root["customer"]["orgRoot"]["effectivePolicy"]["monthlyLimit"] == {"currency": "EUR"}


async def _charge_indexes(world: World) -> set[str]:
    async with world.engines.billing.connect() as conn:
        return set(await conn.run_sync(lambda sync: {i["name"] for i in inspect(sync).get_indexes("daily_charges")}))


async def test_an_older_billing_database_gains_the_charges_index_by_day_at_start_and_loses_the_one_it_replaced(
    writable_world, customer_admin
):
    world = writable_world
    spent = "{ customer { orgRoot { spending { total { amount } lineCount } } } }"
    before = await world.data(customer_admin, spent)
    async with world.engines.billing.begin() as conn:
        await conn.execute(text("drop index ix_charges_customer_period_line_day"))
        await conn.execute(
            text(
                "create index ix_charges_customer_period on daily_charges "
                "(customer_id, period, subscriber_id, currency, amount_minor, employee_share_minor)"
            )
        )
    assert "ix_charges_customer_period_line_day" not in await _charge_indexes(world)

    await world.engines.create_schemas()

    indexes = await _charge_indexes(world)
    assert "ix_charges_customer_period_line_day" in indexes
    assert "ix_charges_customer_period" not in indexes
    assert await world.data(customer_admin, spent) == before
