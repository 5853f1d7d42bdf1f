/**
 * `npx tsx scripts/bench/dashboard-js.ts`: the JavaScript a browser loads first for the
 * dashboard view page, gzipped, from the built client (`.output/public`, `npm run build`).
 *
 * Reads Vite's client manifest and follows static imports only: the client entry and its
 * static imports (what every page loads), plus the page's route chunk and its static imports.
 * Chunks reached only through a dynamic `import()` (Vega, Vega-Lite, CodeMirror, micromark, the
 * document module) load later, when a chart is drawn or an editor opens; they are listed
 * apart. Each file is counted once, gzipped at level 9 (what a server with gzip sends).
 *
 * Compared with the goal (100 KB) and with the home page's initial JavaScript in the same
 * build. Exits 1 when the dashboard view page is over the goal. Flags: --json <file>.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

export const GOAL_BYTES = 100 * 1024;

interface ManifestChunk {
  file: string;
  name?: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface PageJs {
  page: string;
  /** Manifest keys of the page's route chunk(s). */
  routes: string[];
  files: string[];
  gzipBytes: number;
  rawBytes: number;
}

export interface DashboardJsReport {
  build: string;
  goalBytes: number;
  entry: { files: string[]; gzipBytes: number };
  pages: PageJs[];
  /** Chunks the dashboard pages load later through import(), by what they hold. */
  lazy: { label: string; files: string[]; gzipBytes: number }[];
  ok: boolean;
}

const CLIENT_ENTRY = "virtual:$vinxi/handler/client";

/** The pages measured: the dashboard view is the one with a goal. */
const PAGES: { page: string; route: (key: string) => boolean }[] = [
  { page: "dashboard view (/o/:org/p/:project/d/:slug)", route: (k) => k === "plugins/dashboards/ui/ViewPage.tsx" },
  { page: "home (/)", route: (k) => k.startsWith("src/routes/index.tsx") },
  { page: "dashboard editor (…/d/:slug/edit)", route: (k) => k === "plugins/dashboards/ui/EditorPage.tsx" },
  { page: "chart builder (…/d/:slug/charts/new)", route: (k) => k === "plugins/dashboards/ui/ChartBuilderPage.tsx" },
];

/** Lazily loaded groups, by the dynamic entries whose static closure they are. */
const LAZY: { label: string; entries: (key: string) => boolean }[] = [
  { label: "vega + vega-lite", entries: (k) => /^node_modules\/vega(-lite)?\//.test(k) },
  { label: "CodeMirror (YAML/SQL editor, merge view)", entries: (k) => /^plugins\/dashboards\/ui\/(CodeEditor|MergePanel)\.tsx$/.test(k) },
  { label: "document module (zod schema, parser, Kysely compiler)", entries: (k) => k === "plugins/dashboards/document/index.ts" },
  { label: "micromark (markdown text blocks)", entries: (k) => /^node_modules\/micromark/.test(k) },
];

/** Finds the client manifest of a vinxi build (`.output/public/_build/.vite/manifest.json`). */
function readManifest(root: string): { manifest: Manifest; publicDir: string; manifestPath: string } {
  const publicDir = path.join(root, ".output", "public", "_build");
  const manifestPath = path.join(publicDir, ".vite", "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`No client manifest at ${manifestPath}: run \`npm run build\` first.`);
  return { manifest: JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest, publicDir, manifestPath };
}

/** The chunk keys reached from `start` through static imports. */
function staticClosure(manifest: Manifest, start: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const key = stack.pop()!;
    if (seen.has(key) || !manifest[key]) continue;
    seen.add(key);
    for (const next of manifest[key].imports ?? []) stack.push(next);
  }
  return seen;
}

/** Everything reachable, static or dynamic, from `start`. */
function fullClosure(manifest: Manifest, start: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const key = stack.pop()!;
    if (seen.has(key) || !manifest[key]) continue;
    seen.add(key);
    for (const next of [...(manifest[key].imports ?? []), ...(manifest[key].dynamicImports ?? [])]) stack.push(next);
  }
  return seen;
}

