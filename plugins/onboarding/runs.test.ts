/**
 * Setup task runs on real PostgreSQL and the real job system: a start only queues; one active
 * run per org and task, even for 50 concurrent starts on two app instances; idempotent starts
 * get the active run back; transient failures are retried with backoff; cancel; and a secret
 * planted in a connection error never reaches evidence, runs, the board, the audit log or logs.
 */
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { adminUrl } from "../../tests/setup/database";
import { asUser } from "../../tests/setup/fixtures";
import { member } from "../data/test-helpers";
import { taskBoard } from "./runs";
import { onboardingDb } from "./tables";
import { bootOnboardingKernel, eventually, finishedRun, runRow } from "./test-helpers";
import { finish } from "./worker";

let k: Awaited<ReturnType<typeof bootOnboardingKernel>>;
beforeAll(async () => {
  k = await bootOnboardingKernel({ workJobs: true });
}, 60_000);
afterAll(async () => k?.close());

async function sourceIn(orgId: string, config: Record<string, unknown>): Promise<string> {
  const row = await k.kernel.ownerDb
    .withTables<{ data_sources: { id?: string; org_id: string; name: string; type: string; config: unknown } }>()
    .insertInto("data_sources")
    .values({ org_id: orgId, name: `src ${randomBytes(3).toString("hex")}`, type: "postgres", config: JSON.stringify(config) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id!;
}

test("a secret planted in a connection error never reaches evidence, the run, the board, the audit log or the logs", async () => {
  const { org, caller } = await member(k.kernel, "owner");
  const secret = `planted-S3CRET-${randomBytes(6).toString("hex")}`;
  const port = Number(new URL(adminUrl()).port);
  const sourceId = await sourceIn(org.id, { host: "127.0.0.1", port, database: "postgres", user: secret, password: "not-it", sslmode: "disable" });
  const { run } = await caller.onboarding.tasks.start({ orgId: org.id, task: "connection.verify", params: { sourceId } });
  const finished = await finishedRun(k.kernel, run.id);
  expect(finished.status).toBe("failed");
  expect(finished.reason_code).toBe("auth.failed");

  const evidence = await onboardingDb(k.kernel.ownerDb).selectFrom("onboarding_evidence").selectAll().where("org_id", "=", org.id).execute();
  expect(evidence).toHaveLength(1);
  expect(evidence[0]).toMatchObject({ task: "connection.verify", subject: sourceId, status: "fail", reason_code: "auth.failed", message: "The server refused the user name or password." });
  const board = await caller.onboarding.tasks.list({ orgId: org.id });
  expect(board.tasks.find((t) => t.id === "connection.verify")).toMatchObject({ badge: "fail", evidence: { reasonCode: "auth.failed" } });
  const audit = await k.kernel.ownerDb.selectFrom("audit_events").selectAll().where("org_id", "=", org.id).execute();
  const seen = JSON.stringify({ evidence, finished, board, audit, got: await caller.onboarding.tasks.run({ orgId: org.id, runId: run.id }), history: await caller.onboarding.tasks.history({ orgId: org.id }) });
  expect(seen).not.toContain(secret);
  expect(k.logLines.join("\n")).not.toContain(secret);
  // The data plugin itself does tell the person at the form (a test without saving): the secret was really in the error.
  expect((await caller.data.sources.test({ orgId: org.id, sourceId })).message).toContain(secret);
}, 60_000);

test("a refused connection is retried with backoff, stays the one active run meanwhile, and can be cancelled", async () => {
  const { org, caller } = await member(k.kernel, "owner");
  const sourceId = await sourceIn(org.id, { host: "127.0.0.1", port: 1, database: "x", user: "x", password: "x", sslmode: "disable" });
  const { run } = await caller.onboarding.tasks.start({ orgId: org.id, task: "connection.verify", params: { sourceId } });
  const retrying = await eventually(async () => {
    const row = await runRow(k.kernel, run.id);
    return row.attempts >= 1 && row.status === "queued" && row.retry_at ? row : null;
  }, 20_000, "first attempt refused and requeued");
  expect(retrying.reason_code).toBe("connection.refused");
  await expect(caller.onboarding.tasks.start({ orgId: org.id, task: "connection.verify", params: { sourceId } })).rejects.toMatchObject({ code: "CONFLICT" });
  await eventually(async () => (await runRow(k.kernel, run.id)).attempts >= 2, 20_000, "second attempt");
  const cancelled = await caller.onboarding.tasks.cancel({ orgId: org.id, runId: run.id });
  expect(cancelled.status).toBe("cancelled");
  await expect(caller.onboarding.tasks.cancel({ orgId: org.id, runId: run.id })).rejects.toMatchObject({ code: "CONFLICT" });
  // A later attempt of the job finds the run cancelled and leaves it so.
  await new Promise((r) => setTimeout(r, 500));
  expect((await runRow(k.kernel, run.id)).status).toBe("cancelled");
  // Another org cannot see or cancel the run.
  const other = await member(k.kernel, "owner");
  await expect(other.caller.onboarding.tasks.run({ orgId: other.org.id, runId: run.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(other.caller.onboarding.tasks.cancel({ orgId: other.org.id, runId: run.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
}, 60_000);

test("bad parameters are 422 on the field, and nothing is queued", async () => {
  const { org, caller } = await member(k.kernel, "owner");
  const err = await caller.onboarding.tasks.start({ orgId: org.id, task: "connection.verify", params: { sourceId: "nope", extra: 1 } }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  expect(err).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
  const fields = ((err as TRPCError).cause as unknown as { fields: Record<string, string[]> }).fields;
  expect(Object.keys(fields).sort()).toEqual(["params.extra", "params.sourceId"]);
  expect(await caller.onboarding.tasks.history({ orgId: org.id })).toEqual([]);
});

describe("two app instances on one database, no workers", () => {
  let a: Awaited<ReturnType<typeof bootOnboardingKernel>>;
  let b: Awaited<ReturnType<typeof bootOnboardingKernel>>;
  beforeAll(async () => {
    a = await bootOnboardingKernel({ workJobs: false });
    b = await bootOnboardingKernel({ workJobs: false, url: a.url });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  test("50 parallel starts of one task end with exactly one run; idempotent callers get it back, the others 409 naming it", async () => {
    const { org, user } = await member(a.kernel, "owner");
    const starts = Array.from({ length: 50 }, (_, i) =>
      asUser(i % 2 ? b.kernel : a.kernel, user.id)
        .onboarding.tasks.start({ orgId: org.id, task: "sample.load", idempotent: i % 4 < 2 })
        .then((r) => ({ ok: true as const, r, idempotent: i % 4 < 2 }))
        .catch((e: unknown) => ({ ok: false as const, e, idempotent: i % 4 < 2 })),
    );
    const results = await Promise.all(starts);
    const rows = await onboardingDb(a.kernel.ownerDb).selectFrom("onboarding_task_runs").selectAll().where("org_id", "=", org.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe("queued");
    const created = results.filter((x) => x.ok && x.r.created);
    expect(created).toHaveLength(1);
    for (const x of results) {
      if (x.ok) expect(x.r.run.id).toBe(rows[0]!.id);
      else {
        expect(x.idempotent).toBe(false);
        expect(x.e).toMatchObject({ code: "CONFLICT" });
        expect((x.e as Error).message).toContain(rows[0]!.id);
      }
    }
    expect(results.filter((x) => x.idempotent).every((x) => x.ok)).toBe(true);
    // The start only queued: the job exists and nothing ran.
    expect(await a.kernel.jobs.getJob("onboarding.task-run", rows[0]!.job_id!)).toMatchObject({ state: "created" });
  }, 60_000);

  test("a run that ends between the board's two reads shows as still active beside its evidence, never as ended without it", async () => {
    const { org, user } = await member(a.kernel, "owner");
    const { run } = await asUser(a.kernel, user.id).onboarding.tasks.start({ orgId: org.id, task: "sample.load" });
    await onboardingDb(a.kernel.ownerDb).updateTable("onboarding_task_runs").set({ status: "running", worker: "w1", heartbeat_at: new Date() }).where("id", "=", run.id).execute();
    const running = await runRow(a.kernel, run.id);
    // The worker commits the run's end right after the board's first read returns.
    let reads = 0;
    const torn = a.kernel.ownerDb.withPlugin({
      transformQuery: (args) => args.node,
      async transformResult(args) {
        if (++reads === 1) await finish(a.kernel, running, "w1", { reason: "sample.loaded", subject: "warehouse", payload: { totalRows: 1, tables: 1, elapsedMs: 1 } });
        return args.result;
      },
    });
    const entry = (await taskBoard(a.kernel, torn, org.id, "owner")).tasks.find((t) => t.id === "sample.load")!;
    expect(reads).toBe(2);
    expect(entry.activeRun).toMatchObject({ id: run.id, status: "running" });
    expect(entry).toMatchObject({ badge: "ok", evidence: { reasonCode: "sample.loaded" } });
    // The look after it, which the board takes because a run was active, sees the run ended.
    const next = (await asUser(a.kernel, user.id).onboarding.tasks.list({ orgId: org.id })).tasks.find((t) => t.id === "sample.load")!;
    expect(next).toMatchObject({ activeRun: null, badge: "ok", lastRun: { id: run.id, status: "succeeded" } });
  }, 60_000);
});
