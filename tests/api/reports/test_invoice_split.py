"""Invoices explain themselves: each carries its company and employee shares, they add up to
its total, its lines add up to it, and for every closed month they equal what spendingReport
says of that month — by construction, both being sums of the same split charges."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from tests.api.reports.test_spending_report import amount, closed_months, month, report

INVOICES = """{ customer { billingAccounts { invoices(first: 100) { nodes {
  id period total { amount currency } companyShare { amount } employeeShare { amount } } } } } }"""
LINES = """query($id: ID!) { node(id: $id) { ... on Invoice {
  bySubscriber(first: 1000) { totalCount nodes { total { amount } companyShare { amount } employeeShare { amount } } }
} } }"""


async def test_each_closed_months_invoices_split_as_the_spending_report_says_to_the_cent(
    world, customer_admin, other_admin
):
    for login, customer in ((customer_admin, 1), (other_admin, 2)):
        accounts = (await world.data(login, INVOICES))["customer"]["billingAccounts"]
        invoiced: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
        for account in accounts:
            for invoice in account["invoices"]["nodes"]:
                total, company, employee = (amount(invoice[k]) for k in ("total", "companyShare", "employeeShare"))
                assert company + employee == total, invoice["period"]
                by_line = (await world.data(login, LINES, {"id": invoice["id"]}))["node"]["bySubscriber"]
                lines = by_line["nodes"]
                assert len(lines) == by_line["totalCount"], "every line on one page"
                assert [sum((amount(line[k]) for line in lines), Decimal(0)) for k in ("total", "companyShare",
                        "employeeShare")] == [total, company, employee]  # fmt: skip
                assert all(amount(line["companyShare"]) + amount(line["employeeShare"]) == amount(line["total"])
                           for line in lines)  # fmt: skip
                key = (invoice["period"], invoice["total"]["currency"])
                sums = invoiced[key]
                invoiced[key] = [sums[0] + total, sums[1] + company, sums[2] + employee]
        months = await closed_months(world, customer)
        assert sorted({period for period, _ in invoiced}) == [month(period) for period in months]
        employees_pay = Decimal(0)
        for period in months:
            totals = (await report(world, login, **{"from": month(period), "to": month(period)}))["totals"]
            reported = {
                (month(period), row["total"]["currency"]): [
                    amount(row[k]) for k in ("total", "companyShare", "employeeShare")
                ]
                for row in totals
            }  # one per currency
            assert {key: sums for key, sums in invoiced.items() if key[0] == month(period)} == reported, (
                customer,
                period,
            )
            employees_pay += sum(sums[2] for sums in reported.values())
        assert employees_pay > 0, "the demo's cost splits and charge_employee lines make employees pay"
