"""Row scope held against a row in hand (an event) agrees with row scope in SQL, for every caller."""

from __future__ import annotations

from sqlalchemy import select

from sources.crm.models import OrgUnit, Subscriber
from sources.scope import scope_predicate
from tests.support import LOGINS


async def test_a_row_in_hand_is_admitted_exactly_when_sql_would_return_it(world):
    async with world.engines.crm.connect() as conn:
        lines = (await conn.execute(select(Subscriber.id, Subscriber.customer_id, Subscriber.org_path))).all()
        units = (await conn.execute(select(OrgUnit.id, OrgUnit.customer_id, OrgUnit.path))).all()
        for login in LOGINS.values():
            scope = (await world.principal(login)).scope
            in_sql = select(Subscriber.id).where(scope_predicate(
                scope, customer_id=Subscriber.customer_id, path=Subscriber.org_path, subscriber_id=Subscriber.id
            ))  # fmt: skip
            units_in_sql = select(OrgUnit.id).where(
                scope_predicate(scope, customer_id=OrgUnit.customer_id, path=OrgUnit.path)
            )
            seen = {row[0] for row in await conn.execute(in_sql)}
            seen_units = {row[0] for row in await conn.execute(units_in_sql)}
            assert {line for line, customer, path in lines if scope.admits(customer, path, line)} == seen, login
            assert {unit for unit, customer, path in units if scope.admits(customer, path)} == seen_units, login
            assert len(seen) + len(seen_units) > 0, login
