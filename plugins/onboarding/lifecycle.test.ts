/**
 * The setup beyond its first path, on real PostgreSQL and the real job system: the verify
 * step's freshness and test-query evidence; "create my first dashboard" is idempotent (going
 * back to step 5 and creating again keeps the one dashboard); idle sessions become abandoned
 * and can be resumed or started over; the person whose lease is taken is told through an event
 * at once; and the funnel (stages reached, time per step) the operator reads with
 * `atrium onboarding:funnel`.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCliOn } from "../../tests/setup/cli";
import { member } from "../data/test-helpers";
import { funnelReport } from "./funnel";
import { abandonSessionsJob } from "./jobs";
import { onboardingDb } from "./tables";
import { bootOnboardingKernel, finishedRun } from "./test-helpers";
import { abandonIdleSessions, ABANDON_AFTER_DAYS } from "./wizard";

let k: Awaited<ReturnType<typeof bootOnboardingKernel>>;
beforeAll(async () => {
  k = await bootOnboardingKernel({ workJobs: true });
}, 60_000);
afterAll(async () => k?.close());

const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);

async function evidenceOf(orgId: string, runId: string) {
  return onboardingDb(k.kernel.ownerDb).selectFrom("onboarding_evidence").selectAll().where("org_id", "=", orgId).where("run_id", "=", runId).executeTakeFirstOrThrow();
}

test("verify: freshness and a test query are evidence (fresh data ok, old data a warning), and creating the first dashboard twice keeps one", async () => {
  const { org, caller } = await member(k.kernel, "owner");
  const at = { orgId: org.id };
  const project = await caller.projects.create({ ...at, slug: "web", name: "Web" });
  const imported = await caller.onboarding.tasks.start({ ...at, task: "data.import", params: { table: "visits", csv: `day,visits\n${day(40)},120\n${day(2)},135\n` } });
  expect((await finishedRun(k.kernel, imported.run.id)).status).toBe("succeeded");

  const fresh = await caller.onboarding.tasks.start({ ...at, task: "data.freshness", params: { sourceId: "warehouse" } });
  expect((await finishedRun(k.kernel, fresh.run.id)).reason_code).toBe("data.fresh");
  expect((await evidenceOf(org.id, fresh.run.id)).payload).toMatchObject({ table: "public.visits", column: "day", ageDays: 2, newest: expect.stringMatching(new RegExp(`^${day(2)}`)) });
  const query = await caller.onboarding.tasks.start({ ...at, task: "query.test" });
  expect((await finishedRun(k.kernel, query.run.id)).reason_code).toBe("query.answered");
  expect((await evidenceOf(org.id, query.run.id)).payload).toMatchObject({ table: "public.visits", rows: 2, elapsedMs: expect.any(Number) });
  const board = await caller.onboarding.tasks.list(at);
  expect(board.tasks.filter((t) => t.id === "data.freshness" || t.id === "query.test").map((t) => [t.id, t.badge])).toEqual([
    ["data.freshness", "ok"],
    ["query.test", "ok"],
  ]);

  // Old data: a warning with its age; no table at all: a failure saying to load data.
  const old = await member(k.kernel, "owner");
  const oldImport = await old.caller.onboarding.tasks.start({ orgId: old.org.id, task: "data.import", params: { table: "ledger", csv: "booked_on,amount\n2020-01-31,10\n2020-02-29,12\n" } });
  await finishedRun(k.kernel, oldImport.run.id);
  const stale = await old.caller.onboarding.tasks.start({ orgId: old.org.id, task: "data.freshness" });
  expect((await finishedRun(k.kernel, stale.run.id)).reason_code).toBe("data.stale");
  expect((await evidenceOf(old.org.id, stale.run.id))).toMatchObject({ status: "warn", payload: { newest: "2020-02-29T00:00:00.000Z", column: "booked_on" } });

  // The bug: creating again (back to step 5) made a second dashboard. Now it is the same one.
  const first = await caller.onboarding.tasks.start({ ...at, task: "dashboard.generate", params: { projectId: project.id } });
  expect((await finishedRun(k.kernel, first.run.id)).reason_code).toBe("dashboard.created");
  const again = await caller.onboarding.tasks.start({ ...at, task: "dashboard.generate", params: { projectId: project.id } });
  expect((await finishedRun(k.kernel, again.run.id)).reason_code).toBe("dashboard.exists");
  const dashboards = await caller.dashboards.list({ ...at, projectId: project.id });
  expect(dashboards.items.map((d) => d.slug)).toEqual(["visits-overview"]);
  expect((await evidenceOf(org.id, again.run.id)).payload).toMatchObject({ slug: "visits-overview", projectId: project.id, template: "starter" });

  // Once that dashboard is deleted, the task creates a new one.
  await caller.dashboards.delete({ ...at, projectId: project.id, slug: "visits-overview" });
  const afterDelete = await caller.onboarding.tasks.start({ ...at, task: "dashboard.generate", params: { projectId: project.id } });
  expect((await finishedRun(k.kernel, afterDelete.run.id)).reason_code).toBe("dashboard.created");
  expect((await caller.dashboards.list({ ...at, projectId: project.id })).items).toHaveLength(1);
}, 120_000);

test("an idle session is abandoned by the daily job; it can be resumed where it stopped, or a new one started", async () => {
  expect(abandonSessionsJob.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
  const owner = await member(k.kernel, "owner");
  const busy = await member(k.kernel, "owner");
  const at = { orgId: owner.org.id };
  let s = await owner.caller.onboarding.wizard.open(at);
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "workspace", answers: { orgName: "Idle Inc", role: "analyst", goal: "revenue" }, move: "next" });
  await busy.caller.onboarding.wizard.open({ orgId: busy.org.id });
  const sessions = onboardingDb(k.kernel.ownerDb);
  const idle = new Date(Date.now() - (ABANDON_AFTER_DAYS + 1) * 86_400_000);
  await sessions.updateTable("onboarding_sessions").set({ updated_at: idle, lease_expires_at: idle }).where("id", "=", s.id).execute();

  const abandoned = await abandonIdleSessions(k.kernel.ownerDb);
  expect(abandoned.map((a) => a.id)).toEqual([s.id]);
  const seen = await owner.caller.onboarding.wizard.get(at);
  expect(seen.session).toMatchObject({ id: s.id, status: "abandoned", currentStep: 2, lease: null, abandonedAt: expect.any(String) });
  expect((await busy.caller.onboarding.wizard.get({ orgId: busy.org.id })).session?.status).toBe("draft");

  const resumed = await owner.caller.onboarding.wizard.resume(at);
  expect(resumed).toMatchObject({ id: s.id, status: "in_progress", currentStep: 2, answers: { workspace: { orgName: "Idle Inc" } }, lease: { you: true }, abandonedAt: null });
  await expect(owner.caller.onboarding.wizard.resume(at)).rejects.toMatchObject({ code: "CONFLICT" });

  // Abandoned again, then started over: a new draft; the old one stays abandoned and cannot be resumed any more.
  await sessions.updateTable("onboarding_sessions").set({ updated_at: idle, lease_expires_at: idle }).where("id", "=", s.id).execute();
  expect(await abandonIdleSessions(k.kernel.ownerDb)).toHaveLength(1);
  const fresh = await owner.caller.onboarding.wizard.open(at);
  expect(fresh).toMatchObject({ status: "draft", currentStep: 1 });
  expect(fresh.id).not.toBe(s.id);
  await expect(owner.caller.onboarding.wizard.resume(at)).rejects.toMatchObject({ code: "CONFLICT" });
  const audit = await k.kernel.ownerDb.selectFrom("audit_events").select("action").where("org_id", "=", owner.org.id).where("action", "=", "onboarding.wizard.resume").execute();
  expect(audit).toHaveLength(1);
}, 60_000);

test("the person whose lease is taken over is told at once through an event, and the one handed the setup too; nobody else", async () => {
  const owner = await member(k.kernel, "owner");
  const admin = await member(k.kernel, "admin", owner.org.id);
  const bystander = await member(k.kernel, "admin", owner.org.id);
  const at = { orgId: owner.org.id };
  await owner.caller.onboarding.wizard.open(at);

  const controller = new AbortController();
  const ownerEvents = (await owner.as({ signal: controller.signal }).onboarding.wizard.onLease(at))[Symbol.asyncIterator]();
  const adminEvents = (await admin.as({ signal: controller.signal }).onboarding.wizard.onLease(at))[Symbol.asyncIterator]();
  const bystanderEvents = (await bystander.as({ signal: controller.signal }).onboarding.wizard.onLease(at))[Symbol.asyncIterator]();
  const toOwner = ownerEvents.next();
  const toBystander = bystanderEvents.next().then((r) => r.value as unknown);
  await new Promise((r) => setTimeout(r, 100));

  const started = Date.now();
  await admin.caller.onboarding.wizard.takeOver(at);
  const told = await toOwner;
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(told.value).toMatchObject({ how: "takeover", byName: expect.any(String) });
  const adminName = (await k.kernel.ownerDb.selectFrom("users").select(["name", "email"]).where("id", "=", admin.user.id).executeTakeFirstOrThrow());
  expect((told.value as { byName: string }).byName).toBe(adminName.name || adminName.email);

  const toAdmin = adminEvents.next();
  await admin.caller.onboarding.wizard.handOff({ ...at, userId: owner.user.id });
  // The handoff goes to the owner; the admin's stream is not told of its own takeover or handoff.
  const ownerAgain = await ownerEvents.next();
  expect(ownerAgain.value).toMatchObject({ how: "handoff" });
  const raced = await Promise.race([toAdmin.then(() => "told"), toBystander.then(() => "told"), new Promise((r) => setTimeout(() => r("silent"), 500))]);
  expect(raced).toBe("silent");
  controller.abort();
}, 30_000);

test("the funnel records each stage once per org and each step's time; the operator reads it with onboarding:funnel", async () => {
  const before = await funnelReport(k.kernel);
  const owner = await member(k.kernel, "owner");
  const at = { orgId: owner.org.id };
  await owner.caller.onboarding.status(at);
  await owner.caller.onboarding.status(at);
  await owner.caller.projects.create({ ...at, slug: "p", name: "P" });
  expect((await owner.caller.onboarding.checklist.get(at)).status.stage).toBe("no_data_source");
  const stages = await onboardingDb(k.kernel.ownerDb).selectFrom("onboarding_funnel_events").select(["kind", "key"]).where("org_id", "=", owner.org.id).orderBy("at").orderBy("key").execute();
  expect(stages).toEqual([
    { kind: "stage_reached", key: "no_project" },
    { kind: "stage_reached", key: "no_data_source" },
  ]);

  let s = await owner.caller.onboarding.wizard.open(at);
  await onboardingDb(k.kernel.ownerDb).updateTable("onboarding_sessions").set({ step_entered_at: new Date(Date.now() - 90_000) }).where("id", "=", s.id).execute();
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "workspace", answers: { orgName: "Funnel Co", role: "founder", goal: "explore" }, move: "next" });
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "team", move: "skip" });
  // Back and on again: the first completion counts, once.
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "data", move: "back" });
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "team", move: "skip" });

  const after = await funnelReport(k.kernel);
  const delta = (report: typeof after, stage: string) => report.stages.find((x) => x.stage === stage)!.orgs;
  expect(after.orgs - before.orgs).toBe(1);
  expect(delta(after, "no_project") - delta(before, "no_project")).toBe(1);
  expect(delta(after, "no_data_source") - delta(before, "no_data_source")).toBe(1);
  const step = (report: typeof after, id: string) => report.steps.find((x) => x.step === id)!;
  expect(step(after, "workspace").completed - step(before, "workspace").completed).toBe(1);
  expect(step(after, "team").skipped - step(before, "team").skipped).toBe(1);
  expect(step(after, "workspace").medianSeconds).toBeGreaterThanOrEqual(before.steps[0]!.completed ? 0 : 89);

  const printed = await runCliOn(k.url, ["onboarding:funnel"]);
  expect(printed.code).toBe(0);
  expect(printed.out).toMatch(/^Setup funnel: \d+ organizations/);
  expect(printed.out).toMatch(/\nno_data_source\s+\d+\s+\d+%/);
  expect(printed.out).toMatch(/\nteam\s+\d+\s+[1-9]\d*/);
  const json = await runCliOn(k.url, ["onboarding:funnel", "--json"]);
  expect(JSON.parse(json.out)).toMatchObject({ orgs: after.orgs, steps: expect.arrayContaining([expect.objectContaining({ step: "workspace", completed: step(after, "workspace").completed })]) });
  const bad = await runCliOn(k.url, ["onboarding:funnel", "--since", "yesterday"]);
  expect(bad.code).not.toBe(0);
  expect(bad.err).toMatch(/--since takes a date/);
}, 60_000);
