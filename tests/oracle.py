"""An oracle of what each demo caller may see and what a mutation may not change, read straight
from the databases with plain SQL and the rules of DESIGN.md: it does not ask corpcare, so a
leak in the code under test cannot hide itself."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect

from core.ids import NODE_TYPES
from permissions.roles import ROLE_PERMISSIONS, Role
from tests.support import LOGINS, World

# JSON values echo what a caller sent (a bulk operation's input, an audit record's detail), not objects read.
ECHOES = frozenset({"input", "detail"})


def global_id(type_name: str, key: int | str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def decode(value: str) -> tuple[str, int] | None:
    """The (type, key) of a global id, or None for any other string. Independent of core/ids.py."""
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (ValueError, UnicodeError, binascii.Error):
        return None
    type_name, _, key = text.partition(":")
    if type_name in NODE_TYPES and key.isdigit():
        return type_name, int(key)
    return None


def object_ids(value: Any, key: str | None = None) -> Iterator[tuple[str, int]]:
    """Every global id anywhere in a response's data, whatever the field or alias that holds it."""
    if key in ECHOES:
        return
    if isinstance(value, dict):
        for name, item in value.items():
            yield from object_ids(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from object_ids(item, key)
    elif isinstance(value, str) and (decoded := decode(value)) is not None:
        yield decoded


@dataclass
class Rows:
    """The rows that decide scope, as the databases hold them."""

    customers: set[int] = field(default_factory=set)
    units: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (customer, path)
    lines: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (customer, org path)
    users: dict[int, tuple[int | None, str, int | None]] = field(default_factory=dict)  # id -> (customer, login, line)
    grants: dict[int, list[str]] = field(default_factory=dict)  # user id -> granted paths
    accounts: dict[int, int] = field(default_factory=dict)  # billing account -> customer
    invoices: dict[int, int] = field(default_factory=dict)  # invoice -> customer
    plans: set[int] = field(default_factory=set)
    services: set[int] = field(default_factory=set)
    bulk: dict[int, tuple[int | None, int]] = field(default_factory=dict)  # id -> (customer, user)


async def read_rows(world: World) -> Rows:
    rows = Rows()
    async with world.engines.crm.connect() as crm, world.engines.billing.connect() as billing:

        async def each(conn: Any, statement: str) -> list[Any]:
            return list((await conn.exec_driver_sql(statement)).all())

        rows.customers = {r[0] for r in await each(crm, "select id from customers")}
        rows.units = {r[0]: (r[1], r[2]) for r in await each(crm, "select id, customer_id, path from org_units")}
        rows.lines = {r[0]: (r[1], r[2]) for r in await each(crm, "select id, customer_id, org_path from subscribers")}
        rows.users = {
            r[0]: (r[1], r[2], r[3])
            for r in await each(crm, "select id, customer_id, login, subscriber_id from portal_users")
        }
        for user_id, path in await each(
            crm, "select g.user_id, u.path from scope_grants g join org_units u on u.id = g.org_unit_id"
        ):
            rows.grants.setdefault(user_id, []).append(path)
        rows.accounts = dict(await each(billing, "select id, customer_id from billing_accounts"))
        rows.invoices = dict(await each(billing, "select id, customer_id from invoices"))
        rows.plans = {r[0] for r in await each(billing, "select id from tariff_plans")}
        rows.services = {r[0] for r in await each(billing, "select id from services")}
    async with world.engines.state.connect() as state:
        result = await state.exec_driver_sql("select id, customer_id, user_id from bulk_operations")
        rows.bulk = {r[0]: (r[1], r[2]) for r in result.all()}
    return rows


@dataclass(frozen=True)
class Scope:
    """Which objects one demo user may see, by the rules of DESIGN.md, over ``rows``."""

    role: Role
    user_id: int
    customer_id: int | None  # None: every customer (operator support)
    paths: tuple[str, ...] | None  # granted subtrees; None: the whole company
    line: int | None  # an employee's own line
    rows: Rows

    @classmethod
    def of(cls, rows: Rows, role_name: str) -> Scope:
        login = LOGINS[role_name]
        user_id, (customer_id, _, line) = next((k, v) for k, v in rows.users.items() if v[1] == login)
        role = Role(role_name if role_name != "other_admin" else "customer_admin")
        paths = tuple(rows.grants.get(user_id, ())) if role in (Role.UNIT_ADMIN, Role.AGGREGATE_VIEWER) else None
        return cls(role, user_id, customer_id, paths, line if role is Role.EMPLOYEE else None, rows)

    def _company(self, customer_id: int | None) -> bool:
        return self.customer_id is None or customer_id == self.customer_id

    def _subtree(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(prefix) for prefix in self.paths)

    def allows(self, type_name: str, key: int) -> bool:
        rows, whole_company = self.rows, self.paths is None and self.role is not Role.EMPLOYEE
        if type_name == "Customer":
            return key in rows.customers and self._company(key)
        if type_name == "OrgUnit":
            unit = rows.units.get(key)
            return unit is not None and self.role is not Role.EMPLOYEE and self._company(unit[0]) and (
                self._subtree(unit[1]))  # fmt: skip
        if type_name == "Subscriber":
            line = rows.lines.get(key)
            if line is None or self.role is Role.AGGREGATE_VIEWER:  # figures rolled up, never a single line
                return False
            if self.role is Role.EMPLOYEE:
                return key == self.line
            return self._company(line[0]) and self._subtree(line[1])
        if type_name in ("TariffPlan", "Service"):  # the catalogue is the operator's, shared
            return key in (rows.plans if type_name == "TariffPlan" else rows.services)
        if type_name in ("BillingAccount", "Invoice"):
            owner = (rows.accounts if type_name == "BillingAccount" else rows.invoices).get(key)
            return owner is not None and whole_company and self._company(owner)
        if type_name == "PortalUser":
            user = rows.users.get(key)
            may = self.role in (Role.CUSTOMER_ADMIN, Role.SUPPORT)
            return user is not None and may and self._company(user[0])
        if type_name == "BulkOperation":
            operation = rows.bulk.get(key)
            if operation is None or not self._company(operation[0]):
                return False
            return operation[1] == self.user_id or "audit:read" in ROLE_PERMISSIONS[self.role]
        return False

    def outside(self, data: Any) -> list[tuple[str, int]]:
        """The objects in ``data`` that this caller should not have seen."""
        return sorted({found for found in object_ids(data) if not self.allows(*found)})


# Not compared: the audit log grows with every refused mutation; rated history (usage, charges,
# invoices) is the billing system's, no mutation writes it, and comparing it would cost more
# than all the rest.
UNCOMPARED = {
    "audit_log", "audit_targets", "alembic_version", "sqlite_stat1",
    "usage_records", "daily_charges", "invoices", "invoice_lines",
}  # fmt: skip


async def fingerprint(world: World, rows: Rows, customer: int) -> dict[str, str]:
    """A digest per table of the rows that belong to ``customer`` (by customer, line, unit or
    user; rows of no one, such as the catalogue, count for everyone)."""
    lines = {k for k, v in rows.lines.items() if v[0] == customer}
    owners = {
        "customer_id": {customer},
        "subscriber_id": lines,
        "line_id": lines,
        "org_unit_id": {k for k, v in rows.units.items() if v[0] == customer},
        "user_id": {k for k, v in rows.users.items() if v[0] == customer},
    }
    digests = {}
    for database, engine in world.engines.named():
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            for table in sorted(set(tables) - UNCOMPARED):
                result = await conn.exec_driver_sql(f'select * from "{table}"')
                columns = list(result.keys())
                keyed = [c for c in columns if c in owners]
                theirs = [
                    row for row in (dict(zip(columns, r, strict=True)) for r in result.all())
                    if not keyed or any(row[c] in owners[c] for c in keyed)
                ]  # fmt: skip
                digests[f"{database}.{table}"] = hashlib.sha256(repr(sorted(map(repr, theirs))).encode()).hexdigest()
    return digests
