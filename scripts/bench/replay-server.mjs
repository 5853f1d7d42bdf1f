/**
 * The baseline: a bare `node:http` server that answers every GET with one fixed response.
 *
 * Started by the harness with `fork()` (plain `node`, no loaders, like the built Atrium server).
 * The parent sends `{ type: "start", status, contentType, body }` (body in base64); this process
 * listens on 127.0.0.1, on a free port, and replies `{ type: "ready", port }`. It exits on
 * SIGTERM, or when the parent goes away.
 */
import http from "node:http";
import { Buffer } from "node:buffer";

/** @type {http.Server | undefined} */
let server;

process.on("message", (/** @type {any} */ msg) => {
  if (!msg || msg.type !== "start" || server) return;
  const body = Buffer.from(String(msg.body), "base64");
  const status = Number(msg.status);
  const headers = { "content-type": String(msg.contentType), "content-length": String(body.length) };
  server = http.createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });
  server.listen(0, "127.0.0.1", () => {
    const addr = server?.address();
    process.send?.({ type: "ready", port: typeof addr === "object" && addr ? addr.port : 0 });
  });
});

const exit = () => {
  if (!server) process.exit(0);
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", exit);
process.on("disconnect", exit);
