"""Noisy neighbour (issue 13), the bounded version of ``bench/noisy.py``: while Acme's callers
run each attack at the edge of their limits against two real ``corpcare serve`` processes
(production mode, PostgreSQL, Redis), Borealis's dashboard gets no error and stays within a
generous bound of its quiet p95. The benchmark holds it to 2x on a quiet machine; this bound
allows for a loaded one. B's requests start once an attack request is on the wire, go out at a
steady pace whatever the answers take (a stalled server is charged for every request it holds),
and the attack goes on until B's last request is answered."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from bench.noisy import Sample, measure, render
from bench.noisy_attacks import ATTACKS, Attack
from bench.noisy_servers import Servers, Stack, private_database
from tests.support import reachable_redis, service_missing

pytestmark = [pytest.mark.alone, pytest.mark.postgres, pytest.mark.redis]

LINES = 2000  # Acme gets 1,500: enough for a report over every line and month to be real work
QUIET = 30  # B's dashboards one after another: a p95 that one hiccup of a busy machine does not set
ATTACKED, RATE = 10, 2.0  # B's dashboards during the attack, and a second (their p95: the slowest)
SLOWER = 10  # B's attacked p95 may be this many times its quiet p95, ...
FLOOR_MS = 1000  # ... or this, if more: a machine busy with other work is slow now and then
# (A fixed allowance on top instead let today's 3.9 MB of spaces pass one run in four.)


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """The demo in PostgreSQL databases of its own (dropped afterwards)."""
    await (await reachable_redis()).aclose()
    async with AsyncExitStack() as cleanup:
        try:
            urls = await cleanup.enter_async_context(private_database(LINES))
        except (OSError, ConnectionError) as error:
            service_missing("PostgreSQL", error)
        yield Stack(urls, tmp_path_factory.mktemp("noisy"))


@pytest.fixture(scope="module")
async def servers(stack: Stack) -> AsyncIterator[Servers]:
    async with Servers(stack) as pair:
        yield pair


# The slow clients stay in the benchmark: they hold connections, not the servers' time (B keeps
# its pace beside them even before issue 13); the read time-outs are the HTTP layer's tests.
PROVEN = [pytest.param(attack, id=attack.name) for attack in ATTACKS if not attack.slow_clients]


@pytest.mark.parametrize("attack", PROVEN)
async def test_another_companys_dashboard_gets_no_error_and_keeps_its_pace_while_acme_attacks(
    servers: Servers, attack: Attack
) -> None:
    # A dashboard not answered within the bound is given up on, an error (no stall is waited out).
    row = await measure(attack, servers, requests=ATTACKED, rate=RATE, give_up=bound, quiet_requests=QUIET)

    table = render([row], header=f"{attack.description}:")
    print(table)  # shown with -s or -rP: the figures of a passing run
    # B (Borealis) is billed in EUR and in CHF (its grid division); the dashboard reads its units'
    # spending per currency, so a quiet answer has no error, and any error is the attack's doing.
    assert row.quiet.errors == Counter(), table
    assert row.attacked.errors == Counter(), table
    assert len(row.attacked.latencies) == ATTACKED
    assert row.attacked.p95 <= bound(row.quiet), table


def bound(quiet: Sample) -> float:
    return max(SLOWER * quiet.p95, FLOOR_MS)
