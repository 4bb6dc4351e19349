"""A/B: in-process latency of the operations at two git revisions, on the same data, in one run.

Each revision is checked out into a worktree; a probe process per revision and round times
the operations there (importing that revision's code), alternating A and B so that noise on
this shared machine hits both alike. Prints p50 per operation and the ratio B / A, of the wall time
and of the CPU time the probe's process spent on each request (``time.process_time``: what the
layer costs, less disturbed by other processes on the machine than the wall time).

    .venv/bin/python -m bench.ab REV_A REV_B [--size M] [--backend sqlite] [--rounds 3] [--only dashboard ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.datasets import DATA, prepare
from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the worktree of one revision: only product APIs every revision has.
PROBE = """
import asyncio, json, sys, time, uuid
from datetime import date
from loaders import LoadContext, Loaders
from permissions.principal import principal_for
from request.context import Context, PageLimits
from engine.build import build_schema
from sources import Sources
from infra.cache import InProcessCache
from sources.db import Engines, create_engine

spec = json.loads(sys.argv[1])
try:  # under the collector settings the server runs with, where the revision has them (as bench.suite)
    from server.collector import freeze_and_tune
except ImportError:
    freeze_and_tune = None

async def main():
    engines = Engines(*(create_engine(url) for url in spec["urls"]))
    sources = Sources.over(engines, InProcessCache())
    today = date.fromisoformat(spec["today"])
    out = {}
    for op in spec["operations"]:
        user = await sources.crm.portal_user_by_login(op["login"])
        principal = principal_for(user)
        async def run():
            if hasattr(Context, "of"):  # revisions from the bulk operations on
                context = Context.of(principal, sources, request_id=uuid.uuid4().hex, today=today)
            else:
                context = Context(principal=principal, loaders=Loaders(LoadContext(sources, principal.scope, today)),
                                  sources=sources, today=today, request_id=uuid.uuid4().hex, pages=PageLimits())
            result = await build_schema().execute(
                op["document"], variable_values=op["variables"], context_value=context
            )
            assert not result.errors, result.errors
        for _ in range(2):
            await run()
        if freeze_and_tune is not None:
            freeze_and_tune()
        times, cpu = [], []
        for _ in range(op["repeat"]):
            started, used = time.perf_counter(), time.process_time()
            await run()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        out[op["name"]] = [times, cpu]
    await engines.dispose()
    print(json.dumps(out))

asyncio.run(main())
"""


def worktree(rev: str) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True)
    path = DATA / f"ab-{sha.stdout.strip()}"
    if not path.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True, capture_output=True
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", nargs="+", choices=[op.name for op in WORKLOAD], help="these operations alone")
    args = parser.parse_args()
    operations = [op for op in WORKLOAD if args.only is None or op.name in args.only]
    dataset = asyncio.run(prepare(args.backend, args.size))
    targets = asyncio.run(_targets(dataset))
    trees = {"A": worktree(args.a), "B": worktree(args.b)}
    # Each revision runs its own version of an operation (the schema changes under them).
    specs = {
        side: json.dumps({"urls": dataset.urls, "today": dataset.as_of.isoformat(), "operations": [
            {"name": op.name, "login": op.login, "document": _document(tree, op.name, op.document),
             "variables": op.variables(targets), "repeat": args.repeat}
            for op in operations
        ]})
        for side, tree in trees.items()
    }  # fmt: skip
    # side -> measure (wall, cpu) -> operation -> times (ms)
    samples: dict[str, dict[str, dict[str, list[float]]]] = {side: {"wall": {}, "cpu": {}} for side in trees}
    rounds: dict[tuple[str, str], list[float]] = {}  # each round's B / A p50, for the spread
    for _ in range(args.rounds):
        for side, tree in trees.items():
            env = os.environ | {"PYTHONPATH": str(tree)}
            probe = [sys.executable, "-c", PROBE, specs[side]]
            out = subprocess.run(probe, cwd=tree, env=env, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"{side} failed:\n{out.stderr[-2000:]}")
            for name, (wall, cpu) in json.loads(out.stdout).items():
                for measure, times in (("wall", wall), ("cpu", cpu)):
                    samples[side][measure].setdefault(name, []).extend(times)
                    if side == "B":
                        a = statistics.median(samples["A"][measure][name][-len(times) :])
                        rounds.setdefault((measure, name), []).append(statistics.median(times) / a)
    print(f"\nin-process p50 (ms), {dataset.label}, {args.rounds} alternating rounds of {args.repeat}")
    print(f"| operation | measure | A = {args.a} | B = {args.b} | B / A | rounds' B / A |")
    print("|---|---|---|---|---|---|")
    for op in operations:
        for measure in ("wall", "cpu"):
            a = statistics.median(samples["A"][measure][op.name])
            b = statistics.median(samples["B"][measure][op.name])
            spread = f"{min(rounds[(measure, op.name)]):.2f} to {max(rounds[(measure, op.name)]):.2f}"
            print(f"| {op.name} | {measure} | {a:.2f} | {b:.2f} | {b / a:.3f} | {spread} |")


def _document(tree: Path, name: str, current: str) -> str:
    """The operation as the revision in ``tree`` has it (``current`` where it has none)."""
    path = tree / "bench" / "operations" / f"{name}.graphql"
    return path.read_text() if path.exists() else current


async def _targets(dataset):  # type: ignore[no-untyped-def]
    from bench.suite import Targets  # noqa: F401 - same shape as the suite's
    from bench.workload import Targets as WorkloadTargets
    from tests.support import StatementCounter, World, sources_over

    engines = dataset.engines()
    world = World(dataset.backend, engines, sources_over(engines), StatementCounter())
    tree = await world.data("acme.admin", TARGETS_QUERY)
    divisions = tree["customer"]["orgRoot"]["children"]
    unit = max(divisions, key=lambda d: d["subscriberCount"])["id"]
    line = (await world.data("acme.admin", LINE_QUERY, {"u": unit}))["subscribers"]["nodes"][0]["id"]
    await engines.dispose()
    return WorkloadTargets(unit=unit, line=line, today=dataset.as_of)


if __name__ == "__main__":
    main()
