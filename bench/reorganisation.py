"""Closed months before and after a reorganisation, as billed and in today's tree.

Seeds the demo (``corpcare seed``) into a private SQLite directory, reads the closed months of
a few units, moves a team to another division and a line to another division through the
GraphQL mutations, and reads them again. As billed, every closed figure must stay the same;
in today's tree (CURRENT) the moved team and line take their past charges along.

    .venv/bin/python -m bench.reorganisation --subscribers 10000 > bench/results/reorganisation-….md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.ids import from_global_id, to_global_id
from core.values import add_months, month_start
from engine.build import build_schema
from infra.cache import InProcessCache
from permissions.principal import principal_for
from request.context import Context, PageLimits
from sources import Sources
from sources.db import Engines, create_engine

ADMIN = "acme.admin"
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  rows(first: 10000) { totalCount nodes { orgUnit { id } month total { amount } } } } }"""
USAGE = """query($from: Month!, $to: Month!, $depth: Int!, $structure: OrgStructure!) {
  usageReport(from: $from, to: $to, unitDepth: $depth, structure: $structure) {
    rows(first: 10000) { totalCount nodes { orgUnit { id } month kind quantity amount { amount } } } } }"""
UNIT_MOVE = """mutation($input: OrgUnitMoveInput!) { orgUnitMove(input: $input) { userErrors { code } } }"""
LINE_MOVE = """mutation($input: SubscriberMoveInput!) { subscriberMove(input: $input) { applied } }"""


class Reader:
    def __init__(self, sources: Sources, engines: Engines) -> None:
        self.sources, self.engines, self.schema = sources, engines, build_schema()

    async def run(self, query: str, variables: dict[str, Any]) -> Any:
        user = await self.sources.crm.portal_user_by_login(ADMIN)
        assert user is not None
        context = Context.of(principal_for(user), self.sources, request_id=uuid.uuid4().hex, pages=PageLimits(50, 2000))
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None, result.errors
        return result.data

    async def by_unit(self, first: str, last: str, depth: int, structure: str) -> dict[tuple[int, str], Decimal]:
        input = {"from": first, "to": last, "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": depth,
                 "structure": structure}  # fmt: skip
        rows = _all_rows((await self.run(REPORT, {"input": input}))["spendingReport"]["rows"])
        return {(from_global_id(r["orgUnit"]["id"])[1], r["month"]): Decimal(r["total"]["amount"]) for r in rows}

    async def usage_by_unit(self, month: str, depth: int, structure: str) -> dict[tuple[int, str], Decimal]:
        """Each unit's usage of ``month`` per kind, as quantities (and the rated amount, kind "amount")."""
        variables = {"from": month, "to": month, "depth": depth, "structure": structure}
        found: dict[tuple[int, str], Decimal] = {}
        for row in _all_rows((await self.run(USAGE, variables))["usageReport"]["rows"]):
            unit = from_global_id(row["orgUnit"]["id"])[1]
            found[(unit, row["kind"])] = found.get((unit, row["kind"]), Decimal(0)) + Decimal(row["quantity"])
            found[(unit, "amount")] = found.get((unit, "amount"), Decimal(0)) + Decimal(row["amount"]["amount"])
        return found

    async def rows(self, engine: str, sql: str) -> list[Any]:
        async with getattr(self.engines, engine).connect() as conn:
            return list((await conn.execute(text(sql))).all())


