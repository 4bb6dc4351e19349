"""The CRM's reads of lines that every page of lines runs: lines by id, a filtered page, its
total and the ids it holds. Each is built once per shape (the filters given, the order, which
ends of the page are known) and scope, every value of the request bound when it runs: after a
shape's first run, it goes straight to the driver (``sources/direct.py``), with no clause built
and no cache key computed per request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select

from core.scope import RowScope
from sources.crm.models import Customer, Subscriber
from sources.crm.search import LineSearch, bound_search, search_predicate
from sources.db import bound_keys, keys_bound
from sources.keyset import FIRST_PAGE, Span, bound_span, bounds_bound, reading_order
from sources.scope import scope_predicate, under

SUBSCRIBER_COLUMNS = (
    Subscriber.id,
    Subscriber.customer_id,
    Subscriber.org_unit_id,
    Subscriber.org_path,
    Subscriber.msisdn,
    Subscriber.iccid,
    Subscriber.imsi,
    Subscriber.employee_name,
    Subscriber.email,
    Subscriber.position,
    Subscriber.device,
    Subscriber.status,
    Subscriber.activated_on,
    Customer.currency,
)

SUBSCRIBER_ORDER = {
    "name": Subscriber.employee_name,
    "msisdn": Subscriber.msisdn,
    "status": Subscriber.status,
    "activated_on": Subscriber.activated_on,
}

# Statements kept built (some 10 kB each): a few shapes for each caller's scope.
STATEMENTS_KEPT = 2048

Statement = Select[*tuple[Any, ...]]
# A statement and the values it runs with.
Bound = tuple[Statement, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SubscriberQuery:
    """A filtered, ordered page of lines, keyset-paged on (sort value, id)."""

    customer_ids: frozenset[int] | None = None
    statuses: tuple[str, ...] = ()
    subtree_path: str | None = None
    # Lines preselected by another backend (plan or service filters); None = no restriction.
    among_ids: frozenset[int] | None = None
    search: LineSearch | None = None
    order_by: str = "name"
    descending: bool = False
    span: Span = FIRST_PAGE

    @property
    def filters(self) -> tuple[Any, ...]:
        """What the filters' SQL depends on: which are given (a search: its ``shape``)."""
        return (
            self.customer_ids is not None,
            bool(self.statuses),
            self.subtree_path is not None,
            self.among_ids is not None,
            None if self.search is None else self.search.shape,
        )


def lines_in(scope: RowScope) -> Any:
    """The lines ``scope`` reaches."""
    return scope_predicate(
        scope, customer_id=Subscriber.customer_id, path=Subscriber.org_path, subscriber_id=Subscriber.id
    )


class LineReads:
    """The statements of one backend's dialect, kept built while callers come back."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._built: dict[tuple[Any, ...], Statement] = {}

    def by_ids(self, ids: Iterable[int], scope: RowScope) -> Bound:
        """The lines of ``ids`` in scope."""
        statement = self._kept(
            ("by ids", scope),
            lambda: (
                select(*SUBSCRIBER_COLUMNS)
                .join(Customer, Customer.id == Subscriber.customer_id)
                .where(keys_bound(Subscriber.id, "lines", self.dialect), lines_in(scope))
            ),
        )
        return statement, {"lines": bound_keys(ids, self.dialect)}

    def page(self, query: SubscriberQuery, scope: RowScope) -> Bound:
        """The lines of ``query.span``, in reading order (``sources.keyset``)."""
        span, descending = query.span, query.descending
        ends = (span.after is not None, span.before is not None, span.backward)

        def build() -> Statement:
            key = (SUBSCRIBER_ORDER[query.order_by], Subscriber.id)
            return (
                self._filtered(query, scope, *SUBSCRIBER_COLUMNS)
                .join(Customer, Customer.id == Subscriber.customer_id)
                .where(*bounds_bound(key, span, descending=descending))
                .order_by(*reading_order(key, span, descending=descending))
                .limit(_FETCH)
            )

        statement = self._kept(("page", scope, query.filters, query.order_by, descending, ends), build)
        return statement, self._values(query) | bound_span(span) | {"fetch": span.fetch}

    def ids(self, query: SubscriberQuery, scope: RowScope, limit: int) -> Bound:
        """Ids of the lines matching ``query`` (filters only), at most ``limit``, by id."""
        statement = self._kept(
            ("ids", scope, query.filters),
            lambda: self._filtered(query, scope, Subscriber.id).order_by(Subscriber.id).limit(_FETCH),
        )
        return statement, self._values(query) | {"fetch": limit}

    def total(self, query: SubscriberQuery, scope: RowScope) -> Bound:
        """How many lines match ``query`` (filters only)."""
        statement = self._kept(
            ("total", scope, query.filters), lambda: self._filtered(query, scope, func.count(Subscriber.id))
        )
        return statement, self._values(query)

    def _kept(self, shape: tuple[Any, ...], build: Callable[[], Statement]) -> Statement:
        built = self._built.get(shape)
        if built is None:
            if len(self._built) >= STATEMENTS_KEPT:
                self._built.pop(next(iter(self._built)))  # the oldest: a caller long gone
            built = self._built[shape] = build()
        return built

    def _filtered(self, query: SubscriberQuery, scope: RowScope, *columns: Any) -> Statement:
        """``columns`` of the lines in scope that ``query``'s filters keep, the filters' values
        bound (``_values``)."""
        statement = select(*columns).where(lines_in(scope))
        if query.customer_ids is not None:
            statement = statement.where(keys_bound(Subscriber.customer_id, "customers", self.dialect))
        if query.statuses:
            statement = statement.where(keys_bound(Subscriber.status, "statuses", self.dialect))
        if query.subtree_path is not None:
            statement = statement.where(
                under(Subscriber.org_path, bindparam("subtree", type_=Subscriber.org_path.type))
            )
        if query.among_ids is not None:
            statement = statement.where(keys_bound(Subscriber.id, "among", self.dialect))
        if query.search is not None:
            statement = statement.where(search_predicate(query.search))
        return statement

    def _values(self, query: SubscriberQuery) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if query.customer_ids is not None:
            values["customers"] = bound_keys(query.customer_ids, self.dialect)
        if query.statuses:
            values["statuses"] = bound_keys(query.statuses, self.dialect)
        if query.subtree_path is not None:
            values["subtree"] = query.subtree_path
        if query.among_ids is not None:
            values["among"] = bound_keys(query.among_ids, self.dialect)
        if query.search is not None:
            values |= bound_search(query.search)
        return values


# How many rows a statement reads, bound when it runs.
_FETCH = bindparam("fetch", type_=Integer())
