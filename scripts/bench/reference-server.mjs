/**
 * Reference servers for the benchmark, each doing less than Atrium does for the same answer:
 *
 *   - `trpc-standalone`: tRPC's own standalone adapter (createHTTPServer) serving one router with
 *     the same procedure path (`kernel.info`) and the same data Atrium answered: what a bare tRPC
 *     server costs per call.
 *   - `pg-list`: bare node:http + `pg` running the SQL of projects.list for one org (no auth, no
 *     scope, no transaction) and answering in tRPC's shape: what the query itself costs.
 *   - `pg-statements`: bare node:http + `pg` running a dashboard's bound statements (given) on
 *     the org's warehouse, as many at once as Atrium's engine runs per org, and answering every
 *     chart's rows as JSON: what a shared view's queries cost with nothing around them.
 *
 * Started with `fork()` as plain `node`; the parent sends `{ type: "start", mode, … }`, this
 * process listens on 127.0.0.1 on a free port and replies `{ type: "ready", port }`. It exits on
 * SIGTERM or when the parent goes away.
 */
import { Buffer } from "node:buffer";
import http from "node:http";

/** @type {http.Server | undefined} */
let server;
/** @type {{ end(): Promise<void> } | undefined} */
let pool;

async function trpcStandalone(/** @type {any} */ msg) {
  const { initTRPC } = await import("@trpc/server");
  const { createHTTPServer } = await import("@trpc/server/adapters/standalone");
  const t = initTRPC.create();
  const data = JSON.parse(msg.data);
  const router = t.router({ kernel: t.router({ info: t.procedure.query(() => data) }) });
  return createHTTPServer({ router, basePath: "/api/trpc/" });
}

async function pgList(/** @type {any} */ msg) {
  const { default: pg } = await import("pg");
  const p = new pg.Pool({ connectionString: msg.databaseUrl, max: 10 });
  pool = p;
  const text =
    'select id, slug, name, description, archived_at as "archivedAt", created_at as "createdAt", updated_at as "updatedAt" ' +
    "from projects where org_id = $1 and deleted_at is null and archived_at is null order by name, id limit 101";
  return http.createServer((req, res) => {
    p.query(text, [msg.orgId]).then(
      (result) => {
        // A first page of 100, and the cursor of the next when there is one (as projects.list answers).
        const items = result.rows.slice(0, 100);
        const last = items[items.length - 1];
        const nextCursor = result.rows.length > 100 ? Buffer.from(JSON.stringify(["t", last.name, last.id])).toString("base64url") : null;
        const body = JSON.stringify({ result: { data: { items, nextCursor } } });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
      },
      (err) => {
        res.writeHead(500).end(String(err?.message ?? err));
      },
    );
  });
}

async function pgStatements(/** @type {any} */ msg) {
  const { default: pg } = await import("pg");
  const p = new pg.Pool({ ...msg.clientConfig, max: msg.concurrency });
  pool = p;
  /** @type {Array<{ sql: string; parameters: unknown[] }>} */
  const statements = msg.statements;
  const runAll = async () => {
    const rows = new Array(statements.length);
    let next = 0;
    const worker = async () => {
      while (next < statements.length) {
        const i = next++;
        rows[i] = (await p.query(statements[i].sql, statements[i].parameters)).rows;
      }
    };
    await Promise.all(Array.from({ length: msg.concurrency }, worker));
    return rows;
  };
  return http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      runAll().then(
        (rows) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ charts: rows }));
        },
        (err) => {
          res.writeHead(500).end(String(err?.message ?? err));
        },
      );
    });
  });
}

process.on("message", (/** @type {any} */ msg) => {
  if (!msg || msg.type !== "start" || server) return;
  const make = msg.mode === "trpc-standalone" ? trpcStandalone : msg.mode === "pg-list" ? pgList : msg.mode === "pg-statements" ? pgStatements : null;
  if (!make) {
    process.send?.({ type: "error", message: `unknown mode ${msg.mode}` });
    return;
  }
  make(msg).then(
    (s) => {
      server = s;
      s.listen(0, "127.0.0.1", () => {
        const addr = s.address();
        process.send?.({ type: "ready", port: typeof addr === "object" && addr ? addr.port : 0 });
      });
    },
    (err) => process.send?.({ type: "error", message: String(err?.message ?? err) }),
  );
});

const exit = () => {
  void pool?.end().catch(() => {});
  if (!server) process.exit(0);
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", exit);
process.on("disconnect", exit);
