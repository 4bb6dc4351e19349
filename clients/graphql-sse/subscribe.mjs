// Runs subscriptions through the reference GraphQL-over-SSE client (graphql-sse) under Node, as a
// front end would, and prints what the client saw as one JSON object on stdout.
//
//   node graphql-sse/subscribe.mjs '<plan as JSON>'
//
// The plan: {"url": "http://…/graphql/stream", "scenarios": [{"token": "…" or null,
// "singleConnection": false, "operations": [{"query": …, "variables": {…}, "take": 2}, …]}, …]}.
// Every scenario has a client of its own (signed in by its Authorization header), and they all run
// at once. Each operation runs until the server completes it, errors, or (with "take") until that
// many values came, when the client unsubscribes (closes its stream, or sends DELETE).
import { createClient, NetworkError } from "graphql-sse";

const plan = JSON.parse(process.argv[2]);

async function describe(error) {
  if (error instanceof NetworkError) {
    const described = { network: error.message, status: error.response ? error.response.status : null };
    if (error.response) {
      try {
        const body = await error.response.json();
        described.codes = (body.errors || []).map((e) => e.extensions && e.extensions.code);
      } catch (unreadable) {
        described.codes = null;
        described.unreadable = String(unreadable);
      }
    }
    return described;
  }
  return { thrown: String(error && error.message ? error.message : error) };
}

function run(client, { query, variables, take }) {
  const result = { values: [], completed: false, unsubscribed: false, error: null };
  return new Promise((resolve) => {
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (result.unsubscribed) return; // already on their way when the client unsubscribed
          result.values.push(value);
          if (take && result.values.length >= take && !result.unsubscribed) {
            result.unsubscribed = true;
            unsubscribe();
            resolve(result);
          }
        },
        error: (error) => {
          if (result.unsubscribed) return; // the client's own teardown (dispose aborts its DELETE)
          describe(error).then((described) => {
            result.error = described;
            resolve(result);
          });
        },
        complete: () => {
          result.completed = !result.unsubscribed; // completed by the server, not by us
          resolve(result);
        },
      },
    );
  });
}

async function scenario({ token, singleConnection, operations }) {
  const client = createClient({
    url: plan.url,
    singleConnection: Boolean(singleConnection),
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  try {
    return { results: await Promise.all(operations.map((operation) => run(client, operation))) };
  } finally {
    client.dispose();
  }
}

const scenarios = await Promise.all(plan.scenarios.map(scenario));
process.stdout.write(JSON.stringify({ scenarios }) + "\n");
