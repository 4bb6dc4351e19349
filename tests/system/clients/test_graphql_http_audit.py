"""GraphQL over HTTP, audited by graphql-http's own conformance audits (``serverAudits``) run under
Node against a real ``corpcare serve`` on each backend: no warnings and no errors."""

from __future__ import annotations

from tests.system.clients.conftest import run_node
from tests.system.test_bulk_restart import serving
from tests.system.test_subscriptions import token, urls_of


async def test_the_graphql_http_audit_finds_no_warnings_and_no_errors(world, servers, tmp_path, node):
    # The audit sends some thirty malformed requests at once; with the default budget of refused
    # requests the later ones would be told to wait (429), which is that guard working, not the
    # protocol. The guard has its own tests (tests/system/test_refusals.py).
    process, base = await serving({**urls_of(world), "refusal_burst": "1000"}, tmp_path)
    servers.append(process)

    audit = await run_node(node, "graphql-http/audit.mjs", {"url": f"{base}/graphql", "token": token("acme.admin")})

    counts = audit["counts"]
    print(f"graphql-http audit: {counts}")
    problems = [f for f in audit["failures"] if f["status"] in {"warn", "error"}]
    assert (counts["warn"], counts["error"]) == (0, 0), problems
    assert counts["ok"] >= 50, counts  # the audit ran in full (graphql-http 1.23 has 61 audits)
