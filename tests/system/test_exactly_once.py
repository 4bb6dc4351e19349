"""Exactly once, on real processes and real databases: copies of one change sent at once with
one idempotency key make one change and get one answer; a process killed in the middle of a
change leaves its intent in the trail, and the retry after a restart names every written line."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core.ids import to_global_id
from server.auth import issue_token
from tests.api.bulk.test_bulk_operations import acme_lines, copies_of, service_id
from tests.system import test_bulk_restart
from tests.system.test_bulk_restart import serving
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually

COPIES = 20

servers = test_bulk_restart.servers  # the fixture: server processes, killed after the test

CREATE = """mutation($input: OrgUnitCreateInput!) { orgUnitCreate(input: $input) {
  orgUnit { id name } userErrors { field code message } } }"""
SERVICES = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  applied failed results { lineId outcome code before after } bulkOperation { id }
  userErrors { field code message } } }"""
SUSPEND = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  applied failed results { lineId outcome code message } userErrors { field code message } } }"""


def urls_of(world: Any) -> dict[str, str]:
    urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
    return dict(zip(("crm_url", "billing_url", "state_url"), urls, strict=True))


async def instances(world: Any, tmp_path: Any, started: list[Any], count: int = 0, **settings: str) -> list[str]:
    """Two server processes on PostgreSQL (the copies reach both), one on the embedded SQLite
    (unless ``count`` says); each admits all the copies it gets, and waits long enough for the
    first answer."""
    count = count or (2 if world.backend == "postgres" else 1)
    # Few connections each: the test's own process and the others on the machine share PostgreSQL's 100.
    given = {**urls_of(world), "request_timeout_seconds": "120", "max_operations_per_customer": "40",
             "pool_size": "4", **settings}  # fmt: skip
    bases = []
    for _ in range(count):
        process, base = await serving(given, tmp_path)
        started.append(process)
        bases.append(base)
    return bases


async def copies(bases: list[str], query: str, variables: dict[str, Any], tmp_path: Any) -> list[dict[str, Any]]:
    """``COPIES`` copies of one request sent at once, spread over the instances (whose logs are
    in ``tmp_path``)."""
    token = issue_token(make_settings(), "acme.admin")
    clients = [httpx.AsyncClient(base_url=base, timeout=PATIENCE) for base in bases]
    try:
        sent = [
            clients[i % len(clients)].post("/graphql", json={"query": query, "variables": variables},
                                           headers=bearer(token))
            for i in range(COPIES)
        ]  # fmt: skip
        responses = await asyncio.gather(*sent)
    finally:
        for client in clients:
            await client.aclose()
    assert {response.status_code for response in responses} == {200}, [r.text for r in responses]
    bodies = [response.json() for response in responses]
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert not [body["errors"] for body in bodies if "errors" in body], logs[-4000:]
    return [body["data"] for body in bodies]  # extensions say what each copy cost: they differ


async def test_copies_of_a_unit_creation_sent_at_once_make_one_unit(writable_world, servers, tmp_path):
    world = writable_world
    bases = await instances(world, tmp_path, servers)
    parent = await world.scalar("crm", "select id from org_units where name = 'Sales'")
    request = {"parent": to_global_id("OrgUnit", parent), "name": "Field sales", "idempotencyKey": "unit-create-1"}

    answers = await copies(bases, CREATE, {"input": request}, tmp_path)

    made = await world.scalar("crm", "select count(*) from org_units where name = 'Field sales'")
    assert made == 1
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0]["orgUnitCreate"]["userErrors"] == []
    audited = await world.scalar("state", "select count(*) from audit_log where action = 'orgUnitCreate'")
    assert audited == 1


@pytest.mark.parametrize("size", [50, 300], ids=["50 lines, in the request", "300 lines, a bulk operation"])
async def test_copies_of_a_change_to_lines_sent_at_once_change_each_line_once(bulk_world, servers, tmp_path, size):
    world = bulk_world
    offset = 5000 if size == 50 else 4600  # lines of their own, with a service no other test adds
    lines = await acme_lines(world, size, offset=offset)
    service = await service_id(world, "DATA-PACK-20")
    before = await copies_of(world, service)
    started_before = await world.scalar("state", "select count(*) from bulk_operations")
    bases = await instances(world, tmp_path, servers)
    request = {"selection": {"ids": [to_global_id("Subscriber", line) for line in lines]},
               "services": [to_global_id("Service", service)], "idempotencyKey": f"pack-20-{size}"}  # fmt: skip

    answers = await copies(bases, SERVICES, {"input": request}, tmp_path)

    assert all(answer == answers[0] for answer in answers), answers
    answer = answers[0]["subscriberServicesAdd"]
    assert answer["userErrors"] == []
    started = await world.scalar("state", "select count(*) from bulk_operations") - started_before
    if size == 300:
        assert answer["bulkOperation"] is not None and started == 1
        token = issue_token(make_settings(), "acme.admin")
        await _finished(bases[0], answer["bulkOperation"]["id"], token)
    else:
        assert answer["bulkOperation"] is None and started == 0
        assert answer["applied"] + answer["failed"] + _skipped(answer) == size
    added = await copies_of(world, service) - before
    assert set(added.values()) <= {1}, "no line got the service twice"
    assert set(added) <= set(lines)
    if size == 50:
        applied = {r["lineId"] for r in answer["results"] if r["outcome"] == "APPLIED"}
        assert {to_global_id("Subscriber", line) for line in added} == applied


def _skipped(answer: dict[str, Any]) -> int:
    return sum(1 for result in answer["results"] if result["outcome"] == "SKIPPED")


async def _finished(base: str, operation: str, token: str) -> None:
    query = """query($id: ID!) { node(id: $id) { ... on BulkOperation { status } } }"""

    async def done() -> bool:
        async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:
            response = await http.post("/graphql", json={"query": query, "variables": {"id": operation}},
                                       headers=bearer(token))  # fmt: skip
        return response.json()["data"]["node"]["status"] == "COMPLETED"

    await eventually(done, "the bulk operation to complete", seconds=5 * PATIENCE, every=0.1)


async def test_a_change_killed_midway_is_settled_and_its_retry_names_every_written_line(
    writable_world, servers, tmp_path
):
    """The server is killed while line 21 of 40 waits for a row another transaction holds:
    20 lines are suspended, the audit trail holds the change's intent with its plan, and the
    key is still reserved. After a restart, the retry with the key gets the settled answer —
    20 applied, 20 not written — and never suspends a line the first attempt did not."""
    world = writable_world
    if world.backend != "postgres":
        pytest.skip("holds a row lock to stop the change midway: PostgreSQL only")
    lines = await _active_lines(world, 40)
    blocked = lines[20]
    # Held no longer than a request may run: the restarted server's recovery may settle it soon.
    settings = {"key_hold_seconds": "10", "request_timeout_seconds": "10"}
    [base] = await instances(world, tmp_path, servers, 1, **settings)
    token = issue_token(make_settings(), "acme.admin")
    request = {"selection": {"ids": [to_global_id("Subscriber", line) for line in lines]}, "reason": "LEAVE",
               "idempotencyKey": "suspend-40"}  # fmt: skip
    body = {"query": SUSPEND, "variables": {"input": request}}

    async with world.engines.crm.connect() as holder:
        await holder.begin()
        await holder.execute(text("select id from subscribers where id = :i for update"), {"i": blocked})
        http = httpx.AsyncClient(base_url=base, timeout=PATIENCE)
        sending = asyncio.ensure_future(http.post("/graphql", json=body, headers=bearer(token)))

        async def twenty_written() -> bool:
            return await _suspended(world, lines) == set(lines[:20])

        await eventually(twenty_written, "the first 20 lines to be written")
        servers[-1].send_signal(signal.SIGKILL)
        servers[-1].wait(PATIENCE)
        # Killed before its answer, or (on a host slow enough) stopped at its time limit first.
        with contextlib.suppress(httpx.TransportError):
            assert (await sending).json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        await http.aclose()
        await holder.rollback()

    assert await _suspended(world, lines) == set(lines[:20])
    pending = await world.scalar("state", "select count(*) from audit_log where outcome = 'pending'")
    assert pending == 1, "the change's intent is in the trail before any line is written"

    [base] = await instances(world, tmp_path, servers, 1, **settings)
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:

        async def settled() -> Any:
            """The answer, once the key is no longer held by the killed attempt."""
            response = await http.post("/graphql", json=body, headers=bearer(token))
            codes = {error["extensions"]["code"] for error in response.json().get("errors", ())}
            assert codes <= {"IDEMPOTENCY_KEY_IN_USE"}, response.text
            return None if codes else response.json()["data"]["subscriberSuspend"]

        answer = await eventually(settled, "the interrupted change to be settled")

    outcomes = {r["lineId"]: (r["outcome"], r["code"]) for r in answer["results"]}
    assert outcomes == {
        to_global_id("Subscriber", line): ("APPLIED", None) if i < 20 else ("FAILED", "INTERRUPTED")
        for i, line in enumerate(lines)
    }
    assert (answer["applied"], answer["failed"]) == (20, 20)
    assert await _suspended(world, lines) == set(lines[:20]), "the retry wrote nothing"
    trail = await world.scalar(
        "state", "select detail from audit_log where action = 'subscriberSuspend' and outcome = 'interrupted'"
    )
    written = Counter(r["outcome"] for r in trail["results"])
    assert written == {"applied": 20, "failed": 20}
    assert {r["line_id"] for r in trail["results"] if r["outcome"] == "applied"} == set(lines[:20])


async def _active_lines(world: Any, count: int) -> list[int]:
    async with world.engines.crm.connect() as conn:
        rows = await conn.execute(
            text(
                "select s.id from subscribers s join customers c on c.id = s.customer_id "
                "where c.code = 'ACME' and s.status = 'active' order by s.id limit :n"
            ),
            {"n": count},
        )
        return [row[0] for row in rows]


async def _suspended(world: Any, lines: list[int]) -> set[int]:
    async with world.engines.crm.connect() as conn:
        rows = await conn.execute(
            text("select id from subscribers where status = 'suspended' and id = any(:ids)"), {"ids": lines}
        )
        return {row[0] for row in rows}
