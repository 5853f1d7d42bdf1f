/**
 * `atrium preview <folder of dashboards> --data <db.sqlite|data.csv> [--port 4321] [--host 127.0.0.1]`:
 * serves the folder's dashboards (`*.yaml`, Atrium's document) on this machine with no sign-in,
 * drawn by the offline viewer (the app's chart components) from the local data, for authoring
 * before syncing. Every page load reads the files again and runs the queries again: edit, reload.
 *
 * It serves data with no sign-in, so it listens on a loopback address only (a non-loopback
 * `--host` is refused), and it answers only requests whose Host is that loopback address (a web
 * page cannot reach it through a DNS name pointed at 127.0.0.1).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { parseDashboard, prepareQuery, resolveVariableValues, usedQueryIds } from "../../dashboards/document";
import { viewerAssets, type ViewerAssets } from "../offline/assets";
import { offlineFiles } from "../offline/export";
import { OFFLINE_FORMAT, type OfflineData } from "../offline/format";
import { LocalData, type LocalResult } from "./local-data";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const MAX_FILE_BYTES = 1_000_000;
const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|localhost)$/;

export class PreviewProblem extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Refuses anything but a loopback address: the preview has no sign-in. */
export function checkLoopback(host: string): void {
  if (!LOOPBACK.test(host)) {
    throw new PreviewProblem(`Refusing to listen on ${host}: atrium preview serves your local data with no sign-in, so it listens on this machine only (127.0.0.1, ::1 or localhost).`);
  }
}

interface Board {
  slug: string;
  file: string;
}

function boardsIn(dir: string): Board[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((file) => ({ slug: file.slice(0, -".yaml".length), file }))
    .filter((b) => SLUG.test(b.slug))
    .sort((a, b) => a.slug.localeCompare(b.slug));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One dashboard, read and run now. */
function offlineDataOf(dir: string, board: Board, data: LocalData): OfflineData | { error: string } {
  const path = join(dir, board.file);
  if (statSync(path).size > MAX_FILE_BYTES) return { error: `${board.file} is larger than ${MAX_FILE_BYTES} bytes.` };
  const yaml = readFileSync(path, "utf8");
  const parsed = parseDashboard(yaml);
  if (!parsed.ok) return { error: `${board.file}: ${parsed.errors.map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.message}`).join("; ")}` };
  const doc = parsed.doc;
  const values = resolveVariableValues(doc.variables, {});
  const results: Record<string, LocalResult> = {};
  for (const id of usedQueryIds(doc)) {
    const query = doc.queries?.[id];
    if (!query) continue;
    const prepared = prepareQuery(query, doc.variables, values);
    results[id] = prepared.ok ? data.run(prepared.sql, prepared.parameters) : { ok: false, error: { code: "invalid_query", message: prepared.errors.map((e) => e.message).join("; ") } };
  }
  const now = new Date().toISOString();
  return { format: OFFLINE_FORMAT, title: doc.title, slug: board.slug, exportedAt: now, version: 0, yaml, document: doc, run: { ranAt: now, variables: values, results } };
}

function listPage(dir: string, boards: Board[], data: LocalData): string {
  const items = boards.map((b) => `<li><a href="/d/${b.slug}/">${escapeHtml(b.slug)}</a></li>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atrium preview</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/viewer.css"></head>
<body><main class="offline-page stack"><h1>Dashboards in ${escapeHtml(dir)}</h1>
<p class="muted">Local preview: no sign-in, data from this machine (tables: ${escapeHtml(data.tables.join(", ") || "none")}).</p>
${boards.length ? `<ul>${items}</ul>` : "<p>No dashboard here yet: add a <code>&lt;name&gt;.yaml</code> file.</p>"}
</main></body></html>
`;
}

export interface PreviewServer {
  url: string;
  close(): Promise<void>;
}

export async function startPreview(options: { dir: string; data: string; host?: string; port?: number; assets?: () => Promise<ViewerAssets> }): Promise<PreviewServer> {
  const host = options.host ?? "127.0.0.1";
  checkLoopback(host);
  const dir = resolve(options.dir);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new PreviewProblem(`${dir} is not a folder of dashboards (*.yaml)`);
  let data: LocalData;
  try {
    data = await LocalData.open(resolve(options.data));
  } catch (err) {
    throw new PreviewProblem(`--data ${options.data}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const assets = options.assets ?? (() => viewerAssets());
  let allowedHosts = new Set<string>();

  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(body);
    };
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) return send(421, "text/plain", "This preview answers requests for its own loopback address only.");
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "The preview only shows dashboards.");
    const path = new URL(req.url ?? "/", "http://preview").pathname;
    void (async () => {
      if (path === "/") return send(200, "text/html", listPage(dir, boardsIn(dir), data));
      if (path === "/viewer.css") return send(200, "text/css", (await assets()).css);
      const match = /^\/d\/([^/]+)\/(|index\.html|data\.js|data\.json|viewer\.js|viewer\.css)$/.exec(path);
      const board = match ? boardsIn(dir).find((b) => b.slug === match[1]) : undefined;
      if (!match || !board) return send(404, "text/plain", "No such dashboard in this folder.");
      const name = match[2] || "index.html";
      if (name === "viewer.js" || name === "viewer.css") {
        const a = await assets();
        return send(200, name.endsWith(".js") ? "text/javascript" : "text/css", name.endsWith(".js") ? a.js : a.css);
      }
      const read = offlineDataOf(dir, board, data);
      if ("error" in read) return send(422, "text/plain", read.error);
      const files = offlineFiles(read, { js: "", css: "" });
      const type = name === "index.html" ? "text/html" : name === "data.json" ? "application/json" : "text/javascript";
      return send(200, type, files[name as "index.html" | "data.js" | "data.json"]);
    })().catch((err: unknown) => send(500, "text/plain", err instanceof Error ? err.message : String(err)));
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 4321, host, ok);
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  // Loopback names only: a page cannot send these Host values from a name of its own.
  allowedHosts = new Set([`${shown}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  return {
    url: `http://${shown}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      data.close();
    },
  };
}
