/**
 * The sharing plugin's rows: who-has-access, share and revoke against org A's project (a
 * dashboard put there first, as the world's owner), and "Shared with me", which any signed-in
 * person may read (their own shares only).
 */
import type { World } from "../world";
import { MATRIX_DASHBOARD_YAML } from "./dashboards";
import { P, everyone, type Row } from "./helpers";

type Tables = {
  dashboards_dashboards: { id?: string; org_id: string; project_id: string; slug: string; title: string; yaml: string; version: number; created_by: string; updated_by: string };
  sharing_grants: { id?: string; org_id: string; project_id: string; dashboard_id: string | null; email: string | null; role: "view" | "edit" };
};

/** A dashboard "shared" in org A's project, and a share of it with an address. */
async function sharedDashboard(w: World): Promise<{ slug: string; grantId: string }> {
  const db = w.kernel.ownerDb.withTables<Tables>();
  const d = await db
    .insertInto("dashboards_dashboards")
    .values({ org_id: w.orgA.id, project_id: w.projectA.id, slug: "shared", title: "Shared", yaml: MATRIX_DASHBOARD_YAML, version: 1, created_by: w.users.owner.id, updated_by: w.users.owner.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  const g = await db
    .insertInto("sharing_grants")
    .values({ org_id: w.orgA.id, project_id: w.projectA.id, dashboard_id: d.id!, email: "guest@example.test", role: "view" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { slug: "shared", grantId: g.id! };
}

export const sharingRows: Record<string, Row> = {
  "sharing.access": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.share": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug, email: "someone@example.test", role: "view" }) },
  "sharing.revoke": { input: async (w) => ({ ...P(w), grantId: (await sharedDashboard(w)).grantId }) },
  "sharing.sharedWithMe": { expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED" } },
};
