/**
 * Rate limits shared through PostgreSQL (src/kernel/rate-limit.ts): the per-hit upsert and the
 * leased limiter that reserves hits in blocks for hot paths. Both must allow exactly `limit`
 * hits per window on one instance, and never more than `limit` across instances.
 */
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { hitRateLimit, hitRateLimits, hitRateLimitsWith, LeasedRateLimiter } from "~/kernel/rate-limit";
import { useTestKernel } from "../setup/kernel";

const booted = useTestKernel();

const key = () => `test:${crypto.randomUUID()}`;

async function allowedOf(hits: Promise<{ allowed: boolean }>[]): Promise<number> {
  return (await Promise.all(hits)).filter((r) => r.allowed).length;
}

describe("leased rate limits", () => {
  test("blocks are a twentieth of the limit, between 1 and 1,000", () => {
    expect(LeasedRateLimiter.blockFor(5)).toBe(1);
    expect(LeasedRateLimiter.blockFor(300)).toBe(15);
    expect(LeasedRateLimiter.blockFor(1_200)).toBe(60);
    expect(LeasedRateLimiter.blockFor(1_000_000)).toBe(1_000);
  });

  test("the next block is reserved ahead: hits never wait for its upsert, only an empty lease does", async () => {
    const { kernel } = booted;
    const limiter = new LeasedRateLimiter();
    const k = key();
    const limit = 200; // block 10
    const count = async () => (await kernel.ownerDb.selectFrom("rate_limits").select("count").where("key", "=", k).executeTakeFirstOrThrow()).count;
    // The first hit reserves a block; half of it spent, the next one is reserved in the background.
    for (let i = 0; i < 5; i++) expect((await limiter.hit(kernel.db, k, limit, 60)).allowed).toBe(true);
    for (let i = 0; i < 50 && (await count()) < 20; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await count()).toBe(20);

    // Hold the key's row: any upsert of it now waits for this transaction.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = kernel.ownerDb.transaction().execute(async (trx) => {
      await trx.selectFrom("rate_limits").select("count").where("key", "=", k).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;
    // Five slots left of the first block and ten of the second: all spent without the database.
    for (let i = 0; i < 15; i++) expect((await limiter.hit(kernel.db, k, limit, 60)).allowed).toBe(true);
    // The lease is empty and its reservation ahead is stuck behind the lock: this hit waits.
    let settled = false;
    const waiting = limiter.hit(kernel.db, k, limit, 60).then((r) => ((settled = true), r));
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    release();
    await holder;
    expect((await waiting).allowed).toBe(true);
    expect(await count()).toBe(30);
  });

  test("one instance allows exactly the limit, in order, with few database round trips", async () => {
    const { kernel } = booted;
    const limiter = new LeasedRateLimiter();
    const k = key();
    const results = [];
    for (let i = 0; i < 130; i++) results.push(await limiter.hit(kernel.db, k, 120, 60));
    expect(results.filter((r) => r.allowed)).toHaveLength(120);
    expect(results.slice(0, 120).every((r) => r.allowed)).toBe(true);
    expect(results[120]!.allowed).toBe(false);
    expect(results[129]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(results[129]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // 120 hits in blocks of 6: 20 reservations, not 120 upserts.
    const row = await kernel.ownerDb.selectFrom("rate_limits").select("count").where("key", "=", k).executeTakeFirstOrThrow();
    expect(row.count).toBe(120);
  });

  test("concurrent hits share one reservation and still never pass the limit", async () => {
    const { kernel } = booted;
    const limiter = new LeasedRateLimiter();
    const k = key();
    expect(await allowedOf(Array.from({ length: 300 }, () => limiter.hit(kernel.db, k, 200, 60)))).toBe(200);
  });

  test("three instances together allow at most the limit; each may refuse early by at most a block and a half", async () => {
    const { kernel } = booted;
    const limiters = [new LeasedRateLimiter(), new LeasedRateLimiter(), new LeasedRateLimiter()];
    const k = key();
    const limit = 100; // block 5
    const hits = Array.from({ length: 240 }, (_, i) => limiters[i % 3]!.hit(kernel.db, k, limit, 60));
    const allowed = await allowedOf(hits);
    expect(allowed).toBeLessThanOrEqual(limit);
    // Unused at the end: at most half a block and the block reserved ahead, per instance.
    expect(allowed).toBeGreaterThanOrEqual(limit - 3 * Math.floor(1.5 * LeasedRateLimiter.blockFor(limit)));
  });

  test("a new window starts a new budget", async () => {
    const { kernel } = booted;
    const limiter = new LeasedRateLimiter();
    const k = key();
    for (let i = 0; i < 40; i++) await limiter.hit(kernel.db, k, 40, 1);
    expect((await limiter.hit(kernel.db, k, 40, 1)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await limiter.hit(kernel.db, k, 40, 1)).allowed).toBe(true);
  });

  test("small limits reserve one hit at a time, counted with the per-hit limiter on the same key", async () => {
    const { kernel } = booted;
    const limiter = new LeasedRateLimiter();
    const k = key();
    await hitRateLimit(kernel.db, k, 5, 60);
    await hitRateLimit(kernel.db, k, 5, 60);
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await limiter.hit(kernel.db, k, 5, 60)).allowed);
    expect(results).toEqual([true, true, true, false, false]);
  });
});

