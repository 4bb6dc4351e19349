"""Operations generated from the real schema (hypothesis-graphql), run as every kind of caller.

For each generated operation and caller: every error carries a documented code and none is
INTERNAL_SERVER_ERROR; no message shows SQL, a traceback or a file; every object id in the
answer is in the caller's scope as the databases say (``tests/oracle.py``); and no
pooled connection is left checked out. Mutations are generated for callers that may not make
them, each on a fresh database, and must change nothing of Acme's.

Volume, per role: ``EXAMPLES`` queries and ``MUTATION_EXAMPLES`` mutations on each backend,
deterministic (the same operations on every run). The last test prints what ran and how it
ended, and checks that every role got its examples. ``CORPCARE_FUZZ_SCALE=10`` runs ten times
as many, for a deeper look (0.1: a tenth, for a quick one).
"""

from __future__ import annotations

import collections
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from engine.build import build_schema
from permissions.roles import Role
from tests.api.engine.fuzzing import CODES, LEAKY, id_pools, operations
from tests.oracle import Rows, Scope, fingerprint, object_ids, read_rows
from tests.support import LOGINS, World

ROLES = list(LOGINS)
SCALE = float(os.environ.get("CORPCARE_FUZZ_SCALE", "1"))


def scaled(sqlite: int, postgres: int) -> dict[str, int]:
    return {"sqlite": max(1, round(sqlite * SCALE)), "postgres": max(1, round(postgres * SCALE))}


# About 40 ms an operation on either backend, most of it generating the document.
EXAMPLES = scaled(100, 50)
MUTATION_EXAMPLES = scaled(15, 8)
# Callers that may not write (finance: except budgets; the other company's admin: not at Acme).
READ_ONLY = ("other_admin", "finance", "support", "analyst", "aggregate_viewer")
BUDGET_MUTATIONS = ("orgUnitSetBudget",)

# (backend, role) -> operations run, how they ended, and how many object ids were checked.
VOLUME: collections.Counter[tuple[str, str]] = collections.Counter()
OUTCOMES: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
CHECKED: collections.Counter[tuple[str, str]] = collections.Counter()


def fuzz(examples: int) -> settings:
    """Deterministic and bounded: the same operations on every run, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # The worlds are seeded once per test, not per example; documents may be large.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def on(backend: str) -> pytest.MarkDecorator:
    """One backend's world only: each backend has its own share of the time budget."""
    return pytest.mark.parametrize("backend", [backend], indirect=True, scope="session")


class Target:
    """A world, its rows as the databases hold them, and the strategies built over them."""

    def __init__(self, world: World, rows: Rows) -> None:
        self.world, self.rows = world, rows
        self.strategies: dict[tuple[str, bool], Any] = {}
        self.before: dict[str, str] | None = None

    def __repr__(self) -> str:  # what Hypothesis prints with a failing example
        return f"Target({self.world.backend})"

    def operations(self, role: str, *, mutations: bool = False) -> Any:
        if (role, mutations) not in self.strategies:
            as_role = Role("customer_admin" if role == "other_admin" else role)
            fields = None
            if mutations and as_role is Role.FINANCE:  # finance may set budgets: the rest it may not do
                names = build_schema()._schema.mutation_type.fields  # type: ignore[union-attr]
                fields = tuple(name for name in names if name not in BUDGET_MUTATIONS)
            pools = id_pools(self.rows)
            self.strategies[(role, mutations)] = operations(as_role, pools, mutations=mutations, fields=fields)
        return self.strategies[(role, mutations)]

    def checked_out(self) -> int:
        return sum(engine.sync_engine.pool.checkedout() for engine, _ in self.world.engines.pairs())


@pytest.fixture
async def target(world: World) -> Target:
    return Target(world, await read_rows(world))


@pytest.fixture
async def writable_target(writable_world: World) -> Target:
    return Target(writable_world, await read_rows(writable_world))


def problems_in(result: Any, scope: Scope) -> list[str]:
    """What is wrong with one answer, in words; empty when nothing is."""
    found = []
    for error in result.errors or ():
        code = (error.extensions or {}).get("code")
        if code not in CODES:
            found.append(f"error with code {code!r}: {error.message}")
        found += [f"{fragment!r} in message: {error.message}" for fragment in LEAKY if fragment in error.message]
    if outside := scope.outside(result.data):
        found.append(f"objects outside the scope of {scope.role}: {outside}")
    return found


def outcome(result: Any) -> str:
    codes = sorted({(e.extensions or {}).get("code", "?") for e in result.errors or ()})
    if not codes:
        return "ok"
    return ("partial " if result.data else "") + "+".join(codes)


