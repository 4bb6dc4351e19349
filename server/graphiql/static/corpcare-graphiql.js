/*
 * Starts GraphiQL on corpcare's /graphql page. It is a file, not an inline script, so the page
 * runs under a CSP that allows scripts from corpcare itself only.
 *
 * Queries go to the page's own URL as JSON POSTs; subscriptions to the same URL over WebSocket
 * (graphql-transport-ws), signed in by connection_init with the headers pane's Authorization.
 * The headers pane starts with an empty bearer token; once a token is there, the schema is
 * fetched again so docs and completion work.
 */
(function () {
  "use strict";

  var url = window.location.origin + window.location.pathname;
  var subscriptionUrl = url.replace(/^http/, "ws"); // https: → wss:
  var defaultHeaders = JSON.stringify({ Authorization: "Bearer " }, null, 2);
  var defaultQuery = [
    '# Paste a token after "Bearer " in the headers pane below',
    "# (`corpcare token LOGIN` prints one), then run with Ctrl-Enter.",
    "{",
    "  viewer {",
    "    login",
    "    name",
    "    role",
    "  }",
    "}",
    "",
  ].join("\n");

  function authorizationOf(headersText) {
    try {
      var headers = JSON.parse(headersText || "{}");
      return typeof headers.Authorization === "string" ? headers.Authorization.trim() : "";
    } catch (error) {
      return null; // half-typed JSON: keep the current fetcher
    }
  }

  function newFetcher() {
    // X-Corpcare-Preflight: the server's CSRF guard accepts it on any POST.
    // GraphiQL sends the headers pane as connection_init's payload: {"Authorization": "Bearer …"}.
    return GraphiQL.createFetcher({
      url: url,
      subscriptionUrl: subscriptionUrl,
      headers: { "X-Corpcare-Preflight": "1" },
    });
  }

  function CorpcareGraphiQL() {
    var state = React.useState(function () {
      return { authorization: undefined, fetcher: newFetcher() };
    });
    var current = state[0];
    var setCurrent = state[1];

    function onEditHeaders(headersText) {
      var authorization = authorizationOf(headersText);
      if (authorization === null || authorization === current.authorization) {
        return;
      }
      // A new fetcher makes GraphiQL introspect again, with the headers as they are now.
      setCurrent({ authorization: authorization, fetcher: newFetcher() });
    }

    return React.createElement(GraphiQL, {
      fetcher: current.fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers",
      onEditHeaders: onEditHeaders,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(CorpcareGraphiQL));
})();
