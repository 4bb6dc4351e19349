"""Each line's products (sources/billing/products.py), read in batches from the seeded demo and
checked against the billing tables themselves: one statement per read, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.support import World


async def _rows(world: World, sql: str, **params: Any) -> list[Any]:
    async with world.engines.billing.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def _some_lines(world: World) -> list[int]:
    """Lines of every billing account, and one id no line has."""
    found = await _rows(
        world, "select min(subscriber_id), max(subscriber_id) from line_products group by billing_account_id"
    )
    return [*sorted({line for pair in found for line in pair}), 10**9]


async def test_each_line_gets_its_plan_and_its_accounts_currency_one_statement_each(world):
    lines = await _some_lines(world)
    expected = await _rows(
        world,
        "select lp.subscriber_id, lp.plan_id, a.currency from line_products lp "
        "join billing_accounts a on a.id = lp.billing_account_id",
    )
    expected = [row for row in expected if row[0] in lines]
    products = world.sources.products
    world.counter.reset()
    plans = dict(await products.plans_by_subscriber_ids(lines))
    currencies = await products.billing_currencies(lines)
    assert world.counter.count == 2
    assert {line: plan.id for line, plan in plans.items()} == {row[0]: row[1] for row in expected}
    assert currencies == {row[0]: row[2] for row in expected}
    assert len({currency for currency in currencies.values()}) > 1, "the demo bills in more than one currency"
    assert 10**9 not in plans and 10**9 not in currencies


async def test_a_lines_services_come_with_its_own_fee_in_name_order(world):
    (line,) = (await _rows(world, "select subscriber_id from line_services group by subscriber_id "
                                  "order by count(*) desc, subscriber_id limit 1"))[0]  # fmt: skip
    expected = await _rows(
        world,
        "select s.id, ls.monthly_fee_minor, ls.activated_on from line_services ls "
        "join services s on s.id = ls.service_id where ls.subscriber_id = :line order by s.name",
        line=line,
    )
    world.counter.reset()
    found = await world.sources.products.services_by_subscriber_ids([line])
    assert world.counter.count == 1
    assert len(found) == len(expected) > 1
    assert [(r.subscriber_id, r.service.id, r.monthly_fee.minor) for r in found] == [
        (line, e[0], e[1]) for e in expected
    ]
    assert [str(r.activated_on) for r in found] == [str(e[2]) for e in expected]


async def test_lines_with_products_are_on_one_of_the_plans_and_hold_every_service(world):
    (customer, plan), *_ = await _rows(
        world, "select customer_id, plan_id from line_products group by customer_id, plan_id order by count(*) desc"
    )
    (service,) = (await _rows(world, "select service_id from line_services where customer_id = :c "
                                     "group by service_id order by count(*) desc limit 1", c=customer))[0]  # fmt: skip
    on_plan = {
        row[0] for row in await _rows(world, "select subscriber_id from line_products where plan_id = :p", p=plan)
    }
    with_service = {
        row[0] for row in await _rows(world, "select subscriber_id from line_services where service_id = :s", s=service)
    }
    of_customer = {
        row[0]
        for row in await _rows(world, "select subscriber_id from line_products where customer_id = :c", c=customer)
    }
    products = world.sources.products

    world.counter.reset()
    found = await products.subscriber_ids_with_products([customer], [plan], [service])
    assert world.counter.count == 1
    assert found == on_plan & with_service & of_customer and found
    assert await products.subscriber_ids_with_products(None, [plan], []) == on_plan
    assert await products.subscriber_ids_with_products([customer], [], [service]) == with_service & of_customer
    assert await products.subscriber_ids_with_products([customer], [], []) == of_customer


async def test_lines_on_one_plan_or_service_share_one_record_equal_to_the_catalogues(world):
    lines = [row[0] for row in await _rows(world, "select subscriber_id from line_products order by subscriber_id")]
    products, catalogue = world.sources.products, world.sources.catalogue
    plans = [plan for _, plan in await products.plans_by_subscriber_ids(lines)]
    services = [line_service.service for line_service in await products.services_by_subscriber_ids(lines)]
    for records, listed in ((plans, await catalogue.plans()), (services, await catalogue.services())):
        by_id = {record.id: record for record in records}
        assert len(by_id) < len(records), "the demo puts many lines on one plan, and one service"
        assert all(record is by_id[record.id] for record in records)
        assert {record.id: record for record in listed if record.id in by_id} == by_id
