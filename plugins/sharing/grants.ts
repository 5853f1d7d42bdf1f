/**
 * Grants: one dashboard, or a whole project, shared with a person at `view` or `edit`, beyond
 * their membership. Plain functions over a scoped database handle. The kernel asks
 * `resolveGrant` (declared as the plugin's `grants`) when a grantable procedure's caller is not
 * reached by their membership; a grant by address counts once that address is a verified
 * account's.
 */
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import { decodeKeyset, encodeKeyset, likePattern, pageOf, PAGE_MAX, type KeysetCursor } from "~/kernel/paging";
import { fieldError } from "~/kernel/errors";
import { applyScope } from "~/kernel/scope";
import type { KernelDatabase, Role } from "~/kernel/db/schema";
import type { GrantLookup, HeldGrant } from "~/kernel/grants";
import { effectiveProjectRole } from "~/kernel/tenancy/roles";
import { dashboardIdBySlug, dashboardSummaries } from "../dashboards/published";

export type GrantRole = "view" | "edit";

/** The plugin's grant table (migrations/2026-12-02-001-grants.ts). */
export type GrantTables = {
  sharing_grants: {
    id: Generated<string>;
    org_id: string;
    project_id: string;
    dashboard_id: string | null;
    user_id: string | null;
    email: string | null;
    role: GrantRole;
    created_by: string | null;
    created_at: ColumnType<Date, Date | string | undefined, never>;
  };
};

type Db = Kysely<KernelDatabase & GrantTables>;

export function grantsDb(db: Kysely<KernelDatabase>): Db {
  return db.withTables<GrantTables>();
}

/** The role a grant gives: `view` is a viewer's, `edit` an editor's (on that dashboard or project only). */
export function roleOfGrant(role: GrantRole): Role {
  return role === "edit" ? "editor" : "viewer";
}

/** Where a grant points: a project, and one dashboard in it or all of them. */
export interface GrantTarget {
  orgId: string;
  projectId: string;
  /** null: the whole project. */
  dashboardId: string | null;
}

/** The grants' side of the kernel's question (src/kernel/grants.ts): the highest role this person's grants give there. */
export async function resolveGrant(db: Kysely<KernelDatabase>, lookup: GrantLookup): Promise<Role | null> {
  const dashboardId = lookup.resource === "dashboard" && lookup.key ? await dashboardIdBySlug(db, lookup.orgId, lookup.projectId, lookup.key) : null;
  const rows = await grantsDb(db)
    .selectFrom("sharing_grants as g")
    .select("g.role")
    .where("g.org_id", "=", lookup.orgId)
    .where("g.project_id", "=", lookup.projectId)
    .where((eb) => (dashboardId ? eb.or([eb("g.dashboard_id", "is", null), eb("g.dashboard_id", "=", dashboardId)]) : eb("g.dashboard_id", "is", null)))
    .where((eb) =>
      eb.or([
        eb("g.user_id", "=", lookup.userId),
        eb("g.email", "=", eb.selectFrom("users").select(sql<string>`lower(email)`.as("email")).where("id", "=", lookup.userId).where("email_verified_at", "is not", null)),
      ]),
    )
    .execute();
  if (!rows.length) return null;
  return rows.some((r) => r.role === "edit") ? "editor" : "viewer";
}

/**
 * The grants' side of the kernel's list (src/kernel/grants.ts `GrantLister`): every grant this
 * person holds in the org, for search, recent, MCP resources and the assistant's tools.
 * Deleted projects and dashboards are left out by the lists that use them.
 */
export async function listHeldGrants(db: Kysely<KernelDatabase>, who: { userId: string; orgId: string }): Promise<HeldGrant[]> {
  const g = grantsDb(db);
  const rows = await g
    .selectFrom("sharing_grants as g")
    .select(["g.project_id", "g.dashboard_id", "g.role"])
    .where("g.org_id", "=", who.orgId)
    .where((eb) =>
      eb.or([
        eb("g.user_id", "=", who.userId),
        eb("g.email", "=", eb.selectFrom("users").select(sql<string>`lower(email)`.as("email")).where("id", "=", who.userId).where("email_verified_at", "is not", null)),
      ]),
    )
    .execute();
  return rows.map((r) => ({ projectId: r.project_id, resource: r.dashboard_id ? "dashboard" : null, resourceId: r.dashboard_id, role: roleOfGrant(r.role) }));
}

/**
 * The orgs where this person holds grants (the kernel's `grantOrgs`): read under their own scope
 * with no org, where the grantee policy shows their grants (by account or verified address).
 */
export async function orgsWithGrants(db: Kysely<KernelDatabase>, userId: string): Promise<string[]> {
  await applyScope(db, { userId, orgId: null });
  const rows = await grantsDb(db).selectFrom("sharing_grants").select("org_id").distinct().limit(200).execute();
  return rows.map((r) => r.org_id);
}

