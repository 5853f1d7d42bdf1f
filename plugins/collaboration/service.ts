/**
 * Comments and reviews on dashboards: plain functions over the caller's scoped transaction.
 *
 * A thread hangs on a dashboard, on one chart of it, or on a chart at given variable values. Each
 * comment remembers the dashboard version it was written on and a fingerprint of its chart then,
 * so a reader sees "outdated" once the chart changed. Bodies are Markdown, stored as written and
 * rendered safe on every read (./markdown.ts), so a stricter sanitizer applies to old comments too.
 */
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { fieldError, forbidden, notFound } from "~/kernel/errors";
import { hitRateLimit } from "~/kernel/rate-limit";
import { chartFingerprint, chartIdsOf, dashboardVersionYaml, type DashboardRef } from "../dashboards/lookup";
import "./events";

/* ---------------------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------------------ */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;

/** The plugin's tables (migrations/2026-12-02-001-comments.ts). */
export type CollaborationTables = {
  collaboration_threads: {
    id: Generated<string>;
    org_id: string;
    project_id: string;
    dashboard_id: string;
    chart_id: string | null;
    variables: Json;
    created_by: string | null;
    created_at: Timestamp;
    last_comment_at: Timestamp;
    resolved_at: NullableTimestamp;
    resolved_by: string | null;
  };
  collaboration_comments: {
    id: Generated<string>;
    org_id: string;
    thread_id: string;
    author_id: string | null;
    via_agent: string | null;
    body: string;
    dashboard_version: number;
    chart_fingerprint: string | null;
    created_at: Timestamp;
    edited_at: NullableTimestamp;
    deleted_at: NullableTimestamp;
  };
  collaboration_reads: { org_id: string; user_id: string; dashboard_id: string; read_at: Timestamp };
  collaboration_reviews: { org_id: string; dashboard_id: string; version: number; reviewer_id: string; via_agent: string | null; created_at: Timestamp };
};

type Db = Kysely<KernelDatabase & CollaborationTables>;

export function collaborationDb(db: Kysely<KernelDatabase>): Db {
  return db.withTables<CollaborationTables>();
}

/** Who is acting, where: `db` is the caller's scoped transaction. */
export interface CollaborationScope {
  kernel: Kernel;
  db: Kysely<KernelDatabase>;
  orgId: string;
  projectId: string;
  userId: string;
  /** The agent writing on the person's behalf (its client name), if any. */
  agent: string | null;
}

/* ---------------------------------------------------------------------------------------------
 * Shapes callers see
 * ------------------------------------------------------------------------------------------ */

export interface Person {
  id: string;
  name: string;
}

export interface CommentView {
  id: string;
  author: Person | null;
  /** Set when an agent wrote it on the author's behalf: the agent's name. */
  viaAgent: string | null;
  mine: boolean;
  /** The Markdown as written (null once deleted). */
  body: string | null;
  /** The body rendered and sanitized (empty once deleted). */
  html: string;
  dashboardVersion: number;
  /** The chart changed (or went away) since this was written. */
  outdated: boolean;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}

export interface ThreadView {
  id: string;
  chartId: string | null;
  variables: Record<string, unknown> | null;
  status: "open" | "resolved";
  resolvedAt: string | null;
  resolvedBy: Person | null;
  createdAt: string;
  lastCommentAt: string;
  /** Someone else commented since the reader last opened the dashboard's comments. */
  unread: boolean;
  /** The chart changed since the thread's latest comment. */
  outdated: boolean;
  comments: CommentView[];
}

export interface ThreadCounts {
  /** Open threads on the dashboard itself. */
  dashboard: number;
  /** Open threads per chart id. */
  charts: Record<string, number>;
  open: number;
  resolved: number;
  unread: number;
}

/* ---------------------------------------------------------------------------------------------
 * Limits
 * ------------------------------------------------------------------------------------------ */

/** Comments a person may write per minute, across instances (scaled by ATRIUM_RATE_LIMIT_SCALE). */
export const COMMENTS_PER_MINUTE = 20;
/** Threads listed at once on one dashboard. */
/** The longest comment, in characters. */
export const MAX_COMMENT_LENGTH = 5000;

const MAX_THREADS = 200;
/** Comments shown per thread. */
const MAX_COMMENTS_PER_THREAD = 200;

