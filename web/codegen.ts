// GraphQL Code Generator: typed documents for the portal's operations and the persisted-documents
// manifest (hash → exact text) that corpcare registers at start-up, from ../schema.graphql.
//
//   npm ci && npm run codegen && npm run typecheck && npm run build
//
// The output (src/gql/) is generated and not checked in; the build ships the manifest.
import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        // The server runs a hash's text exactly as the manifest holds it (SHA-256 of its bytes).
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
      // urql's document cache reads __typename: the registered text asks for it too.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        strictScalars: true,
        scalars: { Date: "string", DateTime: "string", Decimal: "string", Month: "string", JSON: "unknown" },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