export function measureDashboardJs(root: string): DashboardJsReport {
  const { manifest, publicDir, manifestPath } = readManifest(root);
  const gzipCache = new Map<string, { gzip: number; raw: number }>();
  const sizeOf = (file: string) => {
    let size = gzipCache.get(file);
    if (!size) {
      const bytes = readFileSync(path.join(publicDir, file));
      size = { gzip: gzipSync(bytes, { level: 9 }).length, raw: bytes.length };
      gzipCache.set(file, size);
    }
    return size;
  };
  const jsFiles = (keys: Iterable<string>) => [...new Set([...keys].map((k) => manifest[k]!.file).filter((f) => f.endsWith(".js")))].sort();
  const sum = (files: readonly string[], kind: "gzip" | "raw" = "gzip") => files.reduce((total, f) => total + sizeOf(f)[kind], 0);

  if (!manifest[CLIENT_ENTRY]) throw new Error(`The manifest has no client entry "${CLIENT_ENTRY}".`);
  const entryKeys = staticClosure(manifest, [CLIENT_ENTRY]);
  const entryFiles = jsFiles(entryKeys);

  const pages: PageJs[] = [];
  for (const spec of PAGES) {
    const routes = Object.keys(manifest).filter(spec.route);
    if (!routes.length) throw new Error(`No route chunk for ${spec.page} in ${manifestPath}: is the build current?`);
    const files = jsFiles(new Set([...entryKeys, ...staticClosure(manifest, routes)]));
    pages.push({ page: spec.page, routes, files, gzipBytes: sum(files), rawBytes: sum(files, "raw") });
  }

  // What the dashboard pages load later: reachable, but not statically.
  const dashboardRoutes = Object.keys(manifest).filter((k) => k.startsWith("plugins/dashboards/ui/"));
  const initial = new Set(pages.flatMap((p) => p.files));
  const later = [...fullClosure(manifest, dashboardRoutes)].filter((k) => !initial.has(manifest[k]!.file));
  const laterSet = new Set(later);
  const claimed = new Set<string>();
  const lazy = LAZY.map((group) => {
    const keys = [...staticClosure(manifest, Object.keys(manifest).filter(group.entries))].filter((k) => laterSet.has(k) && !claimed.has(k));
    for (const k of keys) claimed.add(k);
    const files = jsFiles(keys);
    return { label: group.label, files, gzipBytes: sum(files) };
  });
  const others = jsFiles(later.filter((k) => !claimed.has(k)));
  lazy.push({ label: "other lazily loaded chunks (pages, diff…)", files: others, gzipBytes: sum(others) });

  const view = pages[0]!;
  return {
    build: path.relative(root, manifestPath),
    goalBytes: GOAL_BYTES,
    entry: { files: entryFiles, gzipBytes: sum(entryFiles) },
    pages,
    lazy,
    ok: view.gzipBytes <= GOAL_BYTES,
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function formatDashboardJs(report: DashboardJsReport): string {
  const [view, home] = report.pages;
  const lines = [
    `Initial JavaScript, gzipped (${report.build}; static imports only; each file once):`,
    `  client entry + shell: ${kb(report.entry.gzipBytes)} in ${report.entry.files.length} files`,
  ];
  for (const p of report.pages) {
    lines.push(`  ${p.page.padEnd(46)} ${kb(p.gzipBytes).padStart(9)} gzip (${kb(p.rawBytes)} raw, ${p.files.length} files)`);
  }
  if (view && home) {
    lines.push(
      `  dashboard view vs goal ${kb(report.goalBytes)}: ${report.ok ? "within" : "OVER"} (${((view.gzipBytes / report.goalBytes) * 100).toFixed(0)}% of it); vs home: +${kb(view.gzipBytes - home.gzipBytes)}`,
    );
  }
  lines.push("Loaded later, through import():");
  for (const group of report.lazy) lines.push(`  ${group.label.padEnd(46)} ${kb(group.gzipBytes).padStart(9)} gzip (${group.files.length} files)`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("dashboard-js.ts")) {
  const { values } = parseArgs({ options: { json: { type: "string" } }, strict: true });
  const root = path.resolve(import.meta.dirname, "..", "..");
  try {
    const report = measureDashboardJs(root);
    console.log(formatDashboardJs(report));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.ok ? 0 : 1;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
