"""Noisy neighbour (issue 13): while company A's callers run an attack at the edge of their
limits, does company B's dashboard keep its p95 and get no error?

    .venv/bin/python -m bench.noisy [--lines 10000] [--seconds 15] [--rate 4] [--attack NAME]...

A private PostgreSQL database with the demo (Acme is A, Borealis is B), Redis under a private
key prefix, and two ``corpcare serve`` processes in production mode (default limits and cost
allowances, a generated JWT secret). B's admin sends the dashboard
(``bench/operations/dashboard.graphql``) at a fixed rate, alternating between the two servers:
first with nothing else running (quiet), then while the attack (run from a process of its own,
``bench/noisy_process.py``) is in flight (attacked). An attack that leaves work behind (or a
server answering 5xx) gets its pair replaced (``Servers``), so no attack's leftovers slow the
next one down.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.inprocess import percentile
from bench.noisy_attacks import ATTACKS, UNIT_ADMIN, Attack, Targets, describe
from bench.noisy_process import AttackProcess
from bench.noisy_servers import ROOT, Servers, Stack, private_database
from bench.workload import OPERATIONS, TARGETS_QUERY

B_ADMIN = "borealis.admin"


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # ms
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)


@dataclass
class Row:
    attack: Attack
    quiet: Sample
    attacked: Sample
    attackers: str

    @property
    def ratio(self) -> float:
        return self.attacked.p95 / self.quiet.p95


async def dashboard_body(base: str, stack: Stack) -> bytes:
    """B's dashboard, on Borealis's largest division."""
    headers = {"Authorization": f"Bearer {stack.token(B_ADMIN)}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        tree = _data(await http.post("/graphql", json={"query": TARGETS_QUERY}))
    unit = max(tree["customer"]["orgRoot"]["children"], key=lambda d: d["subscriberCount"])["id"]
    document = (OPERATIONS / "dashboard.graphql").read_text()
    return httpx.Request("POST", "/", json={"query": document, "variables": {"unit": unit}}).read()


async def targets(base: str, stack: Stack) -> Targets:
    headers = {"Authorization": f"Bearer {stack.token(UNIT_ADMIN)}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        services = _data(await http.post("/graphql", json={"query": "{ services { id code } }"}))
    service = next(s["id"] for s in services["services"] if s["code"] == "MULTISIM")
    return Targets(today=datetime.now(UTC).date(), service=service)


def _data(response: httpx.Response) -> Any:
    if response.status_code != 200 or "errors" in response.json():
        raise RuntimeError(f"the benchmark's own set-up request failed: {response.text[:300]}")
    return response.json()["data"]


async def dashboards(
    bases: list[str], stack: Stack, body: bytes, *, requests: int, rate: float | None, give_up_ms: float = 120_000
) -> Sample:
    """B's dashboard ``requests`` times, alternating servers: ``rate`` a second whatever the answers
    take (an open loop: a stalled server is charged for every request it holds), or one after
    another when ``rate`` is None (then the first request given up on ends the sample)."""
    sample = Sample()
    headers = {"Authorization": f"Bearer {stack.token(B_ADMIN)}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(headers=headers, timeout=give_up_ms / 1000, limits=limits) as http:

        async def one(index: int) -> bool:
            started = time.perf_counter()
            try:
                outcome, _ = describe(await http.post(bases[index % len(bases)] + "/graphql", content=body))
            except httpx.TimeoutException:
                outcome = f"no answer within {give_up_ms / 1000:.1f} s"
            except httpx.HTTPError as error:
                outcome = f"transport {type(error).__name__}"
            sample.latencies.append((time.perf_counter() - started) * 1000)
            if outcome != "200 ok":
                sample.errors[outcome] += 1
            return not outcome.startswith("no answer")

        if rate is None:
            for index in range(requests):
                if not await one(index):
                    break
            return sample
        tasks = []
        for index in range(requests):
            tasks.append(asyncio.create_task(one(index)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    return sample


async def measure(
    attack: Attack,
    servers: Servers,
    *,
    requests: int,
    rate: float | None,
    honour_retry_after: bool = True,
    give_up: Callable[[Sample], float] | None = None,
    quiet_requests: int | None = None,
) -> Row:
    """Warm-up, B quiet, then B while ``attack`` is in flight. With ``give_up`` (ms, from the quiet
    sample), a B request slower than that is an error. With ``quiet_requests`` the quiet sample
    is that many requests one after another (quicker than paced; the same figures while a request
    takes less than 1/rate)."""
    stack = servers.stack
    bases = await servers.pair()
    attacker: AttackProcess | None = None
    try:
        body = await dashboard_body(bases[0], stack)
        await dashboards(bases, stack, body, requests=4, rate=None)  # warm caches and connections
        if quiet_requests is None:
            quiet = await dashboards(bases, stack, body, requests=requests, rate=rate)
        else:
            quiet = await dashboards(bases, stack, body, requests=quiet_requests, rate=None)
        attacker = AttackProcess(attack.name, bases, stack.tokens(), await targets(bases[0], stack),
                                 honour_retry_after)  # fmt: skip
        await attacker.start()
        limit = give_up(quiet) if give_up else 120_000
        attacked = await dashboards(bases, stack, body, requests=requests, rate=rate, give_up_ms=limit)
        report = await attacker.finish()
    except BaseException:
        if attacker is not None:
            attacker.kill()
        await servers.retire()
        raise
    # A server may still be busy, or have a breaker open: the next attack gets a new pair.
    if report.left_work or report.server_errors or attacked.errors:
        await servers.retire()
    return Row(attack, quiet, attacked, report.outcomes)


def render(rows: list[Row], *, header: str) -> str:
    lines = [header, "",
             "| attack | B quiet p50 / p95 (ms) | B attacked p50 / p95 (ms) | p95 ratio | B errors | A's outcomes |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for row in rows:
        errors = "; ".join(f"{e} x{n}" for e, n in row.attacked.errors.most_common()) or "none"
        if row.quiet.errors:
            errors += " (quiet: " + "; ".join(f"{e} x{n}" for e, n in row.quiet.errors.most_common()) + ")"
        lines.append(
            f"| {row.attack.name}: {row.attack.description} | {row.quiet.p50:.0f} / {row.quiet.p95:.0f} | "
            f"{row.attacked.p50:.0f} / {row.attacked.p95:.0f} | {row.ratio:.1f}x | {errors} | {row.attackers} |"
        )
    return "\n".join(lines)


async def run(options: argparse.Namespace) -> str:
    chosen = [a for a in ATTACKS if not options.attack or a.name in options.attack]
    requests = max(1, round(options.seconds * options.rate))
    started = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="corpcare-noisy-") as data_dir:
        async with private_database(options.lines) as urls, Servers(Stack(urls, Path(data_dir))) as servers:
            for attack in chosen:
                print(f"== {attack.name}", flush=True)
                row = await measure(attack, servers, requests=requests, rate=options.rate,
                                    honour_retry_after=not options.ignore_retry_after)  # fmt: skip
                print(f"   B p95 {row.quiet.p95:.0f} -> {row.attacked.p95:.0f} ms ({row.ratio:.1f}x), "
                      f"errors {dict(row.attacked.errors)}; A: {row.attackers}", flush=True)  # fmt: skip
                rows.append(row)
    machine = f"{socket.gethostname()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    header = (f"Noisy neighbour, {started:%Y-%m-%d %H:%M} UTC, code {_revision()}, on {machine}: "
              f"{options.lines:,} demo lines, "
              f"B's dashboard {requests} times at {options.rate}/s per phase, two `corpcare serve` "
              f"processes (command: {' '.join(['python -m bench.noisy', *sys.argv[1:]])})")  # fmt: skip
    return render(rows, header=header)


def _revision() -> str:
    """The commit served, marked when the working tree differs from it."""
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    return (commit or "unknown") + (" with uncommitted changes" if changed.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000, help="demo lines (Acme gets 75 %%)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase (quiet, attacked)")
    parser.add_argument("--rate", type=float, default=4.0, help="B's dashboards per second")
    parser.add_argument("--attack", action="append", choices=[a.name for a in ATTACKS], help="only these")
    parser.add_argument("--ignore-retry-after", action="store_true", help="attackers do not back off when told to")
    text = asyncio.run(run(parser.parse_args()))
    print(text)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    out = results / f"noisy-{datetime.now(UTC):%Y-%m-%d-%H%M}-{socket.gethostname()}.md"
    out.write_text(text + "\n")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
