"""Who is calling: the portal user, its role and permissions, and the rows it may touch."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from core.crm_records import PortalUserRecord
from core.errors import Forbidden
from core.scope import RowScope
from permissions.roles import AUDITED_READS, ROLE_PERMISSIONS, Permission, Role
from permissions.rules import Rule, rule_permission


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    login: str
    name: str
    role: Role
    customer_id: int | None
    permissions: frozenset[Permission]
    scope: RowScope
    # The org units granted to a subtree-scoped user (empty when the scope is the whole company).
    scope_unit_ids: tuple[int, ...] = ()
    # An employee's own line.
    subscriber_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def obeys(self, rule: Rule) -> bool:
        """The principal's role lets it select what ``rule`` guards."""
        needed = rule_permission(rule)
        return needed is None or self.can(needed)

    def may_give(self, role: Role) -> bool:
        """No privilege escalation: a role may be given only if it holds no more than this principal."""
        return ROLE_PERMISSIONS[role] <= self.permissions

    def may_give_units(self, role: Role, unit_ids: Collection[int]) -> bool:
        """A user given no subtrees covers the whole company (an employee, its line): only a
        principal that covers the whole company may make one."""
        return role is Role.EMPLOYEE or bool(unit_ids) or self.scope.org_paths is None

    @property
    def reads_are_audited(self) -> bool:
        return self.role in AUDITED_READS


def require(principal: Principal, permission: Permission, message: str) -> None:
    """Refuse (FORBIDDEN) what the principal's role does not allow."""
    if not principal.can(permission):
        raise Forbidden(message)


def require_rule(principal: Principal, rule: Rule, what: str) -> None:
    """Refuse (FORBIDDEN) what ``rule`` guards, where only the arguments tell whether the operation
    reaches it (the document-wide check, ``permissions/authorize.py``, cannot see them)."""
    needed = rule_permission(rule)
    if needed is not None:
        require(principal, needed, f"{what}: it needs the {needed} permission.")


def principal_cache_key(login: str) -> str:
    """Where a portal user's role and grants are cached; forgotten when they change."""
    return f"principal:{login}"


def principal_for(user: PortalUserRecord) -> Principal:
    """Build the principal of an active portal user from its role and grants."""
    role = Role(user.role)
    # Bulk operations in view: one's own, or (with audit:read) every one of one's customers'.
    own = None if Permission.AUDIT_READ in ROLE_PERMISSIONS[role] else user.id
    if role is Role.SUPPORT:
        scope = RowScope(customer_ids=None, own_user_id=own)
    elif user.customer_id is None:
        raise ValueError(f"portal user {user.login} has role {role} but no customer")
    elif role is Role.EMPLOYEE:
        lines = frozenset({user.subscriber_id}) if user.subscriber_id is not None else frozenset()
        scope = RowScope(customer_ids=frozenset({user.customer_id}), subscriber_ids=lines, own_user_id=own)
    elif role in (Role.UNIT_ADMIN, Role.AGGREGATE_VIEWER) or user.granted_paths:
        # A subtree role without grants sees nothing rather than everything.
        scope = RowScope(customer_ids=frozenset({user.customer_id}), org_paths=user.granted_paths, own_user_id=own)
    else:
        scope = RowScope(customer_ids=frozenset({user.customer_id}), own_user_id=own)
    return Principal(
        user_id=user.id,
        login=user.login,
        name=user.name,
        role=role,
        customer_id=user.customer_id,
        permissions=ROLE_PERMISSIONS[role],
        scope=scope,
        scope_unit_ids=user.granted_unit_ids,
        subscriber_id=user.subscriber_id,
    )


# A WebSocket before its connection_init: no permission, no row in scope.
NOBODY = Principal(
    user_id=0, login="", name="", role=Role.EMPLOYEE, customer_id=None, permissions=frozenset(),
    scope=RowScope(customer_ids=frozenset()),
)  # fmt: skip
