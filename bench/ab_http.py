"""A/B over HTTP: two servers from two git revisions side by side, on the same data, in one run.

Each revision is checked out into a worktree (as ``bench/ab.py`` does) and served by its own
uvicorn process (1 worker, production settings). Requests alternate between the two servers one
by one, so that noise on this shared machine hits both alike. The figure is the time from sending
a request to having its whole response, on loopback: the fixed cost of a request (sign-in, limits,
cost, allowances, the request log and metrics, statement building, pool checkout) included.
Prints p50 per operation and side, the ratio B / A of the p50s, and the spread of that ratio
over the rounds.

    .venv/bin/python -m bench.ab_http REV_A REV_B [--size M] [--rounds 10] [--repeat 20] [--redis URL]

``--urls CRM BILLING STATE`` serves databases of your own instead of the benchmark data set.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from bench.ab import _document, worktree
from bench.datasets import prepare
from bench.server import ServerProcess, token
from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD, Targets

VIEWER = "{ viewer { login } }"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--urls", nargs=3, metavar=("CRM", "BILLING", "STATE"))
    parser.add_argument("--redis", help="Redis for the cache and cost allowances (each side its own prefix)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20, help="requests per side, operation and round")
    parser.add_argument(
        "--operation", action="append", help="viewer or a bench operation (default: viewer, subscriber_detail)"
    )
    args = parser.parse_args()
    if args.urls:
        env = dict(zip(("CORPCARE_CRM_URL", "CORPCARE_BILLING_URL", "CORPCARE_STATE_URL"), args.urls, strict=True))
        label = "own databases"
    else:
        dataset = asyncio.run(prepare("postgres", args.size))
        env, label = dataset.env(), dataset.label
    trees = {"A": worktree(args.a), "B": worktree(args.b)}
    names = args.operation or ["viewer", "subscriber_detail"]
    with ExitStack() as stack:
        servers = {}
        for side, tree in trees.items():
            extra = {"CORPCARE_BULK_WORKER": "false"}
            if args.redis:
                extra |= {"CORPCARE_REDIS_URL": args.redis, "CORPCARE_REDIS_PREFIX": f"corpcare-ab-{side}:"}
            servers[side] = stack.enter_context(ServerProcess("corpcare", env | extra, cwd=tree))
        targets = _targets(servers["A"].url)
        operations = {name: _operation(name, trees, targets) for name in names}
        clients = {
            (side, login): stack.enter_context(
                httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token(login)}"}, timeout=120)
            )
            for side, server in servers.items()
            for login in {login for login, _ in operations.values()}
        }
        samples = _run(clients, operations, args.rounds, args.repeat)
    print(f"\nHTTP p50 (ms), {label}, {args.rounds} rounds of {args.repeat} alternating requests per side")
    print(f"| operation | A = {args.a} | B = {args.b} | B / A | B / A per round: min · median · max |")
    print("|---|---|---|---|---|")
    for name in names:
        a, b = (statistics.median(t for r in samples[name][side] for t in r) for side in "AB")
        rounds = zip(samples[name]["A"], samples[name]["B"], strict=True)
        ratios = sorted(statistics.median(rb) / statistics.median(ra) for ra, rb in rounds)
        spread = f"{ratios[0]:.2f} · {statistics.median(ratios):.2f} · {ratios[-1]:.2f}"
        print(f"| {name} | {a:.2f} | {b:.2f} | {b / a:.2f} | {spread} |")


Body = dict[str, Any]


def _run(
    clients: dict[tuple[str, str], httpx.Client], operations: dict[str, tuple[str, Body]], rounds: int, repeat: int
) -> dict[str, dict[str, list[list[float]]]]:
    samples: dict[str, dict[str, list[list[float]]]] = {name: {"A": [], "B": []} for name in operations}
    for login, body in operations.values():  # warm-up: documents parsed, connections opened
        for side in "AB":
            for _ in range(5):
                _post(clients[side, login], body)
    for round_ in range(rounds):
        for name, (login, body) in operations.items():
            times: dict[str, list[float]] = {"A": [], "B": []}
            order = "AB" if round_ % 2 == 0 else "BA"
            for _ in range(repeat):
                for side in order:
                    started = time.perf_counter()
                    _post(clients[side, login], body)
                    times[side].append((time.perf_counter() - started) * 1000)
            for side in "AB":
                samples[name][side].append(times[side])
    return samples


def _post(client: httpx.Client, body: Body) -> Any:
    response = client.post("/graphql", json=body)
    data = response.json()
    if response.status_code != 200 or "errors" in data:
        raise RuntimeError(f"{client.base_url}: HTTP {response.status_code}: {response.text[:300]}")
    return data["data"]


def _operation(name: str, trees: dict[str, Path], targets: Targets) -> tuple[str, Body]:
    if name == "viewer":
        return "acme.admin", {"query": VIEWER}
    op = next(op for op in WORKLOAD if op.name == name)
    documents = {_document(tree, name, op.document) for tree in trees.values()}
    if len(documents) != 1:
        raise SystemExit(f"{name}: the two revisions send different documents")
    return op.login, {"query": documents.pop(), "variables": op.variables(targets)}


def _targets(url: str) -> Targets:
    from datetime import UTC, datetime

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token('acme.admin')}"}, timeout=120) as http:
        divisions = _post(http, {"query": TARGETS_QUERY})["customer"]["orgRoot"]["children"]
        unit = max(divisions, key=lambda d: d["subscriberCount"])["id"]
        line = _post(http, {"query": LINE_QUERY, "variables": {"u": unit}})["subscribers"]["nodes"][0]["id"]
    return Targets(unit=unit, line=line, today=datetime.now(UTC).date())


if __name__ == "__main__":
    main()
