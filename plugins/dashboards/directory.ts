/**
 * What other plugins may read about an org's dashboards (onboarding's setup status): the live
 * ones, newest first, without their documents. A read only; authorization stays with the
 * caller's procedure, and `db` must be scoped to the org. List "dashboards" in `requires`.
 */
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { dashboardsDb } from "./service";

export { dashboardEdit, dashboardView } from "./capabilities";

export interface LiveDashboard {
  id: string;
  projectId: string;
  slug: string;
  title: string;
  updatedAt: Date;
}

/** The org's dashboards that are not deleted, in live projects, newest change first (at most `limit`). */
export async function liveDashboards(db: Kysely<KernelDatabase>, orgId: string, limit = 50): Promise<LiveDashboard[]> {
  const rows = await dashboardsDb(db)
    .selectFrom("dashboards_dashboards as d")
    .innerJoin("projects as p", "p.id", "d.project_id")
    .select(["d.id", "d.project_id", "d.slug", "d.title", "d.updated_at"])
    .where("d.org_id", "=", orgId)
    .where("d.deleted_at", "is", null)
    .where("p.deleted_at", "is", null)
    .orderBy("d.updated_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, projectId: r.project_id, slug: r.slug, title: r.title, updatedAt: r.updated_at }));
}
