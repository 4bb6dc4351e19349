"""Row scope as plain data, and the check for a row already in hand (an event).

A principal's scope reaches the sources as a ``RowScope``: the customers it may see, the
org subtrees (materialised-path prefixes) inside them, or the single line of an employee, and
whether it sees only the bulk operations it started. Every SQL rendering of it lives in
``sources/scope.py``; ``admits`` is the same rule for a row in hand, and a property test holds
the two together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class RowScope:
    # None: every customer (the operator's staff).
    customer_ids: frozenset[int] | None
    # None: the whole of each customer; otherwise subtree path prefixes.
    org_paths: tuple[str, ...] | None = None
    # Set for an employee: the lines they may see, and no org units at all.
    subscriber_ids: frozenset[int] | None = None
    # Set for a caller without audit:read: the user whose bulk operations alone it sees (its own).
    own_user_id: int | None = None

    def fingerprint(self) -> str:
        """A short name for the backend rows in this scope: keys of cached CRM and billing data carry it.

        ``own_user_id`` plays no part: it narrows only corpcare's own bulk operations, which are
        never cached, and callers of one scope keep sharing their cached org tree."""
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
        """``sources.scope.scope_predicate`` for one row already in hand: the same rule, in Python."""
        if not self.sees_customer(customer_id):
            return False
        if self.subscriber_ids is not None and subscriber_id not in self.subscriber_ids:
            return False
        return self.org_paths is None or any(in_subtree(path, prefix) for prefix in self.org_paths)

    def narrowed_to(self, subtree: str) -> RowScope:
        """This scope inside the subtree at path ``subtree`` only ("": unchanged).

        Two path prefixes of one row are prefixes of each other, so each grant either holds the
        subtree (which then stands for it), lies inside it (kept), or never meets it (dropped)."""
        if not subtree:
            return self
        if self.org_paths is None:
            return replace(self, org_paths=(subtree,))
        kept = {subtree if in_subtree(subtree, grant) else grant for grant in self.org_paths}
        return replace(self, org_paths=tuple(sorted(p for p in kept if in_subtree(p, subtree))))


def in_subtree(path: str, prefix: str) -> bool:
    """``path`` lies in the subtree whose path is ``prefix`` (itself included): ``sources.scope.under``
    for a path in hand."""
    return path.startswith(prefix)
