/**
 * Public links: a dashboard anyone with the link may open, without an account. The token is
 * 128 random bits, shown once; only its SHA-256 is stored. Every request reads the link from
 * the database (no cache), so pausing or revoking it takes effect on every app instance at
 * once. Plain functions over scoped handles; the HTTP route (./http.ts) is the only caller
 * without a session.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { deriveKey } from "~/kernel/secret";
import { FieldErrors } from "~/kernel/errors";
import { publishedDashboard, type PublishedDashboard } from "../dashboards/published";
import type { LinkPolicy, TimeClamp } from "./policy";

export const EXPORT_KINDS = ["csv", "png", "svg"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The plugin's link tables (migrations/2026-12-02-002-public-links.ts). */
export type LinkTables = {
  sharing_links: {
    id: Generated<string>;
    org_id: string;
    project_id: string;
    dashboard_id: string;
    token_hash: string;
    label: Generated<string>;
    password_hash: string | null;
    variable_policy: ColumnType<LinkPolicy, string, string>;
    time_clamp: ColumnType<TimeClamp | null, string | null, string | null>;
    exports: ColumnType<ExportKind[], string, string>;
    expires_at: ColumnType<Date, Date | string, Date | string>;
    paused_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    view_count: Generated<number>;
    last_viewed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    created_by: string | null;
    created_at: ColumnType<Date, Date | string | undefined, never>;
  };
  sharing_link_views: {
    id: Generated<string>;
    org_id: string;
    link_id: string;
    viewed_at: ColumnType<Date, Date | string | undefined, never>;
    ip_hash: string | null;
    variables: ColumnType<Record<string, unknown>, string, never>;
  };
  sharing_settings: {
    org_id: string;
    max_link_days: Generated<number>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
};

type Db = Kysely<KernelDatabase & LinkTables>;

export function linksDb(db: Kysely<KernelDatabase>): Db {
  return db.withTables<LinkTables>();
}

/** Days a link lives when its creator does not say. */
export const DEFAULT_LINK_DAYS = 30;
/** The longest an org lets a link live unless it sets its own limit. */
export const DEFAULT_MAX_LINK_DAYS = 90;

/** A new token: 16 random bytes (128 bits), base64url. */
export function generateLinkToken(): string {
  return randomBytes(16).toString("base64url");
}

/** What is stored of a token. */
export function hashLinkToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The longest a link of this org may live, in days. */
export async function maxLinkDays(db: Kysely<KernelDatabase>, orgId: string): Promise<number> {
  const row = await linksDb(db).selectFrom("sharing_settings").select("max_link_days").where("org_id", "=", orgId).executeTakeFirst();
  return row?.max_link_days ?? DEFAULT_MAX_LINK_DAYS;
}

export async function setMaxLinkDays(db: Kysely<KernelDatabase>, orgId: string, days: number): Promise<void> {
  await linksDb(db)
    .insertInto("sharing_settings")
    .values({ org_id: orgId, max_link_days: days })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ max_link_days: days, updated_at: new Date() }))
    .execute();
}

export interface NewLink {
  orgId: string;
  projectId: string;
  dashboardId: string;
  createdBy: string;
  label: string;
  /** Days until it expires; default 30, or the org's limit when that is shorter. */
  expiresInDays?: number;
  passwordHash: string | null;
  policy: LinkPolicy;
  clamp: TimeClamp | null;
  exports: ExportKind[];
}

/** Creates a link; the token comes back here once and is never readable again. */
export async function createLink(db: Kysely<KernelDatabase>, link: NewLink): Promise<{ id: string; token: string; expiresAt: Date }> {
  const max = await maxLinkDays(db, link.orgId);
  const days = link.expiresInDays ?? Math.min(DEFAULT_LINK_DAYS, max);
  if (days > max) {
    const message = `Links in this organization live at most ${max} days`;
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message, cause: new FieldErrors({ expiresInDays: [message] }) });
  }
  const token = generateLinkToken();
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  const row = await linksDb(db)
    .insertInto("sharing_links")
    .values({
      org_id: link.orgId,
      project_id: link.projectId,
      dashboard_id: link.dashboardId,
      token_hash: hashLinkToken(token),
      label: link.label,
      password_hash: link.passwordHash,
      variable_policy: JSON.stringify(link.policy),
      time_clamp: link.clamp ? JSON.stringify(link.clamp) : null,
      exports: JSON.stringify(link.exports),
      expires_at: expiresAt,
      created_by: link.createdBy,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt };
}

