import { expect, test } from "vitest";
import { defineJob, JobRunner } from "~/kernel/jobs";
import { noteDigestJob } from "../example-plugin/jobs";
import { useTestKernel } from "../setup/kernel";
import { asUser, createOrg, createUser } from "../setup/fixtures";

const booted = useTestKernel({ workJobs: true });

async function eventually<T>(fn: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

function digestOf(orgId: string) {
  const { kernel } = booted;
  return kernel.ownerDb
    .withTables<{ example_digests: { org_id: string; note_count: number } }>()
    .selectFrom("example_digests")
    .select("note_count")
    .where("org_id", "=", orgId)
    .executeTakeFirst();
}

test("a job enqueued inside a committed transaction runs", async () => {
  const { kernel } = booted;
  const user = await createUser(kernel);
  const org = await createOrg(kernel, [{ userId: user.id, role: "editor" }]);
  await asUser(kernel, user.id).example.notes.add({ orgId: org.id, body: "first" });
  const digest = await eventually(() => digestOf(org.id));
  expect(digest.note_count).toBe(1);
});

test("a job enqueued inside a rolled-back transaction never exists", async () => {
  const { kernel } = booted;
  const user = await createUser(kernel);
  const org = await createOrg(kernel, [{ userId: user.id, role: "editor" }]);
  let jobId: string | null = null;
  await kernel.db
    .transaction()
    .execute(async (trx) => {
      jobId = await kernel.jobs.enqueue(noteDigestJob, { orgId: org.id }, { db: trx });
      throw new Error("roll back");
    })
    .catch(() => {});
  expect(jobId).toBeTruthy();
  expect(await kernel.jobs.getJob(noteDigestJob.name, jobId!)).toBeNull();
});

test("a failing job is retried with backoff until it succeeds", async () => {
  const { kernel } = booted;
  const user = await createUser(kernel);
  const org = await createOrg(kernel, [{ userId: user.id, role: "editor" }]);
  const id = await kernel.jobs.enqueue(noteDigestJob, { orgId: org.id, failTimes: 2 });
  const done = await eventually(async () => {
    const job = await kernel.jobs.getJob(noteDigestJob.name, id!);
    return job?.state === "completed" ? job : null;
  }, 30_000);
  expect(done.retryCount).toBe(2);
  expect((await digestOf(org.id))?.note_count).toBe(0);
}, 40_000);

test("enqueueing a job no plugin registered is refused", async () => {
  const { kernel } = booted;
  await expect(kernel.jobs.enqueue({ name: "nobody.job", run: async () => {} }, {})).rejects.toThrow(/not registered/);
});

test("a job declared with concurrency 3 works three runs at once in one process, no more", async () => {
  const { kernel } = booted;
  let running = 0;
  let most = 0;
  let done = 0;
  const job = defineJob<"example.side-by-side", { n: number }>("example.side-by-side", {
    concurrency: 3,
    retryLimit: 0,
    async run() {
      running++;
      most = Math.max(most, running);
      // Hold each run until three are running (or a while has passed), so overlap is observed, not hoped for.
      const until = Date.now() + 5_000;
      while (running < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50));
      running--;
      done++;
    },
  });
  const runner = new JobRunner(kernel.database.url, kernel.log, kernel.metrics);
  runner.register(job);
  await runner.start({ kernel, work: true });
  try {
    for (let n = 0; n < 9; n++) await runner.enqueue(job, { n });
    await eventually(async () => done === 9, 60_000);
    expect(most).toBe(3);
  } finally {
    await runner.stop();
  }
}, 70_000);

test("a runner stopped while pg-boss is still starting waits for it and closes it; stop is idempotent", async () => {
  const { kernel } = booted;
  const job = defineJob<"test.early-stop", Record<string, never>>("test.early-stop", { run: async () => {} });
  const runner = new JobRunner(kernel.database.url, kernel.log, kernel.metrics);
  runner.register(job);
  const opening = runner.open();
  await runner.stop();
  // The start was refused on the way (it saw the stop), and nothing is left running to enqueue on.
  await expect(opening).rejects.toThrow(/stopped while it started/);
  await expect(runner.enqueue(job, {})).rejects.toThrow(/not started/);
  await runner.stop();
}, 30_000);
