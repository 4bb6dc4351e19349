"""Each customer's fair share of a process, driven by an injected clock (issue 13, findings 6 and 7)."""

from __future__ import annotations

import pytest

from core.errors import RateLimited
from infra.fair_share import FairShare, ShareLimits

HEAVY, LIGHT = 1_000, 10
LIMITS = ShareLimits(heavy_cost=100, heavy=2, operations=4, window_seconds=10)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def refusal(share: FairShare, customer: str, cost: int) -> dict[str, object]:
    with pytest.raises(RateLimited) as refused:
        share.admit(customer, cost)
    assert refused.value.extensions["retryAfterSeconds"] >= 1
    return refused.value.extensions


def test_a_customer_running_its_heavy_limit_is_refused_another_heavy_one_but_not_a_light_one():
    share = FairShare(LIMITS, Clock())
    running = [share.admit("acme", HEAVY), share.admit("acme", HEAVY)]
    assert refusal(share, "acme", HEAVY)["reason"] == "HEAVY_CONCURRENCY"
    share.admit("acme", LIGHT).release()
    share.admit("borealis", HEAVY).release()  # another company is not held by acme's load
    running[0].release()
    share.admit("acme", HEAVY).release()


def test_a_customer_running_its_operation_limit_is_refused_any_other_until_one_ends():
    share = FairShare(LIMITS, Clock())
    running = [share.admit("acme", LIGHT) for _ in range(LIMITS.operations)]
    assert refusal(share, "acme", LIGHT)["reason"] == "CONCURRENCY"
    running[-1].release()
    running[-1].release()  # releasing twice frees one place, not two
    share.admit("acme", LIGHT)
    assert refusal(share, "acme", LIGHT)["reason"] == "CONCURRENCY"


def test_alone_a_customer_may_use_the_whole_window():
    clock = Clock()
    share = FairShare(LIMITS, clock)
    ticket = share.admit("acme", HEAVY)
    clock.now += 9.5
    ticket.release()
    assert share.used("acme") == pytest.approx(9.5)
    share.admit("acme", HEAVY).release()


def test_alone_a_customer_whose_operations_side_by_side_add_up_to_more_than_the_window_is_not_refused():
    clock = Clock()
    share = FairShare(LIMITS, clock)
    running = [share.admit("acme", HEAVY), share.admit("acme", HEAVY)]
    clock.now += 8
    assert share.used("acme") == pytest.approx(16)  # more than the whole window: its two workers' time
    running.pop().release()
    running.append(share.admit("acme", HEAVY))  # nobody else is active: the whole process is its own
    clock.now += 1
    for ticket in running:
        ticket.release()
    share.admit("acme", HEAVY).release()
    # The share still holds it back as soon as another company is active.
    other = share.admit("borealis", LIGHT)
    assert refusal(share, "acme", HEAVY)["reason"] == "TIME_SHARE"
    share.admit("borealis", HEAVY).release()
    other.release()


def test_a_customer_over_its_share_while_another_is_active_has_heavy_work_refused_until_it_recovers():
    clock = Clock()
    share = FairShare(LIMITS, clock)
    ticket = share.admit("acme", HEAVY)
    clock.now += 8
    ticket.release()
    other = share.admit("borealis", LIGHT)  # borealis is active: each may take 5 s of the 10
    clock.now += 1
    refused = refusal(share, "acme", HEAVY)
    assert refused["reason"] == "TIME_SHARE" and refused["retryAfterSeconds"] == 3
    share.admit("acme", LIGHT).release()  # light work still goes
    share.admit("borealis", HEAVY).release()
    other.release()
    # Acme's 8 s leave the window as time passes; at under 5 s it may run heavy work again.
    clock.now += 5
    assert share.used("acme") < 5
    share.admit("acme", HEAVY).release()


def test_running_work_counts_towards_the_share_before_it_ends():
    clock = Clock()
    share = FairShare(LIMITS, clock)
    share.admit("acme", HEAVY)
    share.admit("borealis", LIGHT)
    clock.now += 6
    assert share.used("acme") == pytest.approx(6)
    assert refusal(share, "acme", HEAVY)["reason"] == "TIME_SHARE"


def test_customers_idle_for_a_window_are_forgotten():
    clock = Clock()
    share = FairShare(LIMITS, clock)
    for number in range(100):
        ticket = share.admit(f"customer {number}", LIGHT)
        clock.now += 0.1
        ticket.release()
    clock.now += 2 * LIMITS.window_seconds
    assert share.share() == LIMITS.window_seconds  # nobody else is active any more
    assert share._customers == {}
