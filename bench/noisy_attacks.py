"""Company A's attacks for the noisy-neighbour benchmark (issue 13): each one an operation its
callers may send, at the edge of what their limits allow, sent again and again until told to
stop. What the server answered is counted by outcome (status and error code); the dry runs
also report how far their bulk operations got.

``in_flight`` is set once the first attack request is on the wire (its body sent), so the other
company's measurement starts while the attack is really running, not after a guessed delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import httpx

from core.ids import to_global_id
from core.values import add_months, month_start

ANALYST, EMPLOYEE, UNIT_ADMIN = "acme.analyst", "acme.employee", "acme.sales.admin"
BODY_LIMIT = 4_000_000  # the default CORPCARE_MAX_BODY_BYTES before issue 13
NEAR_LIMIT = BODY_LIMIT - 100_000  # a query this long, with room for the JSON around it
IDS = 100_000  # the default CORPCARE_MAX_INPUT_LIST and the README's largest bulk selection


@dataclass(frozen=True, slots=True)
class Targets:
    today: date
    service: str  # a service A's unit admin may add (dry runs)


@dataclass(frozen=True, slots=True)
class Attack:
    name: str
    description: str
    callers: tuple[str, ...]  # one concurrent caller each
    body: Callable[[Targets], dict[str, Any]] = lambda _: {}  # the JSON body (encoded once)
    once: bool = False  # each caller sends one request, then holds (its work goes on in the background)
    slow_clients: int = 0  # raw sockets that trickle a request instead


def _months(targets: Targets, back: int) -> tuple[str, str]:
    start = month_start(targets.today)
    return add_months(start, -back).strftime("%Y-%m"), add_months(start, -1).strftime("%Y-%m")


def _reports(targets: Targets) -> dict[str, Any]:
    first, last = _months(targets, 36)
    report = (f'spendingReport(input: {{from: "{first}", to: "{last}", groupBy: [LINE, MONTH, CATEGORY]}}) '
              "{ rowCount totals { total { amount } } }")  # fmt: skip
    return {"query": "{ " + " ".join(f"r{i}: {report}" for i in range(30)) + " }"}


def _comment(_: Targets) -> dict[str, Any]:
    return {"query": "#" + "x" * NEAR_LIMIT + "\n{ viewer { login } }"}


def _spaces(_: Targets) -> dict[str, Any]:
    return {"query": "{ viewer" + " " * NEAR_LIMIT + "{ login } }"}


def _nodes(_: Targets) -> dict[str, Any]:
    ids = [to_global_id("Subscriber", key) for key in range(1, IDS + 1)]
    return {"query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": {"ids": ids}}


DRY_RUN = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  bulkOperation { id } wouldApply userErrors { code } } }"""


def _dry_run(targets: Targets) -> dict[str, Any]:
    ids = [to_global_id("Subscriber", key) for key in range(1, IDS + 1)]
    selection = {"selection": {"ids": ids}, "services": [targets.service], "dryRun": True}
    return {"query": DRY_RUN, "variables": {"input": selection}}


ATTACKS = (
    Attack("reports_30_aliases", "30 aliases of spendingReport(groupBy: [LINE, MONTH, CATEGORY]) over 36 months",
           (ANALYST, ANALYST, UNIT_ADMIN), _reports),
    # Each costs 1: nothing stops a caller sending three at once.
    Attack("comment_3_9mb", "a 3.9 MB query that is one comment", (EMPLOYEE, ANALYST, UNIT_ADMIN) * 3, _comment),
    Attack("spaces_3_9mb", "3.9 MB of spaces in a query", (EMPLOYEE, ANALYST, UNIT_ADMIN) * 3, _spaces),
    Attack("nodes_100k_ids", "nodes(ids:) with 100,000 ids", (EMPLOYEE, ANALYST, UNIT_ADMIN), _nodes),
    Attack("slow_clients", "20 slow-header and 20 slow-body connections", (), slow_clients=40),
    # Last: a dry run whose answer came after the end is left queued, and the next pair of
    # servers (on the same databases) would work on it.
    Attack("dry_runs_5x100k", "five concurrent dry runs over 100,000 ids", (UNIT_ADMIN,) * 5, _dry_run, once=True),
)  # fmt: skip


