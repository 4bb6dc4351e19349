"""The circuit breaker in front of each backend and of Redis."""

from __future__ import annotations

from infra.breaker import Breaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_after_failures_it_opens_then_lets_one_trial_through_and_a_success_closes_it():
    clock = Clock()
    breaker = Breaker(failures=2, reset_seconds=5, clock=clock)
    breaker.failed()
    assert breaker.allow()
    breaker.failed()
    assert not breaker.allow()
    clock.now = 5
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.succeeded()
    assert breaker.allow() and breaker.healthy


def test_a_trial_whose_caller_never_reports_does_not_keep_the_breaker_shut():
    """A trial's caller may be cancelled mid-call (a subscription that ends): neither success
    nor failure is reported. After another reset period a new trial may go."""
    clock = Clock()
    breaker = Breaker(failures=1, reset_seconds=5, clock=clock)
    breaker.failed()
    clock.now = 5
    assert breaker.allow()  # the trial, never heard of again
    clock.now = 9
    assert not breaker.allow()
    clock.now = 10
    assert breaker.allow()
