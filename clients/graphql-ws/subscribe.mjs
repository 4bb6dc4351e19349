// Runs subscriptions through the reference graphql-transport-ws client (graphql-ws) under Node,
// as a front end would, and prints what the client saw as one JSON object on stdout.
//
//   node graphql-ws/subscribe.mjs '<plan as JSON>'
//
// The plan: {"url": "ws://…/graphql", "connectionParams": {…}, "operations": [{"query": …,
// "variables": {…}, "take": 2}, …]}. Each operation runs until the server completes it, errors,
// or (with "take") until that many values came, when the client unsubscribes (sends complete).
// With "inOrder": true, each operation starts when the one before it ended (a query after a change).
// Afterwards one more {__typename} query shows whether the socket is still usable.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const plan = JSON.parse(process.argv[2]);
const closed = [];
let acknowledged = false;

// Counts binary frames: the protocol's messages are text, and a browser hands a binary frame
// to the page as a Blob that graphql-ws cannot read.
let binaryFrames = 0;
class WatchedSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.on("message", (_data, isBinary) => {
      if (isBinary) binaryFrames += 1;
    });
  }
}

const client = createClient({
  url: plan.url,
  webSocketImpl: WatchedSocket,
  connectionParams: plan.connectionParams,
  retryAttempts: 0,
  // One socket for the whole plan: kept open between operations until the client is disposed.
  lazyCloseTimeout: 60_000,
  on: {
    connected: () => {
      acknowledged = true;
    },
    closed: (event) => {
      closed.push({ code: event.code, reason: event.reason });
    },
  },
});

function describe(error) {
  if (Array.isArray(error)) return { graphql: error }; // an `error` message: the GraphQL errors
  if (error && typeof error.code === "number") return { close: { code: error.code, reason: error.reason } };
  return { thrown: String(error && error.message ? error.message : error) };
}

function run({ query, variables, take }) {
  const result = { values: [], completed: false, unsubscribed: false, error: null };
  return new Promise((resolve) => {
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result.values.push(value);
          if (take && result.values.length >= take && !result.unsubscribed) {
            result.unsubscribed = true;
            unsubscribe();
            resolve(result);
          }
        },
        error: (error) => {
          result.error = describe(error);
          resolve(result);
        },
        complete: () => {
          result.completed = !result.unsubscribed; // completed by the server, not by us
          resolve(result);
        },
      },
    );
  });
}

const results = [];
if (plan.inOrder) {
  for (const operation of plan.operations) results.push(await run(operation));
} else {
  results.push(...(await Promise.all(plan.operations.map(run))));
}
const after = closed.length === 0 ? await run({ query: "{ __typename }" }) : null;
const closedByServer = [...closed]; // before the client closes the socket itself
await client.dispose();
process.stdout.write(JSON.stringify({ acknowledged, results, after, closed: closedByServer, binaryFrames }) + "\n");
