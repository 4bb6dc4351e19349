"""What the CRM source returns: plain, slotted records, built straight from rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.values import Money


def path_ids(path: str) -> list[int]:
    """The unit ids of a materialised path, from the root down: ``/1/4/17/`` → [1, 4, 17]."""
    return [int(part) for part in path.strip("/").split("/")]


@dataclass(slots=True)
class CustomerRecord:
    id: int
    code: str
    name: str
    currency: str


@dataclass(slots=True)
class OrgUnitRecord:
    id: int
    customer_id: int
    parent_id: int | None
    name: str
    kind: str
    path: str
    depth: int
    cost_centre_code: str | None
    monthly_budget: Money | None
    currency: str


@dataclass(slots=True)
class SubscriberRecord:
    id: int
    customer_id: int
    org_unit_id: int
    org_path: str
    msisdn: str
    iccid: str
    imsi: str
    employee_name: str
    email: str | None
    position: str | None
    device: str | None
    status: str
    activated_on: date
    currency: str


@dataclass(slots=True)
class PortalUserRecord:
    id: int
    customer_id: int | None
    login: str
    name: str
    email: str | None
    role: str
    subscriber_id: int | None
    active: bool
    # Paths of the org units granted to the user.
    granted_paths: tuple[str, ...]
    granted_unit_ids: tuple[int, ...]
