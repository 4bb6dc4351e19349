"""What tracing costs a request: the same tree served with tracing off, on (every request
sampled, exported over OTLP/HTTP to a local sink that discards it) and on but sampled at 1 %,
beside a baseline revision without tracing, in one run.

Each side is its own uvicorn process (1 worker, production settings) on the same data set;
requests go to the sides in turn, one by one, the order rotating each round, so that noise on
this shared machine hits all alike. Prints p50 per operation and side and each side's ratio to
``off`` (and each side's to ``off``, the baseline's included).

``--in-process`` takes the processes (and the loopback) out: one app in this process, each request
sent through the whole ASGI stack with tracing switched off, on (spans exported in batches to an
exporter that drops them) or on but sampled out, in turn — the figure closest to the CPU tracing
adds to a request.

    .venv/bin/python -m bench.tracing [--baseline REV] [--backend sqlite|postgres] [--size S]
                                      [--rounds 10] [--repeat 20] [--operation dashboard] [--in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from bench.ab import ROOT, _document, worktree
from bench.ab_http import VIEWER, _post, _targets
from bench.datasets import prepare
from bench.server import ALLOWANCES, SECRET, UNGATED, ServerProcess, token
from bench.workload import WORKLOAD

Body = dict[str, Any]


class Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP collector that keeps nothing but a count of what it was sent."""

    received = 0
    bytes = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        Sink.received += 1
        Sink.bytes += length
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default=None, help="a revision without tracing to serve beside (e.g. main)")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--size", default="S", choices=["S", "M", "L"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20, help="requests per side, operation and round")
    parser.add_argument("--operation", action="append", help="viewer or a bench operation (default: viewer, dashboard)")
    parser.add_argument(
        "--in-process", action="store_true", help="one app in this process, tracing switched per request"
    )
    args = parser.parse_args()
    dataset = asyncio.run(prepare(args.backend, args.size))
    if args.in_process:
        asyncio.run(_in_process(dataset, args.operation or ["viewer", "dashboard"], args.rounds, args.repeat))
        return
    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    collector = f"http://127.0.0.1:{sink.server_address[1]}"
    traced = {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": collector}
    sides: dict[str, tuple[Path, dict[str, str]]] = {
        "off": (ROOT, {}),
        "on": (ROOT, traced),
        "on 1%": (
            ROOT,
            traced | {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.01"},
        ),
    }
    if args.baseline:
        sides = {"baseline": (worktree(args.baseline), {}), **sides}
    names = args.operation or ["viewer", "dashboard"]
    with ExitStack() as stack:
        servers = {
            side: stack.enter_context(
                ServerProcess("corpcare", dataset.env() | {"CORPCARE_BULK_WORKER": "false"} | extra, cwd=tree)
            )
            for side, (tree, extra) in sides.items()
        }
        targets = _targets(servers["off"].url)
        operations: dict[str, tuple[str, Body]] = {}
        for name in names:
            if name == "viewer":
                operations[name] = ("acme.admin", {"query": VIEWER})
                continue
            op = next(op for op in WORKLOAD if op.name == name)
            operations[name] = (
                op.login,
                {"query": _document(ROOT, name, op.document), "variables": op.variables(targets)},
            )
        clients = {
            (side, login): stack.enter_context(
                httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token(login)}"}, timeout=120)
            )
            for side, server in servers.items()
            for login in {login for login, _ in operations.values()}
        }
        samples = _run(clients, list(sides), operations, args.rounds, args.repeat)
    sink.shutdown()
    print(f"\nHTTP p50 (ms), {dataset.label}, {args.rounds} rounds of {args.repeat} requests per side in turn")
    print(f"OTLP sink: {Sink.received} exports, {Sink.bytes:,} bytes")
    print("| operation | " + " | ".join(sides) + " | " + " | ".join(f"{s} / off" for s in sides if s != "off") + " |")
    print("|---|" + "---|" * (2 * len(sides) - 1))
    for name in names:
        p50 = {side: statistics.median(t for r in samples[name][side] for t in r) for side in sides}
        figures = [f"{p50[side]:.2f}" for side in sides]
        ratios = [f"{p50[side] / p50['off']:.3f}" for side in sides if side != "off"]
        print(f"| {name} | " + " | ".join(figures) + " | " + " | ".join(ratios) + " |")


class Dropped(SpanExporter):
    """An exporter that drops what it is given (the spans are made, batched and handed over)."""

    def export(self, spans: Any) -> SpanExportResult:
        return SpanExportResult.SUCCESS


async def _in_process(dataset: Any, names: list[str], rounds: int, repeat: int) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    from infra import tracing
    from server.app import create_app
    from server.settings import Settings

    env = dataset.env() | UNGATED | ALLOWANCES | {"CORPCARE_BULK_WORKER": "false", "CORPCARE_ENV": "production"}
    os.environ.update(env)  # read as the server reads its settings (the allowances are JSON)
    settings = Settings(_env_file=None, jwt_secret=SECRET)  # type: ignore[call-arg]
    recording = TracerProvider()
    recording.add_span_processor(BatchSpanProcessor(Dropped()))
    sampled_out = TracerProvider(sampler=ALWAYS_OFF)
    sides = {"off": None, "on": recording.get_tracer("corpcare"), "sampled out": sampled_out.get_tracer("corpcare")}
    app = create_app(settings)
    samples: dict[str, dict[str, list[float]]] = {name: {side: [] for side in sides} for name in names}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.bench", timeout=120) as http:
            http.headers["Authorization"] = f"Bearer {token('acme.admin')}"
            targets = await _targets_in(http)
            bodies = {}
            for name in names:
                if name == "viewer":
                    bodies[name] = ("acme.admin", {"query": VIEWER})
                    continue
                op = next(op for op in WORKLOAD if op.name == name)
                bodies[name] = (
                    op.login,
                    {"query": _document(ROOT, name, op.document), "variables": op.variables(targets)},
                )
            order = list(sides)
            for round_ in range(rounds + 1):  # the first round warms up
                order = order[1:] + order[:1]
                for name, (login, body) in bodies.items():
                    headers = {"Authorization": f"Bearer {token(login)}"}
                    for _ in range(repeat):
                        for side in order:
                            tracing.use(sides[side])
                            started = time.perf_counter()
                            response = await http.post("/graphql", json=body, headers=headers)
                            took = (time.perf_counter() - started) * 1000
                            tracing.use(None)
                            if response.status_code != 200 or "errors" in response.json():
                                raise RuntimeError(response.text[:300])
                            if round_:
                                samples[name][side].append(took)
    recording.shutdown()
    print(f"\nIn process, p50 (ms), {dataset.label}, {rounds} rounds of {repeat} requests per side in turn")
    print("| operation | " + " | ".join(sides) + " | on / off | sampled out / off |")
    print("|---|" + "---|" * (len(sides) + 2))
    for name in names:
        p50 = {side: statistics.median(samples[name][side]) for side in sides}
        ratios = f"{p50['on'] / p50['off']:.3f} | {p50['sampled out'] / p50['off']:.3f}"
        print(f"| {name} | " + " | ".join(f"{p50[side]:.2f}" for side in sides) + f" | {ratios} |")


async def _targets_in(http: httpx.AsyncClient) -> Any:
    from datetime import UTC, datetime

    from bench.workload import LINE_QUERY, TARGETS_QUERY, Targets

    divisions = (await http.post("/graphql", json={"query": TARGETS_QUERY})).json()["data"]["customer"]["orgRoot"][
        "children"
    ]
    unit = max(divisions, key=lambda d: d["subscriberCount"])["id"]
    answer = await http.post("/graphql", json={"query": LINE_QUERY, "variables": {"u": unit}})
    line = answer.json()["data"]["subscribers"]["nodes"][0]["id"]
    return Targets(unit=unit, line=line, today=datetime.now(UTC).date())


def _run(
    clients: dict[tuple[str, str], httpx.Client],
    sides: list[str],
    operations: dict[str, tuple[str, Body]],
    rounds: int,
    repeat: int,
) -> dict[str, dict[str, list[list[float]]]]:
    samples: dict[str, dict[str, list[list[float]]]] = {name: {side: [] for side in sides} for name in operations}
    for login, body in operations.values():  # warm-up: documents parsed, connections opened
        for side in sides:
            for _ in range(5):
                _post(clients[side, login], body)
    for round_ in range(rounds):
        order = sides[round_ % len(sides) :] + sides[: round_ % len(sides)]
        for name, (login, body) in operations.items():
            times: dict[str, list[float]] = {side: [] for side in sides}
            for _ in range(repeat):
                for side in order:
                    started = time.perf_counter()
                    _post(clients[side, login], body)
                    times[side].append((time.perf_counter() - started) * 1000)
            for side in sides:
                samples[name][side].append(times[side])
    return samples


if __name__ == "__main__":
    main()
