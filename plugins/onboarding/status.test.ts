/**
 * The setup status follows the org's real state on real PostgreSQL: each stage in order as
 * projects, sources, data, dashboards and run evidence appear, and back again when the only
 * dashboard is deleted. Tasks are worked by this kernel's job system; the checklist hides per
 * person and an admin brings it back; permissions follow the capabilities.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { asUser, createUser } from "../../tests/setup/fixtures";
import { member, savedSourceForTest } from "../data/test-helpers";
import { bootOnboardingKernel, finishedRun } from "./test-helpers";
import { chooseTemplate, REVENUE_DASHBOARD } from "./templates";
import { validateYaml } from "../dashboards/service";

let k: Awaited<ReturnType<typeof bootOnboardingKernel>>;
beforeAll(async () => {
  k = await bootOnboardingKernel({ workJobs: true });
}, 60_000);
afterAll(async () => k?.close());

test("the stages follow the org's truth, and deleting the only dashboard moves the org back", async () => {
  const { org, caller, user } = await member(k.kernel, "owner");
  const at = { orgId: org.id };
  expect((await caller.onboarding.status(at)).stage).toBe("no_project");

  const project = await caller.projects.create({ ...at, slug: "web", name: "Web" });
  let status = await caller.onboarding.status(at);
  expect(status.stage).toBe("no_data_source");
  expect(status.stages.find((s) => s.id === "no_project")?.done).toBe(true);
  expect(status.nextStep?.tool).toEqual({ name: "start_setup_task", arguments: { task: "sample.load", params: {} } });

  // The sample, loaded through the task board: the warehouse exists and has tables.
  const started = await caller.onboarding.tasks.start({ ...at, task: "sample.load" });
  expect(started.created).toBe(true);
  expect(started.run.status).toBe("queued");
  expect((await finishedRun(k.kernel, started.run.id)).status).toBe("succeeded");
  status = await caller.onboarding.status(at);
  expect(status.stage).toBe("no_dashboard");
  expect(status.facts.warehouseTables).toBeGreaterThanOrEqual(5);

  const generated = await caller.onboarding.tasks.start({ ...at, task: "dashboard.generate", params: { projectId: project.id } });
  expect((await finishedRun(k.kernel, generated.run.id)).status).toBe("succeeded");
  status = await caller.onboarding.status(at);
  expect(status.stage).toBe("dashboard_not_run");
  expect(status.detail).toBe("never_run");
  const list = await caller.dashboards.list({ ...at, projectId: project.id });
  expect(list.items.map((d) => d.title)).toEqual(["Revenue overview"]);

  const ran = await caller.onboarding.tasks.start({ ...at, task: "dashboard.run" });
  expect((await finishedRun(k.kernel, ran.run.id)).status).toBe("succeeded");
  status = await caller.onboarding.status(at);
  expect(status.stage).toBe("done");
  expect(status.nextStep).toBeNull();

  await caller.dashboards.delete({ ...at, projectId: project.id, slug: list.items[0]!.slug });
  status = await caller.onboarding.status(at);
  expect(status.stage).toBe("no_dashboard");
  expect(status.stages.find((s) => s.id === "no_dashboard")?.done).toBe(false);
  expect(user.id).toBeTruthy();
}, 120_000);

test("an external source alone is untested until a connection check succeeds", async () => {
  const { org, caller } = await member(k.kernel, "admin");
  const at = { orgId: org.id };
  await caller.projects.create({ ...at, slug: "ops", name: "Ops" });
  const sourceId = await savedSourceForTest(k.kernel, org.id);
  const status = await caller.onboarding.status(at);
  expect(status.stage).toBe("data_source_untested");
  expect(status.nextStep?.tool).toEqual({ name: "start_setup_task", arguments: { task: "connection.verify", params: { sourceId } } });
  expect(status.nextStep?.who).toMatchObject({ capability: "onboarding.manage", roles: ["owner", "admin"], you: true });
});

test("a viewer reads the status and a read-only board with the reason; starting is refused; strangers get 404", async () => {
  const { org } = await member(k.kernel, "owner");
  const viewer = await member(k.kernel, "viewer", org.id);
  const at = { orgId: org.id };
  const status = await viewer.caller.onboarding.status(at);
  expect(status.stage).toBe("no_project");
  expect(status.nextStep?.who.you).toBe(false);
  const board = await viewer.caller.onboarding.tasks.list(at);
  expect(board.canManage).toBe(false);
  expect(board.readOnlyReason).toMatch(/Your role \(viewer\) does not allow this/);
  expect(board.tasks.map((t) => t.badge)).toEqual(Array(8).fill("unknown"));
  await expect(viewer.caller.onboarding.tasks.start({ ...at, task: "sample.load" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  const stranger = await createUser(k.kernel);
  await expect(asUser(k.kernel, stranger.id).onboarding.status(at)).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(asUser(k.kernel, stranger.id).onboarding.tasks.list(at)).rejects.toMatchObject({ code: "NOT_FOUND" });
});

test("the checklist hides for one person only, and an admin shows it again", async () => {
  const { org, caller: owner } = await member(k.kernel, "owner");
  const editor = await member(k.kernel, "editor", org.id);
  const at = { orgId: org.id };
  await editor.caller.onboarding.checklist.dismiss(at);
  expect((await editor.caller.onboarding.checklist.get(at)).dismissed).toBe(true);
  expect((await owner.onboarding.checklist.get(at)).dismissed).toBe(false);
  expect((await editor.caller.onboarding.checklist.get(at)).canRestore).toBe(false);
  await expect(editor.caller.onboarding.checklist.restore(at)).rejects.toMatchObject({ code: "FORBIDDEN" });
  expect(await owner.onboarding.checklist.restore(at)).toEqual({ restoredFor: 1 });
  expect((await editor.caller.onboarding.checklist.get(at)).dismissed).toBe(false);
});

test("templates: the sample gets the revenue dashboard, other data a starter on its first table, both valid documents", () => {
  expect(validateYaml(REVENUE_DASHBOARD).ok).toBe(true);
  expect(chooseTemplate([{ schema: "sample", name: "orders", columns: [] }])?.id).toBe("revenue");
  const starter = chooseTemplate([{ schema: "public", name: "Weird Name\"; drop", columns: [{ name: "a", type: "int" }] }]);
  expect(starter?.id).toBe("starter");
  expect(starter?.yaml).toContain('from public."Weird Name""; drop"');
  expect(validateYaml(starter!.yaml)).toMatchObject({ ok: true });
  expect(chooseTemplate([])).toBeNull();
});
