"""The lines list's statements, built once per shape and scope, give each request its own rows:
a second request of the same shape, with other filter values, other cursors or another caller's
scope, reads what a statement built for it alone would (``sources/crm/line_reads.py``), on
SQLite and PostgreSQL. Checked against the lines read whole and filtered here, in Python."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from core.scope import RowScope, in_subtree
from sources.crm import line_reads
from sources.crm.line_reads import LineReads, SubscriberQuery
from sources.crm.models import Subscriber
from sources.crm.search import LineSearch
from sources.crm.source import CrmSource
from sources.keyset import Span


@dataclass(frozen=True, slots=True)
class Line:
    id: int
    customer_id: int
    org_path: str
    msisdn: str
    status: str
    activated_on: date
    folded: str


async def all_lines(world) -> list[Line]:
    columns = (
        Subscriber.id,
        Subscriber.customer_id,
        Subscriber.org_path,
        Subscriber.msisdn,
        Subscriber.status,
        Subscriber.activated_on,
        Subscriber.employee_name_folded,
    )
    async with world.engines.crm.connect() as conn:
        return [Line(*row) for row in await conn.execute(select(*columns))]


def like(pattern: str, value: str) -> bool:
    """SQL LIKE with ``\\`` as its escape character, in Python."""
    parts = re.findall(r"\\.|%|_|[^\\%_]+", pattern)
    regex = "".join(".*" if p == "%" else "." if p == "_" else re.escape(p[-1] if p[0] == "\\" else p) for p in parts)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def matching(lines: list[Line], query: SubscriberQuery, scope: RowScope) -> list[Line]:
    """The lines ``query``'s filters keep in ``scope``, by (sort value, id) in list order."""

    def kept(line: Line) -> bool:
        search = query.search
        found = search is None or (
            (bool(search.name) and search.name in line.folded) or any(like(p, line.msisdn) for p in search.numbers)
        )
        return (
            scope.admits(line.customer_id, line.org_path, line.id)
            and (query.customer_ids is None or line.customer_id in query.customer_ids)
            and (not query.statuses or line.status in query.statuses)
            and (query.subtree_path is None or in_subtree(line.org_path, query.subtree_path))
            and (query.among_ids is None or line.id in query.among_ids)
            and found
        )

    return sorted(filter(kept, lines), key=lambda line: (sort_value(line, query), line.id), reverse=query.descending)


def sort_value(line: Line, query: SubscriberQuery) -> Any:
    # Orders whose values compare alike in Python and in either database's collation.
    return {"activated_on": line.activated_on, "msisdn": line.msisdn}[query.order_by]


async def page_ids(world, query: SubscriberQuery, scope: RowScope) -> list[int]:
    return [record.id for record in await world.sources.crm.subscriber_page(query, scope)]


def expected_page(lines: list[Line], query: SubscriberQuery, scope: RowScope) -> list[int]:
    """``span`` of the ordered list as ``sources.keyset`` reads it, in reading order."""
    ordered, span = matching(lines, query, scope), query.span

    def key(line: Line) -> tuple[Any, int]:
        return (sort_value(line, query), line.id)

    def beyond(here: Any, end: Any) -> bool:
        return here < end if query.descending else here > end

    if span.after is not None:
        ordered = [line for line in ordered if beyond(key(line), span.after)]
    # A before at or above after (in list order) names no row left, and cuts none (Relay).
    if span.before is not None and (span.after is None or beyond(span.before, span.after)):
        ordered = [line for line in ordered if beyond(span.before, key(line))]
    taken = ordered[-span.fetch :][::-1] if span.backward else ordered[: span.fetch]
    return [line.id for line in taken]


@pytest.fixture
async def lines(world) -> list[Line]:
    return await all_lines(world)


def scopes(lines: list[Line]) -> list[RowScope]:
    """Callers of every kind: staff, two companies, a unit's admin, an employee."""
    first, second = sorted({line.customer_id for line in lines})[:2]
    unit = next(line.org_path for line in lines if line.customer_id == first and line.org_path.count("/") >= 4)
    own = next(line.id for line in lines if line.customer_id == second)
    return [
        RowScope.everything(),
        RowScope(customer_ids=frozenset({first})),
        RowScope(customer_ids=frozenset({second})),
        RowScope(customer_ids=frozenset({first}), org_paths=(unit.rsplit("/", 2)[0] + "/",)),
        RowScope(customer_ids=frozenset({second}), subscriber_ids=frozenset({own})),
    ]


async def test_one_statement_serves_callers_of_different_scopes_one_after_another(world, lines):
    query = SubscriberQuery(order_by="activated_on", span=Span(7))
    for scope in [*scopes(lines), *scopes(lines)[::-1]]:
        assert await page_ids(world, query, scope) == expected_page(lines, query, scope), scope
        expected = matching(lines, query, scope)
        assert await world.sources.crm.subscriber_total(query, scope) == len(expected)
        ids = await world.sources.crm.subscriber_ids(query, scope, 5)
        assert ids == sorted(line.id for line in expected)[:5]


