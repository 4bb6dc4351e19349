"""The shared cache's effect: the workload's operations with the cache empty before every run
(cold) and kept between runs (warm), alternating on the same data, in process.

    .venv/bin/python -m bench.cache [--size M] [--backend postgres] [--rounds 5] [--repeat 10] [--redis URL]

With ``--redis`` the cache is Redis, as several instances share it in production (each cold
run gets keys of its own, so it starts empty); otherwise the in-process cache, which measures
what the cache spares the backends without Redis's round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import time
import uuid
from datetime import date
from typing import Any

from bench.ab import _targets
from bench.datasets import prepare
from bench.workload import WORKLOAD
from engine.build import build_schema
from infra.cache import Cache, InProcessCache, RedisCache
from permissions.principal import Principal, principal_for
from request.context import Context
from server.collector import freeze_and_tune
from sources import Sources


def _empty_cache(redis_url: str | None) -> Cache:
    if redis_url is None:
        return InProcessCache()
    return RedisCache(redis_url, prefix=f"corpcare-bench:{uuid.uuid4().hex}:")


async def run(
    size: str, backend: str, rounds: int, repeat: int, redis_url: str | None
) -> dict[str, tuple[float, float]]:
    dataset = await prepare(backend, size)
    targets = await _targets(dataset)
    engines = dataset.engines()
    warm = Sources.over(engines, _empty_cache(redis_url))
    schema = build_schema()
    samples: dict[str, dict[str, list[float]]] = {op.name: {"cold": [], "warm": []} for op in WORKLOAD}
    for op in WORKLOAD:
        user = await warm.crm.portal_user_by_login(op.login)
        assert user is not None
        principal = principal_for(user)
        variables = op.variables(targets)

        document = op.document
        await _once(schema, principal, warm, document, variables, dataset.as_of)
        for _ in range(rounds):
            for _ in range(repeat):
                cold = dataclasses.replace(warm, cache=_empty_cache(redis_url))
                samples[op.name]["cold"].append(
                    await _once(schema, principal, cold, document, variables, dataset.as_of)
                )
                await cold.cache.close()
                samples[op.name]["warm"].append(
                    await _once(schema, principal, warm, document, variables, dataset.as_of)
                )
    await warm.cache.close()
    await engines.dispose()
    return {name: (statistics.median(s["cold"]), statistics.median(s["warm"])) for name, s in samples.items()}


async def _once(
    schema: Any, principal: Principal, sources: Sources, document: str, variables: dict[str, Any], today: date
) -> float:
    context = Context.of(principal, sources, request_id=uuid.uuid4().hex, today=today)
    started = time.perf_counter()
    result = await schema.execute(document, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--backend", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--redis", default=None, help="Redis URL: the shared cache as in production.")
    args = parser.parse_args()
    freeze_and_tune()  # as the server does
    figures = asyncio.run(run(args.size, args.backend, args.rounds, args.repeat, args.redis))
    cache = "Redis cache" if args.redis else "in-process cache"
    print(f"\nin-process p50 (ms), {args.size}, {args.backend}, {cache}, cold and warm alternating, "
          f"{args.rounds} rounds of {args.repeat}")  # fmt: skip
    print("| operation | cold | warm | warm / cold |\n|---|---|---|---|")
    for name, (cold, warm) in figures.items():
        print(f"| {name} | {cold:.1f} | {warm:.1f} | {warm / cold:.2f} |")


if __name__ == "__main__":
    main()
