/**
 * Test set-up for the sync plugin: a kernel (warehouses dropped on close) served by the real API
 * handler on a real node:http server, tokens written straight to the database, and a small
 * client for the ingestion API.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import type { Kernel } from "~/kernel/kernel";
import { createApiHandler } from "~/server/api";
import { testRouter } from "../../tests/setup/fixtures";
import { testPlugins } from "../../tests/setup/plugins";
import { bootDataKernel } from "../data/test-helpers";
import { configureSync, type SyncSettings } from "./settings";

export async function bootSyncServer(settings: Partial<SyncSettings> = {}) {
  const k = await bootDataKernel();
  configureSync(k.kernel, settings);
  const handler = createApiHandler({ kernel: async () => k.kernel, router: testRouter, plugins: testPlugins });
  const listen = async (port = 0) => {
    const server = http.createServer((req, res) => {
      void handler(req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const { server, url } = await listen();
  return {
    ...k,
    url,
    server,
    /** Another server on `port` (a server that comes back). */
    listen,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await k.close();
    },
  };
}

export async function createToken(kernel: Kernel, userId: string, orgId: string, scopes: Array<"read" | "write">) {
  const token = generateApiToken();
  await kernel.ownerDb.insertInto("api_tokens").values({ user_id: userId, org_id: orgId, name: "sync test", token_hash: hashApiToken(token), scopes }).execute();
  return token;
}

export interface SendOptions {
  format?: "jsonl" | "csv";
  gzip?: boolean;
  key?: string;
  idempotencyKey?: string;
  source?: string;
  cursor?: string;
  headers?: Record<string, string>;
}

/** Rows as JSON lines (objects) or CSV (a string). */
export function bodyOf(rows: Array<Record<string, unknown>> | string, format: "jsonl" | "csv"): string {
  if (typeof rows === "string") return rows;
  if (format === "csv") throw new Error("pass CSV as a string");
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

export async function sendRows(url: string, token: string, dataset: string, rows: Array<Record<string, unknown>> | string, options: SendOptions = {}) {
  const format = options.format ?? (typeof rows === "string" ? "csv" : "jsonl");
  const text = bodyOf(rows, format);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "content-type": format === "csv" ? "text/csv" : "application/x-ndjson",
    ...options.headers,
  };
  if (options.gzip) headers["content-encoding"] = "gzip";
  if (options.key) headers["atrium-key"] = options.key;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  if (options.source) headers["atrium-source"] = options.source;
  if (options.cursor) headers["atrium-cursor"] = options.cursor;
  const res = await fetch(`${url}/api/v1/datasets/${encodeURIComponent(dataset)}/rows`, {
    method: "POST",
    headers,
    body: options.gzip ? gzipSync(text) : text,
  });
  const body = (await res.json()) as {
    accepted: number;
    duplicates: number;
    rejected: Array<{ row: number; field: string | null; message: string }>;
    cursor: string | null;
    error?: { code: string; message: string };
  };
  return { status: res.status, headers: res.headers, body };
}
