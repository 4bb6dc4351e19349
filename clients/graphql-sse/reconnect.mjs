// Follows one subscription through the reference GraphQL-over-SSE client (graphql-sse, distinct
// connections) with retries on, as a front end would across a server restart, and prints what
// the client sees as it happens: one JSON object a line ({"event": "connected" | "next" |
// "error" | "complete", …}). It runs until it is stopped.
//
//   node graphql-sse/reconnect.mjs '{"url": "http://…/graphql/stream", "token": "…",
//                                    "query": …, "variables": {…}, "retryAttempts": 1000}'
import { createClient } from "graphql-sse";

const plan = JSON.parse(process.argv[2]);

function say(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

const client = createClient({
  url: plan.url,
  headers: { Authorization: `Bearer ${plan.token}` },
  retryAttempts: plan.retryAttempts,
  // A short, steady wait between attempts: the restarted server is found soon after it listens.
  retry: () => new Promise((resolve) => setTimeout(resolve, 200)),
  on: {
    connected: (retrying) => say({ event: "connected", retrying }),
  },
});

client.subscribe(
  { query: plan.query, variables: plan.variables },
  {
    next: (value) => say({ event: "next", value }),
    error: (error) => {
      say({ event: "error", error: String(error && error.message ? error.message : error) });
      process.exit(1);
    },
    complete: () => say({ event: "complete" }),
  },
);