describe("several keys in one statement", () => {
  test("each key counts on its own row, answers in the order asked, and agrees with the per-hit limiter", async () => {
    const { kernel } = booted;
    const [a, b] = [key(), key()];
    await hitRateLimit(kernel.db, a, 3, 60); // a has one hit already
    const first = await hitRateLimits(kernel.db, [{ key: b, limit: 5 }, { key: a, limit: 3 }], 60);
    expect(first.map((r) => r.remaining)).toEqual([4, 1]);
    const second = await hitRateLimits(kernel.db, [{ key: b, limit: 5 }, { key: a, limit: 3 }], 60);
    expect(second.map((r) => r.allowed)).toEqual([true, true]);
    const third = await hitRateLimits(kernel.db, [{ key: b, limit: 5 }, { key: a, limit: 3 }], 60);
    expect(third.map((r) => r.allowed)).toEqual([true, false]);
    expect(third[1]!.retryAfterSeconds).toBeGreaterThan(0);
    expect((await hitRateLimit(kernel.db, b, 5, 60)).remaining).toBe(1);
  });

  test("concurrent calls naming the same keys in either order count every hit and never deadlock", async () => {
    const { kernel } = booted;
    const [a, b] = [key(), key()];
    const calls = Array.from({ length: 40 }, (_, i) => hitRateLimits(kernel.db, i % 2 ? [{ key: a, limit: 30 }, { key: b, limit: 30 }] : [{ key: b, limit: 30 }, { key: a, limit: 30 }], 60));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.every((x) => x.allowed))).toHaveLength(30);
    const rows = await kernel.ownerDb.selectFrom("rate_limits").select(["key", "count"]).where("key", "in", [a, b]).execute();
    expect(rows.map((r) => r.count)).toEqual([40, 40]);
  });

  test("a key named twice counts once; no keys is no statement", async () => {
    const { kernel } = booted;
    const a = key();
    const results = await hitRateLimits(kernel.db, [{ key: a, limit: 2 }, { key: a, limit: 2 }], 60);
    expect(results.map((r) => r.remaining)).toEqual([1, 1]);
    expect(await hitRateLimits(kernel.db, [], 60)).toEqual([]);
  });

  test("with a read: the counts and the read's row (types kept) come from one statement; no row is null", async () => {
    const { kernel } = booted;
    const email = `limits-${crypto.randomUUID()}@example.test`;
    const user = await kernel.ownerDb.insertInto("users").values({ email, name: "Limits" }).returning(["id", "created_at"]).executeTakeFirstOrThrow();
    const [a, b] = [key(), key()];
    const read = kernel.db.selectFrom("users").select(["id", "email", "created_at"]).where("email", "=", email);
    const checks = [
      { key: a, limit: 2 },
      { key: b, limit: 1 },
    ];
    const first = await hitRateLimitsWith(kernel.db, checks, 60, read);
    expect(first.results.map((r) => r.remaining)).toEqual([1, 0]);
    expect(first.row).toEqual({ id: user.id, email, created_at: user.created_at });
    expect(first.row?.created_at).toBeInstanceOf(Date);
    const nobody = kernel.db.selectFrom("users").select("id").where("email", "=", "nobody@example.test");
    const second = await hitRateLimitsWith(kernel.db, checks, 60, nobody);
    expect(second.row).toBeNull();
    expect(second.results.map((r) => r.allowed)).toEqual([true, false]);
    // The read runs (and answers) whatever the limits say; no keys is the read alone.
    expect((await hitRateLimitsWith(kernel.db, checks, 60, read)).row?.id).toBe(user.id);
    expect(await hitRateLimitsWith(kernel.db, [], 60, read)).toEqual({ results: [], row: { id: user.id, email, created_at: user.created_at } });
    const rows = await kernel.ownerDb.selectFrom("rate_limits").select(["key", "count"]).where("key", "in", [a, b]).orderBy("count").execute();
    expect(rows.map((r) => r.count)).toEqual([3, 3]);
  });

  test("counters live in an unlogged table (ADR 050): the migration made it so and nothing set it back", async () => {
    const { kernel } = booted;
    const { rows } = await sql<{ relpersistence: string }>`select relpersistence from pg_class where oid = 'rate_limits'::regclass`.execute(kernel.ownerDb);
    expect(rows[0]?.relpersistence).toBe("u");
  });
});
