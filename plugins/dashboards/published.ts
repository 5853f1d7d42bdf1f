/**
 * The dashboards plugin's face for plugins that show a dashboard outside its project pages
 * (sharing: grants, public links, embeds; a git branch's version of it). It finds a live
 * dashboard by slug or id and runs a saved dashboard's own queries with given variable values,
 * or reads a dashboard file kept elsewhere (a branch of the project's repository, which editors
 * write as they save) and runs that document's queries the same way; it never runs SQL a caller
 * typed. Declared in eslint/boundaries.js (ENTRIES).
 */
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { coerceVariableValue, parseBoard, type BoardFormat, type Dashboard, type Variable } from "./document";
import { runDashboard, type RunOutput } from "./run";
import { boardSourceMapping, dashboardsDb, describeSpecError, parseOrThrow } from "./service";

export type { Dashboard, Variable, RunOutput };
/** A run's answer as a REST schema (`DashboardRun`), for operations of other plugins that answer one. */
export { dashboardRunOutput } from "./rest";
/** A value checked (and coerced: presets and "a..b" become date ranges) for a variable, as a run would. */
export { coerceVariableValue };

/** A live dashboard as another plugin sees it: where it is, its title and its parsed document. */
export interface PublishedDashboard {
  id: string;
  orgId: string;
  projectId: string;
  slug: string;
  title: string;
  version: number;
  doc: Dashboard;
}

/** The id of the live dashboard at `slug` in a project, or null. `db` under the org's scope. */
export async function dashboardIdBySlug(db: Kysely<KernelDatabase>, orgId: string, projectId: string, slug: string): Promise<string | null> {
  const row = await dashboardsDb(db)
    .selectFrom("dashboards_dashboards")
    .select("id")
    .where("org_id", "=", orgId)
    .where("project_id", "=", projectId)
    .where("slug", "=", slug)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Titles and slugs of live dashboards by id (missing or deleted ones are left out). */
export async function dashboardSummaries(db: Kysely<KernelDatabase>, ids: readonly string[]): Promise<Map<string, { slug: string; title: string; projectId: string }>> {
  if (!ids.length) return new Map();
  const rows = await dashboardsDb(db)
    .selectFrom("dashboards_dashboards")
    .select(["id", "slug", "title", "project_id"])
    .where("id", "in", [...ids])
    .where("deleted_at", "is", null)
    .execute();
  return new Map(rows.map((r) => [r.id, { slug: r.slug, title: r.title, projectId: r.project_id }]));
}

/** The live dashboard with this id, parsed; null when it is missing or deleted. `db` under the org's scope. */
export async function publishedDashboard(db: Kysely<KernelDatabase>, orgId: string, dashboardId: string): Promise<PublishedDashboard | null> {
  const row = await dashboardsDb(db)
    .selectFrom("dashboards_dashboards")
    .select(["id", "org_id", "project_id", "slug", "title", "version", "yaml", "format"])
    .where("org_id", "=", orgId)
    .where("id", "=", dashboardId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  // A dbt Charts board is read in its format, its source names through the project's mapping.
  const sources = row.format === "dbt-charts" ? await boardSourceMapping({ db, orgId, projectId: row.project_id }) : undefined;
  const doc = parseOrThrow(row.yaml, row.format, sources);
  return { id: row.id, orgId: row.org_id, projectId: row.project_id, slug: row.slug, title: row.title, version: row.version, doc };
}

/**
 * Runs the saved queries the dashboard's charts use, with `variables` (checked against each
 * variable's type: a value that does not fit is a 422 before any SQL runs). `optionsOnly`
 * runs just the queries that give variables their options (to check a value against them).
 */
export function runPublishedDashboard(
  scope: { kernel: Kernel; db: Kysely<KernelDatabase>; orgId: string; signal?: AbortSignal },
  dashboard: PublishedDashboard,
  variables: Record<string, unknown>,
  options: { optionsOnly?: boolean } = {},
): Promise<RunOutput> {
  return runDashboard(scope, dashboard.doc, { variables, ...(options.optionsOnly ? { queries: [] } : {}) });
}

/** A dashboard file read as the app reads a saved one: its document, or why it does not validate (line and message). */
export type DashboardFileReading = { ok: true; doc: Dashboard } | { ok: false; problems: Array<{ line: number | null; message: string }> };

/**
 * Reads a dashboard file kept outside the app (a git branch's) in `format`, a dbt Charts board's
 * source names through the project's mapping, as a saved one would be. Never throws for the
 * file's own problems: they are the answer. `db` under the org's scope.
 */
export async function readDashboardFile(db: Kysely<KernelDatabase>, orgId: string, projectId: string, yaml: string, format: BoardFormat): Promise<DashboardFileReading> {
  const sources = format === "dbt-charts" ? await boardSourceMapping({ db, orgId, projectId }) : undefined;
  const parsed = parseBoard(yaml, format, sources ? { sources } : {});
  if (parsed.ok) return { ok: true, doc: parsed.doc };
  return { ok: false, problems: parsed.errors.map((e) => ({ line: e.line ?? null, message: describeSpecError(e) })) };
}

/**
 * Runs the queries a document read by `readDashboardFile` uses, with `variables` (checked
 * against its variables: a value that does not fit is a 422 before any SQL runs), through the
 * same engine, limits and per-query errors as a saved dashboard's run.
 */
export function runDashboardFile(
  scope: { kernel: Kernel; db: Kysely<KernelDatabase>; orgId: string; signal?: AbortSignal },
  doc: Dashboard,
  variables: Record<string, unknown>,
  options: { refresh?: boolean } = {},
): Promise<RunOutput> {
  return runDashboard(scope, doc, { variables, refresh: options.refresh ?? false });
}
