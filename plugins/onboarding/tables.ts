/**
 * The onboarding plugin's row types (migrations/2026-12-02-001-task-runs.ts, -002-wizard-sessions.ts, -003-funnel-and-abandon.ts), reached with
 * `db.withTables<OnboardingTables>()`. Kernel tables come typed from `KernelDatabase`.
 */
import type { ColumnType, Generated, Kysely, Selectable } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type SessionStatus = "draft" | "in_progress" | "completed" | "abandoned";
export type FunnelKind = "stage_reached" | "step_completed" | "step_skipped";
export type EvidenceStatus = "ok" | "warn" | "fail" | "unknown";

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type OnboardingTables = {
  onboarding_task_runs: {
    id: Generated<string>;
    org_id: string;
    task: string;
    status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
    params: ColumnType<Record<string, unknown>, string | undefined, string>;
    attempts: Generated<number>;
    requested_by: string | null;
    job_id: string | null;
    worker: string | null;
    reason_code: string | null;
    message: string | null;
    created_at: Timestamp;
    started_at: NullableTimestamp;
    heartbeat_at: NullableTimestamp;
    retry_at: NullableTimestamp;
    finished_at: NullableTimestamp;
  };
  onboarding_evidence: {
    id: Generated<string>;
    org_id: string;
    task: string;
    subject: Generated<string>;
    status: EvidenceStatus;
    reason_code: string;
    message: string;
    payload: ColumnType<Record<string, unknown>, string | undefined, string>;
    run_id: string | null;
    observed_at: Timestamp;
  };
  onboarding_sessions: {
    id: Generated<string>;
    org_id: string;
    status: ColumnType<SessionStatus, SessionStatus | undefined, SessionStatus>;
    current_step: Generated<number>;
    answers: ColumnType<Record<string, unknown>, string | undefined, string>;
    skipped: ColumnType<string[], string[] | undefined, string[]>;
    assigned_to: string | null;
    lease_holder: string | null;
    lease_expires_at: NullableTimestamp;
    taken_from: string | null;
    taken_by: string | null;
    version: Generated<number>;
    created_at: Timestamp;
    updated_at: Timestamp;
    completed_at: NullableTimestamp;
    step_entered_at: Timestamp;
    abandoned_at: NullableTimestamp;
  };
  onboarding_funnel_events: {
    id: Generated<string>;
    org_id: string;
    session_id: string | null;
    kind: FunnelKind;
    key: string;
    duration_ms: ColumnType<string | null, number | null | undefined, number | null>;
    at: Timestamp;
  };
  onboarding_dismissals: {
    org_id: string;
    user_id: string;
    dismissed_at: Timestamp;
  };
};

export type RunRow = Selectable<OnboardingTables["onboarding_task_runs"]>;
export type SessionRow = Selectable<OnboardingTables["onboarding_sessions"]>;
export type EvidenceRow = Selectable<OnboardingTables["onboarding_evidence"]>;
export type OnboardingDb = Kysely<KernelDatabase & OnboardingTables>;

/** The kernel's tables and the plugin's, on any kernel handle (a request's transaction, `kernel.withScope`). */
export function onboardingDb(db: Kysely<KernelDatabase>): OnboardingDb {
  return db.withTables<OnboardingTables>();
}
