/**
 * The repository's layout, pure (no git, no database):
 *
 *   <subdirectory>/dashboards/<slug>.yaml   one dashboard each (Atrium's YAML document)
 *   <subdirectory>/atrium.yaml              project settings
 *
 * A dbt Charts project (a `dbt_charts.yml` at the subdirectory's root) also has its boards:
 *
 *   <subdirectory>/charts/[dirs/]<name>.yml   one dbt Charts board each; the slug is the path
 *                                            under charts/ ("/" and "_" become "-")
 *
 * Anything else is ignored. A file that cannot be used is a `FileProblem` (path, line, message)
 * and is skipped; the others still apply.
 */
import { LineCounter, parseDocument, isMap } from "yaml";
import { z } from "zod";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const MAX_FILE_BYTES = 500_000;

/** A file of the tree (`git ls-tree -r -l` output, one entry). */
export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  path: string;
}

/** A file that could not be used, and why; the sync goes on without it. */
export interface FileProblem {
  path: string;
  line: number | null;
  message: string;
}

export interface DashboardFile {
  path: string;
  slug: string;
  sha: string;
  format: "atrium" | "dbt-charts";
}

export interface Layout {
  dashboards: DashboardFile[];
  settings: TreeEntry | null;
  problems: FileProblem[];
}

/** Normalizes a subdirectory ("", "analytics", "teams/web"): no leading/trailing slash, no `..`. */
export function normalizeSubdirectory(input: string): string | null {
  const trimmed = input.trim().replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return "";
  const parts = trimmed.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.startsWith(".git") || p.length > 100) || parts.length > 8) return null;
  if (!/^[A-Za-z0-9._\-/ ]+$/.test(trimmed)) return null;
  return trimmed;
}

/** Parses `git ls-tree -r -l -z` output. */
export function parseTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/);
    entries.push({ mode: mode!, type: type!, sha: sha!, size: size === "-" ? 0 : Number(size), path: record.slice(tab + 1) });
  }
  return entries;
}

/** Sorts the tree under `subdirectory` into dashboards and settings; oversized or misnamed files are problems. */
export function readLayout(entries: TreeEntry[], subdirectory: string): Layout {
  const prefix = subdirectory ? `${subdirectory}/` : "";
  const layout: Layout = { dashboards: [], settings: null, problems: [] };
  const dbtProject = entries.some((e) => e.type === "blob" && (e.path === `${prefix}dbt_charts.yml` || e.path === `${prefix}dbt_charts.yaml`));
  for (const entry of entries) {
    if (entry.type !== "blob" || !entry.path.startsWith(prefix)) continue;
    const rel = entry.path.slice(prefix.length);
    if (rel === "atrium.yaml") {
      if (entry.size > MAX_FILE_BYTES) layout.problems.push({ path: entry.path, line: null, message: `The file is larger than ${MAX_FILE_BYTES} bytes.` });
      else layout.settings = entry;
      continue;
    }
    const board = dbtProject ? /^charts\/(.+)\.ya?ml$/.exec(rel) : null;
    const match = board ?? /^dashboards\/([^/]+)\.ya?ml$/.exec(rel);
    if (!match) continue;
    const slug = board ? board[1]!.replace(/[/_]/g, "-").toLowerCase() : match[1]!;
    if (board && (board[1]!.split("/").some((part) => part.startsWith("_") || part.startsWith(".")) || rel.endsWith("/meta.yml"))) continue;
    if (!SLUG.test(slug)) {
      layout.problems.push({ path: entry.path, line: null, message: `"${slug}" is not a dashboard slug: name the file with 1–64 lower-case letters, digits and hyphens (e.g. dashboards/weekly-sales.yaml).` });
    } else if (entry.size > MAX_FILE_BYTES) {
      layout.problems.push({ path: entry.path, line: null, message: `The file is larger than ${MAX_FILE_BYTES} bytes.` });
    } else if (layout.dashboards.some((d) => d.slug === slug)) {
      layout.problems.push({ path: entry.path, line: null, message: `Another file already defines the dashboard "${slug}"; this one is skipped.` });
    } else {
      layout.dashboards.push({ path: entry.path, slug, sha: entry.sha, format: board ? "dbt-charts" : "atrium" });
    }
  }
  return layout;
}

/** Project settings kept in `atrium.yaml`. */
export const projectSettingsSchema = z
  .object({
    version: z.literal(1, { message: "Use version: 1" }).optional(),
    description: z.string().max(2000, "At most 2,000 characters").optional(),
    defaultDashboard: z.string().regex(SLUG, "A dashboard slug, e.g. weekly-sales").optional(),
  })
  .strict();

export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

/** Parses `atrium.yaml`; a problem names the line of the key at fault. */
export function parseProjectSettings(path: string, text: string): { ok: true; settings: ProjectSettings } | { ok: false; problem: FileProblem } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return { ok: false, problem: { path, line: lines.linePos(e.pos[0]).line, message: e.message.split("\n")[0]! } };
  }
  const value: unknown = doc.toJS() ?? {};
  if (!isMap(doc.contents) && value !== null && Object.keys(value as object).length > 0) {
    return { ok: false, problem: { path, line: 1, message: "atrium.yaml must be a mapping of settings (version, description, defaultDashboard)." } };
  }
  const parsed = projectSettingsSchema.safeParse(value);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const issue = parsed.error.issues[0]!;
  const key = issue.path.length > 0 ? issue.path : "keys" in issue && Array.isArray(issue.keys) ? [issue.keys[0] as string] : [];
  const node = key.length > 0 && isMap(doc.contents) ? doc.contents.items.find((p) => String((p.key as { value?: unknown })?.value) === String(key[0])) : undefined;
  const offset = (node?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
  const where = key.length > 0 ? `${key.join(".")}: ` : "";
  return { ok: false, problem: { path, line: offset !== undefined ? lines.linePos(offset).line : 1, message: `${where}${issue.message}` } };
}
