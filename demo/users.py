"""The demo portal users: one sign-in per role, as listed in the README."""

from __future__ import annotations

from dataclasses import dataclass

from demo.lines import Line
from demo.org import Company, Unit


@dataclass(frozen=True, slots=True)
class DemoUser:
    login: str
    role: str
    company: str | None  # company code; None for the operator's staff
    name: str  # empty for the employee: the name of the line they hold
    email: str
    grant: str | None  # division name of the one scope grant
    description: str


EMPLOYEE_DIVISION = "Operations"

_USERS = (
    DemoUser("acme.admin", "customer_admin", "ACME", "Claudia Becker",
             "claudia.becker@acme-logistics.example", None,
             "Acme Logistics customer admin: the whole company"),
    DemoUser("acme.sales.admin", "unit_admin", "ACME", "Jonas Richter",
             "jonas.richter@acme-logistics.example", "Sales",
             "Acme unit admin for the Sales division only"),
    DemoUser("acme.finance", "finance", "ACME", "Sabine Krüger",
             "sabine.krueger@acme-logistics.example", None,
             "Acme finance: spending, budgets and invoices, no personal data"),
    DemoUser("acme.analyst", "analyst", "ACME", "Tobias Wagner",
             "tobias.wagner@acme-logistics.example", None,
             "Acme analyst: read-only reporting, no personal data"),
    DemoUser("acme.employee", "employee", "ACME", "", "", None,
             f"Acme employee with one line in {EMPLOYEE_DIVISION}: own usage, bundles, services"),
    DemoUser("operator.support", "support", None, "Lena Hoffmann",
             "lena.hoffmann@operator.example", None,
             "Operator support: every customer, read-only, audited"),
    DemoUser("borealis.admin", "customer_admin", "BOREALIS", "Erik Lindqvist",
             "erik.lindqvist@borealis-energy.example", None,
             "Borealis Energy customer admin: the other company"),
    DemoUser("acme.sales.assistant", "aggregate_viewer", "ACME", "Mara Schulz",
             "mara.schulz@acme-logistics.example", "Sales",
             "Acme Sales division head's assistant: the division's figures rolled up, no single line"),
)  # fmt: skip

DEMO_USERS: list[tuple[str, str, str]] = [(u.login, u.role, u.description) for u in _USERS]


def user_rows(companies: list[Company], units: list[Unit], employee_line: Line) -> tuple[list[tuple], list[tuple]]:
    """Rows of portal_users and scope_grants, ids in the order of the README."""
    company_ids = {company.code: company.id for company in companies}
    divisions = {(u.customer_id, u.name): u.id for u in units if u.kind == "division"}
    users: list[tuple] = []
    grants: list[tuple] = []
    for user_id, user in enumerate(_USERS, start=1):
        customer_id = company_ids[user.company] if user.company else None
        if user.role == "employee":
            name, email, line_id = (
                employee_line.employee_name,
                employee_line.email,
                employee_line.id,
            )
        else:
            name, email, line_id = user.name, user.email, None
        users.append((user_id, customer_id, user.login, name, email, user.role, line_id, True))
        if user.grant:
            assert customer_id is not None, "only company users get grants"
            grants.append((len(grants) + 1, user_id, divisions[(customer_id, user.grant)]))
    return users, grants
