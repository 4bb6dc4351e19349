// Runs urql against a live corpcare server, as a front end would, and prints what the client
// saw as one JSON object on stdout (the test holds it against the server's own answers).
//
//   node urql/run.mjs '<plan as JSON>'
//
// The plan: {"url": "http://…/graphql", "wsUrl": "ws://…/graphql", "token": "…", "pageSize": 10,
// "line": "<Subscriber id>", "unit": "<OrgUnit id>", "take": 2}. Scenarios, in order:
// - paging: the list read forwards (first/after) to its end, then backwards (last/before) to
//   its start, each page appended or prepended to what was read;
// - mutation: a unit rename refused with userErrors;
// - subscription: bundleUpdates through subscriptionExchange over graphql-ws until "take"
//   values came;
// - persisted: a query through persistedExchange twice; every request the exchange sent.
import { createHash } from "node:crypto";

import { Client, cacheExchange, fetchExchange, gql, subscriptionExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createSockets } from "graphql-ws";
import WebSocket from "ws";

const plan = JSON.parse(process.argv[2]);
const authorization = { Authorization: `Bearer ${plan.token}` };

const PAGE = gql`
  query Lines($first: Int, $after: String, $last: Int, $before: String) {
    subscribers(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id employeeName } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;
const RENAME = gql`
  mutation Rename($input: OrgUnitUpdateInput!) {
    orgUnitUpdate(input: $input) {
      orgUnit { id name }
      userErrors { field code message }
    }
  }
`;
const BALANCES = gql`
  subscription Balances($line: ID!) {
    bundleUpdates(subscriber: $line) { kind used allowance }
  }
`;
const LOGIN = gql`
  query Login { viewer { login } }
`;

// Every request the client sends, as the server received it, and what came back.
const requests = [];
async function watchedFetch(url, options) {
  const sent = new URL(url);
  const body = options.body ? JSON.parse(options.body) : Object.fromEntries(sent.searchParams);
  const response = await fetch(url, options);
  const answer = await response.clone().json();
  requests.push({
    method: options.method ?? "GET",
    operationName: body.operationName ?? null,
    query: body.query ?? null,
    extensions: typeof body.extensions === "string" ? JSON.parse(body.extensions) : body.extensions ?? null,
    status: response.status,
    codes: (answer.errors ?? []).map((error) => error.extensions?.code ?? null),
    data: answer.data ?? null,
  });
  return response;
}

const sockets = createSockets({
  url: plan.wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: authorization,
  retryAttempts: 0,
});

function newClient(exchanges) {
  return new Client({ url: plan.url, exchanges, fetch: watchedFetch, fetchOptions: { headers: authorization } });
}

const client = newClient([
  cacheExchange,
  subscriptionExchange({
    forwardSubscription: (request) => ({
      subscribe: (sink) => ({ unsubscribe: sockets.subscribe(request, sink) }),
    }),
  }),
  fetchExchange,
]);

function failed(error) {
  return {
    message: error.message,
    graphQLErrors: error.graphQLErrors.map((each) => ({ message: each.message, code: each.extensions?.code })),
  };
}

async function page(variables) {
  const result = await client.query(PAGE, variables).toPromise();
  if (result.error) throw new Error(JSON.stringify(failed(result.error)));
  return result.data.subscribers;
}

// Pages through the list until its end (forward) or its start (backward).
async function paged(forward) {
  let connection = await page(forward ? { first: plan.pageSize } : { last: plan.pageSize });
  const edges = [...connection.edges];
  let pages = 1;
  for (;;) {
    const info = connection.pageInfo;
    if (forward ? !info.hasNextPage : !info.hasPreviousPage) break;
    connection = await page(
      forward ? { first: plan.pageSize, after: info.endCursor } : { last: plan.pageSize, before: info.startCursor },
    );
    if (forward) edges.push(...connection.edges);
    else edges.unshift(...connection.edges);
    pages += 1;
  }
  return { pages, lines: edges.map((edge) => ({ id: edge.node.id, employeeName: edge.node.employeeName })) };
}

async function mutation() {
  const result = await client.mutation(RENAME, { input: { orgUnit: plan.unit, name: "   " } }).toPromise();
  return { data: result.data ?? null, error: result.error ? failed(result.error) : null };
}

function subscription() {
  const result = { values: [], error: null };
  return new Promise((resolve) => {
    const watched = client.subscription(BALANCES, { line: plan.line }).subscribe((value) => {
      if (value.error) result.error = failed(value.error);
      else result.values.push(value.data);
      if (result.error || result.values.length >= plan.take) {
        watched.unsubscribe();
        resolve(result);
      }
    });
  });
}

async function persisted() {
  const generateHash = async (text) => createHash("sha256").update(text).digest("hex");
  const apq = newClient([persistedExchange({ generateHash }), fetchExchange]);
  const before = requests.length;
  const data = [];
  for (let round = 0; round < 2; round += 1) {
    const result = await apq.query(LOGIN, {}, { requestPolicy: "network-only" }).toPromise();
    data.push(result.error ? failed(result.error) : result.data);
  }
  return { data, requests: requests.slice(before) };
}

const forward = await paged(true);
const backward = await paged(false);
const changed = await mutation();
const subscribed = await subscription();
const apq = await persisted();
await sockets.dispose();
process.stdout.write(JSON.stringify({ paging: { forward, backward }, mutation: changed, subscription: subscribed, persisted: apq }) + "\n");
