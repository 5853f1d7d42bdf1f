/**
 * The dashboard editor's edit lease and per-person drafts: plain functions over the caller's
 * scoped transaction. Opening the editor takes the lease when nobody else holds a live one; it
 * lasts 5 minutes and the holder's activity renews it, so a killed browser frees it by itself.
 * Another editor may take it over (the route confirms and audits) or the holder hands it to a
 * named member; either way the former holder's unsaved text stays their draft on the server.
 * Times come from the database's clock, so every app instance agrees on who holds a lease.
 */
import { sql, type ColumnType, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { fieldError } from "~/kernel/errors";
import type { DashboardRef } from "../dashboards/lookup";
import { membersWhoCan } from "./notifications";
import type { CollaborationScope } from "./service";

/** How long a lease lasts without activity. */
export const LEASE_SECONDS = 5 * 60;

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** The lease and draft tables (migrations/2026-12-02-003-edit-leases.ts). */
export type LeaseTables = {
  collaboration_edit_leases: { dashboard_id: string; org_id: string; holder_id: string; since: Timestamp; expires_at: Timestamp };
  collaboration_drafts: { dashboard_id: string; user_id: string; org_id: string; yaml: string; base_version: number; updated_at: Timestamp };
};

type Db = Kysely<KernelDatabase & LeaseTables>;
const leaseDb = (db: Kysely<KernelDatabase>): Db => db.withTables<LeaseTables>();
const expiry = sql<Date>`now() + make_interval(secs => ${LEASE_SECONDS})`;

export interface DraftView {
  yaml: string;
  baseVersion: number;
  updatedAt: string;
}

export interface LeaseView {
  /** Who edits now (null: nobody, or their lease lapsed). */
  holder: { id: string; name: string } | null;
  since: string | null;
  expiresAt: string | null;
  /** The caller holds it. */
  you: boolean;
  /** The caller's own unsaved text for this dashboard, if any. */
  draft: DraftView | null;
}

export async function leaseView(s: CollaborationScope, dashboard: DashboardRef): Promise<LeaseView> {
  const db = leaseDb(s.db);
  const row = await db
    .selectFrom("collaboration_edit_leases as l")
    .innerJoin("users as u", "u.id", "l.holder_id")
    .select(["l.holder_id", "l.since", "l.expires_at", "u.name", "u.email"])
    .where("l.dashboard_id", "=", dashboard.id)
    .where("l.expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  const draft = await db
    .selectFrom("collaboration_drafts")
    .select(["yaml", "base_version", "updated_at"])
    .where("dashboard_id", "=", dashboard.id)
    .where("user_id", "=", s.userId)
    .executeTakeFirst();
  return {
    holder: row ? { id: row.holder_id, name: row.name || row.email } : null,
    since: row ? row.since.toISOString() : null,
    expiresAt: row ? row.expires_at.toISOString() : null,
    you: row?.holder_id === s.userId,
    draft: draft ? { yaml: draft.yaml, baseVersion: draft.base_version, updatedAt: draft.updated_at.toISOString() } : null,
  };
}

/**
 * Takes the lease when it is free (nobody, lapsed, or already the caller's: then renewed).
 * Concurrent opens meet at the primary key; exactly one wins. Answers the lease as it stands.
 */
export async function openLease(s: CollaborationScope, dashboard: DashboardRef): Promise<LeaseView> {
  await sql`
    insert into collaboration_edit_leases (dashboard_id, org_id, holder_id, since, expires_at)
    values (${dashboard.id}, ${s.orgId}, ${s.userId}, now(), ${expiry})
    on conflict (dashboard_id) do update
      set holder_id = excluded.holder_id,
          since = case when collaboration_edit_leases.holder_id = excluded.holder_id then collaboration_edit_leases.since else now() end,
          expires_at = excluded.expires_at
      where collaboration_edit_leases.holder_id = excluded.holder_id or collaboration_edit_leases.expires_at <= now()`.execute(s.db);
  return leaseView(s, dashboard);
}

/** Activity: renews the caller's lease (also a lapsed one nobody took since). Not theirs: unchanged. */
export async function renewLease(s: CollaborationScope, dashboard: DashboardRef): Promise<LeaseView> {
  await leaseDb(s.db).updateTable("collaboration_edit_leases").set({ expires_at: expiry }).where("dashboard_id", "=", dashboard.id).where("holder_id", "=", s.userId).execute();
  return leaseView(s, dashboard);
}

/** Takes the lease from whoever holds it; answers whom it was taken from (null: it was free). */
export async function takeOverLease(s: CollaborationScope, dashboard: DashboardRef): Promise<{ lease: LeaseView; from: string | null }> {
  const before = await leaseView(s, dashboard);
  const from = before.holder && !before.you ? before.holder.id : null;
  await sql`
    insert into collaboration_edit_leases (dashboard_id, org_id, holder_id, since, expires_at)
    values (${dashboard.id}, ${s.orgId}, ${s.userId}, now(), ${expiry})
    on conflict (dashboard_id) do update set holder_id = excluded.holder_id, since = now(), expires_at = excluded.expires_at`.execute(s.db);
  return { lease: await leaseView(s, dashboard), from };
}

/** The holder hands the lease to another member who may edit the dashboard. */
export async function handOffLease(s: CollaborationScope, dashboard: DashboardRef, to: string): Promise<LeaseView> {
  const before = await leaseView(s, dashboard);
  if (!before.you) throw fieldError("CONFLICT", "lease", before.holder ? `${before.holder.name} is editing this dashboard; only they can hand it off.` : "You are not editing this dashboard; open the editor first.");
  if (to === s.userId) throw fieldError("UNPROCESSABLE_CONTENT", "userId", "Hand it to someone else.");
  const editors = await membersWhoCan(s, "dashboard.edit", { ids: [to] });
  if (!editors.length) throw fieldError("UNPROCESSABLE_CONTENT", "userId", "Only a member who may edit this dashboard can take it over.");
  await leaseDb(s.db)
    .updateTable("collaboration_edit_leases")
    .set({ holder_id: to, since: sql<Date>`now()`, expires_at: expiry })
    .where("dashboard_id", "=", dashboard.id)
    .where("holder_id", "=", s.userId)
    .execute();
  return leaseView(s, dashboard);
}

/** The caller leaves the editor: frees their lease (someone else's stays). True when it was theirs. */
export async function releaseLease(s: CollaborationScope, dashboard: DashboardRef): Promise<boolean> {
  const result = await leaseDb(s.db).deleteFrom("collaboration_edit_leases").where("dashboard_id", "=", dashboard.id).where("holder_id", "=", s.userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Keeps the caller's unsaved text (and the version it started from) for this dashboard. */
export async function saveDraft(s: CollaborationScope, dashboard: DashboardRef, yaml: string, baseVersion: number): Promise<DraftView> {
  if (baseVersion > dashboard.version) throw fieldError("UNPROCESSABLE_CONTENT", "baseVersion", `The dashboard is at version ${dashboard.version}; a draft cannot start from a later one.`);
  const row = await leaseDb(s.db)
    .insertInto("collaboration_drafts")
    .values({ dashboard_id: dashboard.id, user_id: s.userId, org_id: s.orgId, yaml, base_version: baseVersion, updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.columns(["dashboard_id", "user_id"]).doUpdateSet({ yaml, base_version: baseVersion, updated_at: sql<Date>`now()` }))
    .returning(["yaml", "base_version", "updated_at"])
    .executeTakeFirstOrThrow();
  return { yaml: row.yaml, baseVersion: row.base_version, updatedAt: row.updated_at.toISOString() };
}

/** Drops the caller's draft (saved, or thrown away). True when there was one. */
export async function discardDraft(s: CollaborationScope, dashboard: DashboardRef): Promise<boolean> {
  const result = await leaseDb(s.db).deleteFrom("collaboration_drafts").where("dashboard_id", "=", dashboard.id).where("user_id", "=", s.userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
