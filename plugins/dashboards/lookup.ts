/**
 * The dashboards plugin's face for plugins that attach things to dashboards (comments,
 * reviews, shares): its capabilities, and read-only look-ups of a dashboard and its versions
 * under the caller's scope. An entry on purpose (eslint/boundaries.js); the rest of the plugin
 * stays internal. Events are in ./events (imported here, so importers get their types).
 */
import { parse } from "yaml";
import { sql, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { notFound } from "~/kernel/errors";
import { dashboardsDb, findDashboard } from "./service";
import type { Kernel } from "~/kernel/kernel";
import "./events";

export { dashboardDelete, dashboardEdit, dashboardView } from "./capabilities";

/** A live dashboard as other plugins see it. */
export interface DashboardRef {
  id: string;
  projectId: string;
  slug: string;
  title: string;
  version: number;
  yaml: string;
}

/** The live dashboard `slug` of a project (404 "Dashboard not found" otherwise). `db` is the caller's scoped transaction. */
export async function lookupDashboard(kernel: Kernel, db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string; slug: string }): Promise<DashboardRef> {
  const row = await findDashboard({ kernel, db, orgId: where.orgId, projectId: where.projectId, userId: null }, where.slug);
  return { id: row.id, projectId: row.project_id, slug: row.slug, title: row.title, version: row.version, yaml: row.yaml };
}

/** The YAML of one saved version, or 404 when the dashboard has no such version. */
export async function dashboardVersionYaml(db: Kysely<KernelDatabase>, dashboardId: string, version: number): Promise<string> {
  const row = await dashboardsDb(db)
    .selectFrom("dashboards_versions")
    .select("yaml")
    .where("dashboard_id", "=", dashboardId)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) throw notFound(`This dashboard has no version ${version}.`);
  return row.yaml;
}

/**
 * A fingerprint of one chart as a version of the document defines it: the chart's entry and the
 * query it draws. Two versions with equal fingerprints show the chart alike; null when the
 * chart is not in the document (or the text does not parse).
 */
export function chartFingerprint(yaml: string, chartId: string): string | null {
  let doc: unknown;
  try {
    doc = parse(yaml);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== "object") return null;
  const { charts, queries } = doc as { charts?: unknown; queries?: unknown };
  if (!Array.isArray(charts)) return null;
  const chart = charts.find((c): c is Record<string, unknown> => !!c && typeof c === "object" && (c as { id?: unknown }).id === chartId);
  if (!chart) return null;
  const query = typeof chart.query === "string" && queries && typeof queries === "object" ? (queries as Record<string, unknown>)[chart.query] : undefined;
  return stableJson({ chart, query: query ?? null });
}

/** The chart ids of a document, in order (empty when it does not parse). */
export function chartIdsOf(yaml: string): string[] {
  try {
    const doc = parse(yaml) as { charts?: Array<{ id?: unknown }> } | null;
    return Array.isArray(doc?.charts) ? doc.charts.map((c) => c?.id).filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The org's live dashboards as a table to join on a list's dashboard id column, in the list's own
 * statement: `innerJoin(liveDashboards(db).as("d"), "d.id", "n.dashboard_id")` keeps the list's
 * rows on live dashboards and names them (`d.slug`, `d.title`). Under the caller's scope (other
 * orgs' dashboards are not there). Joined on the primary key, each row the list reads costs one
 * index lookup, never a read of the org's dashboards (an `id = any(…)` did, ADR 042).
 */
export function liveDashboards(db: Kysely<KernelDatabase>) {
  return dashboardsDb(db).selectFrom("dashboards_dashboards").select(["id", "slug", "title"]).where("deleted_at", "is", null);
}

/** Live dashboards by id (deleted ones and ids of other orgs are left out), for lists that name them. */
export async function dashboardsByIds(db: Kysely<KernelDatabase>, ids: readonly string[]): Promise<Map<string, { id: string; projectId: string; slug: string; title: string }>> {
  if (!ids.length) return new Map();
  // One primary-key lookup per id, whatever the plan: the ids as one array parameter (one
  // statement for any number of them), unnested and joined. Written as `id = any(…)` or
  // `in ($1, …)`, a generic plan under row-level security also read the org's whole dashboard
  // index (every entry of a 100,000-dashboard org: 5–170 ms; ADR 042).
  const { rows } = await sql<{ id: string; project_id: string; slug: string; title: string }>`
    select d.id, d.project_id, d.slug, d.title
    from unnest(${[...new Set(ids)]}::uuid[]) as wanted(id)
    join dashboards_dashboards d on d.id = wanted.id
    where d.deleted_at is null`.execute(db);
  return new Map(rows.map((r) => [r.id, { id: r.id, projectId: r.project_id, slug: r.slug, title: r.title }]));
}
