/**
 * The activity feed: what happened to the dashboards of a project or an org — saves, comments,
 * reviews and shares — read from the audit log, the one record every one of those writes already
 * makes in its own transaction (no second write path to drift from it). Entries on a dashboard
 * the caller cannot see (another project, a deleted dashboard) never appear: each page is
 * filtered against the projects the caller may view and the dashboards still live there.
 */
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { fieldError } from "~/kernel/errors";
import type { HeldGrant } from "~/kernel/grants";
import { dashboardsByIds } from "../dashboards/lookup";
import { collaborationDb } from "./service";

export const ACTIVITY_KINDS = ["save", "comment", "review", "share"] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** The audit actions each kind is read from, and the verb an entry shows. */
const ACTIONS: Record<string, { kind: ActivityKind; verb: string }> = {
  "dashboards.create": { kind: "save", verb: "created" },
  "dashboards.update": { kind: "save", verb: "saved" },
  "dashboards.restoreVersion": { kind: "save", verb: "restored a version of" },
  "collaboration.comment.add": { kind: "comment", verb: "commented on" },
  "collaboration.review.mark": { kind: "review", verb: "reviewed" },
  "sharing.grant": { kind: "share", verb: "shared" },
  "sharing.revoke": { kind: "share", verb: "stopped sharing" },
  "sharing.invite": { kind: "share", verb: "invited someone to" },
  "sharing.link.create": { kind: "share", verb: "created a public link to" },
  "sharing.link.revoke": { kind: "share", verb: "revoked a public link to" },
};

/** Rows read per round, and at most per page: a page over a long stretch the caller cannot see stops there and says where to go on. */
const BATCH = 100;
const MAX_SCANNED = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ActivityEntry {
  id: string;
  kind: ActivityKind;
  /** What was done, as a verb phrase before the dashboard's title ("saved", "commented on"). */
  verb: string;
  at: string;
  actor: { id: string; name: string } | null;
  /** The agent that acted on the person's behalf, if any. */
  viaAgent: string | null;
  project: { id: string; slug: string; name: string };
  /** null for a share of the whole project. */
  dashboard: { id: string; slug: string; title: string } | null;
  /** The saved or reviewed version. */
  version: number | null;
  /** A comment's thread, and its first words (null once deleted). */
  threadId: string | null;
  excerpt: string | null;
  /** A share's role (view/edit); who it went to is for the sharing pages, not the feed. */
  role: string | null;
  /** One line for agents and lists: "Ann saved Revenue (version 3)". */
  summary: string;
}

/** A project the caller may view; `dashboards` set when only those (shared one by one) are visible there. */
export interface ActivityProject {
  slug: string;
  name: string;
  dashboards?: Set<string>;
}

/** What the caller reaches, as the router has it from the procedure builder. */
export interface ActivityReach {
  /** Projects the caller's membership reaches: a condition on the project's id, `p.id` (`projectCanCondition`). */
  byMembership: Expression<SqlBool>;
  /** The grants the caller holds in the org: a whole project, or a dashboard shared alone. */
  grants: readonly HeldGrant[];
  /** A project's feed: only that project's entries. */
  projectId: string | null;
}

export interface ActivityQuery {
  orgId: string;
  /** Whose entries show: what the caller reaches (entries elsewhere never appear). */
  reach: ActivityReach;
  kinds?: readonly ActivityKind[];
  personId?: string;
  limit: number;
  cursor?: string;
}

interface Cursor {
  micros: string;
  id: string;
}

function parseCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(raw);
  if (!match) throw fieldError("UNPROCESSABLE_CONTENT", "cursor", "Pass back the nextCursor of the previous page");
  return { micros: match[1]!, id: match[2]! };
}

