// corpcare behind an Apollo gateway, next to a second subgraph (tests/system/clients/test_federation.py).
//
// Reads one JSON plan from argv[2]:
//   { corpcare: "http://…/graphql", token: "<a token to read corpcare's _service { sdl } with>",
//     tickets: [{ id, title, line: "<Subscriber global id>" }], devices: { "<Subscriber global id>": "model" },
//     queries: [{ token, query, variables }] }
// Starts the "tickets" subgraph (@apollo/subgraph on a plain node:http server): Ticket, and Subscriber
// extended with deviceModel and tickets, keyed by corpcare's global id. Composes both subgraphs'
// SDL with @apollo/composition, runs @apollo/gateway on the supergraph under Apollo Server (each
// caller's Authorization header forwarded to the subgraphs), asks every query through it, and
// prints one JSON object: { composed, errors, results: [{ status, body }] }.

import http from "node:http";

import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, parse } from "graphql";

const plan = JSON.parse(process.argv[2]);

const ticketsSdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    tickets: [Ticket!]!
  }

  type Ticket @key(fields: "id") {
    id: ID!
    title: String!
    line: Subscriber
  }

  type Subscriber @key(fields: "id") {
    id: ID!
    deviceModel: String
    tickets: [Ticket!]!
  }
`);

const resolvers = {
  Query: { tickets: () => plan.tickets },
  Ticket: {
    __resolveReference: (reference) => plan.tickets.find((ticket) => ticket.id === reference.id) ?? null,
    line: (ticket) => ({ __typename: "Subscriber", id: ticket.line }),
  },
  Subscriber: {
    __resolveReference: (reference) => ({ id: reference.id }),
    deviceModel: (line) => plan.devices[line.id] ?? null,
    tickets: (line) => plan.tickets.filter((ticket) => ticket.line === line.id),
  },
};

const ticketsSchema = buildSubgraphSchema([{ typeDefs: ticketsSdl, resolvers }]);

// The second subgraph: a tiny HTTP server that runs each POSTed operation on its schema.
const ticketsServer = http.createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString() || "{}");
  const result = await graphql({ schema: ticketsSchema, source: query, variableValues: variables, operationName });
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(result));
});
await new Promise((resolve) => ticketsServer.listen(0, "127.0.0.1", resolve));
const ticketsUrl = `http://127.0.0.1:${ticketsServer.address().port}/graphql`;

async function post(url, token, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

const output = { composed: false, errors: [], results: [] };
let gatewayServer = null;
try {
  // The subgraph's SDL as a gateway's composition reads it (IntrospectAndCompose asks the same field).
  const service = await post(plan.corpcare, plan.token, { query: "{ _service { sdl } }" });
  const sdl = service.body?.data?._service?.sdl;
  if (typeof sdl !== "string") throw new Error(`no SDL from corpcare: ${JSON.stringify(service)}`);
  const composition = composeServices([
    { name: "corpcare", typeDefs: parse(sdl), url: plan.corpcare },
    { name: "tickets", typeDefs: ticketsSdl, url: ticketsUrl },
  ]);
  if (composition.errors) {
    output.errors = composition.errors.map((error) => error.message);
  } else {
    output.composed = true;
    const gateway = new ApolloGateway({
      supergraphSdl: composition.supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization) request.http.headers.set("authorization", context.authorization);
          },
        }),
    });
    gatewayServer = new ApolloServer({ gateway });
    const { url } = await startStandaloneServer(gatewayServer, {
      listen: { port: 0, host: "127.0.0.1" },
      context: async ({ req }) => ({ authorization: req.headers.authorization }),
    });
    for (const { token, query, variables } of plan.queries) {
      output.results.push(await post(url, token, { query, variables }));
    }
  }
} finally {
  if (gatewayServer) await gatewayServer.stop();
  await new Promise((resolve) => ticketsServer.close(resolve));
}
process.stdout.write(JSON.stringify(output));
