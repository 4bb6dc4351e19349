// Runs graphql-http's GraphQL-over-HTTP conformance audits against a live server and prints
// the outcome as one JSON object on stdout: how many audits passed and how many gave a notice,
// a warning or an error, with each one that did not pass.
//
//   node graphql-http/audit.mjs '{"url": "http://…/graphql", "token": "…"}'
//
// corpcare answers only signed-in callers: every audit request carries the bearer token.
import { auditServer } from "graphql-http";

const { url, token } = JSON.parse(process.argv[2]);

function signedIn(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: signedIn });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== "ok") {
    failures.push({ id: result.id, name: result.name, status: result.status, reason: result.reason,
                    body: await result.response.text() });
  }
}
process.stdout.write(JSON.stringify({ counts, failures }) + "\n");
