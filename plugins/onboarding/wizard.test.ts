/**
 * The setup wizard's session on real PostgreSQL: one active session per org even when opened
 * concurrently; step saves with an optimistic version (stale → 409 naming what changed, nothing
 * written); back keeps later answers; only skippable steps skip, recorded as skipped; the edit
 * lease keeps a second admin out until they take over (audited, the holder told) or receive a
 * handoff; members without onboarding.manage may look but not drive.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { member } from "../data/test-helpers";
import { bootOnboardingKernel } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootOnboardingKernel>>;
beforeAll(async () => {
  k = await bootOnboardingKernel();
}, 60_000);
afterAll(async () => k?.close());

async function rejection(p: Promise<unknown>): Promise<TRPCError> {
  const outcome = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(outcome)}`);
  return outcome;
}

const WORKSPACE = { orgName: "Acme Analytics", role: "analyst", goal: "revenue" };

test("one session per org; steps save with a version, back keeps answers, only skippable steps skip", async () => {
  const owner = await member(k.kernel, "owner");
  const at = { orgId: owner.org.id };
  expect((await owner.caller.onboarding.wizard.get(at)).session).toBeNull();

  const opened = await Promise.all(Array.from({ length: 8 }, () => owner.caller.onboarding.wizard.open(at)));
  expect(new Set(opened.map((s) => s.id)).size).toBe(1);
  let s = opened[0]!;
  expect(s).toMatchObject({ status: "draft", currentStep: 1, stepId: "workspace", lease: { you: true } });

  const invalid = await rejection(owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "workspace", answers: { ...WORKSPACE, goal: "world domination" }, move: "next" }));
  expect(invalid.code).toBe("UNPROCESSABLE_CONTENT");
  expect(invalid.message).toBe("Choose what you want to do");
  expect(await rejection(owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "data", answers: { choice: "sample" }, move: "next" }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: "Finish step 1 (Workspace) first." });
  expect(await rejection(owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "workspace", move: "skip" }))).toMatchObject({ message: "“Workspace” cannot be skipped." });

  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "workspace", answers: WORKSPACE, move: "next" });
  expect(s).toMatchObject({ status: "in_progress", currentStep: 2, answers: { workspace: WORKSPACE } });
  const stale = s.version - 1;
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "team", move: "skip" });
  expect(s).toMatchObject({ currentStep: 3, skipped: ["team"] });

  // A save at an old version is refused with what changed, and writes nothing.
  const conflict = await rejection(owner.caller.onboarding.wizard.save({ ...at, version: stale, step: "workspace", answers: { ...WORKSPACE, orgName: "Other" }, move: "stay" }));
  expect(conflict.code).toBe("CONFLICT");
  expect(conflict.message).toMatch(/you had version \d+; now step 3 \(Connect data\), version \d+/);
  expect((await owner.caller.onboarding.wizard.get(at)).session).toMatchObject({ version: s.version, answers: { workspace: WORKSPACE } });

  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "data", answers: { choice: "sample" }, move: "back" });
  expect(s).toMatchObject({ currentStep: 2, answers: { workspace: WORKSPACE, data: { choice: "sample" } } });
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "team", answers: { invited: [{ email: "ana@example.test", role: "editor" }] }, move: "next" });
  expect(s).toMatchObject({ currentStep: 3, skipped: [], answers: { data: { choice: "sample" }, team: { invited: [{ email: "ana@example.test", role: "editor" }] } } });
  expect(await rejection(owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "data", answers: { choice: "sample" }, move: "finish" }))).toMatchObject({ message: "Only the last step finishes the setup." });
  for (const step of ["data", "verify"] as const) s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step, answers: step === "data" ? { choice: "sample" } : {}, move: "next" });
  s = await owner.caller.onboarding.wizard.save({ ...at, version: s.version, step: "dashboard", answers: { slug: "revenue-overview" }, move: "finish" });
  expect(s).toMatchObject({ status: "completed", lease: null });

  // A completed session stays readable; opening again starts a new one.
  expect((await owner.caller.onboarding.wizard.get(at)).session).toMatchObject({ id: s.id, status: "completed" });
  expect((await owner.caller.onboarding.wizard.open(at)).id).not.toBe(s.id);
});

test("the lease keeps a second admin out until they take over (the holder is told) or get a handoff", async () => {
  const owner = await member(k.kernel, "owner");
  const admin = await member(k.kernel, "admin", owner.org.id);
  const viewer = await member(k.kernel, "viewer", owner.org.id);
  const at = { orgId: owner.org.id };
  let s = await owner.caller.onboarding.wizard.open(at);

  const seen = await admin.caller.onboarding.wizard.open(at);
  expect(seen.lease).toMatchObject({ you: false, holderId: owner.user.id });
  const refused = await rejection(admin.caller.onboarding.wizard.save({ ...at, version: seen.version, step: "workspace", answers: WORKSPACE, move: "next" }));
  expect(refused.code).toBe("CONFLICT");
  expect(refused.message).toMatch(/is editing the setup now/);

  const taken = await admin.caller.onboarding.wizard.takeOver(at);
  expect(taken.lease).toMatchObject({ you: true, holderId: admin.user.id });
  const told = (await owner.caller.onboarding.wizard.get(at)).session!;
  expect(told.takenOverBy).toBe("Test User");
  expect(told.lease).toMatchObject({ you: false });
  expect(await rejection(owner.caller.onboarding.wizard.save({ ...at, version: told.version, step: "workspace", answers: WORKSPACE, move: "next" }))).toMatchObject({ code: "CONFLICT" });
  const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", owner.org.id).where("action", "=", "onboarding.wizard.takeover").execute();
  expect(audit).toEqual([{ action: "onboarding.wizard.takeover", data: { from: owner.user.id } }]);

  // The admin hands it back; the owner may save again. Only owners and admins receive it.
  const managers = (await admin.caller.onboarding.wizard.get(at)).managers.map((m) => m.id);
  expect(managers).toEqual([owner.user.id]);
  expect(await rejection(admin.caller.onboarding.wizard.handOff({ ...at, userId: viewer.user.id }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
  s = await admin.caller.onboarding.wizard.handOff({ ...at, userId: owner.user.id });
  expect(s.lease).toMatchObject({ holderId: owner.user.id, you: false });
  const mine = (await owner.caller.onboarding.wizard.get(at)).session!;
  expect(mine).toMatchObject({ takenOverBy: null, lease: { you: true } });
  s = await owner.caller.onboarding.wizard.save({ ...at, version: mine.version, step: "workspace", answers: WORKSPACE, move: "next" });
  expect(s.currentStep).toBe(2);

  // A viewer sees the session but may not drive it.
  expect((await viewer.caller.onboarding.wizard.get(at)).canManage).toBe(false);
  expect((await rejection(viewer.caller.onboarding.wizard.open(at))).code).toBe("FORBIDDEN");
  expect((await rejection(viewer.caller.onboarding.wizard.takeOver(at))).code).toBe("FORBIDDEN");
});