async def measure(data_dir: Path) -> str:
    urls = [f"sqlite+aiosqlite:///{data_dir}/{name}.db" for name in ("crm", "billing", "state")]
    engines = Engines(*(create_engine(url) for url in urls))
    reader = Reader(Sources.over(engines, InProcessCache()), engines)
    current = month_start(date.today())
    first, last = (add_months(current, n).strftime("%Y-%m") for n in (-11, -1))
    units = await reader.rows("crm", "select id, name, kind, path from org_units where customer_id = 1")
    name = {uid: f"{unit_name} ({kind})" for uid, unit_name, kind, _ in units}
    divisions = {unit_name: (uid, path) for uid, unit_name, kind, path in units if kind == "division"}
    sales, operations = divisions["Sales"], divisions["Operations"]
    sizes = dict(await reader.rows("crm", "select org_unit_id, count(*) from subscribers group by org_unit_id"))
    team = max((u for u in units if u[2] == "team" and u[3].startswith(sales[1])), key=lambda u: sizes.get(u[0], 0))
    department = next(u for u in units if u[2] == "department" and u[3].startswith(operations[1]))
    line = next(row[0] for row in await reader.rows(
        "crm", f"select id from subscribers where org_path >= '{sales[1]}' and org_path < '{sales[1]}~' "
               f"and org_path not like '{team[3]}%' and status = 'active' order by id"))  # fmt: skip
    invoices_sql = "select sum(total_minor) from invoices where customer_id = 1"

    shown = [(1, sales[0]), (1, operations[0]), (2, department[0]), (3, team[0])]

    seconds: dict[str, list[float]] = {"AS_BILLED": [], "CURRENT": []}

    async def figures() -> dict[str, dict[tuple[int, str], Decimal]]:
        found = {}
        for structure in ("AS_BILLED", "CURRENT"):
            for depth in (0, 1, 2, 3):
                started = time.perf_counter()
                found[f"{structure}/{depth}"] = await reader.by_unit(first, last, depth, structure)
                seconds[structure].append(time.perf_counter() - started)
                # Usage is itemised for the last closed month (and this one) only.
                found[f"usage/{structure}/{depth}"] = await reader.usage_by_unit(last, depth, structure)
        return found

    before, invoiced_before = await figures(), (await reader.rows("billing", invoices_sql))[0][0]
    started = time.perf_counter()
    moved = await reader.run(UNIT_MOVE, {"input": {"orgUnit": to_global_id("OrgUnit", team[0]),
                                                   "newParent": to_global_id("OrgUnit", department[0])}})  # fmt: skip
    assert moved["orgUnitMove"]["userErrors"] == []
    selection = {"ids": [to_global_id("Subscriber", line)]}
    target = to_global_id("OrgUnit", operations[0])
    line_moved = await reader.run(LINE_MOVE, {"input": {"selection": selection, "orgUnit": target}})
    assert line_moved["subscriberMove"]["applied"] == 1
    move_seconds = time.perf_counter() - started
    after, invoiced_after = await figures(), (await reader.rows("billing", invoices_sql))[0][0]
    await engines.dispose()

    def total(found: dict[tuple[int, str], Decimal], unit: int) -> Decimal:
        return sum((amount for (uid, _), amount in found.items() if uid == unit), Decimal(0))

    out = [f"Closed months {first} … {last} of Acme; moved: {name[team[0]]} (id {team[0]}, {sizes.get(team[0], 0)} "
           f"lines) from Sales to {name[department[0]]} under Operations, and line {line} from Sales to "
           f"Operations, through orgUnitMove and subscriberMove ({move_seconds * 1000:.0f} ms for both).", "",
           "| unit | depth | structure | closed months before (EUR) | after (EUR) | equal |",
           "|---|---|---|---|---|---|"]  # fmt: skip
    for depth, unit in shown:
        for structure in ("AS_BILLED", "CURRENT"):
            key = f"{structure}/{depth}"
            b, a = total(before[key], unit), total(after[key], unit)
            out.append(f"| {name[unit]} | {depth} | {structure} | {b:,.2f} | {a:,.2f} | {'yes' if a == b else 'no'} |")
    for structure in ("AS_BILLED", "CURRENT"):
        same = sum(before[f"{structure}/{d}"] == after[f"{structure}/{d}"] for d in range(4))
        cells = sum(len(after[f"{structure}/{d}"]) for d in range(4))
        timing = sorted(seconds[structure])
        out.append(f"\n{structure}: {same} of 4 depths identical per unit and month ({cells} unit-month cells); "
                   f"one report (11 months by unit and month, in-process) took {timing[0] * 1000:.0f} to "
                   f"{timing[-1] * 1000:.0f} ms, median {timing[len(timing) // 2] * 1000:.0f} ms.")  # fmt: skip
    out += [
        "",
        f"Usage of the last closed month ({last}), per unit: quantities by kind and the rated amount.",
        "",
        "| unit | depth | structure | kind | before | after | equal |",
        "|---|---|---|---|---|---|---|",
    ]
    for depth, unit in shown:
        for structure in ("AS_BILLED", "CURRENT"):
            b_usage, a_usage = before[f"usage/{structure}/{depth}"], after[f"usage/{structure}/{depth}"]
            for kind in sorted({k for (uid, k) in b_usage.keys() | a_usage.keys() if uid == unit}):
                b, a = b_usage.get((unit, kind), Decimal(0)), a_usage.get((unit, kind), Decimal(0))
                out.append(
                    f"| {name[unit]} | {depth} | {structure} | {kind} | {b:,} | {a:,} | {'yes' if a == b else 'no'} |"
                )
    for structure in ("AS_BILLED", "CURRENT"):
        same = sum(before[f"usage/{structure}/{d}"] == after[f"usage/{structure}/{d}"] for d in range(4))
        cells = sum(len(after[f"usage/{structure}/{d}"]) for d in range(4))
        out.append(f"\nUsage, {structure}: {same} of 4 depths identical per unit and kind ({cells} cells).")
    company = {sum(after[f"{s}/{d}"].values()) for s in ("AS_BILLED", "CURRENT") for d in range(4)}
    invoices = [f"{Decimal(minor) / 100:,.2f}" for minor in (invoiced_before, invoiced_after)]
    out.append(f"Company total over the closed months, every depth and structure: {sorted(company)}; "
               f"invoices (all months) before {invoices[0]}, after {invoices[1]}.")  # fmt: skip
    return "\n".join(out)


def _all_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's rows, every one on the one page asked for."""
    assert len(page["nodes"]) == page["totalCount"], "more rows than one page"
    return page["nodes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="corpcare-reorg-") as directory:
        env = {**os.environ, "CORPCARE_DATA_DIR": directory}
        for name in ("crm", "billing", "state"):
            env[f"CORPCARE_{name.upper()}_URL"] = f"sqlite+aiosqlite:///{directory}/{name}.db"
        started = time.perf_counter()
        cli = Path(sys.executable).with_name("corpcare")
        subprocess.run([str(cli), "seed", "--subscribers", str(args.subscribers)], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        seeded = time.perf_counter() - started
        table = asyncio.run(measure(Path(directory)))
    print(f"# Reorganisation: closed months as billed and in today's tree ({args.subscribers:,} demo lines)\n")
    print(f"Seeded with `corpcare seed --subscribers {args.subscribers}` into a private SQLite directory "
          f"in {seeded:.0f} s.\n")  # fmt: skip
    print(table)


if __name__ == "__main__":
    main()
