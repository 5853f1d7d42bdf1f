/**
 * The dashboards plugin's rows: every `dashboards.*` procedure against org A's project. Rows
 * that act on a dashboard put one there first (written directly, as the world's owner), so an
 * allowed caller succeeds and a refused one is refused before reaching it.
 */
import { importCsv, textChunks } from "../../../plugins/data/import";
import { dropWarehouseAfterTest } from "../../../plugins/data/test-helpers";
import type { World } from "../world";
import { A, P, type Row } from "./helpers";

export const MATRIX_DASHBOARD_YAML = `title: Matrix
queries:
  one:
    sql: select 1 as n
charts:
  - id: n
    type: kpi
    query: one
    value: n
`;

type DashboardTables = {
  dashboards_dashboards: { id?: string; org_id: string; project_id: string; slug: string; title: string; yaml: string; version: number; created_by: string; updated_by: string; deleted_at?: Date | null };
  dashboards_versions: { org_id: string; dashboard_id: string; version: number; yaml: string; author_id: string; message: string };
};

/** A dashboard "matrix" in org A's project with `versions` versions (optionally deleted). */
export async function dashboardIn(w: World, options: { versions?: number; deleted?: boolean } = {}): Promise<{ slug: string; version: number }> {
  const versions = options.versions ?? 1;
  const db = w.kernel.ownerDb.withTables<DashboardTables>();
  const row = await db
    .insertInto("dashboards_dashboards")
    .values({
      org_id: w.orgA.id,
      project_id: w.projectA.id,
      slug: "matrix",
      title: "Matrix",
      yaml: MATRIX_DASHBOARD_YAML,
      version: versions,
      created_by: w.users.owner.id,
      updated_by: w.users.owner.id,
      deleted_at: options.deleted ? new Date() : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (let v = 1; v <= versions; v++) {
    await db
      .insertInto("dashboards_versions")
      .values({ org_id: w.orgA.id, dashboard_id: row.id!, version: v, yaml: MATRIX_DASHBOARD_YAML, author_id: w.users.owner.id, message: `v${v}` })
      .execute();
  }
  return { slug: "matrix", version: versions };
}

/** The row's input needs the org's warehouse: dropped when the cell finishes. */
function withWarehouse(w: World) {
  dropWarehouseAfterTest(w.kernel, w.orgA.id);
  return P(w);
}

export const dashboardsRows: Record<string, Row> = {
  "dashboards.list": { input: P },
  "dashboards.search": { input: async (w) => (await dashboardIn(w), { ...A(w), query: "matrix" }) },
  "dashboards.recent": { input: async (w) => (await dashboardIn(w), A(w)) },
  "dashboards.tags": { input: P },
  "dashboards.get": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w)).slug }) },
  "dashboards.validate": { input: (w) => ({ ...P(w), yaml: MATRIX_DASHBOARD_YAML }) },
  "dashboards.create": { input: (w) => ({ ...P(w), yaml: MATRIX_DASHBOARD_YAML }) },
  "dashboards.update": { input: async (w) => ({ ...P(w), ...(await dashboardIn(w)), yaml: MATRIX_DASHBOARD_YAML.replace("Matrix", "Matrix 2") }) },
  "dashboards.delete": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w)).slug }) },
  "dashboards.restore": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w, { deleted: true })).slug }) },
  "dashboards.duplicate": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w)).slug }) },
  "dashboards.history": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w)).slug }) },
  "dashboards.version": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w)).slug, version: 1 }) },
  "dashboards.restoreVersion": { input: async (w) => ({ ...P(w), slug: (await dashboardIn(w, { versions: 2 })).slug, version: 1, currentVersion: 2 }) },
  "dashboards.run": { input: async (w) => ({ ...withWarehouse(w), slug: (await dashboardIn(w)).slug }) },
  "dashboards.preview": { input: (w) => ({ ...withWarehouse(w), sql: "select 1 as n" }) },
  "dashboards.compile": {
    input: async (w) => {
      const at = withWarehouse(w);
      await importCsv(w.kernel, textChunks("region,amount\nEMEA,1\n"), { orgId: w.orgA.id, db: w.kernel.ownerDb, table: "matrix_orders", mode: "replace" });
      return { ...at, visual: { table: "matrix_orders", dimensions: [{ column: "region" }], measures: [{ fn: "sum", column: "amount" }] } };
    },
  },
  "dashboards.renderChart": { input: async (w) => ({ ...withWarehouse(w), slug: (await dashboardIn(w)).slug, chartId: "n" }) },
  "dashboards.boardSources": { input: P },
  "dashboards.mapBoardSource": { input: (w) => ({ ...P(w), name: "analytics", sourceId: "warehouse" }) },
  "dashboards.unmapBoardSource": { input: (w) => ({ ...P(w), name: "analytics" }) },
};
