/**
 * The sharing plugin's rows: who-has-access, share and revoke against org A's project (a
 * dashboard put there first, as the world's owner), and "Shared with me", which any signed-in
 * person may read (their own shares only); public links of that dashboard (create, list, pause,
 * revoke), the organization's list and link settings, and "my links".
 */
import { createHash, randomBytes } from "node:crypto";
import { rotateKey, signEmbedToken } from "../../../plugins/sharing/embeds";
import type { InviteTables } from "../../../plugins/sharing/invites";
import type { World } from "../world";
import { MATRIX_DASHBOARD_YAML } from "./dashboards";
import { A, P, everyone, type Row } from "./helpers";

type Tables = {
  dashboards_dashboards: { id?: string; org_id: string; project_id: string; slug: string; title: string; yaml: string; version: number; created_by: string; updated_by: string };
  sharing_grants: { id?: string; org_id: string; project_id: string; dashboard_id: string | null; email: string | null; role: "view" | "edit" };
  sharing_links: { id?: string; org_id: string; project_id: string; dashboard_id: string; token_hash: string; expires_at: Date; created_by: string };
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

/** A live public link to the shared dashboard, made by org A's owner: its id and its token. */
async function liveLink(w: World): Promise<{ id: string; token: string }> {
  await sharedDashboard(w);
  const db = w.kernel.ownerDb.withTables<Tables>();
  const token = randomBytes(16).toString("base64url");
  const d = await db.selectFrom("dashboards_dashboards").select("id").where("org_id", "=", w.orgA.id).where("slug", "=", "shared").executeTakeFirstOrThrow();
  const link = await db
    .insertInto("sharing_links")
    .values({
      org_id: w.orgA.id,
      project_id: w.projectA.id,
      dashboard_id: d.id!,
      token_hash: createHash("sha256").update(token).digest("hex"),
      expires_at: new Date(Date.now() + 86_400_000),
      created_by: w.users.owner.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: link.id!, token };
}
const linkOf = async (w: World) => (await liveLink(w)).id;

/** An invitation to view the shared dashboard (written directly), its link's token; `opened`: a browser is viewing with it. */
async function invitation(w: World, opened = false): Promise<{ id: string; token: string }> {
  await sharedDashboard(w);
  const db = w.kernel.ownerDb.withTables<InviteTables & Tables>();
  const d = await db.selectFrom("dashboards_dashboards").select("id").where("org_id", "=", w.orgA.id).where("slug", "=", "shared").executeTakeFirstOrThrow();
  const token = randomBytes(16).toString("base64url");
  const row = await db
    .insertInto("sharing_invites")
    .values({
      org_id: w.orgA.id,
      project_id: w.projectA.id,
      dashboard_id: d.id!,
      email: "viewer@example.test",
      token_hash: createHash("sha256").update(token).digest("hex"),
      link_expires_at: new Date(Date.now() + 3_600_000),
      access_expires_at: opened ? new Date(Date.now() + 86_400_000) : null,
      browser_hash: opened ? "0".repeat(64) : null,
      created_by: w.users.owner.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

/** An embed key of org A's project for the shared dashboard (written directly: no audit), and the key's material. */
async function embedKey(w: World): Promise<{ keyId: string; secret: string }> {
  await sharedDashboard(w);
  return rotateKey(w.kernel, w.kernel.ownerDb, { ...P(w), createdBy: w.users.owner.id, overlapHours: 1 });
}

/** A token signed with that key for the shared dashboard. */
async function embedToken(w: World): Promise<string> {
  await embedKey(w);
  const d = await w.kernel.ownerDb.withTables<Tables>().selectFrom("dashboards_dashboards").select("id").where("org_id", "=", w.orgA.id).where("slug", "=", "shared").executeTakeFirstOrThrow();
  const signed = await signEmbedToken(w.kernel, w.kernel.ownerDb, { ...P(w), dashboardId: d.id! }, { params: {}, allowed: [], exports: [], expiresInSeconds: 600 });
  return signed.token;
}

export const sharingRows: Record<string, Row> = {
  "sharing.access": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.share": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug, email: "someone@example.test", role: "view" }) },
  "sharing.revoke": { input: async (w) => ({ ...P(w), grantId: (await sharedDashboard(w)).grantId }) },
  "sharing.sharedAccess": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.sharedWithMe": { expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED" } },
  "sharing.links.create": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug, expiresInDays: 7 }) },
  "sharing.links.list": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.links.setPaused": { input: async (w) => ({ ...P(w), linkId: await linkOf(w), paused: true }) },
  "sharing.links.revoke": { input: async (w) => ({ ...P(w), linkId: await linkOf(w) }) },
  "sharing.links.org": { input: async (w) => (await linkOf(w), A(w)) },
  "sharing.links.setMaxDays": { input: (w) => ({ ...A(w), maxLinkDays: 30 }) },
  // The public page's lookup: a link's token is its own credential, whoever holds it.
  "sharing.links.status": { input: async (w) => ({ token: (await liveLink(w)).token }), expect: everyone("ok") },
  // Anyone signed in lists the links they made themselves (none, for most of the world's people).
  "sharing.links.mine": { expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED" } },
  // Signed embeds: the Embed tab (sharing.manage), keys and allowed sites (sharing.embed-keys: owner, admin).
  "sharing.embeds.settings": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.embeds.rotate": { input: (w) => ({ ...P(w), overlapHours: 1 }) },
  "sharing.embeds.retire": { input: async (w) => ({ ...P(w), keyId: (await embedKey(w)).keyId }) },
  "sharing.embeds.setOrigins": { input: (w) => ({ ...P(w), origins: ["https://intranet.example.com"] }) },
  "sharing.embeds.revokeAll": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.embeds.createToken": { input: async (w) => (await embedKey(w), { ...P(w), slug: "shared" }) },
  // Email invitations to view (sharing.manage); the two page lookups are public (a token, an id).
  "sharing.invites.create": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug, email: "viewer@example.test" }) },
  "sharing.invites.list": { input: async (w) => ({ ...P(w), slug: (await sharedDashboard(w)).slug }) },
  "sharing.invites.revoke": { input: async (w) => ({ ...P(w), inviteId: (await invitation(w)).id }) },
  "sharing.invites.status": { input: async (w) => ({ token: (await invitation(w)).token }), expect: everyone("ok") },
  "sharing.invites.viewing": { input: async (w) => ({ inviteId: (await invitation(w, true)).id }), expect: everyone("ok") },
  // The embed page's lookup: a signed token is its own credential, whoever holds it.
  "sharing.embeds.status": { input: async (w) => ({ token: (await embedToken(w)) }), expect: everyone("ok") },
};
