/**
 * Setup task runs: starting one only records it and enqueues its job (no work in the request);
 * at most one active run per org and task, held by a partial unique index, so concurrent
 * starts on any number of app instances end with one run; cancel, history and the task board.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { sql, type Kysely } from "kysely";
import type { KernelDatabase, Role } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { FieldErrors, fieldError, notFound } from "~/kernel/errors";
import { REASONS, STORED_PARAMS, TASKS, TASK_IDS, TASK_PARAMS, type Badge, type ReasonCode, type TaskId } from "./catalog";
import { onboardingManage } from "./capabilities";
import { newestEvidence } from "./status";
import { onboardingDb, type EvidenceRow, type RunRow, type RunStatus } from "./tables";
import { taskRunJob } from "./worker";

export const ACTIVE: RunStatus[] = ["queued", "running"];

export interface RunView {
  id: string;
  task: TaskId;
  label: string;
  status: RunStatus;
  attempts: number;
  params: Record<string, unknown>;
  reasonCode: string | null;
  message: string | null;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  retryAt: string | null;
}

export interface EvidenceView {
  status: Badge;
  reasonCode: string;
  message: string;
  subject: string;
  payload: Record<string, unknown>;
  observedAt: string;
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

export function runView(row: RunRow): RunView {
  const task = row.task as TaskId;
  return {
    id: row.id,
    task,
    label: TASKS[task]?.label ?? row.task,
    status: row.status,
    attempts: row.attempts,
    params: row.params,
    reasonCode: row.reason_code,
    message: row.message,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    retryAt: iso(row.retry_at),
  };
}

export function evidenceView(row: EvidenceRow): EvidenceView {
  return { status: row.status, reasonCode: row.reason_code, message: row.message, subject: row.subject, payload: row.payload, observedAt: row.observed_at.toISOString() };
}

/** Validates a task's parameters; errors are reported under `params.`. */
export function parseTaskParams(task: TaskId, params: unknown): Record<string, unknown> {
  const parsed = TASK_PARAMS[task].safeParse(params ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const path of keys) {
      const key = ["params", ...path.map(String)].join(".");
      (fields[key] ??= []).push(issue.code === "unrecognized_keys" ? `"${TASKS[task].label}" takes no setting "${String(path[path.length - 1])}"` : issue.message);
    }
  }
  const [first] = Object.entries(fields);
  throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: first ? `${first[0]}: ${first[1][0]}` : "Invalid parameters", cause: new FieldErrors(fields) });
}

async function activeRun(db: Kysely<KernelDatabase>, orgId: string, task: TaskId): Promise<RunRow | undefined> {
  return onboardingDb(db).selectFrom("onboarding_task_runs").selectAll().where("org_id", "=", orgId).where("task", "=", task).where("status", "in", ACTIVE).executeTakeFirst();
}

export interface StartInput {
  task: TaskId;
  params?: Record<string, unknown>;
  /** Give back the active run instead of a 409 when one exists. */
  idempotent?: boolean;
}

/**
 * Records a queued run and enqueues its job in the caller's transaction (both or neither). A
 * concurrent start of the same task waits on the unique index and then finds the winner's run:
 * 409 naming it, or the run itself when `idempotent`.
 */
export async function startTask(
  kernel: Kernel,
  db: Kysely<KernelDatabase>,
  orgId: string,
  userId: string,
  input: StartInput,
): Promise<{ run: RunView; created: boolean }> {
  const params = parseTaskParams(input.task, input.params);
  const stored = Object.fromEntries(STORED_PARAMS.filter((k) => params[k] !== undefined).map((k) => [k, params[k]]));
  for (let attempt = 0; attempt < 3; attempt++) {
    // The job's id is chosen here, so the run row carries it from its insert (no second write).
    const jobId = randomUUID();
    const inserted = await onboardingDb(db)
      .insertInto("onboarding_task_runs")
      .values({ org_id: orgId, task: input.task, params: JSON.stringify(stored), requested_by: userId, job_id: jobId })
      .onConflict((oc) => oc.columns(["org_id", "task"]).where("status", "in", ACTIVE).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      await kernel.jobs.enqueue(taskRunJob, { runId: inserted.id, orgId, ...(input.task === "data.import" ? { csv: String(params.csv) } : {}) }, { db, id: jobId });
      return { run: runView(inserted), created: true };
    }
    const active = await activeRun(db, orgId, input.task);
    if (!active) continue; // it finished between the insert and the read: try again
    if (input.idempotent) return { run: runView(active), created: false };
    throw fieldError(
      "CONFLICT",
      "task",
      `“${TASKS[input.task].label}” already has an active run (${active.id}, ${active.status} since ${(active.started_at ?? active.created_at).toISOString()}). Follow that run, cancel it, or start with idempotent: true to get it back.`,
    );
  }
  throw new TRPCError({ code: "CONFLICT", message: "The task's runs are changing too fast; try again." });
}

