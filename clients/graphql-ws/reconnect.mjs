// Follows one subscription through the reference graphql-transport-ws client (graphql-ws) with
// retries on, as a front end would across a server restart, and prints what the client sees as
// it happens: one JSON object a line ({"event": "connected" | "closed" | "next" | "error" |
// "complete", …}). It runs until it is stopped.
//
//   node graphql-ws/reconnect.mjs '{"url": "ws://…/graphql", "connectionParams": {…},
//                                   "query": …, "variables": {…}, "retryAttempts": 1000}'
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const plan = JSON.parse(process.argv[2]);

function say(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

const client = createClient({
  url: plan.url,
  webSocketImpl: WebSocket,
  connectionParams: plan.connectionParams,
  retryAttempts: plan.retryAttempts,
  // By default graphql-ws retries after a close (1012 included) but not after a connection
  // error: with one server restarted in place, the port refuses connections for a while.
  shouldRetry: () => true,
  // A short, steady wait between attempts: the restarted server is found soon after it listens.
  retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
  on: {
    connected: () => say({ event: "connected" }),
    closed: (event) => say({ event: "closed", code: event.code, reason: event.reason }),
  },
});

client.subscribe(
  { query: plan.query, variables: plan.variables },
  {
    next: (value) => say({ event: "next", value }),
    error: (error) => {
      say({ event: "error", error: String(error && (error.code || error.message || error.type)) });
      process.exit(1);
    },
    complete: () => say({ event: "complete" }),
  },
);
