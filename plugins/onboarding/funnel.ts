/**
 * The setup funnel, for the instance's operator: product events recorded when an org first
 * reaches a setup stage (seen by any status read or finished run) and when a wizard step is
 * completed or skipped (with the time spent on it), and the report `atrium onboarding:funnel`
 * prints from them. Events carry ids, stage and step names and durations: nothing a person typed.
 */
import { sql, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { STAGES, type Stage } from "./status";
import { onboardingDb } from "./tables";
import { WIZARD_STEPS } from "./wizard-steps";

/** Per kernel: the furthest stage index already recorded for each org (saves a write per status read). */
const recorded = new WeakMap<Kernel, Map<string, number>>();

/**
 * Records that the org has reached `stage` (and every stage before it) unless already recorded;
 * once per org and stage, whatever the number of instances (a unique index).
 */
export async function recordStageReached(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, stage: Stage): Promise<void> {
  const index = STAGES.indexOf(stage);
  let seen = recorded.get(kernel);
  if (!seen) recorded.set(kernel, (seen = new Map()));
  if ((seen.get(orgId) ?? -1) >= index) return;
  await onboardingDb(db)
    .insertInto("onboarding_funnel_events")
    .values(STAGES.slice(0, index + 1).map((key) => ({ org_id: orgId, kind: "stage_reached" as const, key })))
    .onConflict((oc) => oc.columns(["org_id", "key"]).where("kind", "=", "stage_reached").doNothing())
    .execute();
  seen.set(orgId, index);
}

/** Forgets what this process recorded (an org deleted, tests). */
export function forgetRecordedStages(kernel: Kernel): void {
  recorded.delete(kernel);
}

/** A wizard step completed or skipped in a session, with the time spent on it; the first time only. */
export async function recordStep(db: Kysely<KernelDatabase>, orgId: string, sessionId: string, step: string, outcome: "completed" | "skipped", durationMs: number): Promise<void> {
  await onboardingDb(db)
    .insertInto("onboarding_funnel_events")
    .values({ org_id: orgId, session_id: sessionId, kind: outcome === "completed" ? "step_completed" : "step_skipped", key: step, duration_ms: Math.max(0, Math.round(durationMs)) })
    .onConflict((oc) => oc.columns(["session_id", "kind", "key"]).where("session_id", "is not", null).doNothing())
    .execute();
}

export interface FunnelReport {
  since: string | null;
  orgs: number;
  /** Per stage in order: orgs that reached it, and the time from the org's creation (seconds). */
  stages: Array<{ stage: Stage; orgs: number; share: number; medianSeconds: number | null; p90Seconds: number | null }>;
  /** Per wizard step: sessions that completed or skipped it, and the time spent on it (seconds). */
  steps: Array<{ step: string; completed: number; skipped: number; medianSeconds: number | null; p90Seconds: number | null }>;
  sessions: Record<"draft" | "in_progress" | "completed" | "abandoned", number>;
}

const seconds = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/** The funnel across every org (created since `since`, when given), on the owner's connection. */
export async function funnelReport(kernel: Kernel, options: { since?: Date } = {}): Promise<FunnelReport> {
  const db = onboardingDb(kernel.ownerDb);
  const since = options.since ?? new Date(0);
  const orgs = await db.selectFrom("orgs").select((eb) => eb.fn.countAll<string>().as("n")).where("deleted_at", "is", null).where("created_at", ">=", since).executeTakeFirstOrThrow();
  const stageRows = await db
    .selectFrom("onboarding_funnel_events as e")
    .innerJoin("orgs as o", "o.id", "e.org_id")
    .select([
      "e.key",
      (eb) => eb.fn.countAll<string>().as("n"),
      sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from e.at - o.created_at))`.as("median"),
      sql<number | null>`percentile_cont(0.9) within group (order by extract(epoch from e.at - o.created_at))`.as("p90"),
    ])
    .where("e.kind", "=", "stage_reached")
    .where("o.deleted_at", "is", null)
    .where("o.created_at", ">=", since)
    .groupBy("e.key")
    .execute();
  const stepRows = await db
    .selectFrom("onboarding_funnel_events as e")
    .innerJoin("orgs as o", "o.id", "e.org_id")
    .select([
      "e.key",
      sql<string>`count(*) filter (where e.kind = 'step_completed')`.as("completed"),
      sql<string>`count(*) filter (where e.kind = 'step_skipped')`.as("skipped"),
      sql<number | null>`percentile_cont(0.5) within group (order by e.duration_ms / 1000.0)`.as("median"),
      sql<number | null>`percentile_cont(0.9) within group (order by e.duration_ms / 1000.0)`.as("p90"),
    ])
    .where("e.kind", "in", ["step_completed", "step_skipped"])
    .where("o.deleted_at", "is", null)
    .where("o.created_at", ">=", since)
    .groupBy("e.key")
    .execute();
  const sessionRows = await db
    .selectFrom("onboarding_sessions as s")
    .innerJoin("orgs as o", "o.id", "s.org_id")
    .select(["s.status", (eb) => eb.fn.countAll<string>().as("n")])
    .where("o.deleted_at", "is", null)
    .where("o.created_at", ">=", since)
    .groupBy("s.status")
    .execute();
  const total = Number(orgs.n);
  return {
    since: options.since ? options.since.toISOString() : null,
    orgs: total,
    stages: STAGES.map((stage) => {
      const row = stageRows.find((r) => r.key === stage);
      const n = Number(row?.n ?? 0);
      return { stage, orgs: n, share: total ? Math.round((n / total) * 1000) / 1000 : 0, medianSeconds: seconds(row?.median), p90Seconds: seconds(row?.p90) };
    }),
    steps: WIZARD_STEPS.map(({ id }) => {
      const row = stepRows.find((r) => r.key === id);
      return { step: id, completed: Number(row?.completed ?? 0), skipped: Number(row?.skipped ?? 0), medianSeconds: seconds(row?.median), p90Seconds: seconds(row?.p90) };
    }),
    sessions: {
      draft: Number(sessionRows.find((r) => r.status === "draft")?.n ?? 0),
      in_progress: Number(sessionRows.find((r) => r.status === "in_progress")?.n ?? 0),
      completed: Number(sessionRows.find((r) => r.status === "completed")?.n ?? 0),
      abandoned: Number(sessionRows.find((r) => r.status === "abandoned")?.n ?? 0),
    },
  };
}

const fmt = (s: number | null) => (s === null ? "-" : s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 6) / 10}m` : `${Math.round(s / 360) / 10}h`);

/** The report as aligned text lines for the terminal. */
export function formatFunnel(report: FunnelReport): string[] {
  const lines = [`Setup funnel: ${report.orgs} organization${report.orgs === 1 ? "" : "s"}${report.since ? ` created since ${report.since}` : ""}`, "", "stage                  orgs   share  median  p90  (time since the org was created)"];
  for (const s of report.stages) lines.push(`${s.stage.padEnd(22)} ${String(s.orgs).padStart(5)}  ${`${Math.round(s.share * 100)}%`.padStart(5)}  ${fmt(s.medianSeconds).padStart(6)}  ${fmt(s.p90Seconds).padStart(5)}`);
  lines.push("", "wizard step   completed  skipped  median  p90  (time on the step)");
  for (const s of report.steps) lines.push(`${s.step.padEnd(13)} ${String(s.completed).padStart(9)}  ${String(s.skipped).padStart(7)}  ${fmt(s.medianSeconds).padStart(6)}  ${fmt(s.p90Seconds).padStart(5)}`);
  const ss = report.sessions;
  lines.push("", `sessions: ${ss.draft} draft, ${ss.in_progress} in progress, ${ss.completed} completed, ${ss.abandoned} abandoned`);
  return lines;
}
