"""Row scope as plain data, the one helper that turns it into SQL, and its mirror for a row in hand.

A principal's scope reaches the sources as a ``RowScope``: the customers it may see, the
org subtrees (materialised-path prefixes) inside them, or the single line of an employee.
Sources never see principals or permissions, only this.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true


@dataclass(frozen=True, slots=True)
class RowScope:
    # None: every customer (the operator's staff).
    customer_ids: frozenset[int] | None
    # None: the whole of each customer; otherwise subtree path prefixes.
    org_paths: tuple[str, ...] | None = None
    # Set for an employee: the lines they may see, and no org units at all.
    subscriber_ids: frozenset[int] | None = None

    def fingerprint(self) -> str:
        """A short name for exactly this scope: keys of cached scoped data carry it."""
        parts = (
            "*" if self.customer_ids is None else ",".join(map(str, sorted(self.customer_ids))),
            "*" if self.org_paths is None else ",".join(sorted(self.org_paths)),
            "*" if self.subscriber_ids is None else ",".join(map(str, sorted(self.subscriber_ids))),
        )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

    @classmethod
    def everything(cls) -> RowScope:
        return cls(customer_ids=None)

    def sees_customer(self, customer_id: int) -> bool:
        return self.customer_ids is None or customer_id in self.customer_ids

    def covers_customer(self, customer_id: int) -> bool:
        """True when the whole company is in scope: company-level figures are allowed."""
        return self.sees_customer(customer_id) and self.org_paths is None and self.subscriber_ids is None

    def admits(self, customer_id: int, path: str, subscriber_id: int | None = None) -> bool:
        """``scope_predicate`` for one row already in hand (an event): the same rule, in Python."""
        if not self.sees_customer(customer_id):
            return False
        if self.subscriber_ids is not None and subscriber_id not in self.subscriber_ids:
            return False
        return self.org_paths is None or any(path.startswith(prefix) for prefix in self.org_paths)


def scope_predicate(
    scope: RowScope,
    *,
    customer_id: Any,
    path: Any,
    subscriber_id: Any | None = None,
) -> ColumnElement[bool]:
    """The WHERE clause that keeps a statement inside ``scope``.

    ``path`` is the row's materialised org path; ``subscriber_id`` is given for rows that
    belong to a line (an employee sees such rows of their own line only, and no org units).
    """
    clauses: list[ColumnElement[bool]] = []
    if scope.customer_ids is not None:
        clauses.append(customer_id.in_(sorted(scope.customer_ids)))
    if scope.subscriber_ids is not None:
        if subscriber_id is None:
            return false()
        clauses.append(subscriber_id.in_(sorted(scope.subscriber_ids)))
    if scope.org_paths is not None:
        clauses.append(or_(false(), *(under(path, p) for p in scope.org_paths)))
    return and_(true(), *clauses)


def held_predicate(scope: RowScope, *, customer_id: Any, path: Any, subscriber_id: Any) -> ColumnElement[bool]:
    """``scope_predicate`` for where a line sat *then* (``path`` is the path of a past stay).

    A granted subtree is a unit, and paths are unit ids: a stay is inside the grant when the
    granted unit is on its path as it was, wherever that unit or the line sits today. The
    customer and an employee's own line are checked as in ``scope_predicate``.
    """
    clauses: list[ColumnElement[bool]] = []
    if scope.customer_ids is not None:
        clauses.append(customer_id.in_(sorted(scope.customer_ids)))
    if scope.subscriber_ids is not None:
        clauses.append(subscriber_id.in_(sorted(scope.subscriber_ids)))
    if scope.org_paths is not None:
        units = (prefix.rstrip("/").rsplit("/", 1)[-1] for prefix in scope.org_paths)
        clauses.append(or_(false(), *(path.contains(f"/{unit}/") for unit in units)))
    return and_(true(), *clauses)


def customer_predicate(scope: RowScope, customer_id: Any) -> ColumnElement[bool]:
    """The customers themselves: every customer the scope reaches into."""
    return true() if scope.customer_ids is None else customer_id.in_(sorted(scope.customer_ids))


def company_predicate(scope: RowScope, customer_id: Any) -> ColumnElement[bool]:
    """Company-level documents (billing accounts, invoices, portal users): only for a scope
    that is whole companies, never for a subtree or a single line."""
    if scope.org_paths is not None or scope.subscriber_ids is not None:
        return false()
    return customer_predicate(scope, customer_id)


def under(path: Any, prefix: Any) -> ColumnElement[bool]:
    """``path`` lies in the subtree whose path is ``prefix`` (itself included).

    A range rather than LIKE: both databases answer it from a plain b-tree index, and it
    works when ``prefix`` is a column (paths hold only digits and '/', all below '~').
    """
    upper = prefix + "~" if isinstance(prefix, str) else prefix.concat("~")
    return and_(path >= prefix, path < upper)
