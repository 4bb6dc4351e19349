"""Closed months: when a month closes, and how its kept sums are keyed (scope, data set,
generation) and loaded (once, with the cache's copy read back)."""

from __future__ import annotations

from datetime import date

from infra.cache import InProcessCache
from loaders.closed_months import ClosedMonths, is_closed

NOVEMBER = date(2026, 11, 1)


def sources(cache: InProcessCache, dataset: str = "billing-a") -> tuple[InProcessCache, str]:
    return cache, dataset


class Sums:
    """A load that counts its calls and answers each key with a figure of its own."""

    def __init__(self, figure: int) -> None:
        self.figure = figure
        self.calls: list[list[date]] = []

    async def __call__(self, keys: list[date]) -> dict[date, int]:
        self.calls.append(keys)
        return dict.fromkeys(keys, self.figure)


async def kept(months: ClosedMonths, load: Sums, keys: list[date] | None = None) -> dict[date, int]:
    return await months.kept("org", keys or [NOVEMBER], date.isoformat, load, lambda n: str(n).encode(), int)


def test_a_month_closes_on_the_second_day_after_it_ends():
    assert not is_closed(NOVEMBER, date(2026, 11, 30))
    assert not is_closed(NOVEMBER, date(2026, 12, 1)), "the day after still takes late charges"
    assert is_closed(NOVEMBER, date(2026, 12, 2))
    assert is_closed(date(2025, 12, 1), date(2026, 1, 2)) and not is_closed(date(2025, 12, 1), date(2026, 1, 1))


async def test_a_closed_month_is_summed_once_then_read_from_the_cache():
    cache, load = InProcessCache(), Sums(1234)
    assert await kept(ClosedMonths(*sources(cache), "scope-a", date(2026, 12, 4)), load) == {NOVEMBER: 1234}
    assert await kept(ClosedMonths(*sources(cache), "scope-a", date(2026, 12, 5)), Sums(-1)) == {NOVEMBER: 1234}
    assert load.calls == [[NOVEMBER]]


async def test_each_scope_and_each_data_set_keeps_its_own_sums():
    cache, today = InProcessCache(), date(2026, 12, 4)
    await kept(ClosedMonths(*sources(cache), "scope-a", today), Sums(1))
    assert await kept(ClosedMonths(*sources(cache), "scope-b", today), Sums(2)) == {NOVEMBER: 2}
    assert await kept(ClosedMonths(*sources(cache, "billing-b"), "scope-a", today), Sums(3)) == {NOVEMBER: 3}
    assert await kept(ClosedMonths(*sources(cache), "scope-a", today), Sums(4)) == {NOVEMBER: 1}


async def test_a_renewed_generation_sums_again_in_every_request_that_starts_after_it():
    cache, today = InProcessCache(), date(2026, 12, 4)
    await kept(ClosedMonths(*sources(cache), "scope-a", today), Sums(1))
    await ClosedMonths(*sources(cache), "scope-b", today).renew()
    assert await kept(ClosedMonths(*sources(cache), "scope-a", today), Sums(2)) == {NOVEMBER: 2}


async def test_only_the_months_not_kept_yet_are_summed():
    cache, today, october = InProcessCache(), date(2026, 12, 4), date(2026, 10, 1)
    await kept(ClosedMonths(*sources(cache), "scope-a", today), Sums(1))
    load = Sums(2)
    assert await kept(ClosedMonths(*sources(cache), "scope-a", today), load, [october, NOVEMBER]) == {
        october: 2, NOVEMBER: 1
    }  # fmt: skip
    assert load.calls == [[october]]


async def test_open_months_are_summed_with_the_cold_closed_ones_and_kept_under_their_version():
    cache, today, december = InProcessCache(), date(2026, 12, 4), date(2026, 12, 1)

    async def ask(load: Sums, version: str) -> dict[date, int]:
        months = ClosedMonths(*sources(cache), "scope-a", today)
        encode = lambda n: str(n).encode()  # noqa: E731
        return await months.kept("org", [NOVEMBER], date.isoformat, load, encode, int, {december: version})

    cold = Sums(1)
    assert await ask(cold, "v1") == {NOVEMBER: 1, december: 1}
    assert cold.calls == [[NOVEMBER, december]], "one read for a cold request"
    unchanged = Sums(2)
    assert await ask(unchanged, "v1") == {NOVEMBER: 1, december: 1}
    assert unchanged.calls == [], "nothing written since: read back"
    written = Sums(3)
    assert await ask(written, "v2") == {NOVEMBER: 1, december: 3}
    assert written.calls == [[december]], "a new version of the open month is summed again, alone"
