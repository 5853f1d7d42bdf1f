/**
 * A test helper run as its own process (`node --import tsx plugins/sync/test-server-process.ts`):
 * the real API handler on DATABASE_URL at 127.0.0.1:PORT, so a test can kill the server with
 * SIGKILL while a batch is in its warehouse transaction. Prints "listening" once it serves.
 */
import http from "node:http";
import { loadConfig } from "~/kernel/config";
import { bootKernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createApiHandler } from "~/server/api";
import { testRouter } from "../../tests/setup/fixtures";
import { testPlugins } from "../../tests/setup/plugins";

const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: "silent", NODE_ENV: "test", ATRIUM_SECRET: process.env.ATRIUM_SECRET });
const kernel = await bootKernel({ config, plugins: testPlugins, workJobs: false, log: createLogger("silent") });
const handler = createApiHandler({ kernel: async () => kernel, router: testRouter, plugins: testPlugins });
const server = http.createServer((req, res) => {
  void handler(req, res).then((served) => {
    if (!served) res.writeHead(404).end();
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("listening\n"));