async def test_the_oracle_tells_what_each_caller_may_see(target):
    """The oracle itself, on answers known to be out of scope for some callers."""
    lines = "{ subscribers(first: 2000) { nodes { id orgUnit { id } } } customer { id } }"
    everything = (await target.world.run(LOGINS["customer_admin"], lines)).data
    outside = {role: Scope.of(target.rows, role).outside(everything) for role in ROLES}
    assert outside["customer_admin"] == outside["finance"] == outside["analyst"] == outside["support"] == []
    acme_lines = {k for k, v in target.rows.lines.items() if v[0] == 1}
    assert {k for t, k in outside["other_admin"] if t == "Subscriber"} == acme_lines
    assert ("Customer", 1) in outside["other_admin"]
    sales = {k for t, k in Scope.of(target.rows, "unit_admin").outside(everything) if t == "Subscriber"}
    assert 0 < len(sales) < len(acme_lines)  # the lines outside Sales, not the ones inside
    assert {k for t, k in outside["aggregate_viewer"] if t == "Subscriber"} == acme_lines
    assert {k for t, k in outside["employee"] if t == "Subscriber"} == acme_lines - {
        Scope.of(target.rows, "employee").line
    }


async def run_generated_query(target: Target, role: str, data: Any) -> None:
    world, scope = target.world, Scope.of(target.rows, role)
    query = data.draw(target.operations(role), label="query")
    note(query)
    result = await world.run(LOGINS[role], query)
    VOLUME[(world.backend, role)] += 1
    OUTCOMES[(world.backend, role)][outcome(result)] += 1
    CHECKED[(world.backend, role)] += sum(1 for _ in object_ids(result.data))
    note(f"errors: {[(e.extensions or {}).get('code') for e in result.errors or ()]}")
    assert not problems_in(result, scope), problems_in(result, scope)
    assert target.checked_out() == 0, "a pooled connection was left checked out"


@pytest.mark.parametrize("role", ROLES)
@on("sqlite")
@fuzz(EXAMPLES["sqlite"])
@given(data=st.data())
async def test_generated_queries_on_sqlite_keep_to_coded_errors_and_the_callers_scope(target, role, data):
    await run_generated_query(target, role, data)


@pytest.mark.parametrize("role", ROLES)
@on("postgres")
@fuzz(EXAMPLES["postgres"])
@given(data=st.data())
async def test_generated_queries_on_postgres_keep_to_coded_errors_and_the_callers_scope(target, role, data):
    await run_generated_query(target, role, data)


async def run_generated_mutation(target: Target, role: str, data: Any) -> None:
    world, scope = target.world, Scope.of(target.rows, role)
    if target.before is None:
        target.before = await fingerprint(world, target.rows, customer=1)
    mutation = data.draw(target.operations(role, mutations=True), label="mutation")
    note(mutation)
    result = await world.run(LOGINS[role], mutation)
    VOLUME[(world.backend, f"{role} (mutations)")] += 1
    OUTCOMES[(world.backend, f"{role} (mutations)")][outcome(result)] += 1
    # A payload names the lines it was sent (lineId), in scope or not: only codes and messages count here.
    assert not [p for p in problems_in(result, scope) if "outside the scope" not in p], problems_in(result, scope)
    assert target.checked_out() == 0, "a pooled connection was left checked out"
    assert await fingerprint(world, target.rows, customer=1) == target.before, f"{role} changed Acme's data"


@pytest.mark.parametrize("role", READ_ONLY)
@on("sqlite")
@fuzz(MUTATION_EXAMPLES["sqlite"])
@given(data=st.data())
async def test_generated_mutations_on_sqlite_by_callers_who_may_not_make_them_change_nothing(
    writable_target, role, data
):
    await run_generated_mutation(writable_target, role, data)


@pytest.mark.parametrize("role", READ_ONLY)
@on("postgres")
@fuzz(MUTATION_EXAMPLES["postgres"])
@given(data=st.data())
async def test_generated_mutations_on_postgres_by_callers_who_may_not_make_them_change_nothing(
    writable_target, role, data
):
    await run_generated_mutation(writable_target, role, data)


def test_every_role_ran_its_share_of_the_fuzz(capsys):
    """Last in the module: prints what ran and how it ended, and checks the volume."""
    if not VOLUME:
        pytest.skip("no fuzz test ran in this session")
    with capsys.disabled():
        print()
        for (backend, role), count in sorted(VOLUME.items()):
            ids = f", {CHECKED[(backend, role)]} ids checked" if (backend, role) in CHECKED else ""
            ends = dict(OUTCOMES[(backend, role)].most_common())
            print(f"fuzz {backend:8} {role:28} {count:4} operations{ids}: {ends}")
    for (backend, role), count in VOLUME.items():
        assert count >= (MUTATION_EXAMPLES if role.endswith("(mutations)") else EXAMPLES)[backend], (backend, role)