@dataclass
class Attacker:
    """Runs one attack against the servers until ``stop`` is set."""

    attack: Attack
    bases: list[str]
    tokens: dict[str, str]
    targets: Targets
    honour_retry_after: bool = True
    grace: float = 10.0  # s, for the requests on their way when told to stop
    in_flight: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    outcomes: Counter[str] = field(default_factory=Counter)
    slowest: dict[str, float] = field(default_factory=dict)  # outcome -> longest answer, s
    bulk_operations: list[tuple[str, str]] = field(default_factory=list)  # (base, id)

    async def run(self) -> None:
        content = json.dumps(self.attack.body(self.targets)).encode()
        callers = [self._caller(login, i, content) for i, login in enumerate(self.attack.callers)]
        callers += [self._slow(i) for i in range(self.attack.slow_clients)]
        tasks = [asyncio.create_task(caller) for caller in callers]
        await self.stop.wait()
        # Requests on their way may finish (a server that answered them owes nothing more);
        # one still unanswered after the grace is abandoned, and counted.
        _, late = await asyncio.wait(tasks, timeout=self.grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def left_work(self) -> bool:
        """Whether the servers may still be working for this attack: a request given up on, or a
        bulk operation (even one whose answer did not come)."""
        return self.attack.once or self.outcomes["no answer by the end"] > 0

    def _count(self, outcome: str, seconds: float) -> None:
        self.in_flight.set()  # an answer, even a refusal before the body was read, means it was sent
        self.outcomes[outcome] += 1
        self.slowest[outcome] = max(self.slowest.get(outcome, 0.0), seconds)

    async def _trace(self, event: str, _info: dict[str, Any]) -> None:
        if event == "http11.send_request_body.complete":
            self.in_flight.set()

    async def _caller(self, login: str, index: int, content: bytes) -> None:
        base = self.bases[index % len(self.bases)]
        headers = {"Authorization": f"Bearer {self.tokens[login]}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    response = await http.post("/graphql", content=content, extensions={"trace": self._trace})
                except asyncio.CancelledError:
                    self._count("no answer by the end", time.perf_counter() - started)
                    raise
                except httpx.HTTPError as error:
                    self._count(f"transport {type(error).__name__}", time.perf_counter() - started)
                    if self.attack.once:
                        return
                    continue
                outcome, wait = describe(response)
                self._count(outcome, time.perf_counter() - started)
                if self.attack.once:
                    self._keep_bulk(base, response)
                    return
                if wait and self.honour_retry_after:
                    # As a well-behaved client: back off for as long as asked, or until the end.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), wait)

    def _keep_bulk(self, base: str, response: httpx.Response) -> None:
        try:
            operation = response.json()["data"]["subscriberServicesAdd"]["bulkOperation"]
        except (ValueError, KeyError, TypeError):
            return
        if operation:
            self.bulk_operations.append((base, operation["id"]))

    async def _slow(self, index: int) -> None:
        """Open a connection and send a request one byte a second: headers (even index) or body."""
        url = urlsplit(self.bases[index % len(self.bases)])
        try:
            reader, writer = await asyncio.open_connection(url.hostname, url.port)
        except OSError as error:
            self._count(f"slow client not connected ({type(error).__name__})", 0.0)
            return
        head = (f"POST /graphql HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {self.tokens[EMPLOYEE]}\r\n"
                "Content-Length: 100000\r\n\r\n").encode()  # fmt: skip
        kind = "header" if index % 2 == 0 else "body"
        if kind == "body":
            writer.write(head)
        trickle = head if kind == "header" else b'{"query": "' + b" " * 99_980
        answer = asyncio.create_task(reader.read(200))
        started = time.perf_counter()
        try:
            for byte in trickle:
                writer.write(bytes([byte]))
                await writer.drain()
                self.in_flight.set()
                done, _ = await asyncio.wait({answer}, timeout=1.0)
                if done or self.stop.is_set():
                    break
            if answer.done():
                line = answer.result().split(b"\r\n", 1)[0].decode(errors="replace") or "closed"
                self._count(f"slow {kind}: server answered {line!r}", time.perf_counter() - started)
            else:
                self._count(f"slow {kind}: held to the end", time.perf_counter() - started)
        except asyncio.CancelledError:
            self._count(f"slow {kind}: held to the end", time.perf_counter() - started)
            raise
        except ConnectionError:
            self._count(f"slow {kind}: connection reset", time.perf_counter() - started)
        finally:
            answer.cancel()
            writer.close()

    async def settle(self) -> None:
        """Read how far the dry runs got, then cancel them (nothing is left running)."""
        for base, operation in self.bulk_operations:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                headers = {"Authorization": f"Bearer {self.tokens[UNIT_ADMIN]}"}
                try:
                    answer = await http.post(
                        "/graphql", headers=headers, json={"query": STATUS, "variables": {"id": operation}}
                    )
                    node = answer.json()["data"]["node"]
                    self.outcomes[f"bulk {node['status']} at the end, {node['done']:,}/{node['total']:,} done"] += 1
                    cancel = {"input": {"bulkOperation": operation}}
                    await http.post("/graphql", headers=headers, json={"query": CANCEL, "variables": cancel})
                except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                    self.outcomes[f"bulk status unread ({type(error).__name__})"] += 1


STATUS = "query($id: ID!) { node(id: $id) { ... on BulkOperation { status done total } } }"
CANCEL = """mutation($input: BulkOperationCancelInput!) { bulkOperationCancel(input: $input) {
  userErrors { code } } }"""


def describe(response: httpx.Response) -> tuple[str, float | None]:
    """ "<status> <first error code or ok>" and how long the server asked the caller to wait."""
    retry = response.headers.get("retry-after")
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} (not JSON)", float(retry) if retry else None
    errors = body.get("errors") if isinstance(body, dict) else None
    code = (errors[0].get("extensions") or {}).get("code", "no code") if errors else "ok"
    return f"{response.status_code} {code}", float(retry) if retry else None


def summary(attacker: Attacker) -> str:
    """Outcomes, most frequent first, each with its slowest answer."""
    parts = []
    for outcome, count in attacker.outcomes.most_common():
        slowest = attacker.slowest.get(outcome)
        parts.append(f"{outcome} x{count}" + (f" (≤ {slowest:.1f} s)" if slowest is not None else ""))
    return "; ".join(parts) or "nothing answered"