/** 429 once a person wrote too many comments this minute. Counted outside the transaction, so refused attempts count too. */
export async function limitCommentRate(ctx: { kernel: Kernel; resHeaders: Headers | null }, userId: string): Promise<void> {
  const result = await hitRateLimit(ctx.kernel.db, `collaboration:comment:${userId}`, COMMENTS_PER_MINUTE * ctx.kernel.config.rateLimitScale, 60);
  if (result.allowed) return;
  ctx.resHeaders?.set("Retry-After", String(result.retryAfterSeconds));
  throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `You are commenting too fast. Try again in ${result.retryAfterSeconds} seconds.` });
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------------ */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function people(db: Db, ids: Array<string | null>): Promise<Map<string, Person>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom("users").select(["id", "name", "email"]).where("id", "in", wanted).execute();
  return new Map(rows.map((u) => [u.id, { id: u.id, name: u.name || u.email }]));
}

async function readAt(db: Db, userId: string, dashboardId: string): Promise<Date | null> {
  const row = await db.selectFrom("collaboration_reads").select("read_at").where("user_id", "=", userId).where("dashboard_id", "=", dashboardId).executeTakeFirst();
  return row?.read_at ?? null;
}

/** The threads of a dashboard, newest activity first, with their comments in order. */
export async function listThreads(
  s: CollaborationScope,
  dashboard: DashboardRef,
  filter: { status?: "open" | "resolved" | "all"; chartId?: string | null } = {},
): Promise<ThreadView[]> {
  const db = collaborationDb(s.db);
  let q = db.selectFrom("collaboration_threads").selectAll().where("dashboard_id", "=", dashboard.id);
  if (filter.status === "open") q = q.where("resolved_at", "is", null);
  if (filter.status === "resolved") q = q.where("resolved_at", "is not", null);
  if (filter.chartId !== undefined) q = filter.chartId === null ? q.where("chart_id", "is", null) : q.where("chart_id", "=", filter.chartId);
  const threads = await q.orderBy("last_comment_at", "desc").limit(MAX_THREADS).execute();
  if (!threads.length) return [];
  // The Markdown renderer and its sanitizer load with the first comments shown, not with every server start.
  const { renderCommentMarkdown } = await import("./markdown");
  const comments = await db
    .selectFrom("collaboration_comments")
    .selectAll()
    .where(
      "thread_id",
      "in",
      threads.map((t) => t.id),
    )
    .orderBy("created_at")
    .execute();
  const who = await people(db, [...threads.map((t) => t.resolved_by), ...comments.map((c) => c.author_id)]);
  const lastRead = await readAt(db, s.userId, dashboard.id);
  const current = new Map<string, string | null>();
  const fingerprintNow = (chartId: string) => {
    if (!current.has(chartId)) current.set(chartId, chartFingerprint(dashboard.yaml, chartId));
    return current.get(chartId)!;
  };
  const byThread = new Map<string, CommentView[]>();
  for (const c of comments) {
    const thread = threads.find((t) => t.id === c.thread_id)!;
    const outdated = thread.chart_id ? c.chart_fingerprint !== fingerprintNow(thread.chart_id) : false;
    const list = byThread.get(c.thread_id) ?? [];
    if (list.length >= MAX_COMMENTS_PER_THREAD) continue;
    list.push({
      id: c.id,
      author: c.author_id ? (who.get(c.author_id) ?? null) : null,
      viaAgent: c.via_agent,
      mine: c.author_id === s.userId,
      body: c.deleted_at ? null : c.body,
      html: c.deleted_at ? "" : renderCommentMarkdown(c.body),
      dashboardVersion: c.dashboard_version,
      outdated,
      createdAt: c.created_at.toISOString(),
      editedAt: iso(c.edited_at),
      deleted: !!c.deleted_at,
    });
    byThread.set(c.thread_id, list);
  }
  return threads.map((t) => {
    const list = byThread.get(t.id) ?? [];
    const unread = comments.some((c) => c.thread_id === t.id && c.author_id !== s.userId && !c.deleted_at && (!lastRead || c.created_at > lastRead));
    return {
      id: t.id,
      chartId: t.chart_id,
      variables: t.variables,
      status: t.resolved_at ? "resolved" : "open",
      resolvedAt: iso(t.resolved_at),
      resolvedBy: t.resolved_by ? (who.get(t.resolved_by) ?? null) : null,
      createdAt: t.created_at.toISOString(),
      lastCommentAt: t.last_comment_at.toISOString(),
      unread,
      outdated: list.length > 0 && list[list.length - 1]!.outdated,
      comments: list,
    };
  });
}

