"""Field rules hold for subscriptions, over a real WebSocket to a real server process: for every
field of the root Subscription and every kind of caller (API keys included), a document that
selects fields the caller's role may not read is served with those fields null and a FORBIDDEN
error at each path the event reaches them; the same document without them is served with no
refusal. The documents and the expected refusals are computed from the schema, the roles and
each event, so a new subscription field is covered without touching this file."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import GraphQLInterfaceType, GraphQLNonNull, GraphQLObjectType, get_named_type, is_leaf_type
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from core.ids import to_global_id
from core.values import month_start
from engine.build import build_schema
from infra.events import RedisEvents
from permissions.authorize import RuleTable, rule_table
from permissions.principal import Principal
from permissions.roles import ROLE_PERMISSIONS, Permission, Role
from sources.billing.live import SpendingAlert, alerts_channel
from sources.state.bulk_operations import BulkStart
from tests.api.access.test_partial_data import forbidden_paths, value_at
from tests.api.access.test_service_accounts import CREATE_ACCOUNT, CREATE_KEY
from tests.support import LOGINS, REDIS_URL, World, reachable_redis, today
from tests.system.frames import received
from tests.system.test_bulk_restart import servers, serving  # noqa: F401 (fixture)
from tests.system.test_subscriptions import token, urls_of

DEPTH = 4  # object levels below each subscription field: reaches a line's personal data and usage
# The finding as it was seen: an analyst's alerts carried names, numbers and itemised usage.
ANALYST_ALERTS = """subscription { spendingAlerts { line { msisdn employeeName email iccid imsi
  usage(first: 3) { nodes { destination startedAt } } } } }"""
SECONDS = 60  # an upper bound for an answer on a busy machine, never a wait


@dataclass(frozen=True, slots=True)
class Probe:
    """One subscription field, for one caller: every field it can reach, and the part allowed."""

    field: str
    everything: str
    allowed: str
    denied: frozenset[str]  # "Type.field" the caller's role may not read


def selections(
    type_: GraphQLObjectType | GraphQLInterfaceType,
    rules: RuleTable,
    held: frozenset[Permission],
    depth: int,
    path: frozenset[str],
) -> tuple[list[str], list[str], set[str]]:
    """(all fields, the fields the role may read, the names of those it may not), down to ``depth``."""
    every, allowed, denied = [], [], set()
    for name, field in type_.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is None for a in field.args.values()):
            continue  # a required argument: this walk cannot make up a value for it
        call = f"{name}(first: 2)" if "first" in field.args else name
        readable = (type_.name, name) in rules and rules[(type_.name, name)] in (None, *held)
        target = get_named_type(field.type)
        if is_leaf_type(target):
            inner: tuple[list[str], list[str], set[str]] = ([], [], set())
        elif isinstance(target, GraphQLObjectType | GraphQLInterfaceType) and depth and target.name not in path:
            inner = selections(target, rules, held, depth - 1, path | {target.name})
            if not inner[0]:
                continue
        else:
            continue
        every.append(f"{call} {{ {' '.join(inner[0])} }}" if inner[0] else call)
        denied |= inner[2]
        if not readable:
            denied.add(f"{type_.name}.{name}")
        elif not inner[0] or inner[1]:
            allowed.append(f"{call} {{ {' '.join(inner[1])} }}" if inner[1] else call)
    return every, allowed, denied


def probes(held: frozenset[Permission]) -> list[Probe]:
    schema = build_schema()._schema
    rules = rule_table(schema)
    root = schema.subscription_type
    assert root is not None
    found = []
    for name, field in root.fields.items():
        target = get_named_type(field.type)
        assert isinstance(target, GraphQLObjectType | GraphQLInterfaceType)
        every, allowed, denied = selections(target, rules, held, DEPTH, frozenset({target.name}))
        arguments = ", ".join(f"{a}: ${a}" for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull))
        declared = ", ".join(
            f"${a}: {arg.type}" for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)
        )
        head = f"subscription({declared}) {{ {name}({arguments})" if declared else f"subscription {{ {name}"
        found.append(Probe(name, f"{head} {{ {' '.join(every)} }} }}", f"{head} {{ {' '.join(allowed)} }} }}",
                           frozenset(denied)))  # fmt: skip
    return found


@dataclass(slots=True)
class Caller:
    name: str
    credential: str  # a token, or an API key's secret
    principal: Principal
    line: tuple[int, str] | None  # a line in its view (id, its unit's path)
    unit: tuple[int, str] | None  # a unit in its view (id, path); an employee sees none
    operation: int  # a bulk operation of its own


async def lines_and_units(world: World) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    async with world.engines.crm.connect() as conn:
        lines = (await conn.execute(text("select id, customer_id, org_path from subscribers order by id"))).all()
        units = (await conn.execute(text("select id, customer_id, path from org_units order by path"))).all()
    return [tuple(row) for row in lines], [tuple(row) for row in units]  # type: ignore[misc]


async def service_account_key(world: World) -> tuple[str, str]:
    """As the customer admin: an analyst service account over the whole company, and a key for it."""
    request = {"input": {"name": "Alerts feed", "role": "ANALYST", "units": []}}
    created = await world.data(LOGINS["customer_admin"], CREATE_ACCOUNT, request)
    account = created["serviceAccountCreate"]["serviceAccount"]
    key = await world.data(
        LOGINS["customer_admin"], CREATE_KEY, {"input": {"serviceAccount": account["id"], "name": "feed"}}
    )
    world.principals.pop(account["login"], None)
    return str(key["apiKeyCreate"]["secret"]), str(account["login"])


async def callers(world: World) -> list[Caller]:
    """Every kind of caller the issue names, each with a line, a unit and a finished bulk operation of its own."""
    lines, units = await lines_and_units(world)
    secret, account = await service_account_key(world)
    who = {role: (LOGINS[role], token(LOGINS[role])) for role in
           ("customer_admin", "unit_admin", "finance", "analyst", "employee", "aggregate_viewer")}  # fmt: skip
    who["api_key"] = (account, secret)
    found = []
    for name, (login, credential) in who.items():
        principal = await world.principal(login)
        scope = principal.scope
        line = next(((i, path) for i, customer, path in lines if scope.admits(customer, path, i)), None)
        unit = None
        if scope.subscriber_ids is None:
            unit = next((i, path) for i, customer, path in units if scope.admits(customer, path))
        start = BulkStart(customer_id=principal.customer_id, user_id=principal.user_id, login=login,
                          role=principal.role.value, request_id=uuid.uuid4().hex, operation="subscriberSuspend",
                          input={}, dry_run=True)  # fmt: skip
        operation = await world.sources.bulk.create(start, [line[0] if line else lines[0][0]])
        found.append(Caller(name, credential, principal, line, unit, operation))
    async with world.engines.state.begin() as conn:  # finished before any server could take them
        await conn.execute(
            text("update bulk_operations set status = 'completed', finished_at = :now"), {"now": datetime.now(UTC)}
        )
        # Each with its line's result, so that an event reaches the line's fields.
        await conn.execute(text("update bulk_items set state = 'done', outcome = 'would_apply'"))
    return found


def variables_of(probe: Probe, caller: Caller) -> dict[str, Any]:
    return {
        "bulkOperationProgress": {"id": to_global_id("BulkOperation", caller.operation)},
        "bundleUpdates": {"subscriber": to_global_id("Subscriber", caller.line[0] if caller.line else 1)},
    }.get(probe.field, {})


async def open_socket(base: str, credential: str) -> ClientConnection:
    socket = await connect(
        base.replace("http://", "ws://") + "/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {credential}"}}))
    assert (await received(socket))["type"] == "connection_ack"
    return socket


async def subscribe(socket: ClientConnection, id: str, query: str, variables: dict[str, Any]) -> None:
    await socket.send(json.dumps({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))


async def first_message(socket: ClientConnection, id: str, inbox: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The first message of subscription ``id`` (others that come first are kept in ``inbox``)."""
    async with asyncio.timeout(SECONDS):
        while not inbox.get(id):
            message = await received(socket)
            inbox.setdefault(message.get("id", ""), []).append(message)
    return inbox[id][0]


