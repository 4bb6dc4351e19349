// Runs Apollo Client against a live corpcare server, as a front end would, and prints what the
// client saw as one JSON object on stdout (the test holds it against the server's own answers).
//
//   node apollo/run.mjs '<plan as JSON>'
//
// The plan: {"url": "http://…/graphql", "wsUrl": "ws://…/graphql", "token": "…", "pageSize": 10,
// "line": "<Subscriber id>", "take": 2, "rename": "<a unit's new name>"}. Scenarios, in order:
// - paging: the normalised cache with relayStylePagination, read forwards (first/after) to the
//   end, and in a second cache backwards (last/before) to the start; the merged lists;
// - mutations: a unit rename refused with userErrors, then one that succeeds; the cached unit
//   and lines after each, and how many requests were sent;
// - subscription: bundleUpdates through GraphQLWsLink until "take" values came;
// - persisted: a query through PersistedQueryLink twice, and another with useGETForHashedQueries;
//   every request the link sent.
import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { getMainDefinition, relayStylePagination } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const plan = JSON.parse(process.argv[2]);
const authorization = { Authorization: `Bearer ${plan.token}` };

const PAGE = gql`
  query Lines($first: Int, $after: String, $last: Int, $before: String) {
    subscribers(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id employeeName orgUnit { id name } } }
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
const UNIT = gql`
  fragment Unit on OrgUnit { id name }
`;
const BALANCES = gql`
  subscription Balances($line: ID!) {
    bundleUpdates(subscriber: $line) { kind used allowance }
  }
`;
const VIEWER = gql`
  query Viewer { viewer { login role } }
`;
const CUSTOMER = gql`
  query Customer { viewer { customer { id name } } }
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

function http() {
  return new HttpLink({ uri: plan.url, headers: authorization, fetch: watchedFetch });
}

function newCache() {
  return new InMemoryCache({ typePolicies: { Query: { fields: { subscribers: relayStylePagination(["filter", "orderBy"]) } } } });
}

const sockets = createClient({
  url: plan.wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: authorization,
  retryAttempts: 0,
});
const isSubscription = ({ query }) => {
  const definition = getMainDefinition(query);
  return definition.kind === "OperationDefinition" && definition.operation === "subscription";
};

function newClient(link = ApolloLink.split(isSubscription, new GraphQLWsLink(sockets), http())) {
  return new ApolloClient({ link, cache: newCache() });
}

function idsOf(connection) {
  return connection.edges.map((edge) => ({ id: edge.node.id, employeeName: edge.node.employeeName }));
}

// Pages through the list with fetchMore until its end (forward) or its start (backward).
async function paged(client, forward) {
  const first = forward ? { first: plan.pageSize } : { last: plan.pageSize };
  const watched = client.watchQuery({ query: PAGE, variables: first });
  let subscription;
  let data = await new Promise((resolve, reject) => {
    subscription = watched.subscribe({
      next: (result) => {
        if (result.error) reject(result.error);
        else if (result.dataState === "complete") resolve(result.data);
      },
      error: reject,
    });
  });
  let pages = 1;
  for (;;) {
    const info = data.subscribers.pageInfo;
    if (forward ? !info.hasNextPage : !info.hasPreviousPage) break;
    const more = forward ? { after: info.endCursor } : { before: info.startCursor };
    await watched.fetchMore({ variables: more });
    data = client.readQuery({ query: PAGE, variables: first });
    pages += 1;
  }
  subscription.unsubscribe();
  return { pages, lines: idsOf(data.subscribers), pageInfo: data.subscribers.pageInfo };
}

async function paging() {
  const forwards = newClient();
  const backwards = newClient();
  return { client: forwards, forward: await paged(forwards, true), backward: await paged(backwards, false) };
}

function cachedUnit(client, id) {
  return client.readFragment({ fragment: UNIT, id: client.cache.identify({ __typename: "OrgUnit", id }) });
}

function cachedLines(client) {
  const data = client.readQuery({ query: PAGE, variables: { first: plan.pageSize } });
  return data.subscribers.edges.map((edge) => ({ id: edge.node.id, unit: edge.node.orgUnit }));
}

async function rename(client, unit, name) {
  const before = requests.length;
  const result = await client.mutate({ mutation: RENAME, variables: { input: { orgUnit: unit, name } }, errorPolicy: "all" });
  return {
    data: result.data ?? null,
    error: result.error ? String(result.error) : null,
    requests: requests.length - before,
    cached: cachedUnit(client, unit),
    lines: cachedLines(client),
  };
}

async function mutations(client) {
  // The unit of the list's first line, as the cache holds it.
  const unit = cachedLines(client)[0].unit;
  return {
    unit,
    refused: await rename(client, unit.id, "   "),
    renamed: await rename(client, unit.id, plan.rename),
  };
}

function subscription(client) {
  const result = { values: [], error: null };
  return new Promise((resolve) => {
    const watched = client.subscribe({ query: BALANCES, variables: { line: plan.line } }).subscribe({
      next: (value) => {
        if (value.error) result.error = String(value.error);
        else result.values.push(value.data);
        if (result.error || result.values.length >= plan.take) {
          watched.unsubscribe();
          resolve(result);
        }
      },
      error: (error) => {
        result.error = String(error);
        resolve(result);
      },
      complete: () => resolve(result),
    });
  });
}

async function persisted(query, useGETForHashedQueries) {
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  const client = newClient(new PersistedQueryLink({ sha256, useGETForHashedQueries }).concat(http()));
  const before = requests.length;
  const first = await client.query({ query, fetchPolicy: "network-only" });
  const second = await client.query({ query, fetchPolicy: "network-only" });
  return { data: [first.data, second.data], requests: requests.slice(before) };
}

const { client, forward, backward } = await paging();
const changed = await mutations(client);
const subscribed = await subscription(client);
const apq = { post: await persisted(VIEWER, false), get: await persisted(CUSTOMER, true) };
await sockets.dispose();
process.stdout.write(JSON.stringify({ paging: { forward, backward }, mutations: changed, subscription: subscribed, persisted: apq }) + "\n");
