"""Closed months are final: their sums are computed once and kept in the shared cache.

A month closes on the second day after it ends (``CLOSING_LAG``: the day after a month still
takes the charges rated late for its last day; invoices are issued the month after). Charges are
grouped as billed (each under the place its line had on the charge's day, effective-dated), so
nothing done today moves a closed month's figure, and its sums are kept without a time limit.

A month still open moves with every charge rated and every line moved. Its sums are kept too, under
a *version* of everything they are summed from, read before them: billing's count of writes to the
customer's month of charges, the CRM's count of writes to the customer's stays (both bumped by the
databases in the writes' own transactions, ``sources/marks.py``), and today. A request whose
versions have not moved reads the sums back; any write moves them, and the next request sums
again. Such entries live ``OPEN_SECONDS``: a newer version leaves them behind.

Every kept sum is keyed by
- the data set (``dataset_of``: its billing database) and the *generation* of closed months: a change that could
  alter a closed month (a reseed) renews it (``ClosedMonths.renew``), which every instance sharing
  the cache sees at once, and no entry of an older generation is read again;
- the caller's row scope (``RowScope.fingerprint``): aggregates obey scope, so two scopes never
  share a sum;
- what was summed, the customer and the month.

The kept entries still carry a long time to live: a renewed generation leaves its entries behind,
and Redis reclaims them after ``KEPT_SECONDS`` — they are never read again either way.

A cold month asked by many callers at once is summed once per process (``infra/single_flight.py``).
A cache that fails only costs the sums it would have spared.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine

from core.values import add_months
from infra.cache import Cache
from infra.single_flight import SingleFlight

K = TypeVar("K")
V = TypeVar("V")

CLOSING_LAG = timedelta(days=1)
KEPT_SECONDS = 31 * 86_400.0
# An open month's sums under one version: a later version leaves them behind, never read again.
OPEN_SECONDS = 600.0
_GENERATION_KEY = "closed:generation:"
# Loads in flight in this process, per shared cache (the lifespan's; a test's world has its own).
_FLIGHTS: WeakKeyDictionary[Cache, SingleFlight] = WeakKeyDictionary()


_DATASETS: WeakKeyDictionary[AsyncEngine, str] = WeakKeyDictionary()


def dataset_of(billing: AsyncEngine) -> str:
    """The billing data set's name: a digest of its database's address (worked out once per engine)."""
    name = _DATASETS.get(billing)
    if name is None:
        address = billing.url.render_as_string(hide_password=True).encode()
        name = _DATASETS[billing] = hashlib.sha256(address).hexdigest()[:16]
    return name


def closes_on(month: date) -> date:
    """The first day on which ``month`` (its first day) is closed: the 2nd of the month after."""
    return add_months(month, 1) + CLOSING_LAG


def is_closed(month: date, today: date) -> bool:
    return today >= closes_on(month)


class ClosedMonths:
    """One request's view of the kept sums: the generation is read once per request."""

    def __init__(self, cache: Cache, dataset: str, scope_fingerprint: str, today: date) -> None:
        self.cache = cache
        self.flights = _FLIGHTS.setdefault(cache, SingleFlight())
        self.dataset = dataset
        self.scope = scope_fingerprint
        self.today = today
        self._generation: str | None = None

    def closed(self, month: date) -> bool:
        return is_closed(month, self.today)

    async def generation(self) -> str:
        if self._generation is None:
            stored = await self.cache.get(_GENERATION_KEY + self.dataset)
            if stored is None:
                # Unknown (never set, renewed, or the cache is down): a fresh generation, so
                # nothing kept before a renewal is read after it.
                self._generation = uuid.uuid4().hex
                await self.cache.set(_GENERATION_KEY + self.dataset, self._generation.encode(), KEPT_SECONDS)
            else:
                self._generation = stored.decode()
        return self._generation

    async def renew(self) -> None:
        """After a change that could alter a closed month: every kept sum is summed again."""
        self._generation = None
        await renew(self.cache, self.dataset)

    async def kept(
        self,
        what: str,
        keys: Sequence[K],
        name: Callable[[K], str],
        load: Callable[[list[K]], Awaitable[dict[K, V]]],
        encode: Callable[[V], bytes],
        decode: Callable[[bytes], V],
        open_versions: Mapping[K, str] | None = None,
    ) -> dict[K, V]:
        """The value of each of ``keys`` (each a closed month's: the caller checks): kept ones from
        the cache, the rest summed by ``load`` (once in this process however many ask, in one
        call, so a cold request reads once) and kept.

        ``open_versions`` are months still open, each with the version of everything its value is
        summed from (worked out *before* summing it): kept under that version, for ``OPEN_SECONDS``.
        A write that lands while a month is summed may be in the sum, never missing from a sum
        kept under a later version; once the write commits, no one reads an earlier version."""
        prefix = f"closed:{self.dataset}:{await self.generation()}:{self.scope}:{what}:"
        by_name = {prefix + name(key): key for key in keys}
        opened = {f"{prefix}{name(key)}@{version}": key for key, version in (open_versions or {}).items()}
        names = [*by_name, *opened]
        found = dict(zip(names, await self.cache.get_many(names), strict=True))
        missing = [cache_key for cache_key, raw in found.items() if raw is None]
        key_of = by_name | opened

        async def sum_and_keep(names: list[str]) -> dict[str, bytes]:
            loaded = await load([key_of[cache_key] for cache_key in names])
            encoded = {cache_key: encode(loaded[key_of[cache_key]]) for cache_key in names}
            await self.cache.set_many({k: v for k, v in encoded.items() if k in by_name}, KEPT_SECONDS)
            await self.cache.set_many({k: v for k, v in encoded.items() if k in opened}, OPEN_SECONDS)
            return encoded

        if missing:
            found.update(await self.flights.run(missing, sum_and_keep))
        return {key: decode(found[cache_key]) for cache_key, key in key_of.items()}  # type: ignore[arg-type]


async def renew(cache: Cache, dataset: str) -> None:
    """A new generation of closed months for ``dataset`` (after a reseed): an invalidation, so a
    Redis that is down takes it when it answers again."""
    await cache.delete(_GENERATION_KEY + dataset)
