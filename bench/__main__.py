"""Run the benchmark suite: `python -m bench [--large] [--backend sqlite|postgres] [--seconds N]`.

Default: data sets S and M on PostgreSQL (the reference) and SQLite; `--large` adds L.
Prints Markdown tables and writes them to `bench/results/<date>-<host>.md`.

`python -m bench --peer [--size S] [--rounds N] [--seconds N] [--workers N]`: corpcare against PostGraphile v5
on the same PostgreSQL data (`bench/postgraphile.py`), written to
`bench/results/peer-<date>-<host>.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
from datetime import UTC, datetime
from pathlib import Path

from bench.report import render
from bench.suite import Options, run_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="add the L data set (100,000 lines)")
    parser.add_argument("--size", action="append", choices=["S", "M", "L"], help="only these sizes")
    parser.add_argument("--backend", action="append", choices=["postgres", "sqlite"], help="only these backends")
    parser.add_argument("--operation", action="append", help="only these operations")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--no-changes", action="store_true", help="skip single_change and bulk_add_service")
    parser.add_argument("--no-exports", action="store_true", help="skip csv_export_100k")
    parser.add_argument("--peer", action="store_true", help="corpcare against PostGraphile v5 (PostgreSQL only)")
    parser.add_argument("--rounds", type=int, default=7, help="--peer: sequential rounds per shape")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="--peer: corpcare's workers for the second throughput run (default: one per core)",
    )
    args = parser.parse_args()
    sizes = args.size or (["S", "M", "L"] if args.large else ["S", "M"])
    if args.peer:
        _peer(sizes, args.rounds, args.seconds, args.workers)
        return
    options = Options(
        sizes=sizes,
        backends=args.backend or ["postgres", "sqlite"],
        operations=args.operation,
        throughput_seconds=args.seconds,
        http=not args.no_http,
        naive=not args.no_naive,
        changes=not args.no_changes,
        exports=not args.no_exports,
    )
    started = datetime.now(UTC)
    run = asyncio.run(run_suite(options))
    text = render(run, started=started, machine=_machine(), command=" ".join(["python -m bench", *_argv()]))
    print(text)
    _write(text, f"{started:%Y-%m-%d}-{socket.gethostname()}")


def _peer(sizes: list[str], rounds: int, seconds: float, workers: int) -> None:
    from bench.datasets import prepare
    from bench.postgraphile import measure
    from bench.postgraphile import render as render_peer

    started = datetime.now(UTC)
    by_dataset = []
    for size in sizes:
        dataset = asyncio.run(prepare("postgres", size))
        print(f"== {dataset.label}: data {'reused' if dataset.reused else 'generated'}", flush=True)
        by_dataset.append((dataset, measure(dataset, rounds, seconds, workers)))
    text = render_peer(by_dataset, started=f"{started:%Y-%m-%d %H:%M} UTC", machine=_machine(),
                       command=" ".join(["python -m bench", *_argv()]), rounds=rounds, seconds=seconds)  # fmt: skip
    print(text)
    _write(text, f"peer-{started:%Y-%m-%d}-{socket.gethostname()}")


def _machine() -> str:
    return f"{socket.gethostname()} — {platform.processor() or platform.machine()}, Python {platform.python_version()}"


def _write(text: str, stem: str) -> None:
    results_dir = Path(__file__).parent / "results"
    results_dir.mkdir(exist_ok=True)
    out = results_dir / f"{stem}.md"
    runs = 1
    while out.exists():  # a second run on the same day keeps the first
        runs += 1
        out = results_dir / f"{stem}-{runs}.md"
    out.write_text(text)
    print(f"\nwritten to {out}")


def _argv() -> list[str]:
    import sys

    return sys.argv[1:]


if __name__ == "__main__":
    main()