/** An address as stored: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Shares a target with an address at `role`: with its verified account when there is one (by
 * its user id), else with the address (it counts once an account verifies it). Sharing again
 * changes the role. Returns the grant and whether it was new.
 */
export async function shareWith(
  db: Kysely<KernelDatabase>,
  target: GrantTarget,
  grantee: { email: string; role: GrantRole; createdBy: string },
): Promise<{ id: string; created: boolean; userId: string | null; email: string }> {
  const g = grantsDb(db);
  const email = normalizeEmail(grantee.email);
  const user = await g
    .selectFrom("users")
    .select("id")
    .where(sql<string>`lower(email)`, "=", email)
    .where("email_verified_at", "is not", null)
    .executeTakeFirst();
  // One statement against the unique index (sharing_grants_user_key / _email_key): two shares
  // with the same person at once make one grant, never a unique violation (a check, then an
  // insert, let the second one fail).
  const who = user ? sql.ref("user_id") : sql.ref("email");
  const { rows } = await sql<{ id: string; created: boolean }>`
    insert into sharing_grants (org_id, project_id, dashboard_id, user_id, email, role, created_by)
    values (${target.orgId}, ${target.projectId}, ${target.dashboardId}, ${user?.id ?? null}, ${user ? null : email}, ${grantee.role}, ${grantee.createdBy})
    on conflict (project_id, coalesce(dashboard_id, '00000000-0000-0000-0000-000000000000'::uuid), ${who}) where ${who} is not null
    do update set role = excluded.role
    returning id, (xmax = 0) as created`.execute(g);
  const row = rows[0]!;
  return { id: row.id, created: row.created, userId: user?.id ?? null, email };
}

/** Removes a grant of this project; 404 when there is none with that id here. */
export async function revokeGrant(db: Kysely<KernelDatabase>, target: { orgId: string; projectId: string }, grantId: string) {
  const row = await grantsDb(db)
    .deleteFrom("sharing_grants")
    .where("id", "=", grantId)
    .where("org_id", "=", target.orgId)
    .where("project_id", "=", target.projectId)
    .returning(["id", "dashboard_id", "user_id", "email", "role"])
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "No such share in this project." });
  return row;
}

/** One line of "who has access and why". */
export interface AccessEntry {
  kind: "member" | "grant";
  /** The grant's id (to revoke it); null for members. */
  grantId: string | null;
  name: string | null;
  email: string;
  /** The role that applies here. */
  role: Role;
  /** Why, in words: "Organization owner", "Project role: editor", "Shared: this dashboard, can edit". */
  why: string;
  /** A grant waiting for its address to become a verified account. */
  pending: boolean;
}

/** A page of "who has access": its entries, and the cursor of the next page (null on the last). */
export interface AccessPage {
  entries: AccessEntry[];
  nextCursor: string | null;
}

/** Where a page of the access list starts: among the shares ("g"), or among the members ("m"; no key: at the first). */
type AccessCursor = { section: "g"; key: KeysetCursor } | { section: "m"; key: KeysetCursor | null };

function encodeAccessCursor(cursor: AccessCursor): string {
  return cursor.section + (cursor.key ? encodeKeyset(cursor.key) : "");
}

/** A cursor `listAccess` gave, or a 422 on `cursor`. */
function decodeAccessCursor(text: string): AccessCursor {
  if (text === "m") return { section: "m", key: null };
  const section = text.charAt(0);
  if (section !== "g" && section !== "m") throw fieldError("UNPROCESSABLE_CONTENT", "cursor", "This cursor is not one a list returned; start again without it.");
  return { section, key: decodeKeyset(text.slice(1)) };
}

/**
 * Everyone who can see the target and why, a page at a time: first the shares (oldest first),
 * then the org's members (in the order they joined, by their role in the project). `search`
 * keeps those whose name or email holds it. Both walk an index in their order from the cursor,
 * so a page costs the same in an org of ten members or of ten thousand.
 */
