"""Batched reads from the CRM: one statement per call, row scope inside the statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from core.crm_records import CustomerRecord, OrgUnitRecord, PortalUserRecord, SubscriberRecord
from core.scope import RowScope
from core.values import Money
from sources.backend import Backend
from sources.crm.history import MembershipHistory
from sources.crm.line_reads import LineReads, SubscriberQuery, lines_in
from sources.crm.models import Customer, OrgUnit, PortalUser, ScopeGrant, Subscriber, UnitBudget
from sources.crm.search import LIKE_LITERAL
from sources.db import key_in
from sources.scope import company_predicate, customer_predicate, scope_predicate, under


class CrmSource(MembershipHistory):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self._lines = LineReads(self.dialect)

    # customers -------------------------------------------------------------------------

    async def customers_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[CustomerRecord]:
        statement = select(Customer.id, Customer.code, Customer.name, Customer.currency).where(
            key_in(Customer.id, ids, self.dialect), customer_predicate(scope, Customer.id)
        )
        return [CustomerRecord(*row) for row in await self._rows(statement)]

    async def find_customers(self, text: str, limit: int, scope: RowScope) -> list[CustomerRecord]:
        """The customers in ``scope`` whose name or code holds ``text`` (case aside), by name: at
        most ``limit`` of them (operator staff finding a company)."""
        pattern = "%" + text.lower().translate(LIKE_LITERAL) + "%"
        statement = (
            select(Customer.id, Customer.code, Customer.name, Customer.currency)
            .where(
                customer_predicate(scope, Customer.id),
                or_(
                    func.lower(Customer.name).like(pattern, escape="\\"),
                    func.lower(Customer.code).like(pattern, escape="\\"),
                ),
            )
            .order_by(Customer.name, Customer.id)
            .limit(limit)
        )
        return [CustomerRecord(*row) for row in await self._rows(statement)]

    async def countries(self, customer_ids: frozenset[int] | None) -> list[str]:
        """The countries these customers are in (None: every customer), each once."""
        statement = select(Customer.country).distinct().order_by(Customer.country)
        if customer_ids is not None:
            statement = statement.where(key_in(Customer.id, customer_ids, self.dialect))
        return [row[0] for row in await self._rows(statement)]

    # org units -------------------------------------------------------------------------

    def _units(self, scope: RowScope) -> Select[*tuple[Any, ...]]:
        return (
            select(
                OrgUnit.id,
                OrgUnit.customer_id,
                OrgUnit.parent_id,
                OrgUnit.name,
                OrgUnit.kind,
                OrgUnit.path,
                OrgUnit.depth,
                OrgUnit.cost_centre_code,
                OrgUnit.monthly_budget_minor,
                Customer.currency,
            )
            .join(Customer, Customer.id == OrgUnit.customer_id)
            .where(scope_predicate(scope, customer_id=OrgUnit.customer_id, path=OrgUnit.path))
        )

    @staticmethod
    def _unit(row: Any) -> OrgUnitRecord:
        budget = None if row.monthly_budget_minor is None else Money.from_minor(row.monthly_budget_minor, row.currency)
        return OrgUnitRecord(
            id=row.id,
            customer_id=row.customer_id,
            parent_id=row.parent_id,
            name=row.name,
            kind=row.kind,
            path=row.path,
            depth=row.depth,
            cost_centre_code=row.cost_centre_code,
            monthly_budget=budget,
            currency=row.currency,
        )

    async def org_units_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[OrgUnitRecord]:
        statement = self._units(scope).where(key_in(OrgUnit.id, ids, self.dialect))
        return [self._unit(row) for row in await self._rows(statement)]

    async def org_units_by_parent_ids(self, parent_ids: Sequence[int], scope: RowScope) -> list[OrgUnitRecord]:
        statement = self._units(scope).where(key_in(OrgUnit.parent_id, parent_ids, self.dialect)).order_by(OrgUnit.name)
        return [self._unit(row) for row in await self._rows(statement)]

    async def org_units_under(self, paths: Sequence[str], scope: RowScope) -> list[OrgUnitRecord]:
        """Every unit strictly below any of ``paths``, in tree order. A unit that is itself one of
        ``paths`` is still returned when it lies below another of them (a root and its division)."""
        if not paths:
            return []
        below = or_(*(and_(under(OrgUnit.path, p), OrgUnit.path != p) for p in paths))
        statement = self._units(scope).where(below).order_by(OrgUnit.path)
        return [self._unit(row) for row in await self._rows(statement)]

    async def budgeted_units(
        self, customer_ids: Sequence[int], scope: RowScope, *, ever: bool = False
    ) -> list[OrgUnitRecord]:
        """The units in scope that have a monthly budget (``ever``: or had one), in tree order."""
        budgeted: Any = OrgUnit.monthly_budget_minor.is_not(None)
        if ever:
            had = select(UnitBudget.org_unit_id).where(UnitBudget.amount_minor.is_not(None))
            budgeted = or_(budgeted, OrgUnit.id.in_(had))
        statement = (
            self._units(scope)
            .where(key_in(OrgUnit.customer_id, customer_ids, self.dialect), budgeted)
            .order_by(OrgUnit.path)
        )
        return [self._unit(row) for row in await self._rows(statement)]

    async def org_roots(self, customer_ids: Sequence[int], scope: RowScope) -> list[OrgUnitRecord]:
        statement = self._units(scope).where(
            key_in(OrgUnit.customer_id, customer_ids, self.dialect), OrgUnit.parent_id.is_(None)
        )
        return [self._unit(row) for row in await self._rows(statement)]

    async def subscriber_counts(self, unit_ids: Sequence[int], scope: RowScope) -> dict[int, int]:
        """Lines in scope in each unit's subtree, counted by the database."""
        statement = (
            select(OrgUnit.id, func.count(Subscriber.id))
            .join(
                Subscriber,
                (Subscriber.customer_id == OrgUnit.customer_id) & under(Subscriber.org_path, OrgUnit.path),
            )
            .where(
                key_in(OrgUnit.id, unit_ids, self.dialect),
                scope_predicate(
                    scope, customer_id=Subscriber.customer_id, path=Subscriber.org_path, subscriber_id=Subscriber.id
                ),
            )
            .group_by(OrgUnit.id)
        )
        return {unit_id: count for unit_id, count in await self._rows(statement)}

    async def subscriber_counts_by_customer(self, customer_ids: Sequence[int], scope: RowScope) -> dict[int, int]:
        """Lines in scope per customer."""
        statement = (
            select(Subscriber.customer_id, func.count(Subscriber.id))
            .where(key_in(Subscriber.customer_id, customer_ids, self.dialect), lines_in(scope))
            .group_by(Subscriber.customer_id)
        )
        return {customer_id: count for customer_id, count in await self._rows(statement)}

    async def scope_size(self, customer_id: int, scope: RowScope, unit_id: int | None = None) -> tuple[int, int]:
        """(lines, units holding them) of a customer in scope, within ``unit_id``'s subtree when
        given: how much a report will read, counted by the database before it runs."""
        statement = (
            select(func.count(Subscriber.id), func.count(Subscriber.org_unit_id.distinct()))
            .select_from(Subscriber)
            .where(Subscriber.customer_id == customer_id, lines_in(scope))
        )
        if unit_id is not None:
            statement = statement.join(
                OrgUnit,
                (OrgUnit.id == unit_id)
                & (OrgUnit.customer_id == Subscriber.customer_id)
                & under(Subscriber.org_path, OrgUnit.path),
            )
        lines, units = (await self._rows(statement))[0]
        return int(lines), int(units)

    async def memberships(
        self, customer_ids: Sequence[int], scope: RowScope, subtree: str | None = None
    ) -> Sequence[Any]:
        """(line id, customer id, org path) of every line in scope (within ``subtree`` when given):
        the map for roll-ups."""
        statement = select(Subscriber.id, Subscriber.customer_id, Subscriber.org_path).where(
            key_in(Subscriber.customer_id, customer_ids, self.dialect),
            scope_predicate(
                scope, customer_id=Subscriber.customer_id, path=Subscriber.org_path, subscriber_id=Subscriber.id
            ),
        )
        if subtree is not None:
            statement = statement.where(under(Subscriber.org_path, subtree))
        return await self._rows(statement)

    # subscribers -----------------------------------------------------------------------

    async def subscribers_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[SubscriberRecord]:
        return [SubscriberRecord(*row) for row in await self._rows(*self._lines.by_ids(ids, scope))]

    async def subscriber_page(self, query: SubscriberQuery, scope: RowScope) -> list[SubscriberRecord]:
        """The lines of ``query.span``, in reading order (``sources.keyset``)."""
        return [SubscriberRecord(*row) for row in await self._rows(*self._lines.page(query, scope))]

    async def subscriber_ids(self, query: SubscriberQuery, scope: RowScope, limit: int) -> list[int]:
        """Ids of the lines matching ``query`` (filters only), at most ``limit``."""
        return [row[0] for row in await self._rows(*self._lines.ids(query, scope, limit))]

    async def subscriber_total(self, query: SubscriberQuery, scope: RowScope) -> int:
        return (await self._rows(*self._lines.total(query, scope)))[0][0]

    async def cost_centres(self, customer_ids: Sequence[int]) -> dict[int, str]:
        """Unit id → cost-centre code, for the units that are cost centres. A line belongs to the
        nearest cost centre on its path."""
        statement = select(OrgUnit.id, OrgUnit.cost_centre_code).where(
            key_in(OrgUnit.customer_id, customer_ids, self.dialect), OrgUnit.cost_centre_code.is_not(None)
        )
        return {row[0]: row[1] for row in await self._rows(statement)}

    # portal users ----------------------------------------------------------------------

    async def logins_of_customer(self, customer_id: int) -> list[str]:
        statement = select(PortalUser.login).where(PortalUser.customer_id == customer_id)
        return [row[0] for row in await self._rows(statement)]

    async def portal_users(self, scope: RowScope, user_ids: Sequence[int] | None = None) -> list[PortalUserRecord]:
        """Companies' users with their grants: all in scope, or those with the given ids."""
        statement = self._users().where(
            PortalUser.customer_id.is_not(None), company_predicate(scope, PortalUser.customer_id)
        )
        if user_ids is not None:
            statement = statement.where(key_in(PortalUser.id, user_ids, self.dialect))
        return _users(await self._rows(statement.order_by(PortalUser.login, OrgUnit.path)))

    async def people_who_sign_in(self, limit: int) -> list[tuple[str, str, str]]:
        """Active portal users' logins, roles and names, the first ``limit`` by id, service
        accounts left out (for the development sign-in page)."""
        statement = (
            select(PortalUser.login, PortalUser.role, PortalUser.name)
            .where(PortalUser.active.is_(True), PortalUser.login.not_like("svc:%"))
            .order_by(PortalUser.id)
            .limit(limit)
        )
        return [(row.login, row.role, row.name) for row in await self._rows(statement)]

    async def portal_user_by_login(self, login: str) -> PortalUserRecord | None:
        found = _users(await self._rows(self._users().where(PortalUser.login == login).order_by(OrgUnit.path)))
        return found[0] if found else None

    @staticmethod
    def _users() -> Select[*tuple[Any, ...]]:
        return (
            select(
                PortalUser.id,
                PortalUser.customer_id,
                PortalUser.login,
                PortalUser.name,
                PortalUser.email,
                PortalUser.role,
                PortalUser.subscriber_id,
                PortalUser.active,
                OrgUnit.id.label("unit_id"),
                OrgUnit.path,
            )
            .outerjoin(ScopeGrant, ScopeGrant.user_id == PortalUser.id)
            .outerjoin(OrgUnit, OrgUnit.id == ScopeGrant.org_unit_id)
        )


def _users(rows: Sequence[Any]) -> list[PortalUserRecord]:
    """One record per user from rows of (user, grant) — a user's rows are adjacent."""
    users: dict[int, PortalUserRecord] = {}
    for row in rows:
        user = users.get(row.id)
        if user is None:
            user = users[row.id] = PortalUserRecord(
                id=row.id, customer_id=row.customer_id, login=row.login, name=row.name, email=row.email,
                role=row.role, subscriber_id=row.subscriber_id, active=row.active, granted_paths=(),
                granted_unit_ids=(),
            )  # fmt: skip
        if row.unit_id is not None:
            user.granted_paths += (row.path,)
            user.granted_unit_ids += (row.unit_id,)
    return list(users.values())
