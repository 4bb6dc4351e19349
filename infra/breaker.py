"""A circuit breaker: after ``failures`` failures in a row calls fail at once, without waiting on
a dead service, until ``reset_seconds`` have passed; then one trial call is let through, and its
outcome closes or reopens the breaker. The backends, the cache, the event bus and the Redis
throttle each hold one."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Breaker:
    def __init__(self, failures: int = 5, reset_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.failures = failures
        self.reset_seconds = reset_seconds
        self.clock = clock
        self.state = BreakerState.CLOSED
        self._failed_in_a_row = 0
        self._opened_at = 0.0
        self._trial_running = False
        self._trial_started_at = 0.0

    def allow(self) -> bool:
        if self.state is BreakerState.OPEN and self.clock() - self._opened_at >= self.reset_seconds:
            self.state = BreakerState.HALF_OPEN
            self._trial_running = False
        if self.state is BreakerState.HALF_OPEN:
            # A trial whose caller was cancelled never reports: after a reset period, another may try.
            if self._trial_running and self.clock() - self._trial_started_at < self.reset_seconds:
                return False
            self._trial_running = True
            self._trial_started_at = self.clock()
            return True
        return self.state is BreakerState.CLOSED

    @property
    def healthy(self) -> bool:
        """Closed, with no failure since the last success."""
        return self.state is BreakerState.CLOSED and self._failed_in_a_row == 0

    def retry_after(self) -> float:
        return max(self.reset_seconds - (self.clock() - self._opened_at), 0.0)

    def succeeded(self) -> None:
        self.state = BreakerState.CLOSED
        self._failed_in_a_row = 0
        self._trial_running = False

    def released(self) -> None:
        """A call that learned nothing about the backend (it waited on our own pool): a trial may go again."""
        self._trial_running = False

    def failed(self) -> None:
        self._failed_in_a_row += 1
        if self.state is BreakerState.HALF_OPEN or self._failed_in_a_row >= self.failures:
            self.state = BreakerState.OPEN
            self._opened_at = self.clock()
            self._trial_running = False
