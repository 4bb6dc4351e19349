"""The demo companies and their org trees: four levels, cost centres and budgets."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo.names import ORG_STRUCTURES, TEAM_SUFFIXES

BUDGET_PER_LINE_MINOR = 4500


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    code: str
    name: str
    domain: str


@dataclass(slots=True)
class Unit:
    id: int
    customer_id: int
    parent_id: int | None
    name: str
    kind: str  # company, division, department, team
    path: str
    depth: int
    division: str  # the division's name, "" for the company root
    cost_centre_code: str | None
    budget_minor: int | None = None
    line_count: int = field(default=0)  # lines in the subtree, set once lines are placed

    def ancestry(self) -> list[int]:
        """Ids from the root down to this unit, read off the materialised path."""
        return [int(part) for part in self.path.strip("/").split("/")]

    def row(self) -> tuple:
        return (
            self.id,
            self.customer_id,
            self.parent_id,
            self.name,
            self.kind,
            self.path,
            self.depth,
            self.cost_centre_code,
            self.budget_minor,
        )


def companies(count: int) -> list[Company]:
    fixed = [
        Company(1, "ACME", "Acme Logistics", "acme-logistics.example"),
        Company(2, "BOREALIS", "Borealis Energy", "borealis-energy.example"),
    ]
    extra = [Company(n, f"CUST{n}", f"Customer {n}", f"customer{n}.example") for n in range(3, count + 1)]
    return (fixed + extra)[:count]


def line_counts(subscribers: int, customers: int) -> list[int]:
    """75 % of the lines go to the first company, the rest evenly, at least ten each."""
    others = customers - 1
    first = min(round(subscribers * 0.75), subscribers - 10 * others)
    base, rest = divmod(subscribers - first, others)
    return [first] + [base + (1 if i < rest else 0) for i in range(others)]


def build_tree(rng: random.Random, company: Company, first_id: int) -> list[Unit]:
    """The company's units in depth-first order, ids counting up from ``first_id``."""
    units: list[Unit] = []
    prefix = f"{company.code}-CC-"

    def add(parent: Unit | None, name: str, kind: str, division: str, cc: str | None) -> Unit:
        unit_id = first_id + len(units)
        path = f"{parent.path if parent else '/'}{unit_id}/"
        unit = Unit(
            id=unit_id,
            customer_id=company.id,
            parent_id=parent.id if parent else None,
            name=name,
            kind=kind,
            path=path,
            depth=0 if parent is None else parent.depth + 1,
            division=division,
            cost_centre_code=cc,
        )
        units.append(unit)
        return unit

    root = add(None, company.name, "company", "", f"{prefix}100")
    structure = ORG_STRUCTURES.get(company.code, ORG_STRUCTURES["*"])
    for d, (division_name, departments) in enumerate(structure, start=1):
        division = add(root, division_name, "division", division_name, f"{prefix}{100 + 10 * d}")
        for p, department_name in enumerate(departments, start=1):
            dept_code = f"{prefix}{100 + 10 * d + p}"
            department = add(division, department_name, "department", division_name, dept_code)
            for t, suffix in enumerate(rng.sample(TEAM_SUFFIXES, rng.randint(2, 3)), start=1):
                # Only some teams are cost centres of their own; the rest book on the department.
                code = f"{dept_code}-{t}" if rng.random() < 0.5 else None
                add(department, f"{department_name} {suffix}", "team", division_name, code)
    return units


def set_budgets(rng: random.Random, units: list[Unit], line_units: list[Unit]) -> None:
    """Budget every unit below the root at about 45 EUR per line it holds, rounded to 10 EUR."""
    by_id = {unit.id: unit for unit in units}
    for unit in line_units:
        for unit_id in unit.ancestry():
            by_id[unit_id].line_count += 1
    for unit in units:
        if unit.depth == 0:
            continue
        estimate = max(unit.line_count, 1) * BUDGET_PER_LINE_MINOR * rng.uniform(0.85, 1.2)
        unit.budget_minor = max(1000, round(estimate / 1000) * 1000)
