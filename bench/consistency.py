"""One moment per answer, measured: while usage arrives, does any answer disagree with itself?

    .venv/bin/python -m bench.consistency [--lines 10000] [--rate 100] [--seconds 60] [--clients 4]

The demo in a PostgreSQL database of its own, two ``corpcare serve`` processes (this checkout's
code, production mode) sharing it, and the usage feed (``demo/feed.py``) writing
``--rate`` events a second for ``--seconds``. Meanwhile ``--clients`` clients send, as fast as
they are answered, one of two answers in turn: Acme's admin asks two spending reports (the
groupings of ``tests/api/engine/test_one_moment.py`` in turn, and units by months by categories) with
the company's and its divisions' spending; Acme's analyst (who sees groups of lines only) asks a
spending report. Every answer is checked on its own: report rows add up to the report's totals
(total and employee share), the company's spending equals the report's total, each division's
spending equals its report rows. Printed: answers checked and answers that did not add up (the
claim is 0), refusals by code, latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.inprocess import percentile
from bench.noisy import _revision
from bench.noisy_servers import Stack, private_database, server_pair
from demo.feed import Totals, UsageFeed
from infra.events import InProcessEvents
from tests.api.engine.test_one_moment import ANSWER, GROUP_GROUPINGS, GROUPINGS, GROUPS_ANSWER, disagreements
from tests.support import open_engines

CALLERS = (("acme.admin", ANSWER, GROUPINGS), ("acme.analyst", GROUPS_ANSWER, GROUP_GROUPINGS))


@dataclass
class Tally:
    answers: int = 0
    reports: int = 0
    wrong: int = 0
    examples: list[list[str]] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # ms


async def client(index: int, bases: list[str], stack: Stack, tallies: dict[str, Tally], done: asyncio.Event) -> None:
    period = datetime.now(UTC).strftime("%Y-%m")
    tokens = {login: stack.token(login) for login, _, _ in CALLERS}
    turn = index
    async with httpx.AsyncClient(timeout=120) as http:
        while not done.is_set():
            login, query, groupings = CALLERS[turn % len(CALLERS)]
            group_by, depth = groupings[(turn // len(CALLERS)) % len(groupings)]
            turn += 1
            started = time.perf_counter()
            response = await http.post(
                bases[turn % len(bases)] + "/graphql",
                json={"query": query, "variables": {"m": period, "groupBy": group_by, "depth": depth}},
                headers={"Authorization": f"Bearer {tokens[login]}"},
            )
            tally = tallies[login]
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                codes = [e.get("extensions", {}).get("code", "?") for e in body.get("errors", [])] or ["?"]
                tally.refused[f"{response.status_code} {codes[0]}"] += 1
                retry = float(response.headers.get("Retry-After", "0") or 0)
                await asyncio.sleep(min(retry, 5.0))  # told to wait: wait
                continue
            tally.latencies.append((time.perf_counter() - started) * 1000)
            tally.answers += 1
            tally.reports += sum(1 for name in ("asked", "units") if name in body["data"])
            if problems := disagreements(body["data"]):
                tally.wrong += 1
                if len(tally.examples) < 3:
                    tally.examples.append(problems)


async def run(options: argparse.Namespace) -> str:
    started = datetime.now(UTC)
    tallies = {login: Tally() for login, _, _ in CALLERS}
    with tempfile.TemporaryDirectory(prefix="corpcare-consistency-") as data_dir:
        async with private_database(options.lines) as urls:
            stack = Stack(urls, Path(data_dir))
            async with server_pair(stack, f"corpcare-consistency-{uuid.uuid4().hex[:8]}:") as bases:
                engines = open_engines(urls)
                try:
                    print(f"feed at {options.rate}/s for {options.seconds:g} s, {options.clients} clients", flush=True)
                    done = asyncio.Event()
                    clients = [
                        asyncio.create_task(client(i, bases, stack, tallies, done)) for i in range(options.clients)
                    ]
                    feed = UsageFeed(engines, InProcessEvents(), seed=5)
                    totals: Totals = await feed.run(options.rate, options.seconds)
                    done.set()
                    await asyncio.gather(*clients)
                finally:
                    await engines.dispose()
    return render(options, started, tallies, totals)


def render(options: argparse.Namespace, started: datetime, tallies: dict[str, Tally], totals: Totals) -> str:
    machine = f"{socket.gethostname()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"One moment per answer, {started:%Y-%m-%d %H:%M} UTC, code {_revision()}, on {machine}: "
        f"{options.lines:,} demo lines in PostgreSQL, two `corpcare serve` processes (production mode), "
        f"the usage feed at {options.rate:g} events/s for {options.seconds:g} s, {options.clients} clients "
        f"(command: {' '.join(['python -m bench.consistency', *sys.argv[1:]])})",
        "",
        f"Feed: {totals.usage_records:,} usage events written, {totals.charged_text()} charged, "
        f"{totals.alerts} alerts, {totals.failed_rounds} failed rounds.",
        "",
        "| caller | answers checked | reports in them | answers that did not add up | refused | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for login, tally in tallies.items():
        refused = ", ".join(f"{code}: {n}" for code, n in tally.refused.items()) or "none"
        lines.append(
            f"| {login} | {tally.answers:,} | {tally.reports:,} | {tally.wrong} | {refused} | "
            f"{_ms(tally.latencies, 0.5)} | {_ms(tally.latencies, 0.95)} |"
        )
    answers = sum(t.answers for t in tallies.values())
    wrong = sum(t.wrong for t in tallies.values())
    lines += ["", f"**{answers:,} answers checked, {wrong} did not add up.**"]
    for login, tally in tallies.items():
        for example in tally.examples:
            lines.append(f"- {login}: {'; '.join(example)}")
    return "\n".join(lines)


def _ms(latencies: list[float], share: float) -> str:
    return f"{percentile(latencies, share):.0f}" if latencies else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000, help="demo lines (Acme gets 75 %%)")
    parser.add_argument("--rate", type=float, default=100.0, help="usage events a second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the feed runs")
    parser.add_argument("--clients", type=int, default=4, help="clients sending answers at once")
    text = asyncio.run(run(parser.parse_args()))
    print(text)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    out = results / f"consistency-{datetime.now(UTC):%Y-%m-%d-%H%M}-{socket.gethostname()}.md"
    out.write_text(text + "\n")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
