"""The typed Python client that ``ariadne-codegen`` generates from ``schema.graphql`` and
``clients/python/queries/`` (generated afresh each session, so never stale), used against a real
``corpcare serve`` on each backend: its typed answers are the server's own, read directly for the
comparison; paging, Decimal money and enums come out typed; a refused field and a refused input
come back as typed errors."""

from __future__ import annotations

import importlib
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from core.values import add_months, month_start
from tests.support import today
from tests.system.clients.conftest import CLIENTS
from tests.system.test_bulk_restart import serving
from tests.system.test_http import bearer
from tests.system.test_subscriptions import token, urls_of
from tests.waiting import PATIENCE

PYTHON_CLIENT = CLIENTS / "python"
QUERIES = PYTHON_CLIENT / "queries"


@pytest.fixture(scope="session")
def typed(ariadne_codegen: Path, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The generated package, ``corpcare_client``, written to a temporary folder and imported."""
    target = tmp_path_factory.mktemp("typed-client")
    config = (PYTHON_CLIENT / "ariadne-codegen.toml").read_text()
    here = 'target_package_path = "."'
    assert config.count(here) == 1
    (target / "ariadne-codegen.toml").write_text(config.replace(here, f'target_package_path = "{target}"'))
    command = [ariadne_codegen, "--config", target / "ariadne-codegen.toml", "client"]
    generated = subprocess.run(
        command, cwd=PYTHON_CLIENT, capture_output=True, text=True, timeout=PATIENCE, check=False
    )
    assert generated.returncode == 0, f"ariadne-codegen failed:\n{generated.stdout}\n{generated.stderr}"
    sys.path.insert(0, str(target))
    try:
        return importlib.import_module("corpcare_client")
    finally:
        sys.path.remove(str(target))


def plain(answer: Any) -> Any:
    """A typed answer as JSON again, in the schema's names: what the server sent, if nothing was lost."""
    return answer.model_dump(mode="json", by_alias=True)


def codes(error: Any) -> set[str]:
    return {each.extensions["code"] for each in error.errors}


async def test_the_generated_client_reads_pages_and_changes_a_live_server_and_types_its_errors(
    writable_world, servers, tmp_path, typed
):
    process, base = await serving(urls_of(writable_world), tmp_path)
    servers.append(process)
    url = f"{base}/graphql"

    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:

        async def direct(login: str, operation: str, variables: dict[str, Any] | None = None) -> Any:
            """The same operation sent as plain JSON, without the generated client."""
            query = (QUERIES / f"{operation}.graphql").read_text()
            response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                                       headers=bearer(token(login)))  # fmt: skip
            return response.json()

        async def budget_shown(unit: str) -> Any:
            response = await http.post("/graphql", headers=bearer(token("acme.admin")), json={
                "query": "query($u: ID!) { node(id: $u) { ... on OrgUnit { monthlyBudget { amount currency } } } }",
                "variables": {"u": unit},
            })  # fmt: skip
            return response.json()["data"]["node"]["monthlyBudget"]

        async with (
            typed.CorpcareClient(url=url, headers=bearer(token("acme.admin"))) as admin,
            typed.CorpcareClient(url=url, headers=bearer(token("acme.analyst"))) as analyst,
        ):
            # Who signs in: the typed answer is the server's, with the role as an enum.
            viewer = await admin.viewer()
            assert viewer.viewer.login == "acme.admin" and viewer.viewer.role is typed.Role.CUSTOMER_ADMIN
            assert plain(viewer) == (await direct("acme.admin", "viewer"))["data"]

            # Search a page at a time: the pages join up to the whole list, in order.
            everything = (await direct("acme.admin", "subscribers", {"search": "mann", "first": 100}))["data"]
            pages = [await admin.subscriber_search(search="mann", first=2)]
            while pages[-1].subscribers.page_info.has_next_page:
                after = pages[-1].subscribers.page_info.end_cursor
                pages.append(await admin.subscriber_search(search="mann", first=2, after=after))
            lines = [line for page in pages for line in page.subscribers.nodes]
            assert len(pages) >= 2, "the search should need more than one page"
            assert [plain(line) for line in lines] == everything["subscribers"]["nodes"]
            assert len(lines) == pages[0].subscribers.total_count == everything["subscribers"]["totalCount"]
            assert all("mann" in line.employee_name.lower() for line in lines)
            assert all(isinstance(line.status, typed.LineStatus) for line in lines)

            # A report in Decimal money, as the server summed it.
            period = {"from": f"{add_months(month_start(today()), -3):%Y-%m}", "to": f"{today():%Y-%m}"}
            report = await admin.spending_by_division(from_=period["from"], to=period["to"])
            assert plain(report) == (await direct("acme.admin", "spending", period))["data"]
            rows = report.spending_report.rows.nodes
            assert rows and all(isinstance(row.total.amount, Decimal) for row in rows)
            assert sum(row.total.amount for row in rows) > 0

            # A change refused as a user error (the unit as it was), then made; the server then shows it.
            unit = rows[0].org_unit
            before = await budget_shown(unit.id)
            refused = await admin.set_budget(typed.OrgUnitSetBudgetInput(org_unit=unit.id, monthly_budget=Decimal(-1)))
            [error] = refused.org_unit_set_budget.user_errors
            assert (error.field, error.code) == (["monthlyBudget"], "BAD_USER_INPUT") and error.message
            assert plain(refused.org_unit_set_budget.org_unit)["monthlyBudget"] == before == await budget_shown(unit.id)
            budget = typed.OrgUnitSetBudgetInput(org_unit=unit.id, monthly_budget=Decimal("2500.50"))
            changed = (await admin.set_budget(budget)).org_unit_set_budget
            assert changed.user_errors == [] and changed.org_unit.name == unit.name
            assert changed.org_unit.monthly_budget.amount == Decimal("2500.50")
            assert await budget_shown(unit.id) == plain(changed.org_unit)["monthlyBudget"] != before

            # Fields the analyst's role lacks: a typed error carrying the rest of the answer.
            with pytest.raises(typed.GraphQLClientGraphQLMultiError) as refusal:
                await analyst.subscriber_search(first=3)
            assert codes(refusal.value) == {"FORBIDDEN"}
            assert {tuple(e.path[-1:]) for e in refusal.value.errors} == {("msisdn",), ("employeeName",)}
            partial = typed.SubscriberSearch.model_validate(refusal.value.data)
            assert plain(partial) == (await direct("acme.analyst", "subscribers", {"first": 3}))["data"]
            assert [(line.msisdn, line.employee_name) for line in partial.subscribers.nodes] == [(None, None)] * 3
            assert all(line.id and line.status for line in partial.subscribers.nodes)
