"""The benchmark report: Markdown tables a reader can check figure by figure."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bench.changes import ChangeFigures
from bench.exports import ExportFigures
from bench.suite import CONCURRENCY, Result, Run


def render(run: Run, *, started: datetime, machine: str, command: str) -> str:
    results = run.results
    lines = [
        f"# corpcare benchmarks, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine}. Command: `{command}`. All figures of one table come from one run.",
        "",
        "## Data sets",
        "",
        "| set | lines | generation (s) |",
        "|---|---|---|",
    ]
    seen = set()
    for dataset in [r.dataset for r in results] + [c.dataset for c in run.changes] + [e.dataset for e in run.exports]:
        if dataset.label not in seen:
            seen.add(dataset.label)
            reused = " (reused)" if dataset.reused else ""
            lines.append(f"| {dataset.label} | {dataset.lines:,} | {dataset.seconds_to_generate:.1f}{reused} |")
    if results:
        lines += _reads(results)
    if run.changes:
        lines += _changes(run.changes)
    if run.exports:
        lines += _exports(run.exports)
    return "\n".join(lines) + "\n"


def _reads(results: list[Result]) -> list[str]:
    lines = [
        "",
        "## Latency, round trips and the floor",
        "",
        "In-process is `schema.execute` with a real context; HTTP is sequential requests to a uvicorn "
        "server (1 worker). DB is the operation's statements replayed on raw driver connections; the "
        "floor is DB + `orjson` of the response. µs/field = (in-process p50 - floor) / fields. p50 / DB: "
        "the operation's time over its SQL's own time.",
        "",
        "| set | operation | fields | SQL | DB ms | floor ms | in-process p50 | HTTP p50 | p95 | p99 "
        "| µs/field above floor | p50 / DB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r.corpcare
        http = "| — | — | — " if r.http is None else "| {:.1f} | {:.1f} | {:.1f} ".format(*r.http)
        lines.append(
            f"| {r.dataset.label} | {r.operation} | {c.fields:,} | {c.statements} | {c.db_ms:.1f} | {c.floor_ms:.1f} "
            f"| {c.p50:.1f} {http}| {c.us_per_field_above_floor:.1f} | {c.p50 / max(c.db_ms, 0.001):.2f} |"
        )
    lines += [
        "",
        "## Against the naive way and the floor",
        "",
        "Naive: the same schema with per-object async resolvers and no loaders (`bench/naive/`). "
        "Ratios below 1 mean corpcare is faster.",
        "",
        "| set | operation | naive SQL | naive in-process p50 | naive HTTP p50 | corpcare / naive (in-process) "
        "| corpcare / naive (HTTP) | corpcare / floor | same data |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c, n = r.corpcare, r.naive
        if n is None:
            continue
        http_naive = f"{r.naive_http_p50:.1f}" if r.naive_http_p50 else "—"
        http_ratio = f"{r.http[0] / r.naive_http_p50:.3f}" if r.http and r.naive_http_p50 else "—"
        lines.append(
            f"| {r.dataset.label} | {r.operation} | {n.statements:,} | {n.p50:.1f} | {http_naive} "
            f"| {c.p50 / n.p50:.3f} | {http_ratio} | {c.p50 / max(c.floor_ms, 0.001):.1f} "
            f"| {'yes' if r.naive_matches else 'NO'} |"
        )
    if any(r.throughput for r in results):
        lines += [
            "",
            "## Throughput (requests/s), load from a separate process",
            "",
            "| set | operation | "
            + " | ".join(f"1 worker, {c} clients" for c in CONCURRENCY)
            + " | "
            + " | ".join(f"2 workers, {c} clients" for c in CONCURRENCY)
            + " |",
            "|---|---|" + "---|" * (2 * len(CONCURRENCY)),
        ]
        for r in results:
            cells = [f"{r.throughput.get(w, {}).get(c, 0):.1f}" for w in (1, 2) for c in CONCURRENCY]
            lines.append(f"| {r.dataset.label} | {r.operation} | " + " | ".join(cells) + " |")
        lines += ["", "Peak RSS of a server process (MB), over all operations of the set:", "",
                  "| set | 1 worker | 2 workers (largest worker) |", "|---|---|---|"]  # fmt: skip
        seen = set()
        for r in results:
            if r.dataset.label not in seen and r.peak_rss_mb:
                seen.add(r.dataset.label)
                lines.append(f"| {r.dataset.label} | {r.peak_rss_mb.get(1, 0):.0f} | {r.peak_rss_mb.get(2, 0):.0f} |")
    lines += [
        "",
        "## SQL statements per operation across sizes",
        "",
    ]
    by_op: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    sizes = sorted({r.dataset.size for r in results}, key="SML".index)
    for r in results:
        by_op[(r.operation, r.dataset.backend)][r.dataset.size] = r.corpcare.statements
    lines += [
        "| operation | backend | " + " | ".join(sizes) + " | identical |",
        "|---|---|" + "---|" * (len(sizes) + 1),
    ]
    for (operation, backend), counts in by_op.items():
        values = [counts.get(size) for size in sizes]
        same = "yes" if len(set(values)) == 1 else "NO"
        lines.append(f"| {operation} | {backend} | " + " | ".join(str(v) for v in values) + f" | {same} |")
    return lines


def _changes(changes: list[ChangeFigures]) -> list[str]:
    lines = [
        "",
        "## Changes",
        "",
        "In-process, caller acme.admin. single_change: one service added to one line, or taken off "
        "again (60 mutations); SQL statements per mutation. bulk_*: the mutation once, then until the "
        "in-process worker has completed the operation; SQL statements per line. Floor: one raw INSERT "
        "transaction per line on a driver connection; corpcare / floor is the floor's lines/s over corpcare's.",
        "",
        "| set | operation | lines | mutation p50 ms | p95 ms | until complete ms | SQL | lines/s "
        "| floor lines/s | corpcare / floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in changes:
        complete = "—" if c.complete_ms is None else f"{c.complete_ms:,.0f}"
        speed = "—" if c.lines_per_second is None else f"{c.lines_per_second:,.0f}"
        floor = "—" if c.floor_lines_per_second is None else f"{c.floor_lines_per_second:,.0f}"
        ratio = "—"
        if c.lines_per_second and c.floor_lines_per_second:
            ratio = f"{c.floor_lines_per_second / c.lines_per_second:.2f}"
        lines.append(
            f"| {c.dataset.label} | {c.operation} | {c.lines:,} | {c.mutation_p50_ms:.1f} "
            f"| {c.mutation_p95_ms:.1f} | {complete} | {c.statements:.1f} | {speed} | {floor} | {ratio} |"
        )
    return lines


def _exports(exports: list[ExportFigures]) -> list[str]:
    lines = [
        "",
        "## CSV export (csv_export_100k)",
        "",
        "The spending report as CSV for acme.finance, consumed as the response streams it, in-process. Peak: "
        "traced Python memory during a second run.",
        "",
        "| set | grouping | rows | MB | seconds | rows/s | peak MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in exports:
        lines.append(
            f"| {e.dataset.label} | {e.grouping} | {e.rows:,} | {e.megabytes:.1f} | {e.seconds:.2f} "
            f"| {e.rows_per_second:,.0f} | {e.peak_mb:.1f} |"
        )
    return lines
