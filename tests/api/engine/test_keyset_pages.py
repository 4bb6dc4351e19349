"""Keyset cursors under writes: rows added between two page reads (before the page, inside the
range still to read, after it) shift no other row, forward or backward; and the audit log, which
grows that way all the time, holds to the Relay specification too."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from sources.crm.models import Subscriber
from sources.state.models import AuditRecord
from tests.api.engine.test_relay_connections import ARGS, VARIABLES, Listed, holds_to_the_specification
from tests.support import today

NAMES = f"""query({VARIABLES}) {{ subscribers({ARGS}, orderBy: {{field: NAME}}) {{
  nodes {{ id employeeName }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""
AUDIT = f"""query({VARIABLES}) {{ auditLog({ARGS}) {{
  edges {{ cursor node {{ at action }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""
SIZE = 7


async def _add_line(world, like: dict[str, Any], name: str, serial: int) -> None:
    """A copy of an existing line under another name (and its own number)."""
    number = f"+4915{serial:09d}"
    async with world.engines.crm.begin() as conn:
        await conn.execute(
            insert(Subscriber).values(**{**like, "employee_name": name, "msisdn": number, "email": None})
        )


async def _read_with_writes(world, login: str, document: str, key: str, *, backward: bool, write) -> list[Any]:
    """Every page of the list one way (its edges, else its nodes), calling ``write(page number, rows)``
    between two reads."""
    seen: list[Any] = []
    cursor = None
    for page_number in itertools.count():
        arguments = {"last": SIZE, "before": cursor} if backward else {"first": SIZE, "after": cursor}
        page = (await world.data(login, document, arguments))[key]
        rows = page["edges"] if "edges" in page else page["nodes"]
        seen = rows + seen if backward else seen + rows
        info = page["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return seen
        cursor = info["startCursor"] if backward else info["endCursor"]
        await write(page_number, rows)
    raise AssertionError("unreachable")


async def test_lines_added_between_pages_shift_no_other_line(writable_world, customer_admin):
    world = writable_world
    everything = await world.data(customer_admin, NAMES, {"first": 2000})
    present = [node["id"] for node in everything["subscribers"]["nodes"]]
    async with world.engines.crm.connect() as conn:
        template = dict(
            (await conn.execute(select(Subscriber).where(Subscriber.customer_id == 1).limit(1))).mappings().one()
        )
    template.pop("id")
    serial = itertools.count(1)

    async def write(_page: int, rows: list[Any]) -> None:
        edge = rows[-1]["employeeName"]
        for name in ("Aaaa Early", edge + " Jr", rows[0]["employeeName"] + " Jr", "Zzzz Late"):
            await _add_line(world, template, name, next(serial))

    for backward in (False, True):
        seen = await _read_with_writes(world, customer_admin, NAMES, "subscribers", backward=backward, write=write)
        ids = [node["id"] for node in seen]
        assert len(ids) == len(set(ids)), "a line read twice"
        assert [i for i in ids if i in set(present)] == present, "a line skipped or out of order"
        names = [node["employeeName"] for node in seen]
        assert any(name.endswith(" Jr") for name in names)  # rows added inside the range are read
    assert next(serial) > 2 * 4


async def _add_audit_records(world, at: Any, count: int) -> None:
    async with world.engines.state.begin() as conn:
        for n in range(count):
            await conn.execute(
                insert(AuditRecord).values(
                    at=at, request_id=uuid.uuid4().hex, user_id=None, login="acme.admin",
                    role="customer_admin", customer_id=1, action=f"test{n}", outcome="allowed", detail={},
                )
            )  # fmt: skip


async def test_audit_records_written_between_pages_shift_no_other_record(writable_world, customer_admin):
    world = writable_world
    base = datetime.combine(today(), time(), UTC) - timedelta(days=3)
    for hour in range(6):  # three records share each moment: the id orders them
        await _add_audit_records(world, base + timedelta(hours=hour), 3)
    listed = Listed(AUDIT, ("auditLog",), 500)
    assert await holds_to_the_specification(world, listed)

    present = [
        edge["cursor"] for edge in (await world.data(customer_admin, AUDIT, {"first": 500}))["auditLog"]["edges"]
    ]

    async def write(page: int, rows: list[Any]) -> None:
        await _add_audit_records(world, datetime.fromisoformat(rows[-1]["node"]["at"]), 2)  # ties with the page's edge
        await _add_audit_records(world, base + timedelta(hours=page, minutes=30), 1)  # inside the range
        await _add_audit_records(world, datetime.now(UTC), 1)  # the newest: before page one

    for backward in (False, True):
        seen = await _read_with_writes(world, customer_admin, AUDIT, "auditLog", backward=backward, write=write)
        seen_cursors = [edge["cursor"] for edge in seen]
        assert len(seen_cursors) == len(set(seen_cursors)), "a record read twice"
        assert [c for c in seen_cursors if c in set(present)] == present, "a record skipped or out of order"
        assert len(seen_cursors) > len(present)