export async function listAccess(db: Kysely<KernelDatabase>, target: GrantTarget, page: { limit?: number; cursor?: string; search?: string } = {}): Promise<AccessPage> {
  const g = grantsDb(db);
  const limit = Math.min(Math.max(1, page.limit ?? 100), PAGE_MAX);
  const from = page.cursor ? decodeAccessCursor(page.cursor) : null;
  const pattern = page.search ? likePattern(page.search) : null;
  const entries: AccessEntry[] = [];

  if (!from || from.section === "g") {
    let q = g
      .selectFrom("sharing_grants as s")
      .leftJoin("users as u", "u.id", "s.user_id")
      .select(["s.id", "s.dashboard_id", "s.role", "s.email", "u.name", "u.email as userEmail", sql<string>`s.created_at::text`.as("sortAt")])
      .where("s.org_id", "=", target.orgId)
      .where("s.project_id", "=", target.projectId)
      .where((eb) => (target.dashboardId ? eb.or([eb("s.dashboard_id", "is", null), eb("s.dashboard_id", "=", target.dashboardId)]) : eb("s.dashboard_id", "is", null)));
    if (pattern) q = q.where((eb) => eb.or([eb("s.email", "ilike", pattern), eb(sql<string>`atrium_user_search_text(u.name, u.email::text)`, "ilike", pattern)]));
    if (from) q = q.where(sql<boolean>`(s.created_at, s.id) > (${from.key.at}::timestamptz, ${from.key.id}::uuid)`);
    const rows = await q.orderBy("s.created_at").orderBy("s.id").limit(limit + 1).execute();
    const shares = pageOf(rows, limit, (r) => ({ at: r.sortAt, id: r.id }));
    for (const s of shares.items) {
      entries.push({
        kind: "grant",
        grantId: s.id,
        name: s.name ?? null,
        email: s.userEmail ?? s.email ?? "",
        role: roleOfGrant(s.role),
        why: `Shared: ${s.dashboard_id ? "this dashboard" : "the whole project"}, can ${s.role}`,
        pending: !s.userEmail,
      });
    }
    if (shares.nextCursor) return { entries, nextCursor: "g" + shares.nextCursor };
    // The shares filled the page: the members start the next one.
    if (entries.length === limit) return { entries, nextCursor: encodeAccessCursor({ section: "m", key: null }) };
  }

  const room = limit - entries.length;
  const after = from?.section === "m" ? from.key : null;
  let q = g
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .leftJoin("project_roles as r", (j) => j.onRef("r.user_id", "=", "m.user_id").on("r.project_id", "=", target.projectId))
    .select(["m.user_id", "u.name", "u.email", "m.role as orgRole", "r.role as override", sql<string>`m.created_at::text`.as("sortAt")])
    .where("m.org_id", "=", target.orgId);
  // Name and email as one text, on its trigram index (db/migrations/2026-12-09-001-member-search.ts).
  if (pattern) q = q.where(sql<string>`atrium_user_search_text(u.name, u.email::text)`, "ilike", pattern);
  if (after) q = q.where(sql<boolean>`(m.created_at, m.user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await q.orderBy("m.created_at").orderBy("m.user_id").limit(room + 1).execute();
  const members = pageOf(rows, room, (r) => ({ at: r.sortAt, id: r.user_id }));
  for (const m of members.items) {
    const role = effectiveProjectRole(m.orgRole, m.override);
    entries.push({
      kind: "member",
      grantId: null,
      name: m.name,
      email: m.email,
      role,
      why: m.override && role === m.override ? `Project role: ${role}` : `Organization ${m.orgRole}`,
      pending: false,
    });
  }
  return { entries, nextCursor: members.nextCursor ? "m" + members.nextCursor : null };
}

/** A dashboard or project someone shared with me. */
export interface SharedWithMe {
  grantId: string;
  orgId: string;
  orgName: string;
  projectId: string;
  projectName: string;
  /** null: the whole project was shared. */
  dashboard: { slug: string; title: string } | null;
  role: GrantRole;
}

/**
 * What has been shared with this person, across organizations. `db` is a transaction under the
 * person's scope (no org): the grantee policy shows their own grants; names are read inside
 * each org's scope.
 */
export async function sharedWithMe(db: Kysely<KernelDatabase>, userId: string): Promise<SharedWithMe[]> {
  const g = grantsDb(db);
  await applyScope(db, { userId, orgId: null });
  const grants = await g
    .selectFrom("sharing_grants")
    .select(["id", "org_id", "project_id", "dashboard_id", "role", "created_at"])
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
  const out: SharedWithMe[] = [];
  for (const orgId of [...new Set(grants.map((x) => x.org_id))]) {
    await applyScope(db, { userId, orgId });
    const org = await g.selectFrom("orgs").select("name").where("id", "=", orgId).where("deleted_at", "is", null).executeTakeFirst();
    if (!org) continue;
    const mine = grants.filter((x) => x.org_id === orgId);
    const projects = await g
      .selectFrom("projects")
      .select(["id", "name"])
      .where("id", "in", [...new Set(mine.map((x) => x.project_id))])
      .where("deleted_at", "is", null)
      .execute();
    const projectNames = new Map(projects.map((p) => [p.id, p.name]));
    const dashboards = await dashboardSummaries(db, mine.flatMap((x) => (x.dashboard_id ? [x.dashboard_id] : [])));
    for (const x of mine) {
      const projectName = projectNames.get(x.project_id);
      if (!projectName) continue;
      const dashboard = x.dashboard_id ? dashboards.get(x.dashboard_id) : null;
      if (x.dashboard_id && !dashboard) continue;
      out.push({
        grantId: x.id,
        orgId,
        orgName: org.name,
        projectId: x.project_id,
        projectName,
        dashboard: dashboard ? { slug: dashboard.slug, title: dashboard.title } : null,
        role: x.role,
      });
    }
  }
  await applyScope(db, { userId, orgId: null });
  return out;
}
