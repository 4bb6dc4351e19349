"""Employee lines of the demo companies: who holds them, where they sit, their SIM and status."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from demo.names import (
    DEVICES,
    DIVISION_JOBS,
    FIRST_NAMES,
    LAST_NAMES,
    POSITIONS,
    mail_part,
)
from demo.org import Company, Unit
from sources.crm.search import fold

# German mobile numbers: every demo company is in Germany (``COUNTRY``).
COUNTRY = "DE"
MSISDN_PREFIXES = ("+49151", "+49160", "+49170", "+49171")
_DEVICE_NAMES = [name for name, _ in DEVICES]
_DEVICE_WEIGHTS = [weight for _, weight in DEVICES]


@dataclass(slots=True)
class Line:
    id: int
    customer_id: int
    unit: Unit
    employee_name: str
    email: str
    position: str
    device: str
    msisdn: str
    iccid: str
    imsi: str
    activated_on: date
    status: str = "active"

    def row(self) -> tuple:
        return (
            self.id,
            self.customer_id,
            self.unit.id,
            self.unit.path,
            self.msisdn,
            self.iccid,
            self.imsi,
            self.employee_name,
            self.email,
            self.position,
            self.device,
            self.status,
            self.activated_on,
            fold(self.employee_name),
        )


def msisdns(rng: random.Random, count: int) -> Iterator[str]:
    """Distinct numbers across all customers, in random order."""
    block = 10**7
    for n in rng.sample(range(len(MSISDN_PREFIXES) * block), count):
        yield f"{MSISDN_PREFIXES[n // block]}{n % block:07d}"


def place_lines(rng: random.Random, units: list[Unit], count: int) -> list[Unit]:
    """The unit of each of ``count`` lines, in unit order: mostly teams, a few departments."""
    divisions = [u for u in units if u.kind == "division"]
    departments = [u for u in units if u.kind == "department"]
    teams = [u for u in units if u.kind == "team"]
    cum_weights: list[float] = []
    total = 0.0
    for _ in teams:
        total += rng.uniform(0.4, 2.0)
        cum_weights.append(total)
    placed: list[Unit] = []
    for i in range(count):
        if i < len(divisions):
            # Every division gets a line even in a tiny data set (the demo users need one).
            placed.append(rng.choice([t for t in teams if t.division == divisions[i].name]))
        elif rng.random() < 0.04:
            placed.append(rng.choice(departments))
        else:
            placed.append(rng.choices(teams, cum_weights=cum_weights)[0])
    placed.sort(key=lambda unit: unit.id)
    return placed


def build_lines(
    rng: random.Random,
    company: Company,
    placed: list[Unit],
    first_id: int,
    numbers: Iterator[str],
    as_of: date,
) -> list[Line]:
    taken: dict[str, int] = {}
    lines = []
    for offset, unit in enumerate(placed):
        line_id = first_id + offset
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{mail_part(first)}.{mail_part(last)}"
        taken[local] = taken.get(local, 0) + 1
        suffix = str(taken[local]) if taken[local] > 1 else ""
        jobs = POSITIONS[DIVISION_JOBS.get(unit.division, "office")]
        lines.append(
            Line(
                id=line_id,
                customer_id=company.id,
                unit=unit,
                employee_name=f"{first} {last}",
                email=f"{local}{suffix}@{company.domain}",
                position=rng.choice(jobs),
                device=rng.choices(_DEVICE_NAMES, weights=_DEVICE_WEIGHTS)[0],
                msisdn=next(numbers),
                iccid=_with_luhn(f"894922{rng.randrange(10**5):05d}{line_id:07d}"),
                imsi=f"26201{rng.randrange(1000):03d}{line_id:07d}",
                activated_on=as_of - timedelta(days=rng.randrange(4 * 365)),
            )
        )
    return lines


def assign_statuses(rng: random.Random, lines: list[Line], keep_active: Line | None, as_of: date) -> None:
    """About 2 % suspended (never fewer than two) and 0.5 % terminated lines."""
    suspended = max(2, round(len(lines) * 0.02))
    terminated = round(len(lines) * 0.005)
    candidates = [line for line in lines if line is not keep_active]
    chosen = rng.sample(candidates, min(len(candidates), suspended + terminated))
    for line in chosen[:suspended]:
        line.status = "suspended"
    for line in chosen[suspended:]:
        line.status = "terminated"
        # A terminated line had a life before it ended: at least a year of service.
        if (as_of - line.activated_on).days < 365:
            line.activated_on = as_of - timedelta(days=365 + rng.randrange(3 * 365))


def _with_luhn(digits: str) -> str:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return digits + str((10 - total % 10) % 10)