def forbidden_fields(message: dict[str, Any], document: str, held: frozenset[Permission]) -> set[str]:
    """The fields an event answered null with FORBIDDEN: exactly at the paths where the event
    reaches a field the role lacks (none under a null or an empty list); the rest is served."""
    assert message["type"] == "next", message
    data = message["payload"]["data"]
    assert data is not None, message
    errors = [e for e in message["payload"].get("errors") or () if e["extensions"]["code"] == "FORBIDDEN"]
    assert {tuple(e["path"]) for e in errors} == forbidden_paths(build_schema()._schema, document, data, held)
    assert all(value_at(data, e["path"]) is None for e in errors)
    return {e["extensions"]["field"] for e in errors}


async def event_of(
    socket: ClientConnection, id: str, caller: Caller, field: str, events: RedisEvents, inbox: dict[str, Any]
) -> dict[str, Any]:
    """The first message of subscription ``id``: alerts come when one is published."""
    if field == "spendingAlerts":
        return await heard_alert(socket, id, alert_for(caller), events, inbox)
    return await first_message(socket, id, inbox)


def alert_for(caller: Caller) -> SpendingAlert:
    """An alert this caller hears: of its line if it may see single lines, else of a unit of its."""
    customer = caller.principal.customer_id
    assert customer is not None
    if caller.line is not None and caller.principal.can(Permission.LINE_READ):
        subject, (line, path), unit = "line", caller.line, None
    else:
        assert caller.unit is not None
        subject, line, (unit, path) = "unit", None, caller.unit
    return SpendingAlert(subject=subject, customer_id=customer, org_path=path, line_id=line,  # type: ignore[arg-type]
                         org_unit_id=unit, threshold=80, period=month_start(today()), spent_minor=8000,
                         limit_minor=10000, currency="EUR", at=datetime.now(UTC))  # fmt: skip


