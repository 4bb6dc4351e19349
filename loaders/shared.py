"""Reads that change rarely, kept across requests (and instances) in the shared cache.

- The catalogue (plans, services, bundles) is the same for every caller, and corpcare never
  changes it: entries live ``CATALOGUE_SECONDS``.
- The org tree is read in the caller's scope, so every key carries the scope's fingerprint,
  and the tree's *generation*: a change to any unit starts a new generation (``OrgGeneration.
  bump``), which every instance sharing the cache sees at once, and the old entries are never
  read again. Entries also live at most ``ORG_SECONDS``.

Absent rows are not cached, but for org roots (asked on every dashboard). A cache that fails
only costs the backend read it would have spared.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import orjson

from core.billing_records import BundleRecord, ServiceRecord, TariffPlanRecord
from core.crm_records import OrgUnitRecord
from core.values import Money
from infra.cache import Cache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

CATALOGUE_SECONDS = 300.0
ORG_SECONDS = 60.0
_GENERATION_KEY = "org:generation"
_GENERATION_SECONDS = 86_400.0


class OrgGeneration:
    """The org tree's generation, read once per request."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._value: str | None = None

    async def value(self) -> str:
        if self._value is None:
            stored = await self.cache.get(_GENERATION_KEY)
            if stored is None:
                # Unknown (never set, renewed, expired, or the cache is down): a fresh generation,
                # so no entry written before a change can be read after it.
                self._value = uuid.uuid4().hex
                await self.cache.set(_GENERATION_KEY, self._value.encode(), _GENERATION_SECONDS)
            else:
                self._value = stored.decode()
        return self._value

    async def renew(self) -> None:
        """After a change to the tree: every instance's next read starts a new generation. An
        invalidation, so a Redis that is down takes it when it answers again."""
        self._value = None
        await self.cache.delete(_GENERATION_KEY)


async def through(
    cache: Cache,
    prefix: str,
    keys: Sequence[K],
    load: Callable[[list[K]], Awaitable[dict[K, V]]],
    decode: Callable[[Any], V],
    ttl_seconds: float,
) -> dict[K, V]:
    """Values by key: from the cache where it has them, the rest from ``load`` (then cached)."""
    found = await cache.get_many([f"{prefix}{key}" for key in keys])
    values = {key: decode(orjson.loads(raw)) for key, raw in zip(keys, found, strict=True) if raw is not None}
    if missing := [key for key in keys if key not in values]:
        loaded = await load(missing)
        encoded = {f"{prefix}{key}": orjson.dumps(value, default=_plain) for key, value in loaded.items()}
        await cache.set_many(encoded, ttl_seconds)
        values.update(loaded)
    return values


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _money(data: dict[str, Any] | None) -> Money | None:
    return None if data is None else Money(Decimal(data["amount"]), data["currency"])


def org_unit(data: dict[str, Any]) -> OrgUnitRecord:
    return OrgUnitRecord(**(data | {"monthly_budget": _money(data["monthly_budget"])}))


def maybe_org_unit(data: dict[str, Any] | None) -> OrgUnitRecord | None:
    return None if data is None else org_unit(data)


def org_units(data: list[dict[str, Any]]) -> list[OrgUnitRecord]:
    return [org_unit(item) for item in data]


def tariff_plan(data: dict[str, Any]) -> TariffPlanRecord:
    return TariffPlanRecord(**(data | {"monthly_fee": _money(data["monthly_fee"])}))


def service(data: dict[str, Any]) -> ServiceRecord:
    return ServiceRecord(**(data | {"monthly_fee": _money(data["monthly_fee"])}))


def bundle(data: dict[str, Any]) -> BundleRecord:
    return BundleRecord(**data)


def bundles(data: list[dict[str, Any]]) -> list[BundleRecord]:
    return [bundle(item) for item in data]
