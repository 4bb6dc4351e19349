"""A CRM database made before lines were searched by folded name and numbers by country gains
both columns in place at start, filled as the demo generator fills them."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.lines.test_line_search import SEARCH, found
from tests.support import World

FOLDED = "select id, employee_name_folded from subscribers order by id"


async def _columns(world: World, sql: str) -> list[tuple[object, ...]]:
    async with world.engines.crm.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(sql))).all()]


async def test_an_older_crm_database_gains_the_country_and_the_folded_names_at_start(writable_world, customer_admin):
    world = writable_world
    seeded = await _columns(world, FOLDED)
    assert any(name != folded for (_, folded), (name,) in zip(
        seeded, await _columns(world, "select employee_name from subscribers order by id"), strict=True))  # fmt: skip
    async with world.engines.crm.begin() as conn:
        await conn.execute(text("alter table subscribers drop column employee_name_folded"))
        await conn.execute(text("alter table customers drop column country"))

    await world.engines.create_schemas()

    assert await _columns(world, FOLDED) == seeded
    assert await _columns(world, "select distinct country from customers") == [("DE",)]
    muller = await found(world, customer_admin, "muller")
    assert muller and muller == await found(world, customer_admin, "Müller")
    result = await world.run(customer_admin, SEARCH, {"s": "0170"})
    assert result.errors is None and result.data["subscribers"]["totalCount"] > 0
