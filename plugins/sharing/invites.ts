/**
 * Email invitations to view: an address (no account needed) gets a one-time link, valid an
 * hour, to one dashboard. Opening it binds view access to that browser for 30 days (a random
 * secret in a cookie; only its hash is kept). Inviting the same address again sends a new link
 * and voids the earlier one; revoking ends the browser's access at once; the viewer may ask
 * the inviter for more access (one mail a day). Plain functions over scoped handles; the HTTP
 * routes (./http.ts) are the callers without a session.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { publishedDashboard } from "../dashboards/published";
import type { OpenLink } from "./links";
import type { LinkPolicy } from "./policy";

export type InviteTables = {
  sharing_invites: {
    id: Generated<string>;
    org_id: string;
    project_id: string;
    dashboard_id: string;
    email: string;
    token_hash: string | null;
    link_expires_at: ColumnType<Date, Date | string, Date | string>;
    browser_hash: string | null;
    access_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    asked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    created_by: string | null;
    created_at: ColumnType<Date, Date | string | undefined, never>;
    sent_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
};

const invitesDb = (db: Kysely<KernelDatabase>) => db.withTables<InviteTables>();

/** How long the mailed link works. */
export const INVITE_LINK_MS = 3_600_000;
/** How long a browser that opened the link may view. */
export const INVITE_ACCESS_MS = 30 * 86_400_000;
/** The cookie that holds a browser's access to one invitation. */
export const inviteCookie = (inviteId: string) => `atrium_view_${inviteId.replace(/-/g, "")}`;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export type InviteStatus = "sent" | "link-expired" | "viewing" | "access-expired" | "revoked";

export interface InviteSummary {
  id: string;
  email: string;
  status: InviteStatus;
  sentAt: string;
  accessExpiresAt: string | null;
  askedAt: string | null;
}

function statusOf(row: { revoked_at: Date | null; access_expires_at: Date | null; link_expires_at: Date; token_hash: string | null }, now = Date.now()): InviteStatus {
  if (row.revoked_at) return "revoked";
  if (row.access_expires_at && row.access_expires_at.getTime() > now) return "viewing";
  if (row.token_hash && row.link_expires_at.getTime() > now) return "sent";
  return row.access_expires_at ? "access-expired" : "link-expired";
}

/**
 * Invites `email` to view a dashboard, or sends the invitation again: a new one-time link (the
 * earlier one stops working), valid an hour, mailed through the kernel's mailer. A revoked
 * invitation comes back to life only this way.
 */
export async function inviteToView(
  kernel: Pick<Kernel, "mailer" | "config">,
  db: Kysely<KernelDatabase>,
  invite: { orgId: string; projectId: string; dashboardId: string; dashboardTitle: string; email: string; createdBy: string; inviterName: string },
): Promise<{ id: string; created: boolean }> {
  const token = randomBytes(16).toString("base64url");
  const email = invite.email.toLowerCase();
  const values = { token_hash: sha256(token), link_expires_at: new Date(Date.now() + INVITE_LINK_MS), revoked_at: null, sent_at: new Date(), created_by: invite.createdBy };
  const row = await invitesDb(db)
    .insertInto("sharing_invites")
    .values({ org_id: invite.orgId, project_id: invite.projectId, dashboard_id: invite.dashboardId, email, ...values })
    .onConflict((oc) => oc.columns(["dashboard_id", "email"]).doUpdateSet(values))
    .returning(["id", sql<boolean>`(xmax = 0)`.as("created")])
    .executeTakeFirstOrThrow();
  const link = `${kernel.config.publicUrl.replace(/\/$/, "")}/v/${token}`;
  await kernel.mailer.send(db, {
    to: email,
    subject: `${invite.inviterName} invited you to view "${invite.dashboardTitle}" on Atrium`,
    text: `${invite.inviterName} invited you to view the dashboard "${invite.dashboardTitle}". No account is needed.\n\nOpen it within an hour (the link works once, in the browser you open it in, for 30 days):\n${link}\n\nIf you did not expect this, ignore this mail.`,
  });
  return { id: row.id, created: row.created };
}

export async function listInvites(db: Kysely<KernelDatabase>, where: { orgId: string; dashboardId: string }): Promise<InviteSummary[]> {
  const rows = await invitesDb(db)
    .selectFrom("sharing_invites")
    .select(["id", "email", "token_hash", "link_expires_at", "access_expires_at", "revoked_at", "asked_at", "sent_at"])
    .where("org_id", "=", where.orgId)
    .where("dashboard_id", "=", where.dashboardId)
    .orderBy("sent_at", "desc")
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    status: statusOf(r),
    sentAt: r.sent_at.toISOString(),
    accessExpiresAt: r.access_expires_at?.toISOString() ?? null,
    askedAt: r.asked_at?.toISOString() ?? null,
  }));
}

/** Ends an invitation: its link and its browser's access stop at once. 404 when there is none here. */
export async function revokeInvite(db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string; inviteId: string }) {
  const row = await invitesDb(db)
    .updateTable("sharing_invites")
    .set({ revoked_at: new Date(), token_hash: null, browser_hash: null })
    .where("id", "=", where.inviteId)
    .where("org_id", "=", where.orgId)
    .where("project_id", "=", where.projectId)
    .where("revoked_at", "is", null)
    .returning(["id", "dashboard_id", "email"])
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "No such invitation in this project (a revoked one stays revoked until you invite the address again)." });
  return row;
}

async function scopeTo(trx: Kysely<KernelDatabase>, orgId: string) {
  await sql`select set_config('app.user_id', '', true), set_config('app.org_id', ${orgId}, true)`.execute(trx);
}

