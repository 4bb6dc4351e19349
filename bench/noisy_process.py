"""Company A's attack in a process of its own: building and sending 3.9 MB bodies, and reading
the answers, is Python work that would otherwise delay company B's requests in the measuring
process and be counted as the servers' fault.

The child (``python -m bench.noisy_process SPEC``) prints one line when the attack is on the
wire, stops when a line arrives on its standard input, and prints what A's callers were
answered.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.noisy_attacks import ATTACKS, Attacker, Targets, summary
from bench.noisy_servers import ROOT


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: str  # A's outcomes, most frequent first
    left_work: bool  # a request given up on, or bulk operations
    server_errors: bool  # some answer was a 5xx


class AttackProcess:
    def __init__(self, attack: str, bases: list[str], tokens: dict[str, str], targets: Targets, honour: bool) -> None:
        self.spec = {"attack": attack, "bases": bases, "tokens": tokens, "today": targets.today.isoformat(),
                     "service": targets.service, "honour_retry_after": honour}  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the attack and return once a request of it is on the wire."""
        command = [sys.executable, "-m", "bench.noisy_process", json.dumps(self.spec)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        await asyncio.wait_for(self._line(), 300)

    async def finish(self) -> Report:
        """Tell the attack to stop; what its callers were answered."""
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(b"stop\n")
        await self.process.stdin.drain()
        report = Report(**await self._line())
        await self.process.wait()
        return report

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def _line(self) -> Any:
        assert self.process is not None and self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the attack process ended ({await self.process.wait()}); see its output above")
        return json.loads(line)


async def _attack(spec: dict[str, Any]) -> None:
    attack = next(a for a in ATTACKS if a.name == spec["attack"])
    targets = Targets(date.fromisoformat(spec["today"]), spec["service"])
    attacker = Attacker(attack, spec["bases"], spec["tokens"], targets, spec["honour_retry_after"])
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    running = asyncio.create_task(attacker.run())
    await attacker.in_flight.wait()
    print(json.dumps({"in_flight": True}), flush=True)
    await stdin.readline()  # the parent's stop (or its end)
    attacker.stop.set()
    await running
    await attacker.settle()
    server_errors = any(outcome.startswith("5") for outcome in attacker.outcomes)
    report = {"outcomes": summary(attacker), "left_work": attacker.left_work, "server_errors": server_errors}
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    asyncio.run(_attack(json.loads(sys.argv[1])))
