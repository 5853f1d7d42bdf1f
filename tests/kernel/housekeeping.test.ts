/**
 * The kernel's hourly housekeeping (src/kernel/housekeeping.ts): rate-limit rows whose window
 * began more than a day ago and sessions expired more than a day ago go; everything a request
 * can still read stays. Run through the job system as the schedule runs it.
 */
import { expect, test } from "vitest";
import { housekeepingJob, removeStaleRows } from "~/kernel/housekeeping";
import { useTestKernel } from "../setup/kernel";
import { createUser, unique } from "../setup/fixtures";

const booted = useTestKernel({ workJobs: true });

const HOUR = 3_600_000;

async function seed() {
  const { kernel } = booted;
  const user = await createUser(kernel);
  const keys = { stale: unique("limit"), hourOld: unique("limit"), fresh: unique("limit") };
  await kernel.ownerDb
    .insertInto("rate_limits")
    .values([
      { key: keys.stale, window_start: new Date(Date.now() - 25 * HOUR), count: 9 },
      { key: keys.hourOld, window_start: new Date(Date.now() - 2 * HOUR), count: 3 },
      { key: keys.fresh, window_start: new Date(), count: 1 },
    ])
    .execute();
  const sessions = { longExpired: unique("session"), justExpired: unique("session"), live: unique("session") };
  await kernel.ownerDb
    .insertInto("sessions")
    .values([
      { id: sessions.longExpired, user_id: user.id, expires_at: new Date(Date.now() - 25 * HOUR) },
      { id: sessions.justExpired, user_id: user.id, expires_at: new Date(Date.now() - HOUR) },
      { id: sessions.live, user_id: user.id, expires_at: new Date(Date.now() + HOUR) },
    ])
    .execute();
  return { keys, sessions };
}

async function left(seeded: Awaited<ReturnType<typeof seed>>) {
  const { kernel } = booted;
  const limits = await kernel.ownerDb.selectFrom("rate_limits").select("key").where("key", "in", Object.values(seeded.keys)).execute();
  const sessions = await kernel.ownerDb.selectFrom("sessions").select("id").where("id", "in", Object.values(seeded.sessions)).execute();
  return { limits: limits.map((r) => r.key).sort(), sessions: sessions.map((r) => r.id).sort() };
}

test("removes day-old rate-limit windows and sessions expired a day ago, and nothing else", async () => {
  const { kernel } = booted;
  const seeded = await seed();
  const removed = await removeStaleRows(kernel);
  expect(removed.rateLimits).toBeGreaterThanOrEqual(1);
  expect(removed.sessions).toBeGreaterThanOrEqual(1);
  expect(await left(seeded)).toEqual({
    limits: [seeded.keys.hourOld, seeded.keys.fresh].sort(),
    sessions: [seeded.sessions.justExpired, seeded.sessions.live].sort(),
  });
  expect(await removeStaleRows(kernel)).toEqual({ rateLimits: 0, sessions: 0 });
});

test("the kernel registers it with the job system: enqueued, it runs and removes", async () => {
  const { kernel } = booted;
  const seeded = await seed();
  expect(await kernel.jobs.enqueue(housekeepingJob, {})).toBeTruthy();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await left(seeded);
    if (!now.limits.includes(seeded.keys.stale) && !now.sessions.includes(seeded.sessions.longExpired)) break;
    if (Date.now() > deadline) throw new Error(`housekeeping did not run: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await left(seeded)).sessions).toContain(seeded.sessions.live);
});
