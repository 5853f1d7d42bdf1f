/**
 * Fixed-window rate limits kept in PostgreSQL, so every app instance counts together.
 * One upsert per check; the window resets when it has passed.
 */
import { sql, type Kysely } from "kysely";
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

/** Clears a key (e.g. after a successful sign-in). */
export async function resetRateLimit(db: Kysely<KernelDatabase>, key: string): Promise<void> {
  await db.deleteFrom("rate_limits").where("key", "=", key).execute();
}
