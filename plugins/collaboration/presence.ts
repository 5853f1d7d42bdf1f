/**
 * Who has a dashboard open now, and the live stream its open pages listen to.
 *
 * Presence is a row per person and dashboard kept alive by the page's heartbeat (every
 * {@link PRESENCE_BEAT_SECONDS}); a row lapses {@link PRESENCE_SECONDS} after the last beat, so a
 * closed or killed browser vanishes by itself. Times come from the database's clock, so every
 * app instance agrees. Arrivals, leavings and switches between viewing and editing emit
 * `collaboration.presence.changed` (ids only) in the writing transaction.
 *
 * The live stream (`dashboardLive`) merges the kernel events that concern one dashboard (a saved
 * version, a new comment, presence) into one sequence for a tRPC subscription: the kernel bus
 * rides on LISTEN/NOTIFY, so a save on any instance reaches a viewer on every other.
 */
import { sql, type ColumnType, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { EventBus, EventEnvelope } from "~/kernel/events";
import type { DashboardRef } from "../dashboards/lookup";
import "./events";
import type { CollaborationScope } from "./service";

/** How long a person stays present after their page's last heartbeat. */
export const PRESENCE_SECONDS = 45;
/** How often an open page beats (well inside the TTL, so one lost beat does not drop anyone). */
export const PRESENCE_BEAT_SECONDS = 15;

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** The presence table (migrations/2026-12-02-004-presence.ts). */
export type PresenceTables = {
  collaboration_presence: { dashboard_id: string; user_id: string; org_id: string; editing: boolean; seen_at: Timestamp; expires_at: Timestamp };
};

const presenceDb = (db: Kysely<KernelDatabase>) => db.withTables<PresenceTables>();

export interface PresentPerson {
  id: string;
  name: string;
  /** In the dashboard's editor (else viewing it). */
  editing: boolean;
  /** The caller. */
  you: boolean;
}

/** The people present on a dashboard now, the caller first, then by name. At most 50. */
export async function presentOn(s: CollaborationScope, dashboardId: string): Promise<PresentPerson[]> {
  const rows = await presenceDb(s.db)
    .selectFrom("collaboration_presence as p")
    .innerJoin("users as u", "u.id", "p.user_id")
    .select(["p.user_id", "p.editing", "u.name", "u.email"])
    .where("p.dashboard_id", "=", dashboardId)
    .where("p.expires_at", ">", sql<Date>`now()`)
    .orderBy(sql`p.user_id = ${s.userId}`, "desc")
    .orderBy("u.name")
    .limit(50)
    .execute();
  return rows.map((r) => ({ id: r.user_id, name: r.name || r.email, editing: r.editing, you: r.user_id === s.userId }));
}

/**
 * The caller's page is open on the dashboard (viewing, or editing): present for the next
 * {@link PRESENCE_SECONDS}. Emits `collaboration.presence.changed` when they were not present
 * before, or switched between viewing and editing. Answers who is present now.
 */
export async function beat(s: CollaborationScope, dashboard: DashboardRef, editing: boolean): Promise<PresentPerson[]> {
  // `changed` compares with the row as it stood before (a lapsed row counts as absent).
  const result = await sql<{ changed: boolean }>`
    with before as (
      select editing, expires_at > now() as live from collaboration_presence where dashboard_id = ${dashboard.id} and user_id = ${s.userId}
    ), up as (
      insert into collaboration_presence (dashboard_id, user_id, org_id, editing, seen_at, expires_at)
      values (${dashboard.id}, ${s.userId}, ${s.orgId}, ${editing}, now(), now() + make_interval(secs => ${PRESENCE_SECONDS}))
      on conflict (dashboard_id, user_id) do update set editing = excluded.editing, seen_at = excluded.seen_at, expires_at = excluded.expires_at
      returning 1
    )
    select coalesce((select not live or editing <> ${editing} from before), true) as changed from up`.execute(s.db);
  if (result.rows[0]?.changed) await emitChanged(s, dashboard);
  return presentOn(s, dashboard.id);
}

/** The caller's page closed: absent at once. True when they were present. */
export async function leave(s: CollaborationScope, dashboard: DashboardRef): Promise<boolean> {
  const result = await presenceDb(s.db)
    .deleteFrom("collaboration_presence")
    .where("dashboard_id", "=", dashboard.id)
    .where("user_id", "=", s.userId)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  const left = Number(result.numDeletedRows) > 0;
  if (left) await emitChanged(s, dashboard);
  return left;
}

function emitChanged(s: CollaborationScope, dashboard: DashboardRef) {
  return s.kernel.events.emit("collaboration.presence.changed", { dashboardId: dashboard.id, projectId: dashboard.projectId }, { orgId: s.orgId, db: s.db });
}

/** What a dashboard's live stream carries, before the router turns it into what a page reads. */
export type LiveEvent =
  | { kind: "saved"; version: number; byId: string | null }
  | { kind: "comment"; threadId: string; commentId: string; byId: string }
  | { kind: "presence" };

/**
 * The events about one dashboard, in the order the bus delivers them, until `signal` aborts.
 * Listening starts when this is called (not at the first `next()`), so nothing emitted after the
 * call is missed: a subscription may read the current state first and then follow the stream.
 * At most `maxQueued` undelivered events are kept; past that the oldest are dropped (a page that
 * cannot keep up reloads anyway), so a stalled reader cannot grow the server's memory. `close()`
 * stops listening even when the stream was never read (call it in a `finally`); `poke()` asks
 * the reader to look at presence again (after a heartbeat: someone may have lapsed).
 */
export function dashboardLive(bus: EventBus, where: { orgId: string; dashboardId: string }, signal: AbortSignal | undefined, maxQueued = 100): AsyncGenerator<LiveEvent> & { close(): void; poke(): void } {
  const queue: LiveEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (event: LiveEvent) => {
    queue.push(event);
    if (queue.length > maxQueued) queue.shift();
    wake?.();
  };
  const mine = (e: EventEnvelope) => e.orgId === where.orgId;
  const offs = [
    bus.on("dashboard.updated", (e) => {
      if (mine(e) && e.payload.dashboardId === where.dashboardId) push({ kind: "saved", version: e.payload.version, byId: e.payload.actorId });
    }),
    bus.on("collaboration.comment.added", (e) => {
      if (mine(e) && e.payload.dashboardId === where.dashboardId) push({ kind: "comment", threadId: e.payload.threadId, commentId: e.payload.commentId, byId: e.payload.authorId });
    }),
    bus.on("collaboration.presence.changed", (e) => {
      if (mine(e) && e.payload.dashboardId === where.dashboardId) push({ kind: "presence" });
    }),
  ];
  let closed = false;
  const stop = () => {
    closed = true;
    for (const off of offs) off();
    wake?.();
  };
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  const events = (async function* () {
    try {
      while (!closed) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      signal?.removeEventListener("abort", stop);
      stop();
    }
  })();
  return Object.assign(events, {
    poke: () => push({ kind: "presence" }),
    close() {
      signal?.removeEventListener("abort", stop);
      stop();
    },
  });
}
