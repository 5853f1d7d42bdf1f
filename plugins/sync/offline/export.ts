/**
 * A dashboard exported for offline use: a self-contained folder that draws the same dashboard
 * with the app's chart components from `file://`, with no server and no network.
 *
 *   index.html   the page (loads data.js, then viewer.js; a Content-Security-Policy forbids any request out)
 *   data.json    the dashboard (YAML, title, version) and its queries' rows at export time
 *   data.js      the same object as `window.ATRIUM_OFFLINE` (a `file://` page may not fetch data.json)
 *   viewer.js, viewer.css   the viewer (./viewer.tsx, bundled)
 *
 * The dashboard and its rows come from `dashboards.get` and `dashboards.run` called as the
 * exporting person, so the export shows exactly what they may see, under the same limits.
 */
import { strToU8, zipSync } from "fflate";
import type { ViewerAssets } from "./assets";
import { OFFLINE_FORMAT, type OfflineData, type OfflineRun } from "./format";

export const OFFLINE_FILES = ["index.html", "data.json", "data.js", "viewer.js", "viewer.css"] as const;
export type OfflineFileName = (typeof OFFLINE_FILES)[number];

interface DashboardDetail {
  slug: string;
  title: string;
  version: number;
  yaml: string;
  format: "atrium" | "dbt-charts";
  document?: unknown;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Looks up and runs the dashboard as the caller (`call` is the HTTP context's procedure call). */
export async function offlineDataOf(call: <T>(path: string, input: unknown) => Promise<T>, scope: { orgId: string; projectId: string; slug: string }, now = new Date()): Promise<OfflineData> {
  const detail = await call<DashboardDetail>("dashboards.get", scope);
  const run = await call<OfflineRun>("dashboards.run", scope);
  return {
    format: OFFLINE_FORMAT,
    title: detail.title,
    slug: detail.slug,
    exportedAt: now.toISOString(),
    version: detail.version,
    yaml: detail.yaml,
    document: detail.format === "dbt-charts" ? (detail.document ?? null) : null,
    run: { ranAt: run.ranAt, variables: run.variables, results: run.results },
  };
}

function indexHtml(data: OfflineData): string {
  // No request leaves the page: connect-src 'none' (and nothing else is fetched but the folder's own files).
  const policy = "default-src 'self' file:; script-src 'self' file:; style-src 'self' file: 'unsafe-inline'; img-src 'self' file: data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'; object-src 'none'";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="generator" content="Atrium offline export">
<title>${escapeHtml(data.title)} · Atrium (offline)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="viewer.css">
</head>
<body>
<div id="app" class="offline-app"><p>Loading the dashboard…</p></div>
<noscript>This dashboard is drawn with JavaScript: allow scripts for this file.</noscript>
<script src="data.js"></script>
<script src="viewer.js"></script>
</body>
</html>
`;
}

/** The folder's files, by name. */
export function offlineFiles(data: OfflineData, viewer: ViewerAssets): Record<OfflineFileName, string> {
  const json = JSON.stringify(data);
  return {
    "index.html": indexHtml(data),
    "data.json": json + "\n",
    // JSON is a JavaScript expression; U+2028/2029 are escaped for older parsers.
    "data.js": `window.ATRIUM_OFFLINE = ${json.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")};\n`,
    "viewer.js": viewer.js,
    "viewer.css": viewer.css,
  };
}

/** The folder as a zip archive, its files under `<slug>-offline/`. */
export function offlineZip(slug: string, files: Record<string, string>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[`${slug}-offline/${name}`] = strToU8(text);
  return zipSync(entries, { level: 6, mtime: new Date("2026-01-01T00:00:00Z") });
}
