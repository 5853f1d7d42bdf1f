/**
 * A small Atrium process for the crash drills: boots the kernel on the embedded cluster under
 * ATRIUM_DATA_DIR (no DATABASE_URL) and serves `/api/health` and `/api/trpc` over real HTTP,
 * with the app's error formatter. Prints one JSON line when ready, and exits 0 after a clean
 * stop on SIGTERM (printing how long stopping took), or non-zero when the kernel gives up.
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { loadConfig } from "~/kernel/config";
import { pingDatabase } from "~/kernel/db/database";
import { bootKernel } from "~/kernel/kernel";
import { contextFor, testRouter } from "../../setup/fixtures";
import { testPlugins } from "../../setup/plugins";

const kernel = await bootKernel({ config: loadConfig(), plugins: testPlugins, services: true });
const user = await kernel.ownerDb
  .insertInto("users")
  .values({ email: `drill-${randomUUID()}@example.com`, name: "Drill" })
  .returning("id")
  .executeTakeFirstOrThrow();

const server = http.createServer(async (req, res) => {
  const requestId = randomUUID();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname === "/api/health") {
    const ok = await pingDatabase(kernel.db, 1000);
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { status: "ok" } : { status: "error", db: "unreachable", requestId }));
    return;
  }
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(url, { method: req.method }),
    router: testRouter,
    createContext: () => ({ ...contextFor(kernel, { kind: "user", userId: user.id }), requestId }),
  });
  res.writeHead(response.status, { "content-type": "application/json" });
  res.end(await response.text());
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ ready: true, port, postmasterPid: kernel.database.embedded?.pid, owned: kernel.database.embedded?.owned }));
});

process.once("SIGTERM", () => {
  const started = performance.now();
  server.close();
  server.closeAllConnections();
  void kernel.stop().then(() => {
    console.log(JSON.stringify({ stopped: true, stopMs: Math.round(performance.now() - started) }));
    process.exit(0);
  });
});
