/**
 * Baseline for sign-in: a bare `node:http` server that does the part of a password sign-in
 * nothing can skip — one argon2id verification of the same hash — and answers the same JSON.
 * Forked by the harness; the parent sends `{ type: "start", hash, password, body }`.
 */
import http from "node:http";
import { Buffer } from "node:buffer";
import { verify } from "@node-rs/argon2";

/** @type {http.Server | undefined} */
let server;

process.on("message", (/** @type {any} */ msg) => {
  if (!msg || msg.type !== "start" || server) return;
  const { hash, password, body } = msg;
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let given = "";
      try {
        given = JSON.parse(Buffer.concat(chunks).toString("utf8")).password ?? "";
      } catch {
        /* answered below */
      }
      verify(hash, given || password).then(
        (ok) => {
          res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
          res.end(body);
        },
        () => res.writeHead(500).end(),
      );
    });
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