/** Open thread counts per chart and for the dashboard, and how many threads are unread. */
export async function threadCounts(s: CollaborationScope, dashboard: DashboardRef): Promise<ThreadCounts> {
  const db = collaborationDb(s.db);
  const lastRead = await readAt(db, s.userId, dashboard.id);
  const rows = await db
    .selectFrom("collaboration_threads as t")
    .select((eb) => [
      "t.chart_id",
      sql<boolean>`t.resolved_at is not null`.as("resolved"),
      eb
        .exists(
          eb
            .selectFrom("collaboration_comments as c")
            .select("c.id")
            .whereRef("c.thread_id", "=", "t.id")
            .where("c.deleted_at", "is", null)
            .where((w) => w.or([w("c.author_id", "is", null), w("c.author_id", "!=", s.userId)]))
            .where("c.created_at", ">", lastRead ?? new Date(0)),
        )
        .as("unread"),
    ])
    .where("t.dashboard_id", "=", dashboard.id)
    .execute();
  const counts: ThreadCounts = { dashboard: 0, charts: {}, open: 0, resolved: 0, unread: 0 };
  for (const r of rows) {
    if (r.unread) counts.unread++;
    if (r.resolved) {
      counts.resolved++;
      continue;
    }
    counts.open++;
    if (r.chart_id) counts.charts[r.chart_id] = (counts.charts[r.chart_id] ?? 0) + 1;
    else counts.dashboard++;
  }
  return counts;
}

/** Marks the dashboard's comments read for the caller (the unread marker clears). */
export async function markRead(s: CollaborationScope, dashboard: DashboardRef): Promise<void> {
  await collaborationDb(s.db)
    .insertInto("collaboration_reads")
    .values({ org_id: s.orgId, user_id: s.userId, dashboard_id: dashboard.id, read_at: new Date() })
    .onConflict((oc) => oc.columns(["user_id", "dashboard_id"]).doUpdateSet({ read_at: new Date() }))
    .execute();
}

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------ */

export interface NewComment {
  body: string;
  /** Reply to this thread; absent: start one. */
  threadId?: string;
  /** A new thread on this chart (absent or null: on the dashboard). */
  chartId?: string | null;
  /** A new thread on the chart at these variable values. */
  variables?: Record<string, unknown> | null;
}

async function threadOf(db: Db, dashboardId: string, threadId: string) {
  const thread = await db.selectFrom("collaboration_threads").selectAll().where("id", "=", threadId).where("dashboard_id", "=", dashboardId).executeTakeFirst();
  if (!thread) throw notFound("This comment thread does not exist on this dashboard.");
  return thread;
}