/** The live invitation a mailed token opens (not used, not expired, not revoked), scoping `trx` to its org; null otherwise. */
export async function invitationByToken(trx: Kysely<KernelDatabase>, token: string) {
  if (!/^[A-Za-z0-9_-]{22}$/.test(token)) return null;
  const hash = sha256(token);
  const { rows } = await sql<{ org_id: string | null }>`select sharing_invite_org(${hash}) as org_id`.execute(trx);
  const orgId = rows[0]?.org_id;
  if (!orgId) return null;
  await scopeTo(trx, orgId);
  const row = await invitesDb(trx).selectFrom("sharing_invites").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  if (!row?.token_hash || !sameHash(row.token_hash, hash) || row.revoked_at || row.link_expires_at.getTime() <= Date.now()) return null;
  const dashboard = await publishedDashboard(trx, orgId, row.dashboard_id);
  return dashboard ? { row, dashboard } : null;
}

/**
 * Opens a mailed link once: the link is spent, and this browser gets a secret (for its cookie)
 * good for 30 days. Null for a used, expired, revoked or unknown link, alike.
 */
export async function acceptInvite(trx: Kysely<KernelDatabase>, token: string): Promise<{ inviteId: string; secret: string; expiresAt: Date } | null> {
  const found = await invitationByToken(trx, token);
  if (!found) return null;
  const secret = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITE_ACCESS_MS);
  // Spent in the same statement that checks it is still unspent: two opens of one link, one wins.
  const spent = await invitesDb(trx)
    .updateTable("sharing_invites")
    .set({ token_hash: null, browser_hash: sha256(secret), access_expires_at: expiresAt })
    .where("id", "=", found.row.id)
    .where("token_hash", "=", found.row.token_hash!)
    .returning("id")
    .executeTakeFirst();
  return spent ? { inviteId: spent.id, secret, expiresAt } : null;
}

/** Whether an invitation id names one a browser may be viewing (for the page's 404). */
export async function inviteExists(trx: Kysely<KernelDatabase>, inviteId: string): Promise<boolean> {
  const { rows } = await sql<{ org_id: string | null }>`select sharing_invite_org_by_id(${inviteId}::uuid) as org_id`.execute(trx);
  const orgId = rows[0]?.org_id;
  if (!orgId) return false;
  await scopeTo(trx, orgId);
  const row = await invitesDb(trx).selectFrom("sharing_invites").select(["revoked_at", "access_expires_at"]).where("id", "=", inviteId).executeTakeFirst();
  return !!row && !row.revoked_at && !!row.access_expires_at && row.access_expires_at.getTime() > Date.now();
}

export interface OpenInvite {
  id: string;
  orgId: string;
  email: string;
  createdBy: string | null;
  askedAt: Date | null;
  link: OpenLink;
}

/** The view a browser's secret opens for an invitation, scoping `trx`; null when it opens none (revoked, expired, another browser). */
export async function openInvite(trx: Kysely<KernelDatabase>, inviteId: string, secret: string): Promise<OpenInvite | null> {
  if (!secret || secret.length > 100) return null;
  const { rows } = await sql<{ org_id: string | null }>`select sharing_invite_org_by_id(${inviteId}::uuid) as org_id`.execute(trx);
  const orgId = rows[0]?.org_id;
  if (!orgId) return null;
  await scopeTo(trx, orgId);
  const row = await invitesDb(trx).selectFrom("sharing_invites").selectAll().where("id", "=", inviteId).executeTakeFirst();
  if (!row?.browser_hash || row.revoked_at || !row.access_expires_at || row.access_expires_at.getTime() <= Date.now()) return null;
  if (!sameHash(row.browser_hash, sha256(secret))) return null;
  const dashboard = await publishedDashboard(trx, orgId, row.dashboard_id);
  if (!dashboard) return null;
  // View access: every variable free within its own options, as for a member who may view.
  const policy: LinkPolicy = Object.fromEntries((dashboard.doc.variables ?? []).map((v) => [v.name, { mode: "free" as const }]));
  return {
    id: row.id,
    orgId,
    email: row.email,
    createdBy: row.created_by,
    askedAt: row.asked_at,
    link: { id: `invite:${row.id}`, orgId, passwordHash: null, policy, clamp: null, exports: ["csv", "png", "svg"], expiresAt: row.access_expires_at, dashboard },
  };
}

/** The viewer asks the inviter for more access: one mail a day per invitation. False when asked within the day. */
export async function askForMoreAccess(kernel: Pick<Kernel, "mailer" | "config" | "ownerDb">, trx: Kysely<KernelDatabase>, invite: OpenInvite, message: string): Promise<boolean> {
  if (invite.askedAt && invite.askedAt.getTime() > Date.now() - 86_400_000) return false;
  // The inviter's address, read past the org scope (a viewer without an account has no row-level reach to users).
  const inviter = invite.createdBy ? await kernel.ownerDb.selectFrom("users").select(["email"]).where("id", "=", invite.createdBy).executeTakeFirst() : undefined;
  await invitesDb(trx).updateTable("sharing_invites").set({ asked_at: new Date() }).where("id", "=", invite.id).execute();
  if (!inviter) return true;
  const dashboard = invite.link.dashboard;
  await kernel.mailer.send(trx, {
    to: inviter.email,
    subject: `${invite.email} asks for more access to "${dashboard.title}"`,
    text: `${invite.email}, whom you invited to view "${dashboard.title}", asks for more access.${message ? `\n\nTheir message:\n${message}` : ""}\n\nShare the dashboard with them from its Share button (People) if you agree:\n${kernel.config.publicUrl.replace(/\/$/, "")}/\n`,
  });
  return true;
}
