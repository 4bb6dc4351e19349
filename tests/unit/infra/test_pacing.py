"""Paced bulk work rests in proportion to what it just did while others are served here, and
not at all on a quiet process (infra/pacing.py). The clock and the rest are injected: no test
here waits on time."""

from __future__ import annotations

from collections import Counter

import pytest

from infra.fair_share import FairShare, ShareLimits
from infra.pacing import MOST_REST_SECONDS, Pacer
from sources.state.bulk_operations import ITEM_BATCH, BulkStart


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def paced(duty: float = 0.5, mine: int = 0) -> tuple[Pacer, FairShare, Clock, list[float]]:
    clock = Clock()
    share = FairShare(ShareLimits(duty=duty), clock=clock)
    rests: list[float] = []

    async def rest(seconds: float) -> None:
        rests.append(seconds)

    return Pacer(share, mine=mine, clock=clock, sleep=rest), share, clock, rests


async def test_paced_work_rests_as_long_as_its_step_took_while_another_request_was_served():
    pacer, share, clock, rests = paced(duty=0.5)
    await pacer()  # the first step has nothing behind it
    clock.now += 0.1
    share.admit("7", cost=10).release()  # another company's request, served during the step
    clock.now += 0.2
    await pacer()
    assert rests == [pytest.approx(0.3)]


async def test_a_smaller_duty_rests_longer_and_a_rest_has_a_ceiling():
    pacer, share, clock, rests = paced(duty=0.25)
    await pacer()
    share.admit("7", cost=10).release()
    clock.now += 0.2
    await pacer()
    share.admit("7", cost=10).release()
    clock.now += 60
    await pacer()
    assert rests == [pytest.approx(0.6), MOST_REST_SECONDS]


async def test_paced_work_on_a_quiet_process_goes_on_without_resting():
    pacer, share, clock, rests = paced()
    share.admit("7", cost=10).release()  # served before the work began: not during a step
    clock.now += 0.1
    for _ in range(3):
        await pacer()
        clock.now += 5
    assert rests == []


async def test_a_request_pacing_itself_rests_for_the_others_only():
    pacer, share, clock, rests = paced(mine=1)
    own = share.admit("3", cost=50_000)
    clock.now += 0.1
    await pacer()
    clock.now += 0.4
    await pacer()
    assert rests == [], "its own running does not count"
    share.admit("7", cost=10).release()
    clock.now += 0.4
    await pacer()
    own.release()
    assert rests == [pytest.approx(0.4)]


async def test_a_bulk_start_paces_each_batch_of_items_on_postgresql_and_none_inside_sqlites_write_lock(
    writable_world,
):
    world = writable_world
    steps: Counter[str] = Counter()

    async def pace() -> None:
        steps["paced"] += 1

    lines = list(range(1, 2 * ITEM_BATCH + 2))  # three batches
    start = BulkStart(customer_id=1, user_id=1, login="acme.admin", role="customer_admin", request_id="pacing",
                      operation="subscriberSuspend", input={}, dry_run=True)  # fmt: skip
    operation = await world.sources.bulk.create(start, lines, pace)
    items = await world.scalar("state", "select count(*) from bulk_items where operation_id = :o", o=operation)
    assert items == len(lines)
    assert steps["paced"] == (3 if world.backend == "postgres" else 0)
