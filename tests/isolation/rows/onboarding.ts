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
};