async def test_a_second_request_of_the_same_shape_reads_its_own_filter_values(world, lines):
    everything = RowScope.everything()
    customers = sorted({line.customer_id for line in lines})
    paths = sorted({line.org_path for line in lines})
    statuses = sorted({line.status for line in lines})
    some = frozenset(line.id for line in lines[::3])
    name = next(line.folded for line in lines if len(line.folded) > 4)
    number = lines[len(lines) // 2].msisdn
    asked = [
        SubscriberQuery(customer_ids=frozenset({customers[0]})),
        SubscriberQuery(customer_ids=frozenset(customers[1:])),
        SubscriberQuery(customer_ids=frozenset()),
        SubscriberQuery(statuses=(statuses[0],)),
        SubscriberQuery(statuses=tuple(statuses[1:])),
        SubscriberQuery(subtree_path=paths[0]),
        SubscriberQuery(subtree_path=paths[-1]),
        SubscriberQuery(among_ids=some),
        SubscriberQuery(among_ids=frozenset()),
        SubscriberQuery(search=LineSearch(name[1:4])),
        SubscriberQuery(search=LineSearch(name[-3:])),
        # LIKE's wildcards in the text are characters to find.
        SubscriberQuery(search=LineSearch("%")),
        SubscriberQuery(search=LineSearch(name[1] + "_" + name[3])),
        SubscriberQuery(search=LineSearch("", (number[:6] + "%",))),
        SubscriberQuery(search=LineSearch("", ("%" + number[-5:-1] + "%",))),
        SubscriberQuery(search=LineSearch(name[:3], (number[:6] + "%", "%" + number[-4:]))),
        SubscriberQuery(search=LineSearch(name[2:5], ("%" + number[-3:], number[:7] + "%"))),
        SubscriberQuery(
            customer_ids=frozenset(customers), statuses=(statuses[-1],), subtree_path=paths[1], among_ids=some
        ),
        SubscriberQuery(
            customer_ids=frozenset({customers[0]}), statuses=tuple(statuses), subtree_path=paths[2], among_ids=some
        ),
    ]
    crm = world.sources.crm
    for query in asked:
        query = replace(query, order_by="msisdn", span=Span(1000))
        expected = matching(lines, query, everything)
        assert await page_ids(world, query, everything) == [line.id for line in expected][:1001], query
        assert await crm.subscriber_total(query, everything) == len(expected), query
        assert await crm.subscriber_ids(query, everything, 3) == sorted(line.id for line in expected)[:3], query


async def test_cursors_of_either_end_in_either_direction_read_their_own_span(world, lines):
    scope = RowScope(customer_ids=frozenset({lines[0].customer_id}))
    for descending in (False, True):
        query = SubscriberQuery(order_by="activated_on", descending=descending)
        ordered = matching(lines, query, scope)
        keys = [(line.activated_on, line.id) for line in ordered]
        spans = [
            Span(4),
            Span(4, backward=True),
            *(Span(4, after=keys[n]) for n in (0, 5, len(keys) - 2)),
            *(Span(4, before=keys[n], backward=True) for n in (len(keys) - 1, 9, 1)),
            Span(3, after=keys[2], before=keys[8]),
            Span(3, after=keys[10], before=keys[20], backward=True),
            Span(3, after=keys[8], before=keys[2]),  # a before at or above after cuts nothing
        ]
        for span in spans:
            spanned = replace(query, span=span)
            assert await page_ids(world, spanned, scope) == expected_page(lines, spanned, scope), spanned


async def test_a_shape_is_built_once_and_another_shape_gets_its_own_statement(world):
    reads, scope = world.sources.crm._lines, RowScope.everything()
    first, _ = reads.page(SubscriberQuery(statuses=("active",), span=Span(5)), scope)
    again, values = reads.page(SubscriberQuery(statuses=("suspended", "terminated"), span=Span(9)), scope)
    assert again is first
    assert values["fetch"] == 10
    assert reads.page(SubscriberQuery(span=Span(5)), scope)[0] is not first
    assert reads.page(SubscriberQuery(statuses=("active",), span=Span(5)), RowScope(frozenset({1})))[0] is not first


async def test_on_postgresql_a_shape_after_its_first_run_goes_straight_to_the_driver(world, lines):
    if world.backend != "postgres":
        pytest.skip("SQLite runs every statement through SQLAlchemy")
    crm = CrmSource(world.sources.crm.backend)  # nothing built yet
    scope = RowScope(customer_ids=frozenset({lines[0].customer_id}))
    statuses = sorted({line.status for line in lines})
    executed: list[str] = []
    sent: list[str] = []
    engine = world.engines.crm.sync_engine
    listeners = {
        "before_execute": lambda *_: executed.append("x"),
        "before_cursor_execute": lambda *a: sent.append(a[2]),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        for status in statuses:
            query = SubscriberQuery(statuses=(status,), order_by="msisdn", span=Span(5))
            assert await page_ids(world, query, scope) == expected_page(lines, query, scope)
            assert await crm.subscriber_page(query, scope) == await world.sources.crm.subscriber_page(query, scope)
            assert await crm.subscriber_total(query, scope) == len(matching(lines, query, scope))
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    # The world's source and the fresh one: each shape executed by SQLAlchemy once, every run seen.
    assert 2 <= len(executed) <= 3
    assert len(sent) == 4 * len(statuses)


def test_statements_kept_are_bounded_and_the_oldest_goes_first(monkeypatch):
    monkeypatch.setattr(line_reads, "STATEMENTS_KEPT", 2)
    reads = LineReads("sqlite")
    scopes = [RowScope(frozenset({n})) for n in range(3)]
    built = [reads.total(SubscriberQuery(), scope)[0] for scope in scopes]
    assert reads.total(SubscriberQuery(), scopes[2])[0] is built[2]
    assert reads.total(SubscriberQuery(), scopes[0])[0] is not built[0]
    assert len(reads._built) == 2