export type LinkStatus = "active" | "paused" | "revoked" | "expired";

function statusOf(row: { revoked_at: Date | null; paused_at: Date | null; expires_at: Date }, now = Date.now()): LinkStatus {
  if (row.revoked_at) return "revoked";
  if (row.expires_at.getTime() <= now) return "expired";
  if (row.paused_at) return "paused";
  return "active";
}

/** A link as its owners see it: never the token or the password. */
export interface LinkSummary {
  id: string;
  orgId: string;
  projectId: string;
  dashboardId: string;
  dashboardSlug: string | null;
  /** Where the dashboard lives, for a link to it (null when the reader may not see it). */
  orgSlug: string | null;
  projectSlug: string | null;
  projectName: string | null;
  dashboardTitle: string | null;
  label: string;
  status: LinkStatus;
  hasPassword: boolean;
  policy: LinkPolicy;
  timeClamp: TimeClamp | null;
  exports: ExportKind[];
  expiresAt: string;
  viewCount: number;
  lastViewedAt: string | null;
  createdAt: string;
  createdBy: { name: string; email: string } | null;
}

/** Links by filter, newest first (revoked ones included: the list says so). `db` under the org's scope, or the person's. */
export async function listLinks(
  db: Kysely<KernelDatabase>,
  filter: { orgId?: string; projectId?: string; dashboardId?: string; createdBy?: string },
): Promise<LinkSummary[]> {
  let q = linksDb(db)
    .selectFrom("sharing_links as l")
    .leftJoin("users as u", "u.id", "l.created_by")
    .leftJoin("projects as p", "p.id", "l.project_id")
    .leftJoin("orgs as o", "o.id", "l.org_id")
    .select([
      "p.slug as projectSlug",
      "p.name as projectName",
      "o.slug as orgSlug",
      "l.id",
      "l.org_id",
      "l.project_id",
      "l.dashboard_id",
      "l.label",
      "l.password_hash",
      "l.variable_policy",
      "l.time_clamp",
      "l.exports",
      "l.expires_at",
      "l.paused_at",
      "l.revoked_at",
      "l.view_count",
      "l.last_viewed_at",
      "l.created_at",
      "u.name as creatorName",
      "u.email as creatorEmail",
    ]);
  if (filter.orgId) q = q.where("l.org_id", "=", filter.orgId);
  if (filter.projectId) q = q.where("l.project_id", "=", filter.projectId);
  if (filter.dashboardId) q = q.where("l.dashboard_id", "=", filter.dashboardId);
  if (filter.createdBy) q = q.where("l.created_by", "=", filter.createdBy);
  const rows = await q.orderBy("l.created_at", "desc").limit(500).execute();
  const ids = [...new Set(rows.map((r) => r.dashboard_id))];
  const dashboards = ids.length
    ? await db
        .withTables<{ dashboards_dashboards: { id: string; slug: string; title: string } }>()
        .selectFrom("dashboards_dashboards")
        .select(["id", "slug", "title"])
        .where("id", "in", ids)
        .execute()
    : [];
  const byId = new Map(dashboards.map((d) => [d.id, d]));
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    projectId: r.project_id,
    dashboardId: r.dashboard_id,
    dashboardSlug: byId.get(r.dashboard_id)?.slug ?? null,
    orgSlug: r.orgSlug ?? null,
    projectSlug: r.projectSlug ?? null,
    projectName: r.projectName ?? null,
    dashboardTitle: byId.get(r.dashboard_id)?.title ?? null,
    label: r.label,
    status: statusOf(r),
    hasPassword: r.password_hash !== null,
    policy: r.variable_policy,
    timeClamp: r.time_clamp,
    exports: r.exports,
    expiresAt: r.expires_at.toISOString(),
    viewCount: r.view_count,
    lastViewedAt: r.last_viewed_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    createdBy: r.creatorEmail ? { name: r.creatorName ?? "", email: r.creatorEmail } : null,
  }));
}