async def heard_alert(
    socket: ClientConnection, id: str, alert: SpendingAlert, events: RedisEvents, inbox: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """Publish ``alert`` until subscription ``id`` hears it: the server's listener may not be on Redis yet."""
    async with asyncio.timeout(SECONDS):
        while not inbox.get(id):
            await events.publish(alerts_channel(alert.customer_id), alert.encode())
            try:
                async with asyncio.timeout(0.5):
                    message = await received(socket)
                    inbox.setdefault(message.get("id", ""), []).append(message)
            except TimeoutError:
                continue
    return inbox[id][0]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_every_subscription_field_refuses_what_each_callers_role_may_not_read(writable_world, servers, tmp_path):  # noqa: F811
    world = writable_world
    await (await reachable_redis()).aclose()
    prefix = f"corpcare-test-{uuid.uuid4().hex[:8]}:"
    everyone = await callers(world)
    server, base = await serving({**urls_of(world), "redis_url": REDIS_URL, "redis_prefix": prefix}, tmp_path)
    servers.append(server)
    events = RedisEvents(REDIS_URL, prefix + "events:")
    checked: dict[str, set[str]] = {}
    try:
        for caller in everyone:
            socket = await open_socket(base, caller.credential)
            inbox: dict[str, list[dict[str, Any]]] = {}
            for probe in probes(caller.principal.permissions):
                variables = variables_of(probe, caller)
                held = caller.principal.permissions
                if probe.denied:
                    await subscribe(socket, f"all-{probe.field}", probe.everything, variables)
                    event = await event_of(socket, f"all-{probe.field}", caller, probe.field, events, inbox)
                    refused = forbidden_fields(event, probe.everything, held)
                    assert refused <= set(probe.denied), (caller.name, probe.field)
                    if refused:
                        checked.setdefault(caller.name, set()).add(probe.field)
                await subscribe(socket, f"ok-{probe.field}", probe.allowed, variables)
                message = await event_of(socket, f"ok-{probe.field}", caller, probe.field, events, inbox)
                # Served: an event, or the resolver's own answer (NOT_FOUND: a line out of view), never a refusal.
                assert message["type"] == "next", (caller.name, probe.field, message)
                errors = message["payload"].get("errors") or []
                assert not any("field" in (e.get("extensions") or {}) for e in errors), (
                    caller.name,
                    probe.field,
                    errors,
                )
                if not errors:
                    assert message["payload"]["data"][probe.field] is not None
            if not caller.principal.can(Permission.PERSONAL_READ):
                await subscribe(socket, "issue", ANALYST_ALERTS, {})
                event = await event_of(socket, "issue", caller, "spendingAlerts", events, inbox)
                refused = forbidden_fields(event, ANALYST_ALERTS, caller.principal.permissions)
                if caller.principal.can(Permission.LINE_READ):  # its alert names a line: none of its personal data
                    assert {"Subscriber.msisdn", "Subscriber.employeeName", "Subscriber.email"} <= refused
                    assert {"Subscriber.iccid", "Subscriber.imsi"} <= refused
                else:  # a unit's alert: no line at all
                    assert event["payload"]["data"]["spendingAlerts"]["line"] is None
            await socket.close()
    finally:
        await events.close()
    # The roles the issue names were each refused something on every subscription field that can leak.
    assert checked["analyst"] >= {"bulkOperationProgress", "spendingAlerts"}
    assert checked["finance"] >= {"bulkOperationProgress", "spendingAlerts"}
    assert checked["api_key"] >= {"bulkOperationProgress", "spendingAlerts"}
    assert {"employee", "unit_admin", "aggregate_viewer"} <= set(checked)


async def test_subscriptions_have_no_other_way_in(world, servers, tmp_path):  # noqa: F811
    """Only graphql-transport-ws: not the legacy graphql-ws protocol, not SSE or multipart over HTTP,
    not a plain HTTP request (which is refused with a coded error rather than failing inside)."""
    server, base = await serving(urls_of(world), tmp_path)
    servers.append(server)
    try:
        legacy = await connect(base.replace("http://", "ws://") + "/graphql", subprotocols=[Subprotocol("graphql-ws")])
    except InvalidHandshake:
        pass
    else:
        with pytest.raises(ConnectionClosed):
            await legacy.send(json.dumps({"type": "connection_init", "payload": {}}))
            await legacy.recv()
    query = "subscription { spendingAlerts { threshold } }"
    headers = {"Authorization": f"Bearer {token(LOGINS['customer_admin'])}"}
    async with httpx.AsyncClient(base_url=base, timeout=SECONDS) as http:
        for accept in (
            "application/json",
            "text/event-stream",
            "multipart/mixed;subscriptionSpec=1.0,application/json",
        ):
            sent = headers | {"accept": accept}
            posted = await http.post("/graphql", json={"query": query}, headers=sent)
            for response in (posted, await http.get("/graphql", params={"query": query}, headers=sent)):
                assert response.headers["content-type"].startswith("application/"), response.headers
                [error] = response.json()["errors"]
                assert error["extensions"]["code"] == "BAD_REQUEST", error


SET_ROLE = """mutation($input: PortalUserSetRoleInput!) { portalUserSetRole(input: $input) {
  user { role } userErrors { code } } }"""
PERSONAL_ALERTS = "subscription { spendingAlerts { line { msisdn } } }"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_socket_whose_caller_is_made_an_analyst_is_judged_as_an_analyst(writable_world, servers, tmp_path):  # noqa: F811
    """The socket asks again who its token names; once the answer is another role, what runs
    under the old one is completed, and new subscriptions are judged for the new role."""
    world = writable_world
    await (await reachable_redis()).aclose()
    prefix = f"corpcare-test-{uuid.uuid4().hex[:8]}:"
    server, base = await serving({**urls_of(world), "redis_url": REDIS_URL, "redis_prefix": prefix}, tmp_path)
    servers.append(server)
    events = RedisEvents(REDIS_URL, prefix + "events:")
    unit_admin = await world.principal(LOGINS["unit_admin"])
    lines, _ = await lines_and_units(world)
    line = next((i, path) for i, customer, path in lines if unit_admin.scope.admits(customer, path, i))
    socket = await open_socket(base, token(unit_admin.login))
    inbox: dict[str, list[dict[str, Any]]] = {}
    await subscribe(socket, "before", PERSONAL_ALERTS, {})  # allowed to a unit admin: no event yet
    change = {"input": {"user": to_global_id("PortalUser", unit_admin.user_id), "role": "ANALYST"}}
    async with httpx.AsyncClient(base_url=base, timeout=SECONDS) as http:
        response = await http.post("/graphql", json={"query": SET_ROLE, "variables": change},
                                   headers={"Authorization": f"Bearer {token(LOGINS['customer_admin'])}"})  # fmt: skip
    assert response.json()["data"]["portalUserSetRole"] == {"user": {"role": "ANALYST"}, "userErrors": []}
    # Ask who we are until the socket has heard of the change (it asks every few seconds).
    role, asked = "UNIT_ADMIN", 0
    async with asyncio.timeout(SECONDS):
        while role != "ANALYST":
            asked += 1
            await subscribe(socket, f"who-{asked}", "{ viewer { role } }", {})
            answer = await first_message(socket, f"who-{asked}", inbox)
            role = answer["payload"]["data"]["viewer"]["role"]
            await asyncio.sleep(0.2)  # pacing the questions only; the loop waits on the answer
    assert [message["type"] for message in inbox["before"]] == ["complete"]
    await subscribe(socket, "after", PERSONAL_ALERTS, {})
    # Served as an analyst's: its line's number is null and FORBIDDEN.
    alert = alert_for(Caller("unit_admin", "", unit_admin, line, None, 0))
    try:
        event = await heard_alert(socket, "after", alert, events, inbox)
    finally:
        await events.close()
    assert forbidden_fields(event, PERSONAL_ALERTS, ROLE_PERMISSIONS[Role.ANALYST]) == {"Subscriber.msisdn"}
    await socket.close()
