"""Every SQL rendering of row scope: lines, org units, stays, customers, company documents, bulk
operations and audit entries, each made from the one ``RowScope`` (``core/scope.py``).

Sources never see principals or permissions, only the scope. ``RowScope.admits`` is
``scope_predicate`` for a row in hand; ``under`` is ``core.scope.in_subtree`` in SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from core.scope import RowScope


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


def bulk_operation_predicate(scope: RowScope, *, customer_id: Any, user_id: Any) -> ColumnElement[bool]:
    """Bulk operations in view: those of every customer the scope reaches into, and only the
    ones its own user started when ``scope.own_user_id`` is set (a caller without audit:read)."""
    if scope.own_user_id is None:
        return customer_predicate(scope, customer_id)
    return and_(customer_predicate(scope, customer_id), user_id == scope.own_user_id)


def audit_entry_predicate(scope: RowScope, customer_id: Any) -> ColumnElement[bool]:
    """Audit records: those of every customer the scope reaches into (reading them at all needs
    audit:read, which the field rule asks for)."""
    return customer_predicate(scope, customer_id)


def under(path: Any, prefix: Any) -> ColumnElement[bool]:
    """``path`` lies in the subtree whose path is ``prefix`` (itself included).

    A range rather than LIKE: both databases answer it from a plain b-tree index, and it
    works when ``prefix`` is a column (paths hold only digits and '/', all below '~').
    """
    upper = prefix + "~" if isinstance(prefix, str) else prefix.concat("~")
    return and_(path >= prefix, path < upper)
