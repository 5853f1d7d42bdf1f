/**
 * The worker side of setup tasks: the job that runs one task run, its heartbeat, and the reaper
 * that marks a run failed when the worker running it died.
 *
 * A run executes as the person who started it: the job calls the same procedures the browser
 * would (`data.sources.test`, `dashboards.create`, …) through a caller acting as that person, so
 * every permission is checked again when the work happens. Outcomes become evidence with a
 * reason code from the catalog and an allow-listed payload; an error's own text is never
 * stored, logged or returned (a connection error can carry a user name or a password).
 */
import { TRPCError, type AnyRouter } from "@trpc/server";
import { sql } from "kysely";
import { defineJob } from "~/kernel/jobs";
import type { Kernel } from "~/kernel/kernel";
import { buildAppRouter } from "~/kernel/router";
import { createCallerFactory, type RequestContext } from "~/kernel/trpc";
import { liveDashboards } from "../dashboards/directory";
import { REASONS, allowListedPayload, isTaskId, type ReasonCode, type TaskId } from "./catalog";
import { recordStageReached } from "./funnel";
import { setupStatus } from "./status";
import { onboardingDb, type RunRow } from "./tables";
import { chooseTemplate, type DescribedTable } from "./templates";

/** Retries after the first failure, for transient outcomes (refused, timed out, busy). */
export const TASK_RETRY_LIMIT = 3;

export interface OnboardingSettings {
  /** How often a running task's worker says it is alive. */
  heartbeatMs: number;
  /** A running task whose worker has been silent this long is failed by the reaper. */
  staleAfterMs: number;
  /** How often the reaper looks. */
  reapEveryMs: number;
}

const DEFAULTS: OnboardingSettings = { heartbeatMs: 5_000, staleAfterMs: 30_000, reapEveryMs: 10_000 };
const settingsByKernel = new WeakMap<Kernel, OnboardingSettings>();
const routers = new WeakMap<Kernel, AnyRouter>();
const reapers = new WeakMap<Kernel, NodeJS.Timeout>();

export function onboardingSettings(kernel: Kernel): OnboardingSettings {
  return settingsByKernel.get(kernel) ?? DEFAULTS;
}

/** Tests and the bench tune the timings; restarts the reaper with them. */
export function configureOnboarding(kernel: Kernel, settings: Partial<OnboardingSettings>): void {
  settingsByKernel.set(kernel, { ...onboardingSettings(kernel), ...settings });
  if (reapers.has(kernel)) startReaper(kernel);
}

/** Thrown to make the job system retry with backoff; carries only a reason code. */
class TransientOutcome extends Error {
  override name = "TransientOutcome";
  constructor(readonly reason: ReasonCode) {
    super(`transient outcome: ${reason}`);
  }
}

export interface Outcome {
  reason: ReasonCode;
  subject: string;
  payload: Record<string, unknown>;
}

export interface TaskRunJobData {
  runId: string;
  orgId: string;
  /** data.import only: the CSV text (kept in the job, never on the run). */
  csv?: string;
}

/** The whole app router, built once per kernel from its installed plugins (jobs call procedures by path). */
function appRouter(kernel: Kernel): AnyRouter {
  let router = routers.get(kernel);
  if (!router) {
    router = buildAppRouter(kernel.plugins) as unknown as AnyRouter;
    routers.set(kernel, router);
  }
  return router;
}

type Call = <T>(path: string, input: Record<string, unknown>) => Promise<T>;

/** Calls procedures as `userId`, with every guard, as a browser request of theirs would. */
function callerAs(kernel: Kernel, userId: string, jobId: string, signal: AbortSignal): Call {
  const ctx: RequestContext = { kernel, actor: { kind: "user", userId, sessionId: null }, db: kernel.db, requestId: `job-${jobId}`, ip: null, resHeaders: null, signal };
  const caller = createCallerFactory(appRouter(kernel))(ctx) as unknown as Record<string, unknown>;
  return async <T>(path: string, input: Record<string, unknown>) => {
    let target: unknown = caller;
    for (const segment of path.split(".")) target = (target as Record<string, unknown>)[segment];
    return (target as (i: unknown) => Promise<T>)(input);
  };
}