/** Adds a comment, starting a thread unless `threadId` names one of this dashboard's. */
export async function addComment(s: CollaborationScope, dashboard: DashboardRef, input: NewComment): Promise<{ threadId: string; commentId: string; created: boolean }> {
  const db = collaborationDb(s.db);
  let threadId = input.threadId;
  let chartId: string | null;
  if (threadId) {
    const thread = await threadOf(db, dashboard.id, threadId);
    chartId = thread.chart_id;
  } else {
    chartId = input.chartId ?? null;
    if (chartId && !chartIdsOf(dashboard.yaml).includes(chartId)) {
      throw fieldError("UNPROCESSABLE_CONTENT", "chartId", `This dashboard has no chart "${chartId}".`);
    }
    if (input.variables && !chartId) throw fieldError("UNPROCESSABLE_CONTENT", "variables", "Variable values belong to a comment on a chart: name the chart too.");
    const thread = await db
      .insertInto("collaboration_threads")
      .values({
        org_id: s.orgId,
        project_id: s.projectId,
        dashboard_id: dashboard.id,
        chart_id: chartId,
        variables: input.variables && Object.keys(input.variables).length ? JSON.stringify(input.variables) : null,
        created_by: s.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    threadId = thread.id;
  }
  const comment = await db
    .insertInto("collaboration_comments")
    .values({
      org_id: s.orgId,
      thread_id: threadId,
      author_id: s.userId,
      via_agent: s.agent,
      body: input.body,
      dashboard_version: dashboard.version,
      chart_fingerprint: chartId ? chartFingerprint(dashboard.yaml, chartId) : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.updateTable("collaboration_threads").set({ last_comment_at: new Date() }).where("id", "=", threadId).execute();
  // Writing a comment is reading the dashboard's comments: your own never shows as unread.
  await markRead(s, dashboard);
  await s.kernel.events.emit(
    "collaboration.comment.added",
    { dashboardId: dashboard.id, projectId: s.projectId, threadId, commentId: comment.id, authorId: s.userId },
    { orgId: s.orgId, db: s.db },
  );
  return { threadId, commentId: comment.id, created: !input.threadId };
}

async function ownComment(s: CollaborationScope, dashboard: DashboardRef, commentId: string) {
  const db = collaborationDb(s.db);
  const comment = await db
    .selectFrom("collaboration_comments as c")
    .innerJoin("collaboration_threads as t", "t.id", "c.thread_id")
    .select(["c.id", "c.author_id", "c.deleted_at", "c.thread_id"])
    .where("c.id", "=", commentId)
    .where("t.dashboard_id", "=", dashboard.id)
    .executeTakeFirst();
  if (!comment || comment.deleted_at) throw notFound("This comment does not exist on this dashboard.");
  if (comment.author_id !== s.userId) throw forbidden("You can only change your own comments.");
  return comment;
}

/** Changes the text of one's own comment. */
export async function editComment(s: CollaborationScope, dashboard: DashboardRef, commentId: string, body: string): Promise<void> {
  await ownComment(s, dashboard, commentId);
  await collaborationDb(s.db).updateTable("collaboration_comments").set({ body, edited_at: new Date() }).where("id", "=", commentId).execute();
}

/** Deletes one's own comment: it keeps its place in the thread ("deleted"), without its text. */
export async function deleteComment(s: CollaborationScope, dashboard: DashboardRef, commentId: string): Promise<void> {
  await ownComment(s, dashboard, commentId);
  await collaborationDb(s.db).updateTable("collaboration_comments").set({ body: "", deleted_at: new Date() }).where("id", "=", commentId).execute();
}

/** Resolves or reopens a thread. */
export async function setResolved(s: CollaborationScope, dashboard: DashboardRef, threadId: string, resolved: boolean): Promise<{ status: "open" | "resolved" }> {
  const db = collaborationDb(s.db);
  await threadOf(db, dashboard.id, threadId);
  await db
    .updateTable("collaboration_threads")
    .set(resolved ? { resolved_at: new Date(), resolved_by: s.userId } : { resolved_at: null, resolved_by: null })
    .where("id", "=", threadId)
    .execute();
  return { status: resolved ? "resolved" : "open" };
}

/* ---------------------------------------------------------------------------------------------
 * Reviews
 * ------------------------------------------------------------------------------------------ */

export interface ReviewView {
  version: number;
  reviewer: Person | null;
  viaAgent: string | null;
  createdAt: string;
}

/** Signs a version off as reviewed by the caller (again: no change). 404 for a version the dashboard never had. */
export async function markReviewed(s: CollaborationScope, dashboard: DashboardRef, version: number): Promise<void> {
  await dashboardVersionYaml(s.db, dashboard.id, version);
  await collaborationDb(s.db)
    .insertInto("collaboration_reviews")
    .values({ org_id: s.orgId, dashboard_id: dashboard.id, version, reviewer_id: s.userId, via_agent: s.agent })
    .onConflict((oc) => oc.columns(["dashboard_id", "version", "reviewer_id"]).doNothing())
    .execute();
  await s.kernel.events.emit("collaboration.review.added", { dashboardId: dashboard.id, projectId: s.projectId, version, reviewerId: s.userId }, { orgId: s.orgId, db: s.db });
}

/** Withdraws the caller's review of a version. */
export async function unmarkReviewed(s: CollaborationScope, dashboard: DashboardRef, version: number): Promise<void> {
  await collaborationDb(s.db).deleteFrom("collaboration_reviews").where("dashboard_id", "=", dashboard.id).where("version", "=", version).where("reviewer_id", "=", s.userId).execute();
}

/** Every review of a dashboard, newest version first. */
export async function listReviews(s: CollaborationScope, dashboard: DashboardRef): Promise<ReviewView[]> {
  const db = collaborationDb(s.db);
  const rows = await db.selectFrom("collaboration_reviews").selectAll().where("dashboard_id", "=", dashboard.id).orderBy("version", "desc").orderBy("created_at").limit(500).execute();
  const who = await people(db, rows.map((r) => r.reviewer_id));
  return rows.map((r) => ({ version: r.version, reviewer: who.get(r.reviewer_id) ?? null, viaAgent: r.via_agent, createdAt: r.created_at.toISOString() }));
}
