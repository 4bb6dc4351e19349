// GraphQL Code Generator: TypeScript types and typed documents for the operations in
// bench/operations/ (the screens and reports the benchmarks measure), from schema.graphql.
//
//   cd clients && npm ci && npm run codegen && npm run typecheck
//
// The output (src/gql/) is generated, never edited, and not checked in: run codegen after the
// schema or an operation changes. Run from clients/ (paths are relative to it).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  // Each file is a whole document (its operation and the fragments it spreads), and operation and
  // fragment names are unique across them, as codegen requires.
  documents: ["../bench/operations/*.graphql"],
  generates: {
    "codegen/src/gql/": {
      preset: "client",
      config: {
        // Every custom scalar as it travels in JSON; a scalar added to the schema without a
        // mapping here fails codegen instead of becoming `any`.
        strictScalars: true,
        scalars: {
          Date: "string",
          DateTime: "string",
          Decimal: "string",
          Month: "string",
          JSON: "unknown",
        },
        useTypeImports: true,
      },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
