"""Past capacity: what two ``corpcare serve`` processes answer at once and at twice the rate
they can sustain.

    .venv/bin/python -m bench.overload [--lines 10000] [--seconds 60] [--capacity-seconds 15]

A private PostgreSQL database with the demo, Redis under a private key prefix, and two
``corpcare serve`` processes in production mode with default settings (``bench/noisy_servers.py``).
The dashboard mix — the admins of both demo companies opening the dashboard, a page of lines
and one line in full, in turn (``bench/operations/``) — is first sent by 16 clients back to back, alternating servers,
for ``--capacity-seconds``: the answers a second are the capacity. Then it is sent at 1x and at
2x that rate for ``--seconds`` each, an open loop (a request goes out on time whatever the
answers take), each given up on after 40 s as a browser would. Per phase: goodput (answers
with data and no error, a second of the phase), latency of those answers, requests shed
(503 ``OVERLOADED``, or 429 ``QUEUE_SHARE`` for a company's own excess), everything else by
status and code, and backend calls refused by an open breaker. The servers' cost allowances are
out of reach (as in ``bench/server.py``): the benchmark measures the servers, not the allowances.
The load comes from this process and shares the machine's cores with the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.inprocess import percentile
from bench.noisy import _revision
from bench.noisy_servers import Stack, private_database, server_pair
from bench.server import ALLOWANCES
from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD, Targets

MIX = ("dashboard", "subscriber_page", "subscriber_detail")
LOGINS = ("acme.admin", "borealis.admin")
SHED = ("503 OVERLOADED", "429 RATE_LIMITED QUEUE_SHARE")
GIVE_UP_SECONDS = 40.0
CAPACITY_CLIENTS = 16


@dataclass
class Phase:
    name: str
    rate: float  # requests a second offered (0: the closed loop that measures capacity)
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms, of good answers
    outcomes: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    breakers_opened: int = 0

    @property
    def good(self) -> int:
        return self.outcomes["200 ok"]

    @property
    def goodput(self) -> float:
        return self.good / self.seconds

    def row(self) -> str:
        others = "; ".join(f"{o} x{n}" for o, n in self.outcomes.most_common() if o not in ("200 ok", *SHED))
        p = [percentile(self.latencies, q) if self.latencies else float("nan") for q in (0.5, 0.95, 0.99)]
        offered = f"{self.rate:.1f}/s" if self.rate else f"{CAPACITY_CLIENTS} clients back to back"
        latency = f"{p[0]:.0f} / {p[1]:.0f} / {p[2]:.0f}"
        shed = " / ".join(str(self.outcomes[outcome]) for outcome in SHED)
        return (f"| {self.name} | {offered} | {self.sent} | {self.goodput:.1f}/s | {latency} | {shed} "
                f"| {others or 'none'} | {self.breakers_opened} |")  # fmt: skip


def describe(response: httpx.Response) -> str:
    """ "<status> <first error code>[ <its reason>]", or "<status> ok"."""
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return f"{response.status_code} (not JSON)"
    if not errors:
        return f"{response.status_code} ok"
    extensions = errors[0].get("extensions") or {}
    reason = f" {extensions['reason']}" if extensions.get("code") == "RATE_LIMITED" and "reason" in extensions else ""
    return f"{response.status_code} {extensions.get('code', 'no code')}{reason}"


async def requests(base: str, stack: Stack) -> list[tuple[dict[str, str], bytes]]:
    """The mix's requests of every admin: headers and body, as sent."""
    mix = []
    for login in LOGINS:
        headers = {"Authorization": f"Bearer {stack.token(login)}", "Content-Type": "application/json"}
        mix += [(headers, body) for body in await bodies(base, headers)]
    return mix