/** Pauses, resumes or revokes a link of this project; 404 when there is none here. Revoked is final. */
export async function changeLink(db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string; linkId: string }, change: "pause" | "resume" | "revoke") {
  const set = change === "pause" ? { paused_at: new Date() } : change === "resume" ? { paused_at: null } : { revoked_at: new Date() };
  const row = await linksDb(db)
    .updateTable("sharing_links")
    .set(set)
    .where("id", "=", where.linkId)
    .where("org_id", "=", where.orgId)
    .where("project_id", "=", where.projectId)
    .where("revoked_at", "is", null)
    .returning(["id", "dashboard_id"])
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "No such link in this project (a revoked link cannot be changed)." });
  return row;
}

/* ---------------------------------------------------------------------------------------------
 * Opening a link (no session)
 * ------------------------------------------------------------------------------------------ */

/** A live link and its dashboard, for the public route. */
export interface OpenLink {
  id: string;
  orgId: string;
  passwordHash: string | null;
  policy: LinkPolicy;
  clamp: TimeClamp | null;
  exports: ExportKind[];
  expiresAt: Date;
  dashboard: PublishedDashboard;
}

/**
 * The live link a token opens, with its dashboard, inside `trx` (which this sets to the link's
 * org scope); null for an unknown, revoked, paused or expired token, or a deleted dashboard,
 * all alike.
 */
export async function openLink(trx: Kysely<KernelDatabase>, token: string): Promise<OpenLink | null> {
  if (!/^[A-Za-z0-9_-]{22}$/.test(token)) return null;
  const hash = hashLinkToken(token);
  const { rows } = await sql<{ org_id: string | null }>`select sharing_link_org(${hash}) as org_id`.execute(trx);
  const orgId = rows[0]?.org_id;
  if (!orgId) return null;
  await sql`select set_config('app.user_id', '', true), set_config('app.org_id', ${orgId}, true)`.execute(trx);
  const row = await linksDb(trx).selectFrom("sharing_links").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return null;
  if (statusOf(row) !== "active") return null;
  const dashboard = await publishedDashboard(trx, orgId, row.dashboard_id);
  if (!dashboard) return null;
  return {
    id: row.id,
    orgId,
    passwordHash: row.password_hash,
    policy: row.variable_policy,
    clamp: row.time_clamp,
    exports: row.exports,
    expiresAt: row.expires_at,
    dashboard,
  };
}

/** A keyed hash of a viewer's address: views can be told apart without keeping addresses. */
export function ipHash(kernel: Pick<Kernel, "secret">, ip: string | null): string | null {
  if (!ip) return null;
  return createHmac("sha256", deriveKey(kernel.secret, "sharing.view-ip")).update(ip).digest("hex").slice(0, 32);
}

/** Counts a view and records it (time, address hash, the variables it ran with). */
export async function recordView(trx: Kysely<KernelDatabase>, link: { id: string; orgId: string }, view: { ipHash: string | null; variables: Record<string, unknown> }) {
  const db = linksDb(trx);
  await db.updateTable("sharing_links").set({ view_count: sql`view_count + 1`, last_viewed_at: new Date() }).where("id", "=", link.id).execute();
  await db.insertInto("sharing_link_views").values({ org_id: link.orgId, link_id: link.id, ip_hash: view.ipHash, variables: JSON.stringify(view.variables) }).execute();
}

/**
 * A proof that the viewer gave the right password, good for 12 hours: they need not send it
 * with every refresh. Bound to the link and its password hash (a new password voids it).
 */
export function unlockProof(kernel: Pick<Kernel, "secret">, link: { id: string; passwordHash: string }, now = Date.now()): string {
  const until = Math.floor(now / 1000) + 12 * 3600;
  return `${until}.${createHmac("sha256", deriveKey(kernel.secret, "sharing.unlock")).update(`${link.id}:${link.passwordHash}:${until}`).digest("base64url")}`;
}

export function checkUnlockProof(kernel: Pick<Kernel, "secret">, link: { id: string; passwordHash: string }, proof: string, now = Date.now()): boolean {
  const [untilText, mac] = proof.split(".");
  const until = Number(untilText);
  if (!mac || !Number.isInteger(until) || until * 1000 < now) return false;
  const expected = createHmac("sha256", deriveKey(kernel.secret, "sharing.unlock")).update(`${link.id}:${link.passwordHash}:${until}`).digest("base64url");
  return mac.length === expected.length && timingSafeEqual(Buffer.from(mac), Buffer.from(expected));
}