/** One page of activity, newest first; `nextCursor` goes on (null: nothing older). */
export async function listActivity(db: Kysely<KernelDatabase>, q: ActivityQuery): Promise<{ items: ActivityEntry[]; nextCursor: string | null }> {
  const actions = Object.entries(ACTIONS)
    .filter(([, a]) => !q.kinds?.length || q.kinds.includes(a.kind))
    .map(([action]) => action);
  let cursor = parseCursor(q.cursor);
  // Planned for their values every time, in this transaction only: which org, and how rare its
  // people's events are among its agents' calls, decide the plan. A prepared statement's generic
  // plan cannot know them and, under row-level security, guessed an org of a hundred rows: it
  // sorted all the org's saves, or intersected with every dashboard of the org (5-50 ms at
  // 100,000 agent calls, where the plan for the values reads one page: under 1 ms).
  await sql`select set_config('plan_cache_mode', 'force_custom_plan', true)`.execute(db);
  const kept: Array<{ row: AuditRow; projectId: string; dashboard: { id: string; slug: string; title: string } | null }> = [];
  let scanned = 0;
  let exhausted = false;
  let lastScanned: Cursor | null = null;
  const among = projectsAmong(db, q.orgId, q.reach);
  // Nothing reached at all: nothing to show, without reading the log.
  if (!(await among.any())) return { items: [], nextCursor: null };
  // The projects asked about so far: the ones the caller may view, and null for the others.
  const projects = new Map<string, ActivityProject | null>();
  while (kept.length <= q.limit && scanned < MAX_SCANNED) {
    const rows = await readBatch(db, q, actions, cursor);
    scanned += rows.length;
    if (rows.length < BATCH) exhausted = true;
    const dashboards = await dashboardsByIds(
      db,
      rows.map(dashboardIdOf).filter((id): id is string => !!id),
    );
    const projectIdOf = (row: AuditRow) => {
      const dashboardId = dashboardIdOf(row);
      const dashboard = dashboardId ? dashboards.get(dashboardId) : undefined;
      return dashboard ? dashboard.projectId : row.target_type === "project" ? row.target_id : null;
    };
    const unknown = [...new Set(rows.map(projectIdOf).filter((id): id is string => !!id && UUID.test(id) && !projects.has(id)))];
    if (unknown.length) {
      const visible = await among.visible(unknown);
      for (const id of unknown) projects.set(id, visible.get(id) ?? null);
    }
    for (const row of rows) {
      lastScanned = { micros: row.micros, id: row.id };
      const dashboardId = dashboardIdOf(row);
      const dashboard = dashboardId ? dashboards.get(dashboardId) : undefined;
      const projectId = projectIdOf(row);
      const project = projectId ? projects.get(projectId) : undefined;
      if (!projectId || !project) continue;
      if (dashboardId && !dashboard) continue;
      // Where only shared dashboards are visible, a whole-project entry or another dashboard's stays out.
      if (project.dashboards && !(dashboard && project.dashboards.has(dashboard.id))) continue;
      kept.push({ row, projectId, dashboard: dashboard ? { id: dashboard.id, slug: dashboard.slug, title: dashboard.title } : null });
      if (kept.length > q.limit) break;
    }
    if (exhausted) break;
    cursor = lastScanned;
  }
  const page = kept.slice(0, q.limit);
  const more = kept.length > q.limit || !exhausted;
  const last = kept.length > q.limit ? page.at(-1)!.row : lastScanned;
  const nextCursor = more && last ? `${last.micros}.${last.id}` : null;
  return { items: await describe(db, page, projects), nextCursor };
}

/**
 * The caller's reach, asked of the projects a batch of entries names rather than listed whole
 * first, so a page costs the same in an org of 10 projects or 1,000 (ADR 047): live projects
 * reached by membership or by a grant on the whole project show all their entries; where only
 * dashboards were shared, only those dashboards' entries show.
 */
function projectsAmong(db: Kysely<KernelDatabase>, orgId: string, reach: ActivityReach) {
  const wholeByGrant = new Set(reach.grants.flatMap((g) => (g.resource === null ? [g.projectId] : [])));
  const sharedAlone = new Map<string, Set<string>>();
  for (const g of reach.grants) if (g.resource === "dashboard" && g.resourceId) sharedAlone.set(g.projectId, (sharedAlone.get(g.projectId) ?? new Set()).add(g.resourceId));
  const live = () => db.selectFrom("projects as p").where("p.org_id", "=", orgId).where("p.deleted_at", "is", null);
  return {
    /** Whether the caller reaches any project at all. */
    async any(): Promise<boolean> {
      if (wholeByGrant.size || sharedAlone.size) return true;
      return !!(await live().select("p.id").where(reach.byMembership).limit(1).executeTakeFirst());
    },
    /** Which of these projects the caller may view (id → slug, name, the dashboards shared alone). */
    async visible(ids: readonly string[]): Promise<Map<string, ActivityProject>> {
      const found = new Map<string, ActivityProject>();
      const wanted = ids.filter((id) => !reach.projectId || id === reach.projectId);
      if (!wanted.length) return found;
      const rows = await live()
        .select(["p.id", "p.slug", "p.name", sql<boolean>`${reach.byMembership}`.as("byMembership")])
        .where("p.id", "in", wanted)
        .execute();
      for (const p of rows) {
        if (p.byMembership || wholeByGrant.has(p.id)) found.set(p.id, { slug: p.slug, name: p.name });
        else if (sharedAlone.has(p.id)) found.set(p.id, { slug: p.slug, name: p.name, dashboards: sharedAlone.get(p.id)! });
      }
      return found;
    },
  };
}

