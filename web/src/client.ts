// The one GraphQL client: every operation goes out as a persisted document (its SHA-256 from
// the codegen manifest, never its text), queries and mutations over HTTP, subscriptions over
// graphql-ws on the same origin (the cookie signs the socket in).
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createSocket, type SubscribePayload } from "graphql-ws";
import { PREFLIGHT, signIn } from "./session";

type Persisted = { __meta__?: { hash?: string } };

// The manifest names a document "sha256:<hex>" (GraphQL over HTTP, persisted documents); Apollo's
// wire format, which corpcare reads, sends the hex alone.
function hashOf(document: unknown): Promise<string> {
  const hash = (document as Persisted).__meta__?.hash;
  if (hash === undefined) throw new Error("An operation outside the persisted-documents manifest");
  return Promise.resolve(hash.replace(/^sha256:/, ""));
}

async function fetchSignedIn(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (response.status === 401) signIn();
  return response;
}

function socketUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/graphql`;
}

export function createClient(): Client {
  const socket = createSocket({ url: socketUrl(), lazy: true });
  return new Client({
    url: "/graphql",
    fetch: fetchSignedIn,
    fetchOptions: { credentials: "same-origin", headers: PREFLIGHT },
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        enableForSubscriptions: true,
        preferGetForPersistedQueries: false,
        generateHash: (_, document) => hashOf(document),
      }),
      fetchExchange,
      subscriptionExchange({
        // A persisted subscription has no query text, only its hash; graphql-ws requires a string
        // query in every subscribe, and corpcare reads an empty one beside a hash as the hash alone.
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: socket.subscribe({ ...request, query: "" } as SubscribePayload, sink),
          }),
        }),
      }),
    ],
  });
}
