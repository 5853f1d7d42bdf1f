/**
 * Fixed-window rate limits kept in PostgreSQL, so every app instance counts together.
 * One upsert per check (or per group of checks with the same window); the window resets when
 * it has passed.
 */
import { sql, type Expression, type Kysely } from "kysely";
import type { KernelDatabase } from "./db/schema";

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
  remaining: number;
}

/** Counts one hit on `key`; allowed while the window holds at most `limit` hits. */
export async function hitRateLimit(
  db: Kysely<KernelDatabase>,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<RateLimitResult> {
  const { rows } = await sql<{ count: number; window_start: Date }>`
    insert into rate_limits as r (key, window_start, count) values (${key}, now(), 1)
    on conflict (key) do update set
      count = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else r.count + 1 end,
      window_start = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else r.window_start end
    returning count, window_start`.execute(db);
  const row = rows[0]!;
  const resetAt = row.window_start.getTime() + windowSeconds * 1000;
  return {
    allowed: row.count <= limit,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)),
    remaining: Math.max(0, limit - row.count),
  };
}

/**
 * Counts one hit on each key that shares a window length, in one statement (a sign-in counts its
 * account and its address together): the answer per key, in the order given. Keys are locked in
 * sorted order, so two calls naming the same keys cannot deadlock; a key named twice counts once.
 */
export async function hitRateLimits(
  db: Kysely<KernelDatabase>,
  checks: ReadonlyArray<{ key: string; limit: number }>,
  windowSeconds: number,
): Promise<RateLimitResult[]> {
  const keys = sortedKeysOf(checks);
  if (keys.length === 0) return [];
  const { rows } = await sql<HitRow>`${hitsStatement(keys, windowSeconds)}`.execute(db);
  return resultsOf(checks, rows, windowSeconds);
}

/**
 * {@link hitRateLimits} and one read in a single statement, so a call that counts and then looks
 * something up (a sign-in: its limits, then the account) makes one round trip. `read` is a select
 * of at most one row; it sees the database as of the statement's start, as it would alone, and
 * runs whatever the limits say (the caller refuses after, having done the same work either way).
 */
export async function hitRateLimitsWith<R extends object>(
  db: Kysely<KernelDatabase>,
  checks: ReadonlyArray<{ key: string; limit: number }>,
  windowSeconds: number,
  read: Expression<R>,
): Promise<{ results: RateLimitResult[]; row: R | null }> {
  const keys = sortedKeysOf(checks);
  if (keys.length === 0) return { results: [], row: (await sql<R>`${read}`.execute(db)).rows[0] ?? null };
  const { rows } = await sql<{ __key: string; __count: number; __window_start: Date; __found: boolean } & R>`
    with hits as (${hitsStatement(keys, windowSeconds)}), found as ${read}
    select hits.key as __key, hits.count as __count, hits.window_start as __window_start, exists (select from found) as __found, found.*
      from hits left join found on true`.execute(db);
  const first = rows[0]!;
  let row: R | null = null;
  if (first.__found) {
    const copy: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(first)) if (!name.startsWith("__")) copy[name] = value;
    row = copy as R;
  }
  return { results: resultsOf(checks, rows.map((r) => ({ key: r.__key, count: r.__count, window_start: r.__window_start })), windowSeconds), row };
}

/** Each key once, in the order rows are locked in (so two calls naming the same keys cannot deadlock). */
function sortedKeysOf(checks: ReadonlyArray<{ key: string }>): string[] {
  return [...new Set(checks.map((c) => c.key))].sort();
}

interface HitRow {
  key: string;
  count: number;
  window_start: Date;
}

/** The upsert counting one hit per key, keys locked in sorted order; returns each key's row. */
function hitsStatement(keys: string[], windowSeconds: number) {
  return sql`
    insert into rate_limits as r (key, window_start, count)
    select k, now(), 1 from unnest(${keys}::text[]) as k order by k
    on conflict (key) do update set
      count = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else r.count + 1 end,
      window_start = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else r.window_start end
    returning key, count, window_start`;
}

function resultsOf(checks: ReadonlyArray<{ key: string; limit: number }>, rows: readonly HitRow[], windowSeconds: number): RateLimitResult[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return checks.map((check) => {
    const row = byKey.get(check.key)!;
    const resetAt = row.window_start.getTime() + windowSeconds * 1000;
    return {
      allowed: row.count <= check.limit,
      retryAfterSeconds: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)),
      remaining: Math.max(0, check.limit - row.count),
    };
  });
}

/** Clears a key (e.g. after a successful sign-in). */
export async function resetRateLimit(db: Kysely<KernelDatabase>, key: string): Promise<void> {
  await db.deleteFrom("rate_limits").where("key", "=", key).execute();
}

/** The largest block one reservation takes. */
const MAX_BLOCK = 1_000;

