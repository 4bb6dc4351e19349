"""The benchmark operations: stored documents under `bench/operations/`, their callers and variables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from core.values import add_months, month_start

OPERATIONS = Path(__file__).parent / "operations"


@dataclass(frozen=True, slots=True)
class Targets:
    """Ids the operations point at, found once per data set."""

    unit: str  # ACME's largest division
    line: str  # the first line of that division
    today: date


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    login: str
    variables: Callable[[Targets], dict[str, Any]]
    # Requests for a latency sample: the naive baseline of a big operation is slow.
    repeat: int = 30
    # Reports exist only in corpcare: the naive baseline has no such field.
    naive: bool = True

    @property
    def document(self) -> str:
        return (OPERATIONS / f"{self.name}.graphql").read_text()


def _month(targets: Targets, offset: int) -> str:
    return add_months(month_start(targets.today), offset).strftime("%Y-%m")


WORKLOAD = (
    Operation("dashboard", "acme.admin", lambda t: {"unit": t.unit}),
    Operation("subscriber_page", "acme.admin", lambda t: {"unit": t.unit}),
    Operation("subscriber_detail", "acme.admin", lambda t: {"line": t.line, "month": _month(t, -1)}),
    Operation("big_list", "acme.analyst", lambda t: {}, repeat=10),
    Operation("org_spend", "acme.finance", lambda t: {f"m{i}": _month(t, i - 12) for i in range(1, 13)}, repeat=10),
    Operation("spend_by_unit_12m", "acme.finance", lambda t: {"from": _month(t, -12), "to": _month(t, -1)},
              repeat=10, naive=False),
    Operation("budget_vs_actual", "acme.finance", lambda t: {"from": _month(t, -3), "to": _month(t, 0)},
              repeat=10, naive=False),
    Operation("top_spenders", "acme.finance", lambda t: {"from": _month(t, -3), "to": _month(t, -1)},
              repeat=10, naive=False),
)  # fmt: skip

TARGETS_QUERY = """{ customer { orgRoot { children { id subscriberCount } } } }"""
LINE_QUERY = """query($u: ID!) { subscribers(first: 1, filter: {orgUnit: $u}) { nodes { id } } }"""
