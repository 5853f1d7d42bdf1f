/**
 * The setup wizard's session: one active (draft or in progress) session per org, held by a
 * partial unique index; five steps whose answers are saved step by step with an optimistic
 * version (a stale save gets 409 with what changed); an edit lease, renewed by every save, that
 * a second admin sees, may take over (audited; the holder is told on their next look) or be
 * handed. Resumable anywhere: everything lives in the row, nothing in the browser.
 */
import { TRPCError } from "@trpc/server";
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { KernelDatabase } from "~/kernel/db/schema";
import { fieldError, notFound } from "~/kernel/errors";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { recordStep } from "./funnel";
import { onboardingDb, type SessionRow, type SessionStatus } from "./tables";
import { WIZARD_STEPS, type WizardStepId } from "./wizard-steps";

/** How long an edit lease lasts without activity. */
export const LEASE_MS = 5 * 60_000;

export { WIZARD_STEPS, type WizardStepId };
const STEP_IDS = WIZARD_STEPS.map((s) => s.id) as [WizardStepId, ...WizardStepId[]];

/** Each step's answers: what a person typed or chose, never file contents or secrets. */
export const STEP_ANSWERS = {
  workspace: z
    .object({
      orgName: safeString().trim().min(1, "Name the organization").max(80),
      role: z.enum(["analyst", "engineer", "manager", "founder", "other"], { message: "Choose your role" }),
      goal: z.enum(["revenue", "product", "operations", "reports", "explore"], { message: "Choose what you want to do" }),
      /** The first project, when the org had none (created by the wizard). */
      projectName: safeString().trim().min(1).max(80).optional(),
    })
    .strict(),
  team: z.object({ invited: z.array(z.object({ email: safeString().max(254), role: z.enum(["admin", "editor", "viewer"]), sent: z.boolean().optional() }).strict()).max(20) }).strict(),
  data: z.object({ choice: z.enum(["sample", "csv", "postgres"], { message: "Choose where your data comes from" }), table: safeString().max(63).optional(), sourceId: z.uuid().optional() }).strict(),
  verify: z.object({}).strict(),
  dashboard: z.object({ via: z.enum(["template", "assistant"]).optional(), slug: safeString().max(64).optional(), projectSlug: safeString().max(64).optional() }).strict(),
} as const satisfies Record<WizardStepId, z.ZodType>;

export const SAVE_INPUT = z.object({
  version: z.number().int().min(1),
  step: z.enum(STEP_IDS),
  answers: z.record(z.string().max(40), safeUnknown()).optional(),
  /** After saving: go on, go back, skip the step (only skippable ones), stay, or finish (the last step). */
  move: z.enum(["next", "back", "skip", "stay", "finish"]).default("stay"),
});
export type SaveInput = z.infer<typeof SAVE_INPUT>;

export interface LeaseView {
  holderId: string;
  holderName: string;
  expiresAt: string;
  you: boolean;
}

export interface SessionView {
  id: string;
  status: SessionStatus;
  currentStep: number;
  stepId: WizardStepId;
  answers: Partial<Record<WizardStepId, Record<string, unknown>>>;
  skipped: WizardStepId[];
  assignedTo: string | null;
  lease: LeaseView | null;
  /** Set for the person whose lease someone else took: who took it. */
  takenOverBy: string | null;
  version: number;
  updatedAt: string;
  /** When the session was abandoned (left idle for days), else null. */
  abandonedAt: string | null;
}

type Db = Kysely<KernelDatabase>;

async function nameOf(db: Db, userId: string | null): Promise<string> {
  if (!userId) return "";
  const row = await db.selectFrom("users").select(["name", "email"]).where("id", "=", userId).executeTakeFirst();
  return row ? row.name || row.email : "someone";
}

async function view(db: Db, row: SessionRow, userId: string): Promise<SessionView> {
  const live = row.lease_holder && row.lease_expires_at && row.lease_expires_at.getTime() > Date.now();
  return {
    id: row.id,
    status: row.status,
    currentStep: row.current_step,
    stepId: WIZARD_STEPS[row.current_step - 1]!.id,
    answers: row.answers as SessionView["answers"],
    skipped: row.skipped as WizardStepId[],
    assignedTo: row.assigned_to,
    lease: live ? { holderId: row.lease_holder!, holderName: await nameOf(db, row.lease_holder), expiresAt: row.lease_expires_at!.toISOString(), you: row.lease_holder === userId } : null,
    takenOverBy: row.taken_from === userId && row.taken_by ? await nameOf(db, row.taken_by) : null,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
    abandonedAt: row.abandoned_at ? row.abandoned_at.toISOString() : null,
  };
}

async function activeRow(db: Db, orgId: string): Promise<SessionRow | undefined> {
  return onboardingDb(db).selectFrom("onboarding_sessions").selectAll().where("org_id", "=", orgId).where("status", "in", ["draft", "in_progress"]).executeTakeFirst();
}