async def bodies(base: str, headers: dict[str, str]) -> list[bytes]:
    """The mix's requests of the signed-in admin, with their variables."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        tree = (await http.post("/graphql", json={"query": TARGETS_QUERY})).json()["data"]
        unit = max(tree["customer"]["orgRoot"]["children"], key=lambda d: d["subscriberCount"])["id"]
        lines = (await http.post("/graphql", json={"query": LINE_QUERY, "variables": {"u": unit}})).json()["data"]
    targets = Targets(unit=unit, line=lines["subscribers"]["nodes"][0]["id"], today=datetime.now(UTC).date())
    operations = {operation.name: operation for operation in WORKLOAD}
    return [
        httpx.Request("POST", "/", json={"query": operations[name].document,
                                         "variables": operations[name].variables(targets)}).read()
        for name in MIX
    ]  # fmt: skip


async def run_phase(phase: Phase, bases: list[str], mix: list[tuple[dict[str, str], bytes]]) -> Phase:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=GIVE_UP_SECONDS, limits=limits) as http:

        async def one(index: int) -> None:
            phase.sent += 1
            headers, body = mix[index % len(mix)]
            started = time.perf_counter()
            try:
                response = await http.post(bases[index % len(bases)] + "/graphql", content=body, headers=headers)
                outcome = describe(response)
            except httpx.TimeoutException:
                outcome = f"no answer within {GIVE_UP_SECONDS:g} s"
            except httpx.HTTPError as error:
                outcome = f"transport {type(error).__name__}"
            phase.outcomes[outcome] += 1
            if outcome == "200 ok":
                phase.latencies.append((time.perf_counter() - started) * 1000)

        end = time.perf_counter() + phase.seconds
        if not phase.rate:  # closed loop: capacity

            async def client(first: int) -> None:
                index = first
                while time.perf_counter() < end:
                    await one(index)
                    index += CAPACITY_CLIENTS

            await asyncio.gather(*(client(n) for n in range(CAPACITY_CLIENTS)))
            return phase
        tasks = []
        started = time.perf_counter()
        index = 0
        while (now := time.perf_counter()) < end:
            tasks.append(asyncio.create_task(one(index)))
            index += 1
            await asyncio.sleep(max(0.0, started + index / phase.rate - now))
        await asyncio.gather(*tasks)
        phase.breakers_opened = await breakers_opened(bases)
    return phase


async def breakers_opened(bases: list[str]) -> int:
    """Backend calls refused by an open breaker so far, over both servers (from /metrics)."""
    total = 0.0
    async with httpx.AsyncClient(timeout=30) as http:
        for base in bases:
            text = (await http.get(base + "/metrics", headers={"Authorization": "Bearer overload"})).text
            calls = [line for line in text.splitlines() if line.startswith("corpcare_backend_calls_total")]
            rejected = [line for line in calls if 'outcome="rejected"' in line]
            total += sum(float(line.rsplit(" ", 1)[1]) for line in rejected)
    return int(total)


async def run(options: argparse.Namespace) -> str:
    started = datetime.now(UTC)
    os.environ["CORPCARE_METRICS_TOKEN"] = "overload"  # production serves /metrics only with a token
    os.environ.update(ALLOWANCES)
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="corpcare-overload-") as data_dir:
        async with private_database(options.lines) as urls:
            stack = Stack(urls, Path(data_dir))
            async with server_pair(stack, f"corpcare-overload-{os.getpid()}:") as bases:
                mix = await requests(bases[0], stack)
                await run_phase(Phase("warm-up", 0, 3), bases, mix)
                capacity = await run_phase(Phase("capacity", 0, options.capacity_seconds), bases, mix)
                capacity.breakers_opened = await breakers_opened(bases)
                phases.append(capacity)
                print(capacity.row(), flush=True)
                for times in (1, 2):
                    rate = times * capacity.goodput
                    phase = await run_phase(Phase(f"{times}x", rate, options.seconds), bases, mix)
                    phases.append(phase)
                    print(phase.row(), flush=True)
    machine = f"{socket.gethostname()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"Overload, {started:%Y-%m-%d %H:%M} UTC, code {_revision()}, on {machine}: {options.lines:,} demo lines, "
        f"two `corpcare serve` processes (production, default settings, cost allowances out of reach), the dashboard "
        f"mix ({', '.join(MIX)}) as {' and '.join(LOGINS)} in turn, given up on after {GIVE_UP_SECONDS:g} s "
        f"(command: python -m bench.overload --lines {options.lines} --seconds {options.seconds:g} "
        f"--capacity-seconds {options.capacity_seconds:g})",
        "",
        "| phase | offered | sent | goodput | p50 / p95 / p99 of good answers (ms) "
        "| shed (503 OVERLOADED / 429 QUEUE_SHARE) | other outcomes "
        "| backend calls refused by an open breaker (cumulative) |",
        "|---|---|---|---|---|---|---|---|",
        *(phase.row() for phase in phases),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000, help="demo lines (Acme gets 75 %%)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the 1x and 2x phases")
    parser.add_argument("--capacity-seconds", type=float, default=15.0, help="length of the capacity measurement")
    text = asyncio.run(run(parser.parse_args()))
    print(text)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    out = results / f"overload-{datetime.now(UTC):%Y-%m-%d-%H%M}-{socket.gethostname()}.md"
    out.write_text(text + "\n")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
