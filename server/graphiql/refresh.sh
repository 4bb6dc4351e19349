#!/usr/bin/env bash
# Refresh the vendored GraphiQL assets from the npm registry; the versions are the ones in README.md.
# After a change of version: update README.md, then open /graphql in development and run the browser test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
REACT=18.2.0
GRAPHIQL=3.8.3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "react@$REACT" "react-dom@$REACT" "graphiql@$GRAPHIQL" >/dev/null
for package in "react-$REACT" "react-dom-$REACT" "graphiql-$GRAPHIQL"; do
  mkdir "${package%-*}" && tar xzf "$package.tgz" -C "${package%-*}"
done
cp react/package/umd/react.production.min.js react-dom/package/umd/react-dom.production.min.js \
  graphiql/package/graphiql.min.js graphiql/package/graphiql.min.css "$here/static/"
cp react/package/LICENSE "$here/licenses/react.LICENSE"
cp graphiql/package/LICENSE "$here/licenses/graphiql.LICENSE"
cd "$here/static"
for file in react.production.min.js react-dom.production.min.js graphiql.min.js graphiql.min.css; do
  echo "$file sha384-$(openssl dgst -sha384 -binary "$file" | base64)"
done