/** The org's active session, else its newest (completed or abandoned) one; null before anyone opened the wizard. */
export async function getSession(db: Db, orgId: string, userId: string): Promise<SessionView | null> {
  const row =
    (await activeRow(db, orgId)) ??
    (await onboardingDb(db).selectFrom("onboarding_sessions").selectAll().where("org_id", "=", orgId).orderBy("created_at", "desc").limit(1).executeTakeFirst());
  return row ? view(db, row, userId) : null;
}

const leaseFree = (row: SessionRow, userId: string) => !row.lease_holder || row.lease_holder === userId || !row.lease_expires_at || row.lease_expires_at.getTime() <= Date.now();

/**
 * Opens the wizard: the active session (created as a draft, assigned to the caller, when there
 * is none; concurrent opens meet at the unique index) and the lease when nobody else holds it.
 */
export async function openSession(db: Db, orgId: string, userId: string): Promise<SessionView> {
  const o = onboardingDb(db);
  let row = await activeRow(db, orgId);
  if (!row) {
    row = await o
      .insertInto("onboarding_sessions")
      .values({ org_id: orgId, assigned_to: userId, lease_holder: userId, lease_expires_at: new Date(Date.now() + LEASE_MS) })
      .onConflict((oc) => oc.column("org_id").where("status", "in", ["draft", "in_progress"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    row ??= await activeRow(db, orgId);
    if (!row) throw new TRPCError({ code: "CONFLICT", message: "The setup session is changing too fast; try again." });
  }
  if (leaseFree(row, userId)) {
    row = await o
      .updateTable("onboarding_sessions")
      .set({ lease_holder: userId, lease_expires_at: new Date(Date.now() + LEASE_MS), taken_from: row.taken_from === userId ? null : row.taken_from })
      .where("id", "=", row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return view(db, row, userId);
}

function stepIndex(step: WizardStepId): number {
  return WIZARD_STEPS.findIndex((s) => s.id === step) + 1;
}

function parseAnswers(step: WizardStepId, answers: unknown): Record<string, unknown> {
  const parsed = STEP_ANSWERS[step].safeParse(answers ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0]!;
  throw fieldError("UNPROCESSABLE_CONTENT", ["answers", ...issue.path.map(String)].join("."), issue.message);
}

/**
 * Saves a step's answers and moves: only by the lease holder (or anyone once it lapsed), only
 * at the version the caller read (else 409 naming what changed), never a partial write.
 */
export async function saveStep(db: Db, orgId: string, userId: string, input: SaveInput): Promise<SessionView> {
  const o = onboardingDb(db);
  const row = await o.selectFrom("onboarding_sessions").selectAll().where("org_id", "=", orgId).where("status", "in", ["draft", "in_progress"]).forUpdate().executeTakeFirst();
  if (!row) throw notFound("No setup session is open; open the setup wizard first.");
  if (!leaseFree(row, userId)) {
    const holder = await nameOf(db, row.lease_holder);
    throw fieldError("CONFLICT", "lease", `${holder} is editing the setup now (until ${row.lease_expires_at!.toISOString()}). Take over or wait for a handoff.`);
  }
  if (row.version !== input.version) {
    const changed = `step ${row.current_step} (${WIZARD_STEPS[row.current_step - 1]!.label}), version ${row.version}, saved ${row.updated_at.toISOString()}`;
    throw fieldError("CONFLICT", "version", `The setup changed since you loaded it (you had version ${input.version}; now ${changed}). Reload to see the changes.`);
  }
  const spec = WIZARD_STEPS.find((s) => s.id === input.step)!;
  const index = stepIndex(input.step);
  if (index > row.current_step) throw fieldError("UNPROCESSABLE_CONTENT", "step", `Finish step ${row.current_step} (${WIZARD_STEPS[row.current_step - 1]!.label}) first.`);
  if (input.move === "skip" && !spec.skippable) throw fieldError("UNPROCESSABLE_CONTENT", "move", `“${spec.label}” cannot be skipped.`);
  if (input.move === "finish" && index !== WIZARD_STEPS.length) throw fieldError("UNPROCESSABLE_CONTENT", "move", "Only the last step finishes the setup.");

  const answers = { ...row.answers };
  const skipped = new Set(row.skipped);
  if (input.move === "skip") {
    skipped.add(input.step);
    delete answers[input.step];
  } else if (input.answers !== undefined || input.move === "next" || input.move === "finish") {
    answers[input.step] = parseAnswers(input.step, input.answers);
    skipped.delete(input.step);
  }
  const next = input.move === "next" || input.move === "skip" ? Math.min(index + 1, WIZARD_STEPS.length) : input.move === "back" ? Math.max(index - 1, 1) : index;
  // The furthest step reached stays reachable: going back keeps later answers.
  const current = input.move === "back" || input.move === "stay" ? next : Math.max(next, row.current_step);
  const finished = input.move === "finish";
  // The funnel: the first completion or skip of a step in this session, with the time spent on it.
  if (input.move === "next" || input.move === "skip" || input.move === "finish") {
    await recordStep(db, orgId, row.id, input.step, input.move === "skip" ? "skipped" : "completed", Date.now() - row.step_entered_at.getTime());
  }
  const saved = await o
    .updateTable("onboarding_sessions")
    .set({
      answers: JSON.stringify(answers),
      skipped: [...skipped],
      current_step: current,
      status: finished ? "completed" : "in_progress",
      completed_at: finished ? new Date() : null,
      lease_holder: finished ? null : userId,
      lease_expires_at: finished ? null : new Date(Date.now() + LEASE_MS),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
      ...(current !== row.current_step ? { step_entered_at: new Date() } : {}),
    })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return view(db, saved, userId);
}

/** Takes the lease from whoever holds it; the former holder is told on their next look. */
export async function takeOver(db: Db, orgId: string, userId: string): Promise<{ session: SessionView; from: string | null }> {
  const row = await activeRow(db, orgId);
  if (!row) throw notFound("No setup session is open.");
  const from = row.lease_holder && row.lease_holder !== userId && !leaseFree(row, userId) ? row.lease_holder : null;
  const saved = await onboardingDb(db)
    .updateTable("onboarding_sessions")
    .set({ lease_holder: userId, lease_expires_at: new Date(Date.now() + LEASE_MS), assigned_to: userId, taken_from: from, taken_by: from ? userId : null, version: sql<number>`version + 1`, updated_at: new Date() })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { session: await view(db, saved, userId), from };
}

/** The holder hands the session (and its lease) to another member who may run the setup. */
export async function handOff(db: Db, orgId: string, userId: string, to: string, mayManage: (userId: string) => Promise<boolean>): Promise<SessionView> {
  const row = await activeRow(db, orgId);
  if (!row) throw notFound("No setup session is open.");
  if (!leaseFree(row, userId)) throw fieldError("CONFLICT", "lease", "Only the person editing the setup can hand it off.");
  if (to === userId) throw fieldError("UNPROCESSABLE_CONTENT", "userId", "Hand the setup to someone else.");
  if (!(await mayManage(to))) throw fieldError("UNPROCESSABLE_CONTENT", "userId", "That person is not an owner or admin of this organization.");
  const saved = await onboardingDb(db)
    .updateTable("onboarding_sessions")
    .set({ lease_holder: to, lease_expires_at: new Date(Date.now() + LEASE_MS), assigned_to: to, taken_from: null, taken_by: null, version: sql<number>`version + 1`, updated_at: new Date() })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return view(db, saved, userId);
}

/** Days without activity after which the daily job abandons a draft or in-progress session. */
export const ABANDON_AFTER_DAYS = 14;

/**
 * Marks sessions abandoned whose last save and lease are older than `days` (the daily job).
 * Spans orgs, so on the owner's connection, as the run reaper does; returns the sessions.
 */
export async function abandonIdleSessions(ownerDb: Db, days = ABANDON_AFTER_DAYS): Promise<Array<{ id: string; org_id: string }>> {
  const cutoff = sql<Date>`now() - make_interval(days => ${days})`;
  return onboardingDb(ownerDb)
    .updateTable("onboarding_sessions")
    .set({ status: "abandoned", abandoned_at: sql<Date>`now()`, lease_holder: null, lease_expires_at: null, version: sql<number>`version + 1` })
    .where("status", "in", ["draft", "in_progress"])
    .where("updated_at", "<", cutoff)
    .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", cutoff)]))
    .returning(["id", "org_id"])
    .execute();
}

/**
 * Resumes the org's newest abandoned session where it stopped (answers, skips and step kept),
 * with the caller holding the lease. 409 when another session is active (someone started over).
 */
export async function resumeSession(db: Db, orgId: string, userId: string): Promise<SessionView> {
  const o = onboardingDb(db);
  if (await activeRow(db, orgId)) throw fieldError("CONFLICT", "session", "A setup is already in progress; open it instead.");
  const newest = await o.selectFrom("onboarding_sessions").selectAll().where("org_id", "=", orgId).orderBy("created_at", "desc").limit(1).executeTakeFirst();
  if (!newest || newest.status !== "abandoned") throw fieldError("CONFLICT", "session", "There is no abandoned setup to resume.");
  const resumed = await o
    .updateTable("onboarding_sessions")
    .set({ status: "in_progress", abandoned_at: null, lease_holder: userId, lease_expires_at: new Date(Date.now() + LEASE_MS), assigned_to: userId, taken_from: null, taken_by: null, version: sql<number>`version + 1`, updated_at: new Date(), step_entered_at: new Date() })
    .where("id", "=", newest.id)
    .where("status", "=", "abandoned")
    .returningAll()
    .executeTakeFirst()
    .catch((err: unknown) => {
      // Someone started a new session at the same moment: the unique index keeps one active.
      if ((err as { code?: string }).code === "23505") throw fieldError("CONFLICT", "session", "A setup is already in progress; open it instead.");
      throw err;
    });
  if (!resumed) throw fieldError("CONFLICT", "session", "There is no abandoned setup to resume.");
  return view(db, resumed, userId);
}