interface Lease {
  /** When the database window this lease belongs to ends (ms since the epoch). */
  windowEnd: number;
  /** Hits this instance has reserved in that window and not used yet. */
  slots: number;
  /** The database count after the last reservation (for `remaining`). */
  counted: number;
}

/**
 * The same fixed windows, shared by every instance, for limits hit on a hot path (MCP calls):
 * an instance reserves a block of hits with one upsert (`count + block`) and spends it in
 * memory, so most hits cost no round trip. Exact on one instance (every hit allowed was
 * reserved, never more than `limit` in a window); with several instances a hit can be refused
 * while another instance still holds unused slots — at most one and a half blocks per instance
 * (the next block is reserved ahead, see below), a conservative error. Small limits (sign-in,
 * anything under 40 a window) reserve one hit at a time, as `hitRateLimit` does.
 *
 * The next block is reserved in the background once half of the current one is spent, so hits
 * do not queue behind the upsert: when every caller of a busy key waited for it, that wait (not
 * the upsert's cost) was what the limit cost an MCP call under load. Only an empty lease (the
 * first hit, a new window, a reservation that has not come back in time) makes hits wait.
 */
export class LeasedRateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly reserving = new Map<string, Promise<void>>();

  constructor(private readonly maxEntries = 10_000) {}

  /**
   * The block one reservation takes: a twentieth of the limit, between 1 and 1,000. What an
   * instance can hold unused is so bounded by the limit itself (5 %, and the half block reserved
   * ahead), however high an operator sets it.
   */
  static blockFor(limit: number): number {
    return Math.max(1, Math.min(MAX_BLOCK, Math.floor(limit / 20)));
  }

  async hit(db: Kysely<KernelDatabase>, key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    // Ends: every round either spends a slot or reserves a block, and the window's count only
    // grows until it reaches the limit (then refused below).
    for (;;) {
      const lease = this.leases.get(key);
      const now = Date.now();
      if (lease && now < lease.windowEnd && lease.slots > 0) {
        lease.slots -= 1;
        this.reserveAhead(db, key, lease, limit, windowSeconds);
        return { allowed: true, retryAfterSeconds: Math.max(1, Math.ceil((lease.windowEnd - now) / 1000)), remaining: Math.max(0, limit - lease.counted + lease.slots) };
      }
      if (lease && now < lease.windowEnd && lease.counted >= limit) {
        // This window is spent everywhere: refuse without asking the database again.
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((lease.windowEnd - now) / 1000)), remaining: 0 };
      }
      // One reservation at a time per key; concurrent hits wait for it, then spend from it.
      const pending = this.reserving.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const reservation = this.reserve(db, key, limit, windowSeconds).finally(() => this.reserving.delete(key));
      this.reserving.set(key, reservation);
      await reservation;
    }
  }

  /** Starts reserving the next block once half of this one is spent (never for one-hit blocks, nor past the limit). */
  private reserveAhead(db: Kysely<KernelDatabase>, key: string, lease: Lease, limit: number, windowSeconds: number): void {
    const block = LeasedRateLimiter.blockFor(limit);
    if (block < 2 || lease.slots > block / 2 || lease.counted >= limit || this.reserving.has(key)) return;
    // A failure here is not the caller's: the hit that finds the lease empty reserves again and sees it.
    const reservation = this.reserve(db, key, limit, windowSeconds)
      .catch(() => {})
      .finally(() => this.reserving.delete(key));
    this.reserving.set(key, reservation);
  }

  private async reserve(db: Kysely<KernelDatabase>, key: string, limit: number, windowSeconds: number): Promise<void> {
    const block = LeasedRateLimiter.blockFor(limit);
    const { rows } = await sql<{ count: number; window_start: Date }>`
      insert into rate_limits as r (key, window_start, count) values (${key}, now(), ${block})
      on conflict (key) do update set
        count = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then ${block} else r.count + ${block} end,
        window_start = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else r.window_start end
      returning count, window_start`.execute(db);
    const row = rows[0]!;
    const granted = Math.max(0, Math.min(block, limit - (row.count - block)));
    const windowEnd = row.window_start.getTime() + windowSeconds * 1000;
    const current = this.leases.get(key);
    if (current) {
      // Reserved ahead in the same window: the new slots join those not yet spent. A new window
      // (the database's clock decides) starts from the new block alone.
      current.slots = current.windowEnd === windowEnd ? current.slots + granted : granted;
      current.windowEnd = windowEnd;
      current.counted = Math.min(limit, row.count);
      return;
    }
    if (this.leases.size >= this.maxEntries) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.leases.keys().next().value;
      if (oldest !== undefined) this.leases.delete(oldest);
    }
    this.leases.set(key, { windowEnd, slots: granted, counted: Math.min(limit, row.count) });
  }
}
