/**
 * Dashboards as files, for plugins that keep them somewhere else too (git sync): check a file's
 * YAML, save it as the dashboard's next version with a note (created, or brought back, when
 * the slug is new or deleted), and remove one. The same service functions the editor uses, so
 * versions, events and history stay one story.
 */
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import type { BoardFormat } from "./document/board-format";
import { dashboardsDb, describeSpecError, createDashboard, deleteDashboard, findDashboard, restoreDashboard, updateDashboard, validateYaml, type DashboardScope } from "./service";

export type { DashboardScope, StaleSaveExplainer } from "./service";
export { onStaleSave } from "./service";
export type { BoardFormat } from "./document/board-format";
/** What viewing a dashboard needs: a plugin showing a dashboard's file elsewhere (a git branch) asks the same. */
export { dashboardView } from "./capabilities";

/** A file's problems (line and message), or none; `format: "dbt-charts"` reads it as a dbt Charts board. */
export function checkDashboardFile(yaml: string, format: BoardFormat = "atrium"): Array<{ line: number | null; message: string }> {
  const result = validateYaml(yaml, format);
  return result.ok ? [] : result.errors.map((e) => ({ line: e.line ?? null, message: describeSpecError(e) }));
}

/**
 * Saves `yaml` at `slug` as a new version with `message` (unchanged text saves nothing). A new
 * dashboard takes `format`; an existing one keeps its own, and a file of the other format is
 * refused (422) rather than read wrongly.
 */
export async function saveDashboardFile(
  s: DashboardScope,
  slug: string,
  yaml: string,
  message: string,
  format: BoardFormat = "atrium",
): Promise<{ id: string; slug: string; version: number; changed: boolean }> {
  let current = await findDashboard(s, slug, { includeDeleted: true }).catch(() => null);
  if (current && current.format !== format) {
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `The dashboard "${slug}" is ${current.format === "atrium" ? "an Atrium dashboard" : "a dbt Charts board"}; this file is ${format === "atrium" ? "an Atrium dashboard" : "a dbt Charts board"}.` });
  }
  if (!current) {
    const created = await createDashboard(s, { yaml, slug, message, format });
    return { id: created.id, slug: created.slug, version: created.version, changed: true };
  }
  if (current.deleted_at) {
    await restoreDashboard(s, slug);
    current = await findDashboard(s, slug);
  }
  if (current.yaml === yaml) return { id: current.id, slug: current.slug, version: current.version, changed: false };
  const updated = await updateDashboard(s, { slug, yaml, version: current.version, message });
  return { id: updated.id, slug: updated.slug, version: updated.version, changed: true };
}

/** Soft-deletes the live dashboard at `slug`, if there is one. */
export async function removeDashboardFile(s: DashboardScope, slug: string): Promise<boolean> {
  const current = await findDashboard(s, slug).catch(() => null);
  if (!current) return false;
  await deleteDashboard(s, slug);
  return true;
}

/** The live dashboard at `slug` (its YAML and version), or null. */
export async function dashboardFile(s: DashboardScope, slug: string): Promise<{ id: string; yaml: string; version: number; format: BoardFormat } | null> {
  const current = await findDashboard(s, slug).catch(() => null);
  return current ? { id: current.id, yaml: current.yaml, version: current.version, format: current.format } : null;
}

/**
 * Every dashboard of the project as a file (at most `limit`): the live one at each slug, else
 * the one deleted most recently (`deleted: true`), with who saved it last. Git sync's commit
 * reads which dashboards changed in the app since they were imported.
 */
export async function projectDashboardFiles(
  s: DashboardScope,
  limit = 5000,
): Promise<Array<{ id: string; slug: string; yaml: string; version: number; format: BoardFormat; deleted: boolean; updatedBy: string | null }>> {
  const rows = await dashboardsDb(s.db)
    .selectFrom("dashboards_dashboards")
    .select(["id", "slug", "yaml", "version", "format", "deleted_at", "updated_by"])
    .where("org_id", "=", s.orgId)
    .where("project_id", "=", s.projectId)
    .orderBy("slug")
    .orderBy(sql`deleted_at is null`, "desc")
    .orderBy("deleted_at", "desc")
    .limit(limit)
    .execute();
  const seen = new Set<string>();
  const out = [];
  for (const r of rows) {
    if (seen.has(r.slug)) continue;
    seen.add(r.slug);
    out.push({ id: r.id, slug: r.slug, yaml: r.yaml, version: r.version, format: r.format, deleted: r.deleted_at !== null, updatedBy: r.updated_by });
  }
  return out;
}
