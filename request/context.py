"""The typed request context every resolver receives as ``info.context``.

It holds the request's loaders, one per class, each made on first use: ``context.loader(
SubscriberByIdLoader)`` is the request's ``SubscriberByIdLoader``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import strawberry

from core.values import month_start
from infra.fair_share import FairShare
from infra.pacing import Pacer
from loaders import LoadContext, Loaders, SourceLoader
from permissions.cost_allowances import CostAllowances
from permissions.disclosure import MIN_GROUP_SIZE, group_floor
from permissions.principal import Principal
from sources import Sources

L = TypeVar("L", bound=SourceLoader[Any, Any])

# How often a long-lived subscription asks again who its socket's token names.
RECHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class PageLimits:
    default_size: int = 50
    max_size: int = 2000


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """What one operation may ask, checked on the document before anything runs."""

    # The heaviest benchmark operations are estimated at about 68,000 (big_list: 2,000 lines
    # with unit, plan and services) and, priced by its work, a 12-month spending report by
    # department over 75,000 lines at about 43,000 (engine/work.py): they pass.
    max_cost: int = 100_000
    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 10_000
    max_directives: int = 50
    # A bulk change's selection may list up to 100,000 lines by id; no other list comes close.
    max_input_list: int = 100_000


@dataclass(slots=True)
class Intent:
    """The change under way: its intent's audit record, settled when the change ends
    (``resolvers/mutation.py``)."""

    operation: str
    audit_id: int
    detail: dict[str, Any]


@dataclass(slots=True)
class Context:
    principal: Principal
    loaders: Loaders
    sources: Sources
    today: date
    request_id: str
    pages: PageLimits
    limits: QueryLimits = QueryLimits()
    # A WebSocket's: what its connection_init sent (the token); a WebSocket's or an event stream's
    # (server/sse.py) connection itself.
    connection_params: dict[str, Any] | None = None
    connection: Any = None
    # The cost allowances operations are charged to (infra.throttle); None: not charged (in-process
    # execution by tests, benchmarks and tools; the server always sets them).
    cost_allowances: CostAllowances | None = None
    # A WebSocket's or an event stream's: who its token names now (None: the token expired or the
    # user is gone).
    reauthorize: Callable[[], Awaitable[Principal | None]] | None = None
    _checked: tuple[float, Principal | None] | None = None
    # CORPCARE_MIN_GROUP_SIZE: the fewest lines a figure may stand for, for callers without
    # line:read (permissions/disclosure.py).
    min_group_size: int = MIN_GROUP_SIZE
    # This process's fair share of workers per customer (infra/fair_share.py); None: not
    # gated (in-process execution by tests, benchmarks and tools; the HTTP server sets it).
    fair_share: FairShare | None = None
    # The change under way in this operation (mutations run one after another).
    intent: Intent | None = None
    # How long a request holds an idempotency key it reserved (longer than it may run: past it,
    # its process is taken to have stopped), and how long a copy waits for the first answer.
    hold_seconds: float = 120.0
    key_wait_seconds: float = 20.0
    # Gives the request's turn (server/admission.py) to the next in line while it only waits for
    # another request's answer; nothing to give outside the HTTP server.
    step_aside: Callable[[], None] = lambda: None

    @classmethod
    def of(
        cls,
        principal: Principal,
        sources: Sources,
        *,
        request_id: str,
        pages: PageLimits = PageLimits(),
        limits: QueryLimits = QueryLimits(),
        cost_allowances: CostAllowances | None = None,
        today: date | None = None,
        min_group_size: int = MIN_GROUP_SIZE,
    ) -> Context:
        """A context with fresh loaders for ``principal``, dated today unless told otherwise."""
        today = today or datetime.now(UTC).date()
        floor = group_floor(principal, min_group_size)
        loaders = Loaders(LoadContext(sources, principal.scope, today, floor))
        return cls(principal, loaders, sources, today, request_id, pages, limits, cost_allowances=cost_allowances,
                   min_group_size=min_group_size)  # fmt: skip

    def sign_in(
        self, principal: Principal, reauthorize: Callable[[], Awaitable[Principal | None]] | None = None
    ) -> None:
        """A WebSocket's context is made before the client says who it is: from now on, ``principal``
        (and ``reauthorize`` says who the token names as time goes by)."""
        self.principal = principal
        self.reauthorize = reauthorize or self.reauthorize
        self._checked = (time.monotonic(), principal)
        self.renew_loaders()

    async def signed_in_now(self) -> Principal | None:
        """Who the socket's token names now, asked again every ``RECHECK_SECONDS`` at most: None
        once it expired or its user was disabled."""
        if self.reauthorize is None:
            return self.principal
        if self._checked is None or time.monotonic() - self._checked[0] >= RECHECK_SECONDS:
            self._checked = (time.monotonic(), await self.reauthorize())
        return self._checked[1]

    async def next_event(self, principal: Principal) -> bool:
        """Before a subscription's next event: False when the caller is no longer ``principal`` (the
        one it subscribed as: signed out, disabled, or its role or scope changed), and the
        subscription must end; otherwise fresh loaders and today's date."""
        if await self.signed_in_now() != principal:
            return False
        self.today = datetime.now(UTC).date()
        self.renew_loaders()
        return True

    def for_operation(self) -> Context:
        """A WebSocket's context for one operation sent over it: the socket's caller, with loaders,
        date and change of its own. Operations on one socket run at once and the socket outlives
        them: shared loaders would answer a later query with rows cached before a change, and
        concurrent mutations would share one change under way."""
        operation = replace(self, today=datetime.now(UTC).date(), intent=None)
        operation.renew_loaders()
        return operation

    def loader(self, kind: type[L]) -> L:
        """The request's loader of class ``kind``."""
        return self.loaders.get(kind)

    def renew_loaders(self) -> None:
        """Empty loader caches: a subscription's context lives on, so each event starts afresh
        (nothing stale is shown, and memory does not grow with every line an event names)."""
        floor = group_floor(self.principal, self.min_group_size)
        self.loaders = Loaders(LoadContext(self.sources, self.principal.scope, self.today, floor))

    def pacer(self) -> Pacer:
        """Paces work this request does in many steps (a bulk start's inserts): while others' requests
        are served here, they go first (``infra/pacing.py``)."""
        return Pacer(self.fair_share, mine=1)

    @property
    def current_period(self) -> date:
        return month_start(self.today)


Info = strawberry.Info[Context, None]
