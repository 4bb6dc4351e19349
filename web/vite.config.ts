// The portal's build: hashed assets under assets/, index.html, and the persisted-documents manifest
// (persisted-documents.json, beside index.html) that corpcare registers at start-up. The output
// is committed under server/portal/dist/ and must not drift from this source (a test rebuilds it).
import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

const MANIFEST = "src/gql/persisted-documents.json";

function persistedDocuments(): Plugin {
  return {
    name: "corpcare-persisted-documents",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "persisted-documents.json", source: readFileSync(MANIFEST, "utf-8") });
    },
  };
}

export default defineConfig({
  plugins: [persistedDocuments()],
  build: {
    outDir: process.env.PORTAL_OUT_DIR ?? "../server/portal/dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // No inline script anywhere: the CSP allows scripts from the server's own files only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    // .vite/manifest.json: which chunks each screen needs, so the server preloads them (server/portal).
    manifest: true,
  },
});