export async function getRun(db: Kysely<KernelDatabase>, orgId: string, runId: string): Promise<RunView> {
  const row = await onboardingDb(db).selectFrom("onboarding_task_runs").selectAll().where("org_id", "=", orgId).where("id", "=", runId).executeTakeFirst();
  if (!row) throw notFound("Task run not found.");
  return runView(row);
}

/** Cancels a queued or running run. The worker notices at its next heartbeat and stops. */
export async function cancelRun(db: Kysely<KernelDatabase>, orgId: string, runId: string): Promise<RunView> {
  const row = await onboardingDb(db)
    .updateTable("onboarding_task_runs")
    .set({ status: "cancelled", reason_code: "cancelled", message: REASONS.cancelled.message, finished_at: sql<Date>`now()`, retry_at: null })
    .where("org_id", "=", orgId)
    .where("id", "=", runId)
    .where("status", "in", ACTIVE)
    .returningAll()
    .executeTakeFirst();
  if (row) return runView(row);
  const existing = await getRun(db, orgId, runId);
  throw new TRPCError({ code: "CONFLICT", message: `This run has already ${existing.status === "cancelled" ? "been cancelled" : existing.status === "succeeded" ? "succeeded" : "failed"}; there is nothing to cancel.` });
}

export async function runHistory(db: Kysely<KernelDatabase>, orgId: string, options: { task?: TaskId; limit: number }): Promise<RunView[]> {
  let q = onboardingDb(db).selectFrom("onboarding_task_runs").selectAll().where("org_id", "=", orgId).orderBy("created_at", "desc").limit(options.limit);
  if (options.task) q = q.where("task", "=", options.task);
  return (await q.execute()).map(runView);
}

export interface TaskBoardEntry {
  id: TaskId;
  label: string;
  description: string;
  /** The newest stored evidence of this task (any subject), or null: the badge is "unknown". */
  evidence: EvidenceView | null;
  badge: Badge;
  activeRun: RunView | null;
  lastRun: RunView | null;
}

export interface TaskBoard {
  tasks: TaskBoardEntry[];
  /** Whether the caller may start and cancel tasks, and if not, why. */
  canManage: boolean;
  readOnlyReason: string | null;
}

export async function taskBoard(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, role: Role): Promise<TaskBoard> {
  // Runs first, then evidence: a run ends in the transaction that writes its evidence, and each
  // read sees what was committed before it began. Read in this order, a run that ends between
  // the two shows as still active beside its new evidence (the board looks again while anything
  // is active). Read the other way round it would show as ended with the old evidence or none,
  // and a board with nothing active is not looked at again: the wizard's checks waited forever.
  const runs = await onboardingDb(db)
    .selectFrom("onboarding_task_runs")
    .selectAll()
    .distinctOn("task")
    .where("org_id", "=", orgId)
    .orderBy("task")
    .orderBy("created_at", "desc")
    .execute();
  const evidence = await newestEvidence(db, orgId);
  const canManage = kernel.capabilities.allows(role, onboardingManage.id);
  return {
    tasks: TASK_IDS.map((id) => {
      const newest = evidence.filter((e) => e.task === id).sort((a, b) => b.observed_at.getTime() - a.observed_at.getTime())[0] ?? null;
      const last = runs.find((r) => r.task === id) ?? null;
      return {
        id,
        label: TASKS[id].label,
        description: TASKS[id].description,
        evidence: newest ? evidenceView(newest) : null,
        badge: newest?.status ?? "unknown",
        activeRun: last && ACTIVE.includes(last.status) ? runView(last) : null,
        lastRun: last ? runView(last) : null,
      };
    }),
    canManage,
    readOnlyReason: canManage ? null : `Your role (${role}) does not allow this: ${onboardingManage.description}.`,
  };
}

export function reasonOf(code: ReasonCode) {
  return REASONS[code];
}
