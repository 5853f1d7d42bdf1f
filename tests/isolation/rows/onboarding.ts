/**
 * The onboarding plugin's rows: every `onboarding.*` procedure against org A. Rows that act on
 * a run put a queued one there first (written directly, as the world's owner), so an allowed
 * caller succeeds and a refused one is refused before reaching it.
 */
import type { World } from "../world";
import { A, type Row } from "./helpers";

type RunTables = { onboarding_task_runs: { id?: string; org_id: string; task: string; status: string; params: string; requested_by: string } };

/** A queued `sample.load` run in org A. */
async function runIn(w: World): Promise<string> {
  const row = await w.kernel.ownerDb
    .withTables<RunTables>()
    .insertInto("onboarding_task_runs")
    .values({ org_id: w.orgA.id, task: "sample.load", status: "queued", params: "{}", requested_by: w.users.owner.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id!;
}

type SessionTables = { onboarding_sessions: { id?: string; org_id: string; status: string; current_step: number; lease_holder: string | null; lease_expires_at: Date | null; version?: number } };

/** An active wizard session in org A at step 2, its lease free; returns its version. */
async function openSessionIn(w: World): Promise<number> {
  const db = w.kernel.ownerDb.withTables<SessionTables>();
  await db.deleteFrom("onboarding_sessions").where("org_id", "=", w.orgA.id).execute();
  const row = await db
    .insertInto("onboarding_sessions")
    .values({ org_id: w.orgA.id, status: "in_progress", current_step: 2, lease_holder: null, lease_expires_at: null })
    .returning("version")
    .executeTakeFirstOrThrow();
  return row.version!;
}

export const onboardingRows: Record<string, Row> = {
  "onboarding.status": { input: A },
  "onboarding.checklist.get": { input: A },
  "onboarding.checklist.dismiss": { input: A },
  "onboarding.checklist.restore": { input: A },
  "onboarding.tasks.list": { input: A },
  "onboarding.tasks.start": { input: (w) => ({ ...A(w), task: "schema.introspect", params: { sourceId: "warehouse" } }) },
  "onboarding.tasks.cancel": { input: async (w) => ({ ...A(w), runId: await runIn(w) }) },
  "onboarding.tasks.run": { input: async (w) => ({ ...A(w), runId: await runIn(w) }) },
  "onboarding.tasks.history": { input: A },
  "onboarding.wizard.get": { input: A },
  "onboarding.wizard.open": { input: A },
  "onboarding.wizard.save": { input: async (w) => ({ ...A(w), version: await openSessionIn(w), step: "team", move: "stay" }) },
  "onboarding.wizard.takeOver": { input: async (w) => (await openSessionIn(w), A(w)) },
  "onboarding.wizard.resume": {
    input: async (w) => {
      // An abandoned session in org A and none active, so an allowed caller resumes it.
      await openSessionIn(w);
      await w.kernel.ownerDb.withTables<SessionTables>().updateTable("onboarding_sessions").set({ status: "abandoned" }).where("org_id", "=", w.orgA.id).execute();
      return A(w);
    },
  },
  "onboarding.wizard.onLease": { input: A },
  "onboarding.wizard.handOff": { input: async (w) => (await openSessionIn(w), { ...A(w), userId: w.actorUser?.id === w.users.admin.id ? w.users.owner.id : w.users.admin.id }) },
};