/** A connection failure's reason, from the field at fault and the data plugin's message (neither message is stored). */
export function connectionReason(message: string, field: string | null = null): ReasonCode {
  if (field === "config.user" || field === "config.password") return "auth.failed";
  if (field === "config.database" && /does not exist/i.test(message)) return "database.missing";
  if (field === "config.sslmode") return "tls.failed";
  if (/refused/i.test(message) && /connection/i.test(message)) return "connection.refused";
  if (/timed out|timeout/i.test(message)) return "connection.timeout";
  if (/password authentication|refused user/i.test(message)) return "auth.failed";
  if (/could not resolve|ENOTFOUND|EAI_AGAIN/i.test(message)) return "host.unknown";
  if (/does not exist/i.test(message)) return "database.missing";
  if (/TLS|SSL|certificate/i.test(message)) return "tls.failed";
  if (/too many connections|closed the connection/i.test(message)) return "connection.unavailable";
  if (/not allowed|private|loopback|Atrium's own/i.test(message)) return "host.refused";
  return "connection.failed";
}

/** The reason for an error a procedure threw (its message is never kept). */
function errorReason(task: TaskId, err: unknown): ReasonCode {
  if (!(err instanceof TRPCError)) return "internal";
  switch (err.code) {
    case "FORBIDDEN":
    case "UNAUTHORIZED":
      return "permission.denied";
    case "NOT_FOUND":
      return "target.missing";
    case "TOO_MANY_REQUESTS":
    case "SERVICE_UNAVAILABLE":
      return "connection.unavailable";
    case "BAD_GATEWAY":
      return connectionReason(err.message);
    case "UNPROCESSABLE_CONTENT":
      return task === "data.import" ? "data.invalid" : task.startsWith("dashboard.") ? "dashboard.failed" : "source.invalid";
    default:
      return "internal";
  }
}

/** Date and time column types, as the data plugin describes them. */
const TIME_TYPE = /^(date|timestamp)/i;
/** Newer than this many days is fresh; older is a warning. */
export const FRESH_DAYS = 30;

/** Quotes an identifier for SQL. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table a check looks at: the sample's orders when loaded, else the first fitting table outside the sample. */
function checkedTable(tables: readonly DescribedTable[], fits: (t: DescribedTable) => boolean): DescribedTable | undefined {
  const candidates = tables.filter(fits);
  return candidates.find((t) => t.schema === "sample" && t.name === "orders") ?? candidates.find((t) => t.schema !== "sample") ?? candidates[0];
}

async function execute(kernel: Kernel, run: RunRow, data: TaskRunJobData, call: Call): Promise<Outcome> {
  const task = run.task as TaskId;
  const orgId = run.org_id;
  const params = run.params as { sourceId?: string; table?: string; projectId?: string; slug?: string };
  const sourceId = params.sourceId ?? "warehouse";
  switch (task) {
    case "connection.verify": {
      const result = await call<{ ok: boolean; message: string; field: string | null; elapsedMs: number }>("data.sources.test", { orgId, sourceId });
      return { reason: result.ok ? "connection.ok" : connectionReason(result.message, result.field), subject: sourceId, payload: { elapsedMs: result.elapsedMs, field: result.field } };
    }
    case "schema.introspect": {
      const result = await call<{ tables: Array<{ schema: string; columns: unknown[] }> }>("data.describeTables", { orgId, sourceId });
      const columns = result.tables.reduce((n, t) => n + t.columns.length, 0);
      return { reason: result.tables.length ? "schema.found" : "schema.empty", subject: sourceId, payload: { tables: result.tables.length, columns, schemas: new Set(result.tables.map((t) => t.schema)).size } };
    }
    case "data.freshness": {
      const described = await call<{ tables: DescribedTable[] }>("data.describeTables", { orgId, sourceId });
      const table = checkedTable(described.tables, (t) => t.columns.some((c) => TIME_TYPE.test(c.type)));
      if (!table) return { reason: described.tables.length ? "data.no_timestamp" : "data.none", subject: sourceId, payload: {} };
      const column = table.columns.find((c) => TIME_TYPE.test(c.type))!;
      const result = await call<{ rows: unknown[][] }>("data.runQuery", { orgId, sourceId, sql: `select max(${ident(column.name)})::timestamptz as newest from ${ident(table.schema)}.${ident(table.name)}`, refresh: true });
      const newest = result.rows[0]?.[0];
      const at = newest === null || newest === undefined ? null : new Date(String(newest));
      if (!at || Number.isNaN(at.getTime())) return { reason: "data.no_timestamp", subject: sourceId, payload: { table: `${table.schema}.${table.name}`, column: column.name } };
      const ageDays = Math.max(0, Math.floor((Date.now() - at.getTime()) / 86_400_000));
      return { reason: ageDays > FRESH_DAYS ? "data.stale" : "data.fresh", subject: sourceId, payload: { table: `${table.schema}.${table.name}`, column: column.name, newest: at.toISOString(), ageDays } };
    }
    case "query.test": {
      const described = await call<{ tables: DescribedTable[] }>("data.describeTables", { orgId, sourceId });
      const table = checkedTable(described.tables, () => true);
      if (!table) return { reason: "data.none", subject: sourceId, payload: {} };
      try {
        const result = await call<{ rows: unknown[][]; elapsedMs: number }>("data.runQuery", { orgId, sourceId, sql: `select count(*)::int as row_count from ${ident(table.schema)}.${ident(table.name)}`, refresh: true });
        return { reason: "query.answered", subject: sourceId, payload: { table: `${table.schema}.${table.name}`, rows: Number(result.rows[0]?.[0] ?? 0), elapsedMs: result.elapsedMs } };
      } catch (err) {
        if (err instanceof TRPCError && (err.code === "UNPROCESSABLE_CONTENT" || err.code === "BAD_REQUEST")) return { reason: "query.failed", subject: sourceId, payload: { table: `${table.schema}.${table.name}` } };
        throw err;
      }
    }
    case "data.import": {
      const result = await call<{ table: string; rowsImported: number; rowsRejected: number; columns: unknown[] }>("data.importCsv", { orgId, table: params.table, csv: data.csv ?? "", mode: "replace" });
      return {
        reason: result.rowsRejected ? "data.partly_imported" : "data.imported",
        subject: "warehouse",
        payload: { table: result.table, rowsImported: result.rowsImported, rowsRejected: result.rowsRejected, columns: result.columns.length },
      };
    }
    case "sample.load": {
      const result = await call<{ totalRows: number; tables: unknown[]; elapsedMs: number }>("data.loadSample", { orgId });
      return { reason: "sample.loaded", subject: "warehouse", payload: { totalRows: result.totalRows, tables: result.tables.length, elapsedMs: result.elapsedMs } };
    }
    case "dashboard.generate": {
      // The first live project by name is where a dashboard goes when none was chosen.
      const projects = await call<{ items: Array<{ id: string }> }>("projects.list", { orgId, includeArchived: false, limit: 1 });
      const projectId = params.projectId ?? projects.items[0]?.id;
      if (!projectId) return { reason: "dashboard.no_project", subject: "", payload: {} };
      // Idempotent: while the dashboard an earlier run created still lives, it is the setup's
      // first dashboard (going back to step 5 and creating again must not make a second one).
      const earlier = await kernel.withScope({ orgId, userId: run.requested_by }, async (trx) => {
        const made = await onboardingDb(trx)
          .selectFrom("onboarding_evidence")
          .select(["subject", "payload"])
          .where("org_id", "=", orgId)
          .where("task", "=", "dashboard.generate")
          .where("reason_code", "in", ["dashboard.created", "dashboard.exists"])
          .orderBy("observed_at", "desc")
          .execute();
        const live = await liveDashboards(trx, orgId);
        for (const m of made) {
          const found = live.find((d) => d.id === m.subject);
          if (found) return { dashboard: found, template: (m.payload as { template?: string }).template };
        }
        return null;
      });
      if (earlier) return { reason: "dashboard.exists", subject: earlier.dashboard.id, payload: { template: earlier.template, projectId: earlier.dashboard.projectId, slug: earlier.dashboard.slug } };
      const described = await call<{ tables: DescribedTable[] }>("data.describeTables", { orgId, sourceId: "warehouse" });
      const template = chooseTemplate(described.tables);
      if (!template) return { reason: "dashboard.no_data", subject: "", payload: {} };
      const created = await call<{ slug: string }>("dashboards.create", { orgId, projectId, yaml: template.yaml, message: "Created by the setup" });
      // The evidence's subject is the dashboard's id (the next generate finds it by it).
      const made = await kernel.withScope({ orgId, userId: run.requested_by }, async (trx) => (await liveDashboards(trx, orgId)).find((d) => d.projectId === projectId && d.slug === created.slug));
      return { reason: "dashboard.created", subject: made?.id ?? "", payload: { template: template.id, projectId, slug: created.slug } };
    }
    case "dashboard.run": {
      const target = await kernel.withScope({ orgId, userId: run.requested_by }, async (trx) => {
        const live = await liveDashboards(trx, orgId);
        return params.slug ? live.find((d) => d.slug === params.slug && (!params.projectId || d.projectId === params.projectId)) : live[0];
      });
      if (!target) return { reason: "dashboard.missing", subject: "", payload: {} };
      const output = await call<{ results: Record<string, { ok: boolean }> }>("dashboards.run", { orgId, projectId: target.projectId, slug: target.slug, refresh: true });
      const results = Object.values(output.results);
      const failed = results.filter((r) => !r.ok).length;
      const reason: ReasonCode = failed === 0 ? "dashboard.ran" : failed < results.length ? "dashboard.partly_failed" : "dashboard.failed";
      return { reason, subject: target.id, payload: { queries: results.length, failed, projectId: target.projectId, slug: target.slug } };
    }
  }
}

/** Records the outcome on the run (if it is still this worker's) and its evidence, in one transaction (exported for tests). */
export async function finish(kernel: Kernel, run: RunRow, worker: string, outcome: Outcome): Promise<void> {
  const reason = REASONS[outcome.reason];
  const task = run.task as TaskId;
  await kernel.withScope({ orgId: run.org_id }, async (trx) => {
    const db = onboardingDb(trx);
    const updated = await db
      .updateTable("onboarding_task_runs")
      .set({ status: reason.status === "fail" ? "failed" : "succeeded", reason_code: outcome.reason, message: reason.message, finished_at: sql<Date>`now()`, retry_at: null })
      .where("id", "=", run.id)
      .where("status", "=", "running")
      .where("worker", "=", worker)
      .returning("id")
      .executeTakeFirst();
    if (!updated) return; // cancelled or reaped meanwhile: its outcome is no longer news
    await db
      .insertInto("onboarding_evidence")
      .values({
        org_id: run.org_id,
        task,
        subject: outcome.subject,
        status: reason.status,
        reason_code: outcome.reason,
        message: reason.message,
        payload: JSON.stringify(allowListedPayload(task, outcome.payload)),
        run_id: run.id,
      })
      .execute();
  });
}

/** The funnel: a finished run may move the org on a stage; recorded now, not at someone's next look. */
async function noteStage(kernel: Kernel, run: RunRow): Promise<void> {
  try {
    await kernel.withScope({ orgId: run.org_id, userId: run.requested_by }, async (trx) => {
      const status = await setupStatus(kernel, trx, run.org_id, "owner");
      await recordStageReached(kernel, trx, run.org_id, status.stage);
    });
  } catch (err) {
    kernel.log.warn({ runId: run.id, err: (err as Error)?.name }, "recording the setup stage failed");
  }
}

/** Puts a run back in the queue to be retried after a transient failure. */
async function requeue(kernel: Kernel, run: RunRow, worker: string, reasonCode: ReasonCode, retryCount: number): Promise<void> {
  const delaySeconds = 2 * 2 ** retryCount;
  await kernel.withScope({ orgId: run.org_id }, (trx) =>
    onboardingDb(trx)
      .updateTable("onboarding_task_runs")
      .set({ status: "queued", reason_code: reasonCode, message: REASONS[reasonCode].message, retry_at: sql<Date>`now() + make_interval(secs => ${delaySeconds})`, heartbeat_at: null })
      .where("id", "=", run.id)
      .where("status", "=", "running")
      .where("worker", "=", worker)
      .execute(),
  );
}

export const taskRunJob = defineJob<"onboarding.task-run", TaskRunJobData>("onboarding.task-run", {
  retryLimit: TASK_RETRY_LIMIT,
  retryDelaySeconds: 2,
  expireInSeconds: 300,
  // Short and I/O-bound, and a person watches the badge: several orgs' setups run side by side.
  concurrency: 4,
  async run(data, { kernel: k, log, jobId, retryCount, signal }) {
    const kernel = k as Kernel;
    const settings = onboardingSettings(kernel);
    const worker = `${process.pid}:${kernel.events.instanceId}`;
    // Claim the run: queued, or running under a worker that went silent (a job the job system
    // handed out again). A cancelled or finished run is left alone.
    const run = await kernel.withScope({ orgId: data.orgId }, (trx) =>
      onboardingDb(trx)
        .updateTable("onboarding_task_runs")
        .set({ status: "running", worker, attempts: sql<number>`attempts + 1`, started_at: sql<Date>`coalesce(started_at, now())`, heartbeat_at: sql<Date>`now()`, retry_at: null })
        .where("id", "=", data.runId)
        .where((eb) =>
          eb.or([eb("status", "=", "queued"), eb.and([eb("status", "=", "running"), eb("heartbeat_at", "<", sql<Date>`now() - make_interval(secs => ${settings.staleAfterMs / 1000})`)])]),
        )
        .returningAll()
        .executeTakeFirst(),
    );
    if (!run || !isTaskId(run.task)) return;
    const stop = new AbortController();
    signal.addEventListener("abort", () => stop.abort(), { once: true });
    const heartbeat = setInterval(() => {
      void kernel
        .withScope({ orgId: run.org_id }, (trx) =>
          onboardingDb(trx).updateTable("onboarding_task_runs").set({ heartbeat_at: sql<Date>`now()` }).where("id", "=", run.id).where("status", "=", "running").where("worker", "=", worker).returning("id").executeTakeFirst(),
        )
        .then((alive) => {
          if (!alive) stop.abort(); // cancelled or reaped: stop the work
        })
        .catch(() => {});
    }, settings.heartbeatMs);
    try {
      if (!run.requested_by) {
        await finish(kernel, run, worker, { reason: "permission.denied", subject: "", payload: {} });
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await execute(kernel, run, data, callerAs(kernel, run.requested_by, jobId, stop.signal));
      } catch (err) {
        const reason = errorReason(run.task, err);
        // Only the code and the reason reach the log: an error's message may carry a secret.
        log.warn({ task: run.task, runId: run.id, reason, code: err instanceof TRPCError ? err.code : (err as Error)?.name }, "setup task failed");
        outcome = { reason, subject: "", payload: {} };
      }
      if (REASONS[outcome.reason].status === "fail" && (REASONS[outcome.reason] as { transient?: boolean }).transient && retryCount < TASK_RETRY_LIMIT) {
        await requeue(kernel, run, worker, outcome.reason, retryCount);
        throw new TransientOutcome(outcome.reason);
      }
      await finish(kernel, run, worker, outcome);
      await noteStage(kernel, run);
    } finally {
      clearInterval(heartbeat);
    }
  },
});

/**
 * Fails every running run whose worker has been silent past `staleAfterMs` (the process died:
 * kill -9, a lost machine), with evidence saying so. Runs across orgs, so on the owner's
 * connection, as operator work does; it touches only runs that no live worker holds.
 */
export async function reapLostRuns(kernel: Kernel): Promise<number> {
  const settings = onboardingSettings(kernel);
  const message = REASONS["worker.lost"].message;
  // One statement: a run is never failed without its evidence (a crash between the two would
  // leave a board with the run ended and no word of why).
  const reaped = await onboardingDb(kernel.ownerDb)
    .with("reaped", (db) =>
      db
        .updateTable("onboarding_task_runs")
        .set({ status: "failed", reason_code: "worker.lost", message, finished_at: sql<Date>`now()` })
        .where("status", "=", "running")
        .where("heartbeat_at", "<", sql<Date>`now() - make_interval(secs => ${settings.staleAfterMs / 1000})`)
        .returning(["id", "org_id", "task"]),
    )
    .with("evidence", (db) =>
      db
        .insertInto("onboarding_evidence")
        .columns(["org_id", "task", "subject", "status", "reason_code", "message", "payload", "run_id"])
        .expression((eb) =>
          eb
            .selectFrom("reaped")
            .select((s) => ["org_id", "task", s.val("").as("subject"), s.val("fail").as("status"), s.val("worker.lost").as("reason_code"), s.val(message).as("message"), sql<string>`'{}'::jsonb`.as("payload"), "id"]),
        ),
    )
    .selectFrom("reaped")
    .select(["id", "org_id", "task"])
    .execute();
  if (reaped.length) kernel.log.warn({ runs: reaped.map((r) => r.id) }, "setup task runs failed: their worker stopped");
  return reaped.length;
}

export function startReaper(kernel: Kernel): void {
  stopReaper(kernel);
  const timer = setInterval(() => void reapLostRuns(kernel).catch((err: unknown) => kernel.log.warn({ err: (err as Error)?.name }, "reaping lost setup runs failed")), onboardingSettings(kernel).reapEveryMs);
  timer.unref();
  reapers.set(kernel, timer);
}

export function stopReaper(kernel: Kernel): void {
  const timer = reapers.get(kernel);
  if (timer) clearInterval(timer);
  reapers.delete(kernel);
}
