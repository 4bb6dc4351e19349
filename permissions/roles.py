"""Permissions, roles, and which permissions each role holds."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    ORG_READ = "org:read"
    LINE_READ = "line:read"
    # Employee name, MSISDN, e-mail, ICCID, IMSI.
    PERSONAL_READ = "personal:read"
    PRODUCT_READ = "product:read"
    # Itemised usage records; bundle balances are PRODUCT_READ.
    USAGE_READ = "usage:read"
    SPENDING_READ = "spending:read"
    BUDGET_READ = "budget:read"
    POLICY_READ = "policy:read"
    INVOICE_READ = "invoice:read"
    CATALOGUE_READ = "catalogue:read"
    USER_READ = "user:read"
    AUDIT_READ = "audit:read"
    ALL_CUSTOMERS = "customers:all"
    LINE_WRITE = "line:write"
    # Tariff plans.
    PRODUCT_WRITE = "product:write"
    # Services and options on a line: employees hold it for their own line, within policy.
    SERVICE_WRITE = "service:write"
    POLICY_WRITE = "policy:write"
    BUDGET_WRITE = "budget:write"
    ORG_WRITE = "org:write"
    USER_WRITE = "user:write"


class Role(StrEnum):
    CUSTOMER_ADMIN = "customer_admin"
    UNIT_ADMIN = "unit_admin"
    FINANCE = "finance"
    ANALYST = "analyst"
    EMPLOYEE = "employee"
    SUPPORT = "support"
    # Figures rolled up over granted subtrees, never a single line (a division head's assistant).
    AGGREGATE_VIEWER = "aggregate_viewer"


# Roles whose every read is written to the audit log (the operator's staff reading customers' data).
AUDITED_READS = frozenset({Role.SUPPORT})

P = Permission
_READ_ALL = frozenset(p for p in Permission if p.endswith(":read"))
_WRITE_ALL = frozenset(p for p in Permission if p.endswith(":write"))

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CUSTOMER_ADMIN: _READ_ALL | _WRITE_ALL,
    Role.UNIT_ADMIN: frozenset(
        {
            P.ORG_READ,
            P.LINE_READ,
            P.PERSONAL_READ,
            P.PRODUCT_READ,
            P.USAGE_READ,
            P.SPENDING_READ,
            P.BUDGET_READ,
            P.POLICY_READ,
            P.CATALOGUE_READ,
            P.LINE_WRITE,
            P.PRODUCT_WRITE,
            P.SERVICE_WRITE,
            P.POLICY_WRITE,
            P.BUDGET_WRITE,
        }
    ),
    Role.FINANCE: frozenset(
        {
            P.ORG_READ,
            P.LINE_READ,
            P.PRODUCT_READ,
            P.SPENDING_READ,
            P.BUDGET_READ,
            P.POLICY_READ,
            P.INVOICE_READ,
            P.CATALOGUE_READ,
            P.BUDGET_WRITE,
        }
    ),
    Role.ANALYST: frozenset(
        {
            P.ORG_READ,
            P.LINE_READ,
            P.PRODUCT_READ,
            P.SPENDING_READ,
            P.BUDGET_READ,
            P.POLICY_READ,
            P.INVOICE_READ,
            P.CATALOGUE_READ,
        }
    ),
    Role.EMPLOYEE: frozenset(
        {
            P.LINE_READ,
            P.PERSONAL_READ,
            P.PRODUCT_READ,
            P.USAGE_READ,
            P.SPENDING_READ,
            P.POLICY_READ,
            P.CATALOGUE_READ,
            P.SERVICE_WRITE,
        }
    ),
    Role.SUPPORT: _READ_ALL | {P.ALL_CUSTOMERS},
    Role.AGGREGATE_VIEWER: frozenset(
        {P.ORG_READ, P.SPENDING_READ, P.BUDGET_READ, P.POLICY_READ, P.PRODUCT_READ, P.CATALOGUE_READ}
    ),
}
