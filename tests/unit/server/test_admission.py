"""The bookkeeping of turns when a queued request gives up (cancelled, or its deadline passed) in
the same turn of the event loop as a turn is handed on to it: no error, no turn lost or granted
twice, and ``running`` and the queue back to 0 once every request has ended.

The races are driven by the order of asyncio's ready queue, never by the clock: a task's
cancellation only runs its handler on the loop's next turn, so a hand-on made before that sees
the waiter already given up (cancelled) or the turn already given (a result). The injected clock
makes a deadline pass at once."""

from __future__ import annotations

import asyncio
import random

import pytest

from server.admission import Admission, AdmissionLimits, Shed
from tests.waiting import until, within

NOW = 100.0
FAR = NOW + 1_000  # a deadline no request here reaches


def one_turn(queued: int = 10) -> Admission:
    return Admission(AdmissionLimits(running=1, queued=queued, wait_seconds=5.0), clock=lambda: NOW)


class Requests:
    """Requests taking turns of ``admission``: who held one, and how many held one at once."""

    def __init__(self, admission: Admission) -> None:
        self.admission = admission
        self.served: list[str] = []
        self.holding = 0
        self.most_at_once = 0
        self.release = asyncio.Event()

    def send(self, name: str, deadline: float = FAR) -> asyncio.Task[None]:
        async def request() -> None:
            async with self.admission.turn(deadline, company=name):
                self.served.append(name)
                self.holding += 1
                self.most_at_once = max(self.most_at_once, self.holding)
                try:
                    await self.release.wait()
                finally:
                    self.holding -= 1

        return asyncio.create_task(request(), name=name)


def assert_idle(admission: Admission) -> None:
    assert (admission.running, admission.queued, len(admission._queue)) == (0, 0, 0)
    assert not admission._waiting


async def test_a_queued_request_cancelled_just_before_the_turn_is_handed_on_leaves_without_an_error():
    admission = one_turn()
    requests = Requests(admission)
    async with admission.turn(FAR):
        gives_up, next_one = requests.send("gives up"), requests.send("next")
        await until(lambda: admission.queued == 2, "two requests queued")
        gives_up.cancel()  # its waiter is cancelled now; its task only learns it on the loop's next turn
    # Leaving the block handed the turn on before the cancelled request ran again: it skipped its waiter.
    with pytest.raises(asyncio.CancelledError):
        await gives_up
    await until(lambda: requests.served == ["next"], "the next request to be served")
    requests.release.set()
    await within(next_one, 10)
    assert requests.served == ["next"] and requests.most_at_once == 1
    assert_idle(admission)


async def test_a_queued_request_whose_deadline_passes_just_before_the_turn_is_handed_on_is_shed_without_an_error():
    admission = one_turn()
    requests = Requests(admission)
    async with admission.turn(FAR):
        # On the injected clock its deadline is now: its time-out fires on the loop's next turn.
        late = requests.send("late", deadline=NOW)
        # Its waiter is cancelled by the time-out and it has not run since: the queue looks empty.
        await until(lambda: len(admission._queue) == 1 and admission.queued == 0, "the time-out to fire")
    with pytest.raises(Shed) as shed:
        await late
    assert shed.value.reason == "WAITED_TOO_LONG" and requests.served == []
    assert_idle(admission)


async def test_a_request_handed_the_turn_just_as_it_gives_up_hands_it_to_the_next_one():
    admission = one_turn()
    requests = Requests(admission)
    async with admission.turn(FAR):
        gives_up, next_one = requests.send("gives up"), requests.send("next")
        await until(lambda: admission.queued == 2, "two requests queued")
    gives_up.cancel()  # the turn is already its own (a result on its waiter), and it has not run since
    with pytest.raises(asyncio.CancelledError):
        await gives_up
    await until(lambda: requests.served == ["next"], "the next request to be served")
    requests.release.set()
    await within(next_one, 10)
    assert requests.most_at_once == 1
    assert_idle(admission)


@pytest.mark.parametrize("seed", range(20))
async def test_requests_that_give_up_at_any_moment_never_break_the_count_of_turns(seed: int):
    """Random interleavings (seeded: each run is the same) of arrivals, ends of turns and
    cancellations, each made in the same turn of the loop as others."""
    choose = random.Random(seed)
    admission = Admission(AdmissionLimits(running=3, queued=40, wait_seconds=5.0), clock=lambda: NOW)
    holding: dict[str, asyncio.Event] = {}
    at_once = [0, 0]  # now, most
    tasks: list[asyncio.Task[None]] = []

    async def request(name: str) -> None:
        done = holding.setdefault(name, asyncio.Event())
        async with admission.turn(FAR, company=name):
            at_once[0] += 1
            at_once[1] = max(at_once)
            try:
                await done.wait()
            finally:
                at_once[0] -= 1

    for step in range(60):
        for _ in range(choose.randint(0, 3)):  # several moves in one turn of the loop
            move = choose.random()
            live = [task for task in tasks if not task.done()]
            if move < 0.45 or not live:
                name = f"r{step}.{len(tasks)}"
                tasks.append(asyncio.create_task(request(name), name=name))
            elif move < 0.75:
                holding.setdefault(choose.choice(live).get_name(), asyncio.Event()).set()
            else:
                choose.choice(live).cancel()
        await asyncio.sleep(0)
        assert admission.running <= 3 and at_once[0] <= admission.running
    for task in tasks:
        holding.setdefault(task.get_name(), asyncio.Event()).set()
    results = await within(asyncio.gather(*tasks, return_exceptions=True), 10)  # a lost turn would hang it
    unexpected = [r for r in results if r is not None and not isinstance(r, asyncio.CancelledError)]
    assert unexpected == [] and at_once == [0, max(1, at_once[1])] and at_once[1] <= 3
    assert_idle(admission)