interface AuditRow {
  id: string;
  micros: string;
  actor_kind: string;
  actor_user_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

async function readBatch(db: Kysely<KernelDatabase>, q: ActivityQuery, actions: string[], cursor: Cursor | null): Promise<AuditRow[]> {
  let query = db
    .selectFrom("audit_events")
    .select([
      sql<string>`id::text`.as("id"),
      sql<string>`(extract(epoch from created_at) * 1000000)::bigint::text`.as("micros"),
      "actor_kind",
      "actor_user_id",
      "actor_label",
      "action",
      "target_type",
      "target_id",
      "data",
      "created_at",
    ])
    .where("org_id", "=", q.orgId)
    // Literals, not parameters (the actions are ours, from ACTIONS): a prepared statement's
    // generic plan then knows how rare they are, and reads the log through its index without
    // agents' own calls (audit_events_org_people_idx) instead of walking past every agent call.
    // The second condition is always true here (no agent.* action is an activity) and is that
    // index's predicate as written there.
    .where(sql<boolean>`action in (${sql.join(actions.map((action) => sql.lit(action)))})`)
    .where(sql<boolean>`action not like 'agent.%'`);
  if (q.personId) query = query.where("actor_user_id", "=", q.personId);
  if (cursor) {
    query = query.where(
      // The bound on created_at alone is what the index can seek to; the pair then settles ties.
      sql<boolean>`created_at <= timestamptz 'epoch' + ${cursor.micros}::bigint * interval '1 microsecond' and (created_at, id) < (timestamptz 'epoch' + ${cursor.micros}::bigint * interval '1 microsecond', ${cursor.id}::bigint)`,
    );
  }
  // By the columns, not the selected aliases: "id" there is its text, which sorts 10 before 9.
  return (await query.orderBy(sql`audit_events.created_at`, "desc").orderBy(sql`audit_events.id`, "desc").limit(BATCH).execute()) as AuditRow[];
}

function dashboardIdOf(row: AuditRow): string | null {
  const id = row.target_type === "dashboard" ? row.target_id : typeof row.data.dashboardId === "string" ? row.data.dashboardId : null;
  return id && UUID.test(id) ? id : null;
}

async function describe(
  db: Kysely<KernelDatabase>,
  page: Array<{ row: AuditRow; projectId: string; dashboard: { id: string; slug: string; title: string } | null }>,
  projects: ReadonlyMap<string, ActivityProject | null>,
): Promise<ActivityEntry[]> {
  const c = collaborationDb(db);
  const userIds = [...new Set(page.map((p) => p.row.actor_user_id).filter((id): id is string => !!id))];
  const users = userIds.length ? await c.selectFrom("users").select(["id", "name", "email"]).where("id", "in", userIds).execute() : [];
  const names = new Map(users.map((u) => [u.id, u.name || u.email]));
  const commentIds = page.filter((p) => p.row.action === "collaboration.comment.add" && p.row.target_id && UUID.test(p.row.target_id)).map((p) => p.row.target_id!);
  const comments = commentIds.length
    ? await c.selectFrom("collaboration_comments").select(["id", "thread_id", "body", "deleted_at"]).where("id", "in", commentIds).execute()
    : [];
  const byComment = new Map(comments.map((cm) => [cm.id, cm]));
  return page.map(({ row, projectId, dashboard }) => {
    const { kind, verb } = ACTIONS[row.action]!;
    const comment = row.target_id ? byComment.get(row.target_id) : undefined;
    const version = typeof row.data.version === "number" ? row.data.version : row.action === "dashboards.create" ? 1 : null;
    const role = typeof row.data.role === "string" ? row.data.role : null;
    const actor = row.actor_user_id ? { id: row.actor_user_id, name: names.get(row.actor_user_id) ?? "Someone" } : null;
    const viaAgent = row.actor_kind === "agent" ? row.actor_label : null;
    const { slug, name } = projects.get(projectId)!;
    const project = { id: projectId, slug, name };
    const what = dashboard ? dashboard.title : "the project";
    const summary = `${actor?.name ?? "Someone"}${viaAgent ? ` (through ${viaAgent})` : ""} ${verb} ${what}${version !== null && kind !== "comment" ? ` (version ${version})` : ""}`;
    return {
      id: row.id,
      kind,
      verb,
      at: row.created_at.toISOString(),
      actor,
      viaAgent,
      project,
      dashboard,
      version: kind === "save" || kind === "review" ? version : null,
      threadId: comment?.thread_id ?? null,
      excerpt: comment && !comment.deleted_at ? excerptOf(comment.body) : null,
      role: kind === "share" ? role : null,
      summary,
    };
  });
}

function excerptOf(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}
